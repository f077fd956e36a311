// File names derived from data sources stay short enough for any file system.
import { describe, it, expect } from "vitest";
import { sourceSlug, checkTrainingSize, withMemoryContext } from "./jobs.js";
import type { Dataset } from "@sparse-dgm/data";

describe("sourceSlug", () => {
  it("keeps sources readable and shortens very long ones to distinct names of at most 160 characters", () => {
    expect(sourceSlug("synthetic:smiley?n=2000")).toBe("synthetic_smiley_n_2000");
    const F = "/usr/share/datasets/fashion-mnist";
    const idx = (limit: number) =>
      `idx:${F}/train-images-idx3-ubyte.gz?labels=${F}/train-labels-idx1-ubyte.gz&testImages=${F}/t10k-images-idx3-ubyte.gz&testLabels=${F}/t10k-labels-idx1-ubyte.gz&limit=${limit}`;
    const a = sourceSlug(idx(1000));
    const b = sourceSlug(idx(2000));
    expect(a.length).toBeLessThanOrEqual(160);
    // the two-file form keeps its full slug (folders written before the limit keep their names)
    expect(sourceSlug(`idx:${F}/train-images-idx3-ubyte.gz?labels=${F}/train-labels-idx1-ubyte.gz`)).toBe(
      "idx_usr_share_datasets_fashion_mnist_train_images_idx3_ubyte_gz_labels_usr_share_datasets_fashion_mnist_train_labels_idx1_ubyte_gz",
    );
    expect(a).toMatch(/^idx_usr_share_datasets_fashion_mnist_train_images_idx3_ubyte_gz_labels_\w*_[0-9a-f]{10}$/);
    expect(a).not.toBe(b); // the sources differ only at their end: the hash tells them apart
    expect(sourceSlug(idx(1000))).toBe(a); // and is stable
  });
});

describe("memory errors name the size and what to change", () => {
  const advice = /lower --batch-size or --set hidden=\.\.\., or keep fewer features \(ratings: topItems=, ldac: topTerms=, any source: preprocess=topVariance:N\) or rows \(limit=\)/;

  it("a training matrix over half the wasm heap is refused before anything is allocated", () => {
    const ds = { g: 300_000, split: { train: new Int32Array(2000), test: new Int32Array(10) } } as unknown as Dataset;
    const spec = { model: "sparseVae", source: "ldac:big.ldac" };
    expect(() => checkTrainingSize(spec, ds, "wasm")).toThrow(/^sparseVae on ldac:big\.ldac: the training rows are 2000 × 300000 = 2\.24 GB as float32, more than half of the wasm backend's 4 GB heap; /);
    expect(() => checkTrainingSize(spec, ds, "wasm")).toThrow(advice);
    expect(() => checkTrainingSize(spec, ds, "tensorflow")).not.toThrow();
  });

  it("wasm's `memory access out of bounds` inside a phase becomes one line naming the phase, the sizes and what to change", async () => {
    const oob = () => {
      throw new WebAssembly.RuntimeError("memory access out of bounds");
    };
    const err = await withMemoryContext("sparseVae on ldac:ap.ldac: evaluation of 449 held-out rows", "1797 training rows × 10473 features, batch 512, hidden 300, factors 50", oob).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^sparseVae on ldac:ap\.ldac: evaluation of 449 held-out rows: ran out of memory on the \w+ backend \(1797 training rows × 10473 features, batch 512, hidden 300, factors 50; peak RSS \d+ MB\): /);
    expect(msg).toMatch(advice);
    expect(msg.split("\n")).toHaveLength(1);
    // other errors pass through unchanged
    await expect(withMemoryContext("x", "y", () => Promise.reject(new Error("site \"x\": bad")))).rejects.toThrow(/^site "x": bad$/);
  });
});

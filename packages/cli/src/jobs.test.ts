// File names derived from data sources stay short enough for any file system.
import { describe, it, expect } from "vitest";
import { sourceSlug } from "./jobs.js";

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

// What the report shows of a local binary code (evaluateProgramWithPanels): mean γ per class on the
// held-out split and the class × class Jaccard matrix, per replica, computed from the same γ the
// metrics use; rows without a label (-1) are no class of their own, in the panels and in the metrics.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { tf } from "@sparse-dgm/core";
import { compile, observedTensor, type Program } from "@sparse-dgm/infer";
import { zoo } from "@sparse-dgm/zoo";
import { evaluateProgram, evaluateProgramWithPanels, classJaccard } from "@sparse-dgm/metrics";
import type { Dataset } from "@sparse-dgm/data";
import { partsData } from "../support/parts-data.js";

const small = { features: 36, latents: 12, hidden: 32, alpha: 0.2, spikeHead: "sigmoid", sharpness: 50, warmupStart: 0, warmupEnd: 0, klWarmup: 0 } as const;

describe("evaluateProgramWithPanels", () => {
  let ds: Dataset;
  let program: Program;
  beforeAll(async () => {
    ds = partsData();
    ds.labelNames = ["left", "middle", "right"];
    // every fifth row unlabelled
    ds.labels = ds.labels!.map((l, i) => (i % 5 === 4 ? -1 : l));
    const model = zoo.vsc.build(small as never);
    program = compile(model, { seed: 0, replicas: 2, normalisation: "elbo" });
    const x = observedTensor(model, ds, ds.split.train);
    await program.fit(x, { epochs: 15, batchSize: 24, learningRate: 1e-2 });
    x.dispose();
  }, 120_000);
  afterAll(() => program.dispose?.());

  it("gives mean γ per named class and the class Jaccard matrix of the labelled rows, per replica, with the same metrics as evaluateProgram", () => {
    const { metrics, panels } = evaluateProgramWithPanels(program, ds);
    expect(metrics).toEqual(evaluateProgram(program, ds));
    expect(panels).toHaveLength(2);
    const xTe = observedTensor(program.model, ds, ds.split.test);
    const enc = program.encode(xTe);
    const gammaAll = enc[Object.keys(enc)[0]].activity!.arraySync() as number[][][];
    tf.dispose([xTe, ...Object.values(enc).flatMap((e) => [e.mean, e.activity!])]);
    const labels = Array.from(ds.split.test, (i) => ds.labels![i]);
    panels.forEach((p, r) => {
      const gamma = gammaAll[r];
      expect(p.activityBy).toBe("class");
      expect(p.activityRows).toEqual(["left", "middle", "right"]);
      for (let c = 0; c < 3; c++) {
        const members = gamma.filter((_, i) => labels[i] === c);
        const mean = Array.from({ length: 12 }, (_, d) => members.reduce((s, g) => s + g[d], 0) / members.length);
        p.activity[c].forEach((v, d) => expect(v).toBeCloseTo(mean[d], 5));
      }
      const keep = labels.flatMap((l, i) => (l >= 0 ? [i] : []));
      const j = classJaccard(keep.map((i) => gamma[i]), keep.map((i) => labels[i]));
      expect(j.classes).toEqual([0, 1, 2]);
      expect(metrics[r].withinClassJaccard).toBeCloseTo(j.withinClassJaccard, 12);
      expect(metrics[r].betweenClassJaccard).toBeCloseTo(j.betweenClassJaccard, 12);
      // a healthy code here, so the matrix is given; its diagonal agrees with the within-class score
      expect(j.collapsed || j.uniform).toBe(false);
      expect(p.classNames).toEqual(["left", "middle", "right"]);
      expect(p.classJaccard).toEqual(j.classMatrix);
      const pairs = [0, 1, 2].map((c) => keep.filter((i) => labels[i] === c).length).map((n) => (n * (n - 1)) / 2);
      const diag = pairs.reduce((s, n, c) => s + n * p.classJaccard![c][c], 0) / pairs.reduce((s, n) => s + n, 0);
      expect(diag).toBeCloseTo(metrics[r].withinClassJaccard, 12);
    });
  });

  it("without labels: γ of the first test rows, no class matrix", () => {
    const unlabelled: Dataset = { ...ds, labels: undefined, labelNames: undefined };
    const { panels, metrics } = evaluateProgramWithPanels(program, unlabelled);
    expect("withinClassJaccard" in metrics[0]).toBe(false);
    expect(panels[0].activityBy).toBe("row");
    expect(panels[0].activity).toHaveLength(40);
    expect(panels[0].activityRows.slice(0, 2)).toEqual(["row 0", "row 1"]);
    expect(panels[0].classJaccard).toBeUndefined();
  });

  it("with every test label missing, or more than 40 classes: test rows, no class matrix", () => {
    for (const labels of [ds.labels!.map(() => -1), ds.labels!.map((_, i) => i % 41)]) {
      const { panels } = evaluateProgramWithPanels(program, { ...ds, labels, labelNames: undefined });
      expect(panels[0].activityBy).toBe("row");
      expect(panels[0].classJaccard).toBeUndefined();
    }
  });

  it("a model without a local code has no panels", async () => {
    const model = zoo.vae.build({ features: 36, latents: 3, hidden: 8 } as never);
    const p = compile(model, { seed: 0 });
    const { panels, metrics } = evaluateProgramWithPanels(p, ds);
    expect(panels).toEqual([]);
    expect(metrics[0].heldoutMse).toBeGreaterThan(0);
    p.dispose?.();
  });
});

import { describe, expect, it } from "vitest";
import * as metrics from "./index.js";
import { computeMetrics, getMetric, metricDirection, METRICS, metricNames } from "./registry.js";

const DESIGN_KEYS = [
  "heldoutMse", "heldoutMseMean", "heldoutNll", "elbo", "iwae",
  "dciDisentanglement", "dciCompleteness", "dciInformativeness", "dciDisentanglement16",
  "mig", "sap", "mcc", "supportPrecision", "supportRecall", "supportF1", "supportHamming",
  "activeUnits", "withinClassJaccard", "betweenClassJaccard",
];

describe("metric registry", () => {
  it("registers every DESIGN §7 key with a description and inputs", () => {
    for (const k of DESIGN_KEYS) {
      const m = getMetric(k);
      expect(m.name).toBe(k);
      expect(m.description.length).toBeGreaterThan(10);
      expect(m.needs.length).toBeGreaterThan(0);
    }
    expect(metricNames()).toEqual(Object.keys(METRICS));
  });
  it("gives each metric's direction from higherIsBetter, undefined for no better end or an unknown name", () => {
    expect(metricDirection("heldoutMse")).toBe("lower");
    expect(metricDirection("emptyCodeFraction")).toBe("lower");
    expect(metricDirection("betweenClassJaccard")).toBe("lower");
    expect(metricDirection("mcc")).toBe("higher");
    expect(metricDirection("recallAt20")).toBe("higher");
    expect(getMetric("meanActiveSize").higherIsBetter).toBeUndefined();
    expect(metricDirection("meanActiveSize")).toBeUndefined();
    expect(metricDirection("usedLatents")).toBeUndefined();
    expect(metricDirection("notAMetric")).toBeUndefined();
    expect(metricDirection("toString")).toBeUndefined(); // not an Object.prototype key
  });

  it("gives a clear error listing valid names for an unknown metric", () => {
    expect(() => getMetric("MCC")).toThrow(/Unknown metric "MCC"\. Valid metrics: .*mcc/);
    expect(() => getMetric("toString")).toThrow(/Unknown metric/);
    expect(() => computeMetrics({}, { metrics: ["nope"] })).toThrow(/Valid metrics/);
  });
  it("structure, cross-view, fairness and environment metrics from their inputs (closed forms), on the probe codes when given", () => {
    const m = computeMetrics({
      masks: [
        { name: "Aout", estimated: [[0.9, 0.1, 0.8], [0.7, 0.95, 0.2]], truth: [[1, 1, 0], [1, 0, 1]] },
        { name: "Ain", estimated: [[1, 1], [1, 1], [0, 1]] }, // no truth: density only
      ],
      crossView: [{ view: 1, x: [[1, 2]], predicted: [[1, 1]], baseline: [[0, 0]] }],
    });
    expect(m.edgeF1).toBe(1);
    expect(m.edgeDensity).toBeCloseTo(9 / 12, 12);
    expect(m.crossViewMse).toBe(0.5);
    expect(m.crossViewBaselineMse).toBe(2.5);
    // the codes are [y, s]; the probe codes [y] carry s only through y; -1 = missing
    const y = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1];
    const s = [0, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0, -1];
    const env = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2];
    const codes = y.map((v, i) => [v, s[i]]);
    const probe = y.map((v) => [v]);
    const f = computeMetrics({ codesTrain: codes, codesTest: codes, probeCodesTrain: probe, probeCodesTest: probe, labelsTrain: y, labelsTest: y, sensitiveTrain: s, sensitiveTest: s, environmentTrain: env.map((e) => (e === 2 ? -1 : e)), environmentTest: env });
    expect(f.sensitiveMajorityRate).toBeCloseTo(6 / 11, 12);
    // P(ŷ=1 | s=0) = 2/6 (rows 1, 7), P(ŷ=1 | s=1) = 3/5 (rows 3, 5, 9)
    expect(f.demographicParityGap).toBeCloseTo(3 / 5 - 2 / 6, 12);
    expect(f.inEnvProbeAccuracy).toBe(1);
    expect(f.oodProbeAccuracy).toBe(1);
    expect(f.linearProbeAccuracy).toBe(1);
    for (const k of ["sensitiveProbeAccuracy", "sensitiveTreeAccuracy"]) expect(f[k]).toBeGreaterThanOrEqual(0);
    expect("edgeF1" in f || "crossViewMse" in f).toBe(false);
  });
  it("computes applicable metrics and leaves the rest absent", () => {
    const N = 60;
    const zTrue = Array.from({ length: N }, (_, i) => [Math.sin(i * 0.37), Math.cos(i * 1.3)]);
    const codes = zTrue.map(([a, b], i) => [b, 0.01 * Math.sin(i * 2.1), -2 * a]);
    const truthW = [[1, 0], [1, 0], [0, 1], [0.5, 0.5]];
    const estimatedW = [[0, 0, 2], [0, 0, 1], [1, 0, 0], [0.4, 0, 0.4]];
    const m = computeMetrics({ codesTrain: codes, codesTest: codes, truthZTrain: zTrue, truthZTest: zTrue, estimatedW, truthW });
    expect(m.mcc).toBeCloseTo(1, 10);
    expect(m.supportF1).toBe(1);
    expect(m.supportHamming).toBe(0);
    expect(m.activeUnits).toBe(2);
    expect(m.dciDisentanglement).toBeGreaterThan(0.5);
    expect(m.dciDisentanglement16).toBeGreaterThan(0);
    expect(m.mig).toBeGreaterThan(0);
    expect(m.sap).toBeGreaterThan(0.5);
    for (const absent of ["withinClassJaccard", "elbo", "iwae", "heldoutMse", "linearProbeAccuracy"]) expect(absent in m).toBe(false);
    const only = computeMetrics({ codesTrain: codes, truthZTrain: zTrue }, { metrics: ["mcc"] });
    expect(Object.keys(only)).toEqual(["mcc"]);
  });
  it("leaves DCI out when its tree work exceeds dciWorkLimit and metrics were not named, says why, and computes it when named", () => {
    const N = 60;
    const zTrue = Array.from({ length: N }, (_, i) => [Math.sin(i * 0.37), Math.cos(i * 1.3)]);
    const codes = zTrue.map(([a, b], i) => [b, 0.01 * Math.sin(i * 2.1), -2 * a]);
    const inputs = { codesTrain: codes, codesTest: codes, truthZTrain: zTrue, truthZTest: zTrue };
    const told: Array<[string[], string]> = [];
    // 60 points × 3 codes × 2 factors = 360 units
    const over = computeMetrics(inputs, { dciWorkLimit: 359, onSkip: (k, why) => told.push([k, why]) });
    expect("dciDisentanglement" in over || "dciCompleteness" in over || "dciInformativeness" in over).toBe(false);
    expect(over.dciDisentanglement16).toBeGreaterThan(0);
    expect(over.mcc).toBeCloseTo(1, 10);
    expect(told).toHaveLength(1);
    expect(told[0][0]).toEqual(["dciDisentanglement", "dciCompleteness", "dciInformativeness"]);
    expect(told[0][1]).toMatch(/^60 training points × 3 codes × 2 factors would take about 1 min of boosted-tree fits \(1\.0× the work done without asking\)/);
    const within = computeMetrics(inputs, { dciWorkLimit: 360 });
    expect(within.dciDisentanglement).toBeGreaterThan(0.5);
    const named = computeMetrics(inputs, { metrics: ["dciDisentanglement"], dciWorkLimit: 1, onSkip: () => told.push([[], ""]) });
    expect(named.dciDisentanglement).toBe(within.dciDisentanglement);
    expect(told).toHaveLength(1);
  });
  it("omits Jaccard scores on collapse, reports it (emptyCodeFraction 1) and names it", () => {
    const gamma = [[0.1, 0.2], [0.1, 0.1], [0, 0]];
    const m = computeMetrics({ gamma, labelsTest: [0, 0, 1] });
    expect(m).toEqual({ meanActiveSize: 0, emptyCodeFraction: 1, distinctActiveSets: 1, modalActiveSetFraction: 1, usedLatents: 0 });
    expect(metrics.degenerateCode(m)).toBe("collapsed: every active set (γ > 0.5) is empty");
  });
  it("omits Jaccard scores when every point has the same active set (not sample-specific), and names it", () => {
    const gamma = [[0.9, 0.2], [0.8, 0.1], [0.7, 0]];
    const m = computeMetrics({ gamma, labelsTest: [0, 0, 1] });
    expect(m).toEqual({ meanActiveSize: 1, emptyCodeFraction: 0, distinctActiveSets: 1, modalActiveSetFraction: 1, usedLatents: 1 });
    expect(metrics.degenerateCode(m)).toBe("not sample-specific: every point has the same 1 active units");
  });
  it("flags a mostly empty code (its Jaccard scores are kept but inflated by pairs of empty sets)", () => {
    const gamma = [[0.9, 0.2], [0.1, 0.1], [0, 0], [0.2, 0.8], [0.1, 0], [0.3, 0.3]];
    const m = computeMetrics({ gamma, labelsTest: [0, 0, 0, 1, 1, 1] });
    expect(m.emptyCodeFraction).toBeCloseTo(4 / 6, 12);
    expect(m.withinClassJaccard).toBeGreaterThan(0);
    expect(metrics.degenerateCode(m)).toBe("mostly collapsed: 67% of active sets (γ > 0.5) are empty, so pairs of empty sets dominate the Jaccard scores");
    expect(metrics.degenerateCode({ ...m, emptyCodeFraction: metrics.MOSTLY_EMPTY - 0.01 })).toBeUndefined();
  });
  it("flags a nearly fixed code (most points share one active set); its Jaccard scores are kept", () => {
    // nine points with units {0, 1} on, one with {2}: class scores near 1 that say little
    const gamma = [...Array.from({ length: 9 }, () => [0.9, 0.8, 0.1]), [0.1, 0.2, 0.9]];
    const labels = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
    const m = computeMetrics({ gamma, labelsTest: labels });
    expect(m.modalActiveSetFraction).toBeCloseTo(0.9, 12);
    expect(m.distinctActiveSets).toBe(2);
    expect(m.withinClassJaccard).toBeGreaterThan(0.5);
    expect(metrics.degenerateCode(m)).toBe("nearly fixed: 90% of points have the same active set (γ > 0.5), so Jaccard scores near 1 say little about classes");
    expect(metrics.degenerateRows([{ metrics: m }])[0].jaccard).toBe("kept");
    expect(metrics.degenerateCode({ ...m, modalActiveSetFraction: metrics.NEARLY_FIXED - 0.01 })).toBeUndefined();
  });
  it("degenerateRows says which flagged rows lost their Jaccard scores and which kept them", () => {
    const collapsed = computeMetrics({ gamma: [[0.1, 0.2], [0.1, 0.1], [0, 0]], labelsTest: [0, 0, 1] });
    const mostly = computeMetrics({ gamma: [[0.9, 0.2], [0.1, 0.1], [0, 0], [0.2, 0.8], [0.1, 0], [0.3, 0.3]], labelsTest: [0, 0, 0, 1, 1, 1] });
    // partly labelled: the labelled rows share one set while the whole code is healthy; the drop is told, not silent
    const told: string[] = [];
    const partly = computeMetrics({ gamma: [[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.2, 0.7]], labelsTest: [0, 1, -1, -1] }, { onSkip: (k, why) => told.push(`${k.join(",")}: ${why}`) });
    expect(metrics.degenerateCode(partly)).toBeUndefined();
    expect("withinClassJaccard" in partly).toBe(false);
    expect(told).toEqual(["withinClassJaccard,betweenClassJaccard: every labelled test point has the same active set (γ > 0.5)"]);
    const unlabelled = computeMetrics({ gamma: [[0.9, 0.2], [0.1, 0.1], [0, 0]] });
    const healthy = computeMetrics({ gamma: [[0.9, 0.2], [0.1, 0.8], [0.7, 0]], labelsTest: [0, 1, 0] });
    // the command line's rows of labelled data hold the label probe beside the code metrics: that is how a row says it had labels
    const collapsedLabelled = { ...collapsed, linearProbeAccuracy: 0.5 };
    const rows = [collapsedLabelled, mostly, unlabelled, healthy, collapsed].map((metrics, seed) => ({ seed, metrics }));
    const d = metrics.degenerateRows(rows);
    expect(d.map((x) => [x.row.seed, x.jaccard])).toEqual([[0, "not reported"], [1, "kept"], [2, undefined], [4, undefined]]);
    expect(d[2].why).toBe("mostly collapsed: 67% of active sets (γ > 0.5) are empty"); // no labels: nothing said of class Jaccard scores
    expect(d[1].why).toBe(metrics.degenerateCode(mostly));
    expect(metrics.degenerateRows([{ seed: 9 } as { seed: number; metrics?: Record<string, number> }])).toEqual([]);
  });
  it("rows with a missing label (-1) are no class of their own: Jaccard and the probe use the labelled rows", () => {
    const gamma = [[0.9, 0.2], [0.8, 0.1], [0.1, 0.9], [0.2, 0.7], [0.9, 0.9], [0.0, 0.0]];
    const codes = gamma.map((g) => g.map((v) => 2 * v - 1));
    const m = computeMetrics({ gamma, labelsTest: [0, 0, 1, 1, -1, -1], codesTrain: codes, codesTest: codes, labelsTrain: [0, 0, 1, 1, -1, -1] });
    const only = computeMetrics({ gamma: gamma.slice(0, 4), labelsTest: [0, 0, 1, 1], codesTrain: codes.slice(0, 4), codesTest: codes.slice(0, 4), labelsTrain: [0, 0, 1, 1] });
    expect(m.withinClassJaccard).toBe(1);
    expect(m.betweenClassJaccard).toBe(0);
    expect(m.withinClassJaccard).toBe(only.withinClassJaccard);
    expect(m.linearProbeAccuracy).toBe(only.linearProbeAccuracy);
    // the label-free statistics still see every row
    expect(m.emptyCodeFraction).toBeCloseTo(1 / 6, 12);
    expect(metrics.labelled([[1], [2], [3]], [2, -1, 0])).toEqual({ rows: [[1], [3]], labels: [2, 0] });
    // one class among the labelled training rows: no probe (and no crash), the rest still computed
    const one = computeMetrics({ gamma, labelsTest: [0, 0, 1, 1, -1, -1], codesTrain: codes, codesTest: codes, labelsTrain: [0, -1, -1, 0, -1, -1] });
    expect("linearProbeAccuracy" in one).toBe(false);
    expect(one.withinClassJaccard).toBe(1);
  });
  it("a healthy code is not flagged", () => {
    const m = computeMetrics({ gamma: [[0.9, 0.2], [0.1, 0.8], [0.7, 0]], labelsTest: [0, 1, 0] });
    expect(m.withinClassJaccard).toBe(1);
    expect(metrics.degenerateCode(m)).toBeUndefined();
  });
  it("index exports every module", () => {
    for (const name of ["dci", "dci16", "mig", "sap", "mcc", "supportRecovery", "greedyAlignment", "activeUnits", "classJaccard", "linearProbe", "reconstructionMse", "GradientBoostingRegressor", "computeMetrics", "metricNames"]) {
      expect(typeof (metrics as Record<string, unknown>)[name]).toBe("function");
    }
  });
});

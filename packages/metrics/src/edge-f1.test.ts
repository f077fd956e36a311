import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { edgeRecovery } from "./edge-f1.js";

const SP = [
  [1, 1, 0],
  [1, 0, 1],
];

describe("edgeRecovery", () => {
  it("is 1 for the true pattern up to a permutation of the groups, at threshold 0.5", () => {
    expect(edgeRecovery([[0.9, 0.6, 0.1], [0.7, 0.2, 0.99]], SP).edgeF1).toBe(1);
    const swapped = edgeRecovery([[0.9, 0.1, 0.8], [0.7, 0.95, 0.2]], SP);
    expect(swapped.edgeF1).toBe(1);
    expect(swapped.matching).toEqual([0, 2, 1]);
    expect(swapped.edgeDensity).toBeCloseTo(4 / 6, 12);
  });
  it("counts a dense mask: precision 4/6, recall 1, F1 = 2·4/(6+4) = 0.8", () => {
    const r = edgeRecovery([[1, 1, 1], [1, 1, 1]], SP);
    expect([r.truePositives, r.falsePositives, r.falseNegatives]).toEqual([4, 2, 0]);
    expect(r.edgePrecision).toBeCloseTo(4 / 6, 12);
    expect(r.edgeRecall).toBe(1);
    expect(r.edgeF1).toBeCloseTo(0.8, 12);
    expect(r.edgeDensity).toBe(1);
  });
  it("an extra learned group's edges are false positives; a missing one's are false negatives", () => {
    const more = edgeRecovery([[1, 1, 0, 1], [1, 0, 1, 0]], SP);
    expect([more.truePositives, more.falsePositives, more.falseNegatives]).toEqual([4, 1, 0]);
    const fewer = edgeRecovery([[1, 1], [1, 0]], SP);
    expect([fewer.truePositives, fewer.falsePositives, fewer.falseNegatives]).toEqual([3, 0, 1]);
    expect(fewer.edgeF1).toBeCloseTo(6 / 7, 12);
  });
  it("rows mode matches groups along the rows (an encoder mask, group × view); none keeps the order", () => {
    const ain = [[1, 1], [1, 0], [0, 1]];
    expect(edgeRecovery([[1, 1], [0, 1], [1, 0]], ain, { permute: "rows" }).edgeF1).toBe(1);
    expect(edgeRecovery([[1, 1, 0], [1, 0, 1]], [[1, 0, 1], [1, 1, 0]], { permute: "none" }).edgeF1).toBeCloseTo(0.5, 12);
  });
  it("the matching maximises F1 (brute force over every permutation of 4 groups)", () => {
    const perms = (a: number[]): number[][] => (a.length <= 1 ? [a] : a.flatMap((x, i) => perms([...a.slice(0, i), ...a.slice(i + 1)]).map((p) => [x, ...p])));
    const bit = fc.integer({ min: 0, max: 1 });
    fc.assert(
      fc.property(fc.array(fc.array(bit, { minLength: 4, maxLength: 4 }), { minLength: 3, maxLength: 3 }), fc.array(fc.array(bit, { minLength: 4, maxLength: 4 }), { minLength: 3, maxLength: 3 }), (est, tru) => {
        let best = -1;
        const learned = est.flat().reduce((a, b) => a + b, 0);
        const actual = tru.flat().reduce((a, b) => a + b, 0);
        for (const p of perms([0, 1, 2, 3])) {
          let tp = 0;
          for (let i = 0; i < 3; i++) for (let k = 0; k < 4; k++) tp += est[i][p[k]] * tru[i][k];
          best = Math.max(best, learned + actual ? (2 * tp) / (learned + actual) : 1);
        }
        expect(edgeRecovery(est, tru).edgeF1).toBeCloseTo(best, 12);
      }),
      { numRuns: 100 },
    );
  });
  it("refuses mismatched shapes and a non-binary truth", () => {
    expect(() => edgeRecovery([[1, 1, 0]], SP)).toThrow("edgeRecovery: the learned mask has 1 rows, the true mask 2; only the latent-group axis may differ");
    expect(() => edgeRecovery(SP, [[1, 0.5, 0], [1, 0, 1]])).toThrow("true mask entry [0][1] is 0.5, expected 0 or 1");
  });
});

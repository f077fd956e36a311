import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { checkAnchors } from "./anchors.js";
import { LINKS, formatTruth, removeAnchors, sparseMask, sparseTruth } from "./arbitraries.js";
import { checkTruthProperty, generatedCases } from "./recovers.js";

const rowCount = (row: number[]) => row.reduce((s, v) => s + (v !== 0 ? 1 : 0), 0);

describe("sparseMask", () => {
  it("anchored masks satisfy the anchor condition with anchorsPerFactor anchors each", () => {
    fc.assert(
      fc.property(sparseMask({ features: { min: 1, max: 12 }, factors: { min: 1, max: 4 }, anchorsPerFactor: 2 }), (m) => {
        const K = m[0].length;
        const r = checkAnchors(m, { ignoreEmptyColumns: false });
        expect(r.ok).toBe(true);
        // Exactly 2 anchors per factor (with K = 1 every row depends on the one factor alone).
        expect(r.anchors.every((a) => (K === 1 ? a.length === m.length : a.length === 2))).toBe(true);
        expect(m.length).toBeGreaterThanOrEqual(2 * K);
        // Every other row is mixed (>= 2 factors) when K >= 2.
        if (K >= 2) for (const row of m.slice(2 * K)) expect(rowCount(row)).toBeGreaterThanOrEqual(2);
        expect(m.every((row) => row.every((v) => v === 0 || v === 1))).toBe(true);
      }),
      { seed: 1, numRuns: 200 },
    );
  });

  it("unanchored masks have no feature that depends on a single factor", () => {
    fc.assert(
      fc.property(sparseMask({ features: { min: 1, max: 8 }, factors: { min: 1, max: 4 }, anchors: false }), (m) => {
        const K = m[0].length;
        expect(K).toBeGreaterThanOrEqual(2);
        expect(m.every((row) => rowCount(row) >= 2)).toBe(true);
        const r = checkAnchors(m, { ignoreEmptyColumns: false });
        expect(r.ok).toBe(false);
        expect(r.missing).toEqual(Array.from({ length: K }, (_, k) => k));
      }),
      { seed: 2, numRuns: 200 },
    );
  });

  it("density 1 makes every mixed row dense; density 0 gives exactly two factors per mixed row", () => {
    for (const m of fc.sample(sparseMask({ features: 8, factors: 3, density: 1, anchorsPerFactor: 1 }), { seed: 3, numRuns: 5 })) {
      expect(m.slice(3).every((row) => rowCount(row) === 3)).toBe(true);
    }
    for (const m of fc.sample(sparseMask({ features: 8, factors: 3, density: 0, anchorsPerFactor: 1 }), { seed: 3, numRuns: 5 })) {
      expect(m.slice(3).every((row) => rowCount(row) === 2)).toBe(true);
    }
  });

  it("rejects impossible options", () => {
    expect(() => sparseMask({ anchors: false, factors: 1 })).toThrow(/max >= 2/);
    expect(() => sparseMask({ features: { min: 5, max: 2 } })).toThrow(/features/);
    expect(() => sparseMask({ density: 2 })).toThrow(/density/);
  });
});

describe("sparseTruth", () => {
  it("weights are signed, bounded away from 0 on the support and 0 off it; one link per feature", () => {
    const truths = fc.sample(sparseTruth({ weights: { min: 0.5, max: 2 } }), { seed: 4, numRuns: 100 });
    let negatives = 0;
    for (const t of truths) {
      expect(t.support.length).toBe(t.features);
      expect(t.links.length).toBe(t.features);
      expect(t.links.every((l) => LINKS.includes(l))).toBe(true);
      t.weights.forEach((row, j) =>
        row.forEach((w, k) => {
          if (t.support[j][k]) {
            expect(Math.abs(w)).toBeGreaterThanOrEqual(0.5);
            expect(Math.abs(w)).toBeLessThanOrEqual(2);
            if (w < 0) negatives++;
          } else expect(w).toBe(0);
        }),
      );
      expect(checkAnchors(t.support).ok).toBe(true);
      expect(t.rho).toBeGreaterThanOrEqual(0);
      expect(t.rho).toBeLessThanOrEqual(0.5);
      expect(t.n).toBeGreaterThanOrEqual(200);
    }
    expect(negatives).toBeGreaterThan(0);
    // Values are spread over their ranges (not crowded at the lower bound).
    const rhos = truths.map((t) => t.rho).sort((a, b) => a - b);
    expect(rhos[50]).toBeGreaterThan(0.1);
  });

  it("removeAnchors keeps the mixed features only", () => {
    for (const t of fc.sample(sparseTruth({ features: 9, factors: 2, anchorsPerFactor: 3 }), { seed: 5, numRuns: 20 })) {
      const u = removeAnchors(t);
      expect(u.features).toBe(3);
      expect(u.support.every((row) => rowCount(row) === 2)).toBe(true);
      expect(checkAnchors(u.support).missing).toEqual([0, 1]);
    }
    const allAnchors = fc.sample(sparseTruth({ features: 2, factors: 2, anchorsPerFactor: 1 }), { seed: 5, numRuns: 1 })[0];
    expect(() => removeAnchors(allAnchors)).toThrow(/nothing is left/);
  });

  it("formatTruth is JSON that parses back to the same truth", () => {
    const t = fc.sample(sparseTruth(), { seed: 6, numRuns: 1 })[0];
    expect(JSON.parse(formatTruth(t))).toEqual(t);
  });

  it("a deliberately failing property shrinks to the fewest factors, features and rows, and replays from its seed and path", async () => {
    const arb = sparseTruth({ features: { min: 2, max: 12 }, factors: { min: 1, max: 3 }, anchorsPerFactor: 1, n: { min: 50, max: 900 } });
    // "Truths have fewer than 6 features": false for many truths.
    const prop = fc.property(arb, (t) => t.features < 6);
    const r = await checkTruthProperty(prop, { seed: 42, numRuns: 100 });
    expect(r.failed).toBe(true);
    const cx = r.counterexample!;
    expect(cx.features).toBe(6); // the smallest failing size
    expect(cx.factors).toBe(1);
    expect(cx.n).toBe(50);
    expect(cx.rho).toBe(0);
    expect(cx.noise).toBe(0.1);
    expect(cx.links.every((l) => l === "identity")).toBe(true);
    expect(r.message).toContain("seed: 42");
    expect(r.message).toContain(`path: "${r.path}"`);
    expect(r.message).toContain(formatTruth(cx));
    // Re-running with the printed seed and path gives the same counterexample (no new search).
    const again = await checkTruthProperty(prop, { seed: r.seed, path: r.path });
    expect(again.failed).toBe(true);
    expect(again.counterexample).toEqual(cx);
    // And plain fc.assert reports the same seed and path.
    expect(() => fc.assert(prop, { seed: 42, numRuns: 100 })).toThrow(new RegExp(`seed: 42, path: "${r.path}"`));
  });

  it("generatedCases(arb, { seed, numRuns })[i] is the value fc replays at path i", () => {
    const arb = sparseTruth({ features: 6, factors: 2 });
    const cases = generatedCases(arb, { seed: 9, numRuns: 5 });
    expect(cases).toHaveLength(5);
    for (const i of [0, 3, 4]) {
      let seen: unknown;
      fc.check(
        fc.property(arb, (t) => {
          seen = t;
          return false;
        }),
        { seed: 9, path: String(i), endOnFailure: true },
      );
      expect(seen).toEqual(cases[i]);
    }
  });
});

import { describe, expect, it } from "vitest";
import fixture from "./fixtures/numpy_choice.json" with { type: "json" };
import { mulberry32, NumpyRandomState, shuffleInPlace } from "./random.js";

describe("NumpyRandomState (numpy legacy MT19937)", () => {
  for (const c of fixture.cases) {
    it(`reproduces np.random.seed(${c.seed}); choice(${c.n1}, 16); choice(${c.n2}, 16)`, () => {
      const rs = new NumpyRandomState(c.seed);
      expect(Array.from(rs.choiceWithoutReplacement(c.n1, 16))).toEqual(c.first);
      expect(Array.from(rs.choiceWithoutReplacement(c.n2, 16))).toEqual(c.second);
    });
  }
  it("rejects bad seeds", () => {
    expect(() => new NumpyRandomState(-1)).toThrow(/seed/);
  });
});

describe("mulberry32 / shuffleInPlace", () => {
  it("is deterministic and in [0,1)", () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    for (let i = 0; i < 100; i++) {
      const u = a();
      expect(u).toBe(b());
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
    }
  });
  it("shuffles to a permutation", () => {
    const s = shuffleInPlace([0, 1, 2, 3, 4, 5], mulberry32(3));
    expect([...s].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

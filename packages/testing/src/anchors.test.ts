import { describe, expect, it } from "vitest";
import { tf } from "@sparse-dgm/core";
import { checkAnchors } from "./anchors.js";

describe("checkAnchors", () => {
  it("finds the anchors of the Moran truth (3 per factor, one mixed feature)", () => {
    const W = [[1, 0], [1, 0], [1, 0], [0, 1], [0, 1], [0, 1], [0.5, 0.5]];
    const r = checkAnchors(W);
    expect(r.ok).toBe(true);
    expect(r.anchors).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(r.missing).toEqual([]);
  });

  it("names the factors that lack an anchor", () => {
    const r = checkAnchors([[1, 1, 0], [0, 2, 0], [1, 1, 1]], { ignoreEmptyColumns: false });
    expect(r.ok).toBe(false);
    expect(r.missing).toEqual([0, 2]);
    expect(r.anchors).toEqual([[], [1], []]);
  });

  it("thresholds |W| (default 0.01) and drops entries with p* < 0.5", () => {
    // Row 0 is an anchor of factor 0 only once the tiny 0.005 is thresholded away.
    expect(checkAnchors([[1, 0.005], [0, 1]]).ok).toBe(true);
    expect(checkAnchors([[1, 0.005], [0, 1]], { threshold: 0.001 }).missing).toEqual([0]);
    const pStar = [[0.9, 0.2], [0.1, 0.8], [0.9, 0.9]];
    const r = checkAnchors([[1, 1], [1, 1], [1, 1]], { pStar });
    expect(r.anchors).toEqual([[0], [1]]);
    expect(r.ok).toBe(true);
  });

  it("ignores all-zero (pruned) columns by default and reports them", () => {
    const W = [[0.3, 0, 0], [0, 0, 0.4], [0.2, 0, 0.1]];
    const r = checkAnchors(W);
    expect(r.emptyColumns).toEqual([1]);
    expect(r.ok).toBe(true);
    const strict = checkAnchors(W, { ignoreEmptyColumns: false });
    expect(strict.ok).toBe(false);
    expect(strict.missing).toEqual([1]);
    expect(checkAnchors([[0, 0], [0, 0]]).ok).toBe(false); // nothing reaches any feature
  });

  it("accepts tensors and a minimum anchor count", () => {
    const W = tf.tensor2d([[1, 0], [1, 0], [0, 1], [1, 1]]);
    const pStar = tf.onesLike(W);
    expect(checkAnchors(W, { pStar }).ok).toBe(true);
    expect(checkAnchors(W, { minAnchors: 2 }).missing).toEqual([1]);
    expect(() => checkAnchors(tf.zeros([2, 2, 2]))).toThrow(/G×K matrix/);
    expect(() => checkAnchors(W, { pStar: [[1, 1]] })).toThrow(/pStar is 1×2/);
    tf.dispose([W, pStar]);
  });
});

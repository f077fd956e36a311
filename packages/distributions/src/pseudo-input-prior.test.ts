import { describe, it, expect } from "vitest";
import { tf } from "@sparse-dgm/core";
import { SpikeAndSlab, spikeAndSlabKL } from "./spike-and-slab.js";
import { PseudoInputSpikeSlab, pseudoInputKL } from "./pseudo-input-prior.js";
import { kl } from "./kl.js";

/** The KL written out observation by observation, pseudo-input by pseudo-input, in float64 JS. */
function reference(q: { g: number[][]; m: number[][]; s: number[][] }, c: { g: number[][]; m: number[][]; s: number[][] }, sel: number[][], nu: number, alpha: number): number[] {
  const eps = 1e-6;
  const cl = (x: number) => Math.min(Math.max(x, eps), 1 - eps);
  const ssKL = (g: number, m: number, s: number, gp: number, mp: number, sp: number) =>
    g * (Math.log(sp / s) + (s * s + (m - mp) ** 2) / (2 * sp * sp) - 0.5) + (1 - g) * (Math.log(1 - cl(g)) - Math.log(1 - cl(gp))) + g * (Math.log(cl(g)) - Math.log(cl(gp)));
  const J = q.g[0].length;
  const P = c.g.length;
  const gs = c.g.map((row) => row.map((g) => 1 / (1 + Math.exp(-nu * (g - 0.5)))));
  return q.g.map((_, i) => {
    const norm = Math.sqrt(sel[i].reduce((a, v) => a + v * v, 0));
    const s = sel[i].map((v) => v / norm);
    const w = s.map((v) => v / s.reduce((a, b) => a + b, 0));
    let out = 0;
    for (let p = 0; p < P; p++) for (let j = 0; j < J; j++) out += w[p] * ssKL(q.g[i][j], q.m[i][j], q.s[i][j], gs[p][j], c.m[p][j], c.s[p][j]);
    let gbar = 0;
    for (let j = 0; j < J; j++) for (let p = 0; p < P; p++) gbar += (w[p] * gs[p][j]) / J;
    const gb = cl(gbar);
    return out + J * (gb * Math.log(gb / alpha) + (1 - gb) * Math.log((1 - gb) / (1 - alpha)));
  });
}

describe("PseudoInputSpikeSlab", () => {
  const q = { g: [[0.9, 0.1, 0.5], [0.2, 0.7, 0.05]], m: [[0.3, -1, 0.2], [1.5, 0, -0.4]], s: [[0.5, 1.2, 0.8], [1, 0.3, 2]] };
  const c = { g: [[0.8, 0.3, 0.6], [0.1, 0.9, 0.4]], m: [[0, 0.5, -0.2], [1, -1, 0]], s: [[1, 0.7, 1.5], [0.6, 1, 1]] };
  const sel = [[0.9, 0.2], [0.3, 0.6]];
  const mk = (o: typeof q) => new SpikeAndSlab({ inclusion: tf.tensor2d(o.g), loc: tf.tensor2d(o.m), scale: tf.tensor2d(o.s) });

  it("its KL equals the selection-weighted component KLs plus J·KL(ḡ ‖ α), written out by hand", () => {
    const prior = new PseudoInputSpikeSlab({ components: mk(c), selector: tf.tensor2d(sel), sharpen: 10, alpha: 0.05 });
    const got = Array.from(kl(mk(q), prior).dataSync());
    const want = reference(q, c, sel, 10, 0.05);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 4));
  });

  it("with one pseudo-input equal to the posterior, only the aggregate term is left", () => {
    const one = { g: [q.g[0]], m: [q.m[0]], s: [q.s[0]] };
    const prior = new PseudoInputSpikeSlab({ components: mk(one), sharpen: 0, alpha: 0.05 });
    const post = mk(one);
    const v = pseudoInputKL(post, prior, false).dataSync()[0];
    const gbar = one.g[0].reduce((a, b) => a + b, 0) / 3;
    const agg = 3 * (gbar * Math.log(gbar / 0.05) + (1 - gbar) * Math.log((1 - gbar) / 0.95));
    expect(v).toBeCloseTo(agg, 4);
    expect(spikeAndSlabKL(post.inclusion, post.loc, post.scale, post.inclusion, post.loc, post.scale).sum().dataSync()[0]).toBeCloseTo(0, 5);
  });

  it("handles a replica axis like R separate priors", () => {
    const rep = (a: number[][]) => tf.stack([tf.tensor2d(a), tf.tensor2d(a.map((r) => r.map((x) => x * 0.9)))]);
    const qR = new SpikeAndSlab({ inclusion: rep(q.g), loc: rep(q.m), scale: rep(q.s) });
    const cR = new SpikeAndSlab({ inclusion: rep(c.g), loc: rep(c.m), scale: rep(c.s) });
    const prior = new PseudoInputSpikeSlab({ components: cR, selector: tf.stack([tf.tensor2d(sel), tf.tensor2d(sel)]), alpha: 0.05 });
    const got = kl(qR, prior).arraySync() as number[][];
    const scale = (o: typeof q) => ({ g: o.g.map((r) => r.map((x) => x * 0.9)), m: o.m.map((r) => r.map((x) => x * 0.9)), s: o.s.map((r) => r.map((x) => x * 0.9)) });
    const want0 = reference(q, c, sel, 10, 0.05);
    const want1 = reference(scale(q), scale(c), sel, 10, 0.05);
    got[0].forEach((v, i) => expect(v).toBeCloseTo(want0[i], 4));
    got[1].forEach((v, i) => expect(v).toBeCloseTo(want1[i], 4));
  });

  it("refuses bad hyperparameters and has no density", () => {
    const comp = mk(c);
    expect(() => new PseudoInputSpikeSlab({ components: comp, alpha: 1.5 })).toThrow("alpha must be in (0, 1)");
    expect(() => new PseudoInputSpikeSlab({ components: comp, alpha: 0.1 }).logProb()).toThrow("no density");
  });
});

/**
 * The "Smiley" disentanglement testbed of Variational Sparse Coding (Tonolini et al. 2020, supp.
 * E–F; specs/vsc.md Part b0 §3 and §6), re-implemented from the description of the MATLAB
 * generator.
 *
 * Each 32×32 binary image is a disc of radius 10 centred at (16.5, 16.5) (1-based pixel
 * coordinates, x = column, y = row) plus four attributes, each present with probability 1/2:
 *
 * | block (S columns) | variables v (each 0.5·N(0,1), pixel units) | drawing |
 * |---|---|---|
 * | bowtie (1–4)  | v1..v4 | two triangles meeting at (16.5+0.5v1, 29+v2), total size (12+3v3) × (5+2v4); replaces the reference's `bowtie.png` bitmap |
 * | hat (5–10)    | v1..v6 | brim (15+3v3) × (2+2v4) centred (16.5+v1, 6+v2), with a crown (10+2v5) × (2+v6) on top |
 * | eyes (11–13)  | v1..v3 | two holes at (16.5 ∓ (4+v1), 14+v2), radius 2+v3 |
 * | mouth (14–18) | v1..v5 | a hole 2·(4+v1) wide × (2+v2) high centred (16+0.5v3, 22+0.5v4), with corner holes raised by 1+v5 rows |
 *
 * Rectangles "w × h" cover pixels with |x−cx| ≤ w/2 and |y−cy| ≤ h/2 (the mouth's width is read
 * as a half-width of 4+v1, and the reference's 5-row hat shift is folded into the hat's centre;
 * both are reconstruction choices: the MATLAB code is not vendored).
 */
import { Key } from "@sparse-dgm/core";
import { randomSplit, type Dataset } from "../dataset.js";
import { formatQuery, resolveParams, type ParamSpec } from "../params.js";

/** Parameters of `synthetic:smiley`. */
export const smileyParams: readonly ParamSpec[] = [
  { name: "n", type: "int", default: 20000, min: 1, doc: "number of images (the paper trains on 60,000; the committed test file has 20,000)" },
  { name: "prob", type: "number", default: 0.5, min: 0, max: 1, doc: "presence probability of each attribute" },
  { name: "scale", type: "number", default: 0.5, min: 0, doc: "SD of each source variable, in pixels" },
  { name: "test", type: "number", default: 0.25, min: 0, max: 0.99, doc: "test fraction (60k/20k in the paper)" },
  { name: "seed", type: "int", default: 0, min: 0, doc: "random seed" },
];

/** Options of {@link smiley}. */
export interface SmileyOptions {
  n?: number;
  prob?: number;
  scale?: number;
  test?: number;
  seed?: number;
}

/** Attribute names in S-block order, with their number of source variables. */
export const smileyAttributes = [
  { name: "bowtie", vars: 4, offset: 0 },
  { name: "hat", vars: 6, offset: 4 },
  { name: "eyes", vars: 3, offset: 10 },
  { name: "mouth", vars: 5, offset: 13 },
] as const;

const SIDE = 32;
const NSRC = 18;

/** Class name of a presence bitmask (bit 0 bowtie, 1 hat, 2 eyes, 3 mouth). */
export function smileyClassName(mask: number): string {
  const parts = smileyAttributes.filter((_, a) => (mask >> a) & 1).map((a) => a.name);
  return parts.length ? parts.join("+") : "none";
}

/**
 * Renders one Smiley image into `img` (length 1024, row-major) from the presence flags and the
 * 18 source values (in S-block order; values of absent attributes are ignored).
 *
 * @example
 * ```ts
 * const img = new Float32Array(1024);
 * renderSmiley(img, [1, 1, 1, 1], new Float64Array(18)); // the mean face with every attribute
 * ```
 */
export function renderSmiley(img: Float32Array, presence: ArrayLike<number>, v: ArrayLike<number>): void {
  img.fill(0);
  const set = (pred: (x: number, y: number) => boolean, val: number) => {
    for (let r = 0; r < SIDE; r++) {
      const y = r + 1;
      for (let c = 0; c < SIDE; c++) if (pred(c + 1, y)) img[r * SIDE + c] = val;
    }
  };
  const rect = (cx: number, cy: number, w: number, h: number) => (x: number, y: number) =>
    Math.abs(x - cx) <= Math.max(w, 0.5) / 2 && Math.abs(y - cy) <= Math.max(h, 0.5) / 2;
  // Face.
  set((x, y) => (x - 16.5) ** 2 + (y - 16.5) ** 2 <= 100, 1);
  // Eyes (holes).
  if (presence[2]) {
    const o = 10;
    const dx = 4 + v[o];
    const cy = 14 + v[o + 1];
    const rad = Math.max(2 + v[o + 2], 0.5);
    set((x, y) => (x - (16.5 - dx)) ** 2 + (y - cy) ** 2 <= rad * rad || (x - (16.5 + dx)) ** 2 + (y - cy) ** 2 <= rad * rad, 0);
  }
  // Mouth (hole) with raised corners.
  if (presence[3]) {
    const o = 13;
    const hw = Math.max(4 + v[o], 0.5);
    const cx = 16 + 0.5 * v[o + 2];
    const cy = 22 + 0.5 * v[o + 3];
    set(rect(cx, cy, 2 * hw, 2 + v[o + 1]), 0);
    const up = 1 + v[o + 4];
    for (const sx of [-1, 1]) {
      const c = Math.round(cx + sx * (hw + 1)) - 1;
      const r = Math.round(cy - up) - 1;
      if (r >= 0 && r < SIDE && c >= 0 && c < SIDE) img[r * SIDE + c] = 0;
    }
  }
  // Hat: brim and crown.
  if (presence[1]) {
    const o = 4;
    const cx = 16.5 + v[o];
    const cy = 6 + v[o + 1];
    const bh = Math.max(2 + 2 * v[o + 3], 0.5);
    const ch = Math.max(2 + v[o + 5], 0.5);
    set(rect(cx, cy, 15 + 3 * v[o + 2], bh), 1);
    set(rect(cx, cy - bh / 2 - ch / 2, 10 + 2 * v[o + 4], ch), 1);
  }
  // Bowtie: two triangles meeting at the centre, plus a 3×3 knot.
  if (presence[0]) {
    const o = 0;
    const cx = 16.5 + 0.5 * v[o];
    const cy = 29 + v[o + 1];
    const hw = Math.max(12 + 3 * v[o + 2], 1) / 2;
    const hh = Math.max(5 + 2 * v[o + 3], 1) / 2;
    set((x, y) => {
      const d = Math.abs(x - cx);
      if (d <= 1 && Math.abs(y - cy) <= 1) return true;
      return d <= hw && Math.abs(y - cy) <= (hh * d) / hw;
    }, 1);
  }
}

/**
 * Generates `n` Smiley images (kind "binary", g = 1024) with truth: `truth.z` = the 18 sources
 * masked by presence (n×18, S-block order), `truth.rowSupport` = the active sources (the
 * reference's S), `truth.extra.presence` (n×4 Uint8Array), `truth.extra.sources` (unmasked
 * sources), `truth.extra.blocks` (source ranges per attribute). `labels` are the 16 presence
 * patterns as a bitmask (bit 0 bowtie, 1 hat, 2 eyes, 3 mouth).
 *
 * @example
 * ```ts
 * const ds = smiley({ n: 2000, seed: 1 }); // 2000 × 1024 binary, labels in 0..15
 * ```
 */
export function smiley(opts: SmileyOptions = {}): Dataset {
  const where = "synthetic:smiley";
  const p = resolveParams(where, smileyParams, { ...opts });
  const n = p.n as number;
  const prob = p.prob as number;
  const scale = p.scale as number;
  const key = Key.of(p.seed as number).foldIn("smiley");
  const [kp, kv, ks] = key.split(3);
  const u = kp.uniformArray(4 * n);
  const eps = kv.normalArray(NSRC * n);
  const x = new Float32Array(n * SIDE * SIDE);
  const z = new Float32Array(n * NSRC);
  const sources = new Float32Array(n * NSRC);
  const rowSupport = new Uint8Array(n * NSRC);
  const presence = new Uint8Array(n * 4);
  const labels = new Int32Array(n);
  const img = new Float32Array(SIDE * SIDE);
  const v = new Float64Array(NSRC);
  for (let i = 0; i < n; i++) {
    let mask = 0;
    for (let a = 0; a < 4; a++) {
      const on = u[4 * i + a] < prob ? 1 : 0;
      presence[4 * i + a] = on;
      mask |= on << a;
    }
    labels[i] = mask;
    for (let s = 0; s < NSRC; s++) {
      v[s] = scale * eps[i * NSRC + s];
      sources[i * NSRC + s] = v[s];
    }
    for (let a = 0; a < 4; a++) {
      const { vars, offset } = smileyAttributes[a];
      for (let s = offset; s < offset + vars; s++) {
        rowSupport[i * NSRC + s] = presence[4 * i + a];
        z[i * NSRC + s] = presence[4 * i + a] ? v[s] : 0;
      }
    }
    renderSmiley(img, presence.subarray(4 * i, 4 * i + 4), v);
    x.set(img, i * SIDE * SIDE);
  }
  const labelNames = Array.from({ length: 16 }, (_, m) => smileyClassName(m));
  return {
    name: "smiley",
    source: `${where}${formatQuery(smileyParams, p)}`,
    x,
    n,
    g: SIDE * SIDE,
    kind: "binary",
    labels,
    labelNames,
    split: randomSplit(n, p.test as number, ks),
    truth: {
      k: NSRC,
      z,
      rowSupport,
      extra: {
        presence,
        sources,
        blocks: smileyAttributes.map((a) => ({ name: a.name, start: a.offset, end: a.offset + a.vars })),
      },
    },
    meta: { generator: "smiley", params: p, imageShape: [SIDE, SIDE], spec: "specs/vsc.md Part b0 §3, §6" },
  };
}

// A small labelled binary dataset for the class-consistency tests (vscClass, the code panels).
import type { Dataset } from "@sparse-dgm/data";

// Three classes; class c owns 3 of 9 "parts" and shows each with probability 1/2; a part lights 4 of
// 36 binary pixels; 3% of pixels flip. Points of a class therefore differ in which parts they show,
// and plain VSC codes them by part (low within-class Jaccard); the class term pulls them together.
export function partsData(): Dataset {
  const N = 480, D = 36, C = 3;
  let s = 7;
  const rng = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const x = new Float32Array(N * D);
  const labels = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    const c = i % C;
    labels[i] = c;
    for (let k = 0; k < 3; k++) if (rng() < 0.5) for (let f = 0; f < 4; f++) x[i * D + 4 * (3 * c + k) + f] = 1;
    for (let f = 0; f < D; f++) if (rng() < 0.03) x[i * D + f] = 1 - x[i * D + f];
  }
  const all = Int32Array.from({ length: N }, (_, i) => i);
  return { name: "parts", source: "test:parts", x, n: N, g: D, kind: "binary", labels, split: { train: all, test: all }, meta: {} };
}

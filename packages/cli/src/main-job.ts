/**
 * The main job (`npm start`): every trainable zoo entry on the built-in synthetic data with known
 * structure, sized to finish in a few minutes on 2 cores.
 */
import type { CompareEntry } from "./compare.js";

export const MAIN_JOB: { entries: CompareEntry[]; seeds: number } = {
  seeds: 3,
  entries: [
    // The Sparse VAE study's synthetic data (specs/sparse-vae.md §3.1) at the spec's settings.
    { model: "sparseVae", data: "synthetic:moran?rho=0.6" },
    { model: "vae", data: "synthetic:moran?rho=0.6" },
    { model: "betaVae", data: "synthetic:moran?rho=0.6" },
  ],
};

/**
 * How a benchmark size (B, G, K, H) maps onto each zoo entry's hyperparameters, and the named
 * settings of the issue: a) B 100, G 7, K 5, H 50 (overhead bound) and b) B 512, G 300, K 50,
 * H 300 (compute bound), as in ../shared/bench/torch_sparse_vae.py.
 */
export interface Size {
  B: number;
  G: number;
  K: number;
  H: number;
}

export const SETTINGS: Record<string, Size> = {
  a: { B: 100, G: 7, K: 5, H: 50 },
  b: { B: 512, G: 300, K: 50, H: 300 },
};

/** Zoo entries that train, with their config at a size. */
export function configFor(model: string, s: Size): Record<string, unknown> {
  switch (model) {
    case "sparseVae":
    case "vae":
    case "betaVae":
      return { features: s.G, factors: s.K, hidden: s.H };
    case "vsc":
    case "vscClass":
      return { features: s.G, latents: s.K, hidden: s.H };
    case "sdlgm":
      return { features: s.G, latents: s.K, hidden: [s.H, s.H], maxActive: Math.min(5, s.K) };
    case "mibStructured": {
      const half = Math.floor(s.G / 2);
      return { features: 2 * half, groups: [Array.from({ length: half }, (_, i) => i), Array.from({ length: half }, (_, i) => half + i)], hidden: s.H };
    }
    default:
      throw new Error(`bench: no size mapping for model "${model}"`);
  }
}

/** Models the benchmark runs by default (every zoo entry that trains). */
export const TRAINABLE = ["sparseVae", "vae", "betaVae", "vsc", "vscClass", "sdlgm", "mibStructured"];

export function sizeLabel(s: Size): string {
  return `B${s.B}-G${s.G}-K${s.K}-H${s.H}`;
}

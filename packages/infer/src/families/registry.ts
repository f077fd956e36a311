/**
 * The inference families, one line each (docs/adding-a-family.md). Selection takes the first
 * family that serves a site, preferring one that names the site's prior (`families/select.ts`);
 * docs/inference.md's support table is generated from this list (`scripts/family-table.mjs`).
 */
import type { Family } from "./family.js";
import { likelihood } from "./likelihood.js";
import { normal } from "./normal.js";
import { productOfExperts } from "./poe.js";
import { spikeSlabCode } from "./spike-slab-code.js";
import { cappedCode } from "./capped-code.js";
import { point } from "./point.js";
import { spikeSlabLassoEm } from "./spike-slab-lasso.js";
import { emState } from "./em-state.js";
import { fixedMask } from "./fixed-mask.js";
import { binaryConcrete } from "./binary-concrete.js";
import { scoreFunction } from "./score-function.js";
import { hardConcrete } from "./hard-concrete.js";
import { fullRankNormal } from "./full-rank.js";

/** Every registered family, in selection order. */
export const families: Family[] = [
  likelihood,
  normal,
  productOfExperts,
  spikeSlabCode,
  cappedCode,
  point,
  spikeSlabLassoEm,
  emState,
  fixedMask,
  binaryConcrete,
  scoreFunction,
  hardConcrete,
  fullRankNormal,
];

/** Registers a family (a plug-in outside this package); it is tried after the built-in ones. */
export function registerFamily(family: Family): void {
  if (families.some((f) => f.name === family.name)) throw new Error(`a family named "${family.name}" is already registered`);
  families.push(family);
}

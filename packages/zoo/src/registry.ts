/**
 * The zoo: every entry by name. Adding a model is one file plus one line here.
 */
import type { ZooEntry } from "./entry.js";
import { sparseVae } from "./sparse-vae.js";
import { vae, betaVae } from "./vae.js";
import { vsc, vscVampPrior, vscClass } from "./vsc.js";
import { sdlgm, kSparse, sdlgmTags, topKTags } from "./sdlgm.js";
import { binaryRelevance } from "./binary-relevance.js";
import { mibStructured } from "./mib-structured.js";
import { mibMultimodal, mibConditional, mibFair, mibInvariant } from "./mib-instances.js";

/** Every zoo entry, keyed by its command-line name. */
export const zoo: Record<string, ZooEntry<any>> = {
  sparseVae,
  vae,
  betaVae,
  vsc,
  vscVampPrior,
  vscClass,
  sdlgm,
  kSparse,
  sdlgmTags,
  topKTags,
  binaryRelevance,
  mibStructured,
  mibMultimodal,
  mibConditional,
  mibFair,
  mibInvariant,
};

/** Looks up a zoo entry; an unknown name lists the valid ones. */
export function zooEntry(name: string): ZooEntry<any> {
  const e = zoo[name];
  if (!e) throw new Error(`unknown model "${name}"; zoo models: ${Object.keys(zoo).join(", ")}`);
  return e;
}

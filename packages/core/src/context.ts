/**
 * The second argument of every site callback: plate sizes, schedules, the replica count, and the
 * network blocks that `@sparse-dgm/nn` registers (`ctx.mlp`, `ctx.maskedDecoder`, ...). Packages
 * add blocks with {@link registerBlock} and declare their signatures by augmenting
 * {@link SiteContext}.
 */
import type { tf } from "./tf.js";
import type { Key } from "./key.js";
import type { ParamStore } from "./params.js";
import type { ModelIR, SiteDistribution } from "./ir.js";
import type { ScheduleLike } from "./schedule.js";

/** What a network block sees when it runs. */
export interface BlockRuntime {
  /** Where the block's weights live. */
  params: ParamStore;
  /** Replica count (weights and activations carry a leading [R] axis), or undefined. */
  replicas: number | undefined;
  /** The model IR and the plate sizes of this run. */
  ir: ModelIR;
  sizes: Record<string, number>;
  /** Whether this run trains (dropout and similar). */
  training: boolean;
}

/** A network block implementation. */
export type BlockImpl = (rt: BlockRuntime, name: string, args: any) => tf.Tensor;

const blocks = new Map<string, BlockImpl>();

/** Registers a network block under `ctx[name]`. */
export function registerBlock(name: string, impl: BlockImpl): void {
  blocks.set(name, impl);
}

/** The registered blocks. */
export function registeredBlocks(): ReadonlyMap<string, BlockImpl> {
  return blocks;
}

/**
 * The context passed to site callbacks. `@sparse-dgm/nn` augments this interface with its blocks.
 */
export interface SiteContext {
  /** Size of a plate in this run. */
  plateSize(plate: string): number;
  /** Replica count, or undefined. */
  readonly replicas: number | undefined;
  /** Leading axes before the plate axes (1 with replicas, else 0). */
  readonly leading: number;
  /** The optimiser step (0 outside training). */
  readonly step: number;
  /** The value of a schedule at the current step. */
  schedule(s: ScheduleLike): number;
  /** The guide's distribution for a site, during variational inference (else undefined). */
  posterior(site: string): SiteDistribution | undefined;
  /** Evaluates the amortised guide of a site at other inputs (e.g. VampPrior pseudo-inputs). */
  recognition(site: string, inputs: tf.Tensor): SiteDistribution;
  /** A named non-random tensor stored with the parameters (created by `init` on first use). */
  param(name: string, shape: number[], init: (key: Key, shape: number[]) => tf.Tensor): tf.Tensor;
  /** The canonical axis of a plate. */
  axis(plate: string): number;
  /**
   * Lays out a tensor whose trailing axes are the given plates (in that order, after the replica
   * axis if any) in the canonical layout, e.g. a decoder output [B, G] -> [B, G, 1].
   */
  layout(t: tf.Tensor, plates: readonly string[]): tf.Tensor;
  /** The data conditioned at an observed site in this run (canonical layout), or undefined. */
  observed(site: string): tf.Tensor | undefined;
  /** The parameter store of this run. */
  readonly params: ParamStore;
}

/**
 * The trainer's non-finite guard: a step whose loss is not finite is skipped (naming the site and
 * the term), and a run of `maxBadSteps` such steps in a row stops the fit with a
 * {@link NonFiniteError}. The run counts across epoch boundaries: an epoch whose every step is
 * skipped does not reset it, so a loss that stays non-finite always reaches the error.
 */
import { NonFiniteError } from "@sparse-dgm/core";

/** What the guard decided about one step. */
export interface GuardVerdict {
  /** Every replica's loss is finite: apply the step. */
  finite: boolean;
  /** No replica can take the step (all non-finite, or no replicas): skip it entirely. */
  skipAll: boolean;
  /** Per replica, whether its loss is finite (the others keep their parameters and moments). */
  finiteMask: boolean[];
}

/** Counts skipped steps and consecutive bad steps of one `fit`. */
export class NonFiniteGuard {
  /** Steps skipped (in whole or for some replicas) so far. */
  skipped = 0;
  /** The first skipped step's message, for the caller's report. */
  first?: string;
  private badRun = 0;

  constructor(
    private readonly maxBadSteps: number,
    private readonly onNonFinite?: (e: NonFiniteError) => void,
  ) {}

  /**
   * Checks one step's losses: `replicaLoss` (one per replica), the term `names` and their values
   * (`termVals[i]`, one per replica). Throws after `maxBadSteps` non-finite steps in a row.
   */
  check(step: number, replicaLoss: number[], names: string[], termVals: number[][], replicated: boolean): GuardVerdict {
    const finiteMask = replicaLoss.map((v) => Number.isFinite(v));
    const finite = finiteMask.every((f) => f);
    if (finite) {
      this.badRun = 0;
      return { finite, skipAll: false, finiteMask };
    }
    const bad = names.findIndex((_, i) => termVals[i].some((v) => !Number.isFinite(v)));
    const name = bad >= 0 ? names[bad] : "loss";
    const site = name.split(":")[1] ?? name;
    const badReplicas = finiteMask.map((f, i) => (f ? -1 : i)).filter((i) => i >= 0);
    const detail = `non-finite ${name.split(":")[0]} term "${name}" at step ${step}${replicated ? ` (replicas ${badReplicas.join(", ")})` : ""}; step skipped`;
    this.skipped++;
    this.badRun++;
    this.first ??= `site "${site}": ${detail}`;
    this.onNonFinite?.(new NonFiniteError(site, [], detail));
    if (this.badRun >= this.maxBadSteps) {
      throw new NonFiniteError(site, [], `${this.badRun} non-finite steps in a row; last: ${detail}`);
    }
    return { finite, skipAll: finiteMask.every((f) => !f) || !replicated, finiteMask };
  }
}

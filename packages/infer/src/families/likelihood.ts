/**
 * Family `likelihood`: an observed site. Its term is the distortion −log p(x | ...) per data point;
 * under the `"reference"` normalisation a Gaussian likelihood is scored as the Sparse VAE code does
 * (specs/sparse-vae.md §2.2): Σ((x − x̂)/σ)²/(2·B·G) + Σ_j log σ_j / B. Its held-out NLL
 * ({@link referenceNll}) is that code's reconstruction loss on test rows. The site option `weight`
 * (a number or schedule) scales the distortion (0: a discriminative model whose x only feeds the encoder).
 */
import { tf, broadcast, messageLogProb, type Message, type ScheduleLike } from "@sparse-dgm/core";
import { Normal } from "@sparse-dgm/distributions";
import { sumPerReplica, weighted, type Term } from "../objective.js";
import type { Family, TermContext } from "./family.js";

/** The distortion term of an observed site. */
function distortion(t: TermContext): Term {
  const { msg, leading } = t;
  const B = t.batchSize;
  const d = msg.fn as unknown;
  let value: tf.Tensor;
  if (t.mode === "reference" && d instanceof Normal) {
    const scale = broadcast(d.scale, msg.value!.shape);
    const quad = tf.square(tf.div(tf.sub(msg.value!, d.loc), scale));
    const dataAxis = leading + msg.state.ir.plates.findIndex((p) => p.name === "data");
    const G = msg.value!.shape.reduce((a, s, i) => (i < leading || i === dataAxis ? a : a * s), 1);
    value = tf.add(tf.div(sumPerReplica(quad, leading), 2 * B * G), tf.div(sumPerReplica(tf.log(scale), leading), B));
  } else {
    value = tf.div(tf.neg(sumPerReplica(messageLogProb(msg), leading)), B);
  }
  // the site's optional `weight` (a number or schedule) scales it, as klWeight scales a rate
  return { name: `distortion:${msg.name}`, kind: "distortion", site: msg.name, value, ...weighted(msg.site.options.weight as ScheduleLike | undefined, t.step) };
}

/**
 * The reference code's "held-out NLL" (specs/metrics.md §9) of an observed site's message with a
 * sampled z: 0.5·mean(((x − x̂)/σ)²) for Gaussian likelihoods, the distribution's `referenceLoss`
 * where it has one (the multinomial's −Σ_j x_ij log(p̂_ij + 1e-6)), else the mean over rows of
 * −Σ_j log p(x_ij | z_i). One number per replica.
 */
function referenceNll(msg: Message, rows: number, lead: number): number[] {
  const d = msg.fn as unknown;
  if (d instanceof Normal) {
    const z = tf.div(tf.sub(msg.value!, d.loc), broadcast(d.scale, msg.value!.shape));
    const axes = Array.from({ length: z.rank - lead }, (_, i) => i + lead);
    return Array.from(tf.mul(0.5, tf.mean(tf.square(z), axes)).dataSync());
  }
  // where the reference's loss is not −log p (the categorical: no multinomial coefficient, log(p + 1e-6))
  const ref = (d as { referenceLoss?(x: tf.Tensor): tf.Tensor | undefined }).referenceLoss?.(msg.value!);
  if (ref) return Array.from(tf.div(sumPerReplica(ref, lead), rows).dataSync());
  return Array.from(tf.div(tf.neg(sumPerReplica(messageLogProb(msg), lead)), rows).dataSync());
}

export const likelihood: Family = {
  name: "likelihood",
  summary: "distortion −log p(x | …) per data point (the reference normalisation scores a Gaussian as the Sparse VAE code)",
  selects: { kinds: ["observe"], scope: "local", valueTypes: ["real"], estimators: [] },
  reads: ["encoderInput", "weight"],
  create(site) {
    return { site, family: likelihood, draw: () => ({}), terms: (t) => [distortion(t)], heldoutNll: referenceNll };
  },
};

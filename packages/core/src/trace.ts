/**
 * Traces: the record of one run, site by site (kind, distribution, value, observed, scale,
 * mask), with log densities computed on demand.
 */
import { tf } from "./tf.js";
import type { SiteDistribution, SiteKind } from "./ir.js";
import { messageLogProb, type Message, type RunState } from "./runtime.js";
import { fromCanonical } from "./layout.js";
import { formatPlatePath, formatShape } from "./errors.js";

/** One recorded site. */
export interface TraceSite {
  name: string;
  kind: SiteKind;
  /** Canonical-layout value. */
  value: tf.Tensor;
  fn?: SiteDistribution;
  observed: boolean;
  intervened: boolean;
  message: Message;
}

/** The record of a run. */
export class Trace {
  readonly sites = new Map<string, TraceSite>();

  constructor(readonly state: RunState) {}

  /** @internal */
  add(msg: Message): void {
    this.sites.set(msg.name, {
      name: msg.name,
      kind: msg.type,
      value: msg.value!,
      fn: msg.fn,
      observed: msg.observed,
      intervened: msg.intervened,
      message: msg,
    });
  }

  /** Site names in execution order. */
  names(): string[] {
    return [...this.sites.keys()];
  }

  /** A recorded site (throws naming the recorded ones). */
  site(name: string): TraceSite {
    const s = this.sites.get(name);
    if (!s) throw new Error(`trace has no site "${name}"; sites: ${this.names().join(", ")}`);
    return s;
  }

  /** A site's value in its own layout (its plates in its order, then the event). */
  value(name: string): tf.Tensor {
    const s = this.site(name);
    return fromCanonical(this.state.ir, s.message.site, this.state.sizes, s.value, this.state.leading);
  }

  /** A site's log density (scale and mask applied), canonical batch shape. */
  logProb(name: string): tf.Tensor {
    return messageLogProb(this.site(name).message);
  }

  /** Whether a site contributes a density to the joint. */
  hasDensity(name: string): boolean {
    const s = this.site(name);
    return !!s.fn && !s.intervened && !(s.message.site.mask?.valueType === "fixed");
  }

  /**
   * Sum of all log densities (random sites that are not intervened, plus factors): a scalar, or
   * [R] with replicas.
   */
  logJoint(): tf.Tensor {
    return tf.tidy(() => {
      const lead = this.state.leading;
      const parts: tf.Tensor[] = [];
      for (const s of this.sites.values()) {
        let lp: tf.Tensor | undefined;
        if (s.kind === "factor") lp = s.value;
        else if (this.hasDensity(s.name)) lp = this.logProb(s.name);
        if (!lp) continue;
        const axes = Array.from({ length: lp.rank - lead }, (_, i) => i + lead);
        parts.push(axes.length ? tf.sum(lp, axes) : lp);
      }
      return parts.length ? tf.addN(parts) : tf.zeros(lead ? [this.state.replicas!] : []);
    });
  }

  /** A table of site shapes (like Pyro's `format_shapes`). */
  formatShapes(): string {
    const rows = [...this.sites.values()].map((s) => {
      const d = s.fn ? `${s.fn.kind} batch ${formatShape(s.fn.batchShape)} event ${formatShape(s.fn.eventShape)}` : "";
      return `${s.kind.padEnd(13)} ${s.name.padEnd(12)} value ${formatShape(s.value.shape).padEnd(16)} ${d}${formatPlatePath(s.message.plates)}`;
    });
    return rows.join("\n");
  }
}

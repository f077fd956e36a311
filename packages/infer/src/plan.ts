/**
 * What `compile` decides before it sees data: the observed site, the inference family of every
 * random site (refusing, with the site's name, what it asked for and the choices, any site no
 * family serves), and the warnings a declaration deserves (a mask no observed site reads, an
 * option set but not read by the site's family).
 */
import { DATA_PLATE, SiteError, type ModelIR, type SiteDecl } from "@sparse-dgm/core";
import { families } from "./families/registry.js";
import { needsFamily, selectFamily, siteFacts } from "./families/select.js";
import type { Family, FamilyEnv, SiteInference } from "./families/family.js";

/** The compile-time plan of a program. */
export interface ProgramPlan {
  /** The observed site (the program's data). */
  observed: SiteDecl;
  /** The family of every site that needs inference, in site order. */
  families: Map<string, Family>;
  /** Warnings about the declaration, each naming its site. */
  warnings: string[];
}

/** The one observed site, or a refusal naming the model and what to declare. */
function observedSite(ir: ModelIR): SiteDecl {
  const obs = ir.sites.filter((s) => s.kind === "observe");
  if (obs.length === 1) return obs[0];
  if (!obs.length) {
    throw new Error(`model "${ir.name}" has no observed site: compile fits a model to data; declare one with .observe(name, likelihood, { plates: ["${DATA_PLATE}", ...] })`);
  }
  throw new Error(`model "${ir.name}" has ${obs.length} observed sites (${obs.map((s) => s.name).join(", ")}); compile fits one: make the others side data read through ctx.observed`);
}

/** Refuses names declared ahead (`.ahead`) that the model never declares. */
function checkAhead(ir: ModelIR): void {
  const declared = new Set([...ir.sites.map((s) => s.name), ...(ir.side ?? []).map((s) => s.name)]);
  const missing = (ir.ahead ?? []).filter((n) => !declared.has(n));
  if (missing.length) throw new Error(`model "${ir.name}": ${missing.map((n) => `"${n}"`).join(", ")} ${missing.length > 1 ? "are" : "is"} read ahead (.ahead) but never declared`);
}

/** Options every site may carry, whatever its family. */
const COMMON = new Set(["doc", "plates", "event", "estimator", "prior", "rows", "cols", "scope", "valueType", "maxActive", "fixedValue", "guide.kind", "needs"]); // needs: read by the side-data plumbing (sideData), whatever the family

/** The option names set on a site, with `guide` expanded to `guide.<key>`. */
function optionNames(site: SiteDecl): string[] {
  return Object.entries(site.options)
    .filter(([, v]) => v !== undefined)
    .flatMap(([k, v]) =>
      k === "guide" && v && typeof v === "object"
        ? Object.keys(v)
            .filter((g) => (v as Record<string, unknown>)[g] !== undefined)
            .map((g) => `guide.${g}`)
        : [k],
    );
}

/** Options set on a site that its family does not read. */
function unusedOptions(site: SiteDecl, family: Family): string[] {
  return optionNames(site).filter((k) => !COMMON.has(k) && !family.reads.includes(k));
}

/** Sites whose values reach an observed site (through the callbacks' dependencies), or that a site's family reads (its `readsSites` hook, e.g. a product-of-experts guide's encoder mask). */
function readSites(ir: ModelIR, chosen: ReadonlyMap<string, Family>): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    ir.sites.find((s) => s.name === name)?.dependsOn.forEach(visit);
  };
  ir.sites.filter((s) => s.kind === "observe").forEach((s) => visit(s.name));
  for (const s of ir.sites) for (const m of chosen.get(s.name)?.readsSites?.(s) ?? []) seen.add(m);
  return seen;
}

/** The plan of a model: its observed site, a family per random site, warnings. Throws a refusal. */
export function planProgram(ir: ModelIR): ProgramPlan {
  const observed = observedSite(ir);
  checkAhead(ir);
  const chosen = new Map<string, Family>();
  for (const site of ir.sites) if (needsFamily(site)) chosen.set(site.name, selectFamily(families, siteFacts(site), ir));
  const read = readSites(ir, chosen);
  const warnings: string[] = [];
  for (const site of ir.sites) {
    const family = chosen.get(site.name);
    if (!family) continue;
    for (const k of unusedOptions(site, family)) warnings.push(`site "${site.name}": option "${k}" is set but the ${family.name} family does not read it`);
    if (site.kind === "mask" && site.mask?.valueType !== "fixed" && !read.has(site.name)) {
      warnings.push(`site "${site.name}": no observed site reads this mask (directly or through other sites); it is fitted to its prior alone`);
    }
  }
  return { observed, families: chosen, warnings };
}

/** The per-site inferences of a program (made once the data sizes are known), in site order. */
export function createInferences(ir: ModelIR, plan: ProgramPlan, env: Omit<FamilyEnv, "inference">): Map<string, SiteInference> {
  const out = new Map<string, SiteInference>();
  const full: FamilyEnv = { ...env, inference: (site) => out.get(site) };
  for (const site of ir.sites) {
    const family = plan.families.get(site.name);
    if (!family) continue;
    try {
      out.set(site.name, family.create(site, full));
    } catch (e) {
      if (e instanceof SiteError || (e as Error).message.startsWith(`site "${site.name}"`)) throw e;
      throw new SiteError(site.name, [], (e as Error).message);
    }
  }
  return out;
}

/**
 * Exports the project's Moran synthetic dataset as JSON for the PyTorch reference
 * (tools/reference/torch_sparse_vae_fit.py).
 *
 * Usage (from the repo root):
 *   node packages/cli/bin/run-ts.js tools/reference/export_moran.ts <rho> <seed> <out.json>
 *
 * Writes {source, x (n×g row-major), n, g, train, test, zTrue (n×2 row-major)}.
 */
import { writeFileSync } from "node:fs";
import { loadData } from "@sparse-dgm/data";

const [rho, seed, out] = process.argv.slice(2);
if (rho === undefined || seed === undefined || out === undefined) {
  console.error("usage: export_moran.ts <rho> <seed> <out.json>");
  process.exit(2);
}
const ds = await loadData(`synthetic:moran?rho=${rho}&seed=${seed}`);
const z = ds.truth?.z;
if (!z) throw new Error(`${ds.source}: no truth.z`);
writeFileSync(
  out,
  JSON.stringify({
    source: ds.source,
    x: Array.from(ds.x),
    n: ds.n,
    g: ds.g,
    train: Array.from(ds.split.train),
    test: Array.from(ds.split.test),
    zTrue: Array.from(z),
  }),
);

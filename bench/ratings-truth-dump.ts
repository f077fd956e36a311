// Writes the must-show ratings matrix with its truth (true user preferences z, items × genres support)
// as JSON for the reference-only Python checks (bench/ratings-genre-softmax-oracle.py, bench/ratings-genre-map.py).
// usage: node packages/cli/bin/run-ts.js bench/ratings-truth-dump.ts <out.json> [source]
import { writeFileSync } from "node:fs";
import { loadData } from "@sparse-dgm/data";

const [out = "ratings-truth.json", src = "synthetic:ratings?min=4&minUserPositives=20&topItems=300"] = process.argv.slice(2);
const ds = await loadData(src);
if (!ds.truth?.z || !ds.truth.support) throw new Error(`${src}: no true z and support (a synthetic:ratings source has both)`);
writeFileSync(out, JSON.stringify({ source: src, n: ds.n, g: ds.g, k: ds.truth.k, x: Array.from(ds.x as Float32Array), z: Array.from(ds.truth.z), S: Array.from(ds.truth.support), genres: ds.meta.itemGenres }));
console.log(`wrote ${out}: ${ds.n} users × ${ds.g} items, ${ds.truth.k} genres`);

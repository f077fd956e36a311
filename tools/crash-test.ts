/**
 * Crash test (issue 22): `kill -9` at random moments of `sdgm fit --checkpoint-every 1` and of
 * `sdgm compare`, then the same command again, compared with an uninterrupted run.
 *
 *   node packages/cli/bin/run-ts.js tools/crash-test.ts fit [--kills 20] [--epochs 40] [--n 400] [--seed 1] [--parallel 1] [--write-kills 0]
 *   node packages/cli/bin/run-ts.js tools/crash-test.ts compare [--kills 5]
 *   node packages/cli/bin/run-ts.js tools/crash-test.ts concurrent [--procs 4] [--sources 10] [--rows 2000]
 *
 * `fit`: each trial starts the run in a fresh folder and kills it at a uniformly random point of
 * its training: a point u uniform in [1, epochs) epochs, i.e. once its checkpoint of epoch ⌊u⌋ is
 * on disk, the fraction u − ⌊u⌋ of an epoch's duration later (the trial's own last epoch's, or the
 * uninterrupted run's mean epoch for epoch 1). Anchoring on progress rather than on wall time keeps
 * every kill inside training on a machine whose load changes the run's speed (wall-time kills over
 * the uninterrupted run's duration landed after the end when a trial ran faster). Some kills land in
 * a checkpoint write (the folder then holds a weights file its manifest does not name, or a
 * temporary file). It then runs the command again to the end and compares the final weights (the
 * checkpoint's float32 buffer, optimiser moments included) and the loss curve's length with the
 * uninterrupted run's, byte for byte. Each trial says whether the kill landed mid-training (the
 * process was running and its last checkpoint was of an epoch before the last). `--write-kills M`
 * adds M trials killed at the start of a checkpoint write (the first temporary file the folder
 * gets after the checkpoint of a random epoch, seen through inotify), and counts how many of those
 * kills landed before the write finished.
 *
 * `compare`: kills a comparison (3 sources × 2 models, seeds as replicas) at random moments, re-runs
 * it until it finishes, and compares every row's metrics with an uninterrupted comparison's.
 *
 * `concurrent`: `--procs` compare processes write into one folder at once, each over `--sources`
 * data sources of its own, on top of a results store of `--rows` rows; a poller reads
 * results.json, results.csv and every row file every 20 ms. Reports rows lost and files that
 * failed to parse at any poll (both must be 0).
 *
 * Uses the cpu backend (deterministic). Prints one line per trial and a summary.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, watch, type FSWatcher } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCheckpoint } from "@sparse-dgm/infer/node";
import { mulberry32 as rng } from "@sparse-dgm/metrics";
import { ResultStore } from "../packages/cli/src/results.js";

const SDGM = join(process.cwd(), "packages/cli/bin/sdgm.js");
const args = process.argv.slice(2);
const mode = args[0] ?? "fit";
const opt = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};

function run(argv: string[]): { status: number | null; ms: number; stderr: string } {
  const t0 = Date.now();
  const r = spawnSync("node", [SDGM, ...argv], { encoding: "utf8" });
  return { status: r.status, ms: Date.now() - t0, stderr: r.stderr };
}

/**
 * Starts `sdgm argv` and kills it with SIGKILL once `delay()` (polled every 5 ms) returns a number
 * of ms: that many ms later; resolves with whether it was still running then.
 */
function killWhen(argv: string[], delay: () => number | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn("node", [SDGM, ...argv], { stdio: "ignore" });
    let exited = false;
    child.on("exit", () => {
      exited = true;
    });
    const poll = setInterval(() => {
      if (exited) {
        clearInterval(poll);
        return resolve(false);
      }
      const ms = delay();
      if (ms === undefined) return;
      clearInterval(poll);
      setTimeout(() => {
        if (exited) return resolve(false);
        child.kill("SIGKILL");
        child.on("exit", () => resolve(true));
      }, ms);
    }, 5);
  });
}

/**
 * Starts `sdgm argv` and, once the checkpoint of epoch `fromEpoch` is in `dir`, kills it with SIGKILL
 * at the first file event there (inotify, through `fs.watch`) that names a temporary file: the start
 * of the next checkpoint write. Resolves with whether it was still running then. Whether the kill
 * landed before the write finished is read from the folder afterwards ({@link leftovers}).
 */
function killInWrite(argv: string[], dir: string, fromEpoch: number): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn("node", [SDGM, ...argv], { stdio: "ignore" });
    let watcher: FSWatcher | undefined;
    let killed = false;
    child.on("exit", () => {
      clearInterval(poll);
      watcher?.close();
      resolve(killed);
    });
    const poll = setInterval(() => {
      if (watcher || checkpointEpoch(dir).epoch < fromEpoch) return;
      clearInterval(poll);
      watcher = watch(dir, (_event, name) => {
        if (killed || !name?.endsWith(".tmp")) return;
        killed = child.kill("SIGKILL");
      });
    }, 5);
  });
}

/** The epoch of the checkpoint in `dir` (0 without one) and whether it is the final one. */
function checkpointEpoch(dir: string): { epoch: number; complete: boolean } {
  try {
    const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    return { epoch: m.progress.position.epoch, complete: m.extra?.complete === true };
  } catch {
    return { epoch: 0, complete: false }; // none yet (a manifest is renamed into place whole)
  }
}

/** Remembers when (ms after `t0`) each checkpoint epoch of `dir` was first seen; call it from a poll. */
function epochWatch(dir: string, t0: number): { seen: Map<number, number>; poll: () => number } {
  const seen = new Map<number, number>();
  return {
    seen,
    poll: () => {
      const { epoch } = checkpointEpoch(dir);
      if (epoch > 0 && !seen.has(epoch)) seen.set(epoch, Date.now() - t0);
      return epoch;
    },
  };
}

/** Runs `sdgm argv` to its end, calling `poll` every 5 ms meanwhile. */
function runPolled(argv: string[], poll: () => unknown = () => undefined): Promise<{ status: number | null; ms: number; stderr: string }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    let stderr = "";
    const child = spawn("node", [SDGM, ...argv], { stdio: ["ignore", "ignore", "pipe"] });
    child.stderr.on("data", (d) => (stderr += String(d)));
    const timer = setInterval(poll, 5);
    child.on("exit", (status) => {
      clearInterval(timer);
      resolve({ status, ms: Date.now() - t0, stderr });
    });
  });
}

/** What a kill left in a checkpoint folder: a weights file no manifest names, or a temporary file (a write in progress). */
function leftovers(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const named = existsSync(join(dir, "manifest.json")) ? (JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")).files?.weights as string) : undefined;
  return readdirSync(dir).filter((f) => f.endsWith(".tmp") || (f.startsWith("weights-") && f !== named));
}

async function fitTrials(): Promise<void> {
  const kills = opt("kills", 20);
  const epochs = opt("epochs", 40);
  const n = opt("n", 400);
  const rand = rng(opt("seed", 1));
  const base = mkdtempSync(join(tmpdir(), "sdgm-crash-fit-"));
  const cmd = (out: string) => ["fit", "vae", "--data", `synthetic:moran?rho=0.4&n=${n}`, "--epochs", String(epochs), "--checkpoint-every", "1", "--backend", "cpu", "--metrics", "elbo", "--out", out];
  const full = join(base, "full");
  const refWatch = epochWatch(join(full, "checkpoints/vae-s0"), Date.now());
  const ref = await runPolled(cmd(full), refWatch.poll);
  if (ref.status !== 0) throw new Error(`the uninterrupted run failed: ${ref.stderr}`);
  const first = refWatch.seen.get(1);
  const last = refWatch.seen.get(epochs);
  if (epochs < 2 || first === undefined || last === undefined) throw new Error(`the uninterrupted run's checkpoints of epochs 1 and ${epochs} were not seen: ask for 2 epochs or more`);
  const epochMs = (last - first) / (epochs - 1);
  const refWeights = Buffer.from(readCheckpoint(join(full, "checkpoints/vae-s0")).weights.buffer);
  const refCurve = new ResultStore(full).artifact({ model: "vae", data: `synthetic:moran?rho=0.4&n=${n}`, seed: 0 })!.curves!.loss.length;
  console.log(
    `uninterrupted: ${epochs} epochs in ${(ref.ms / 1000).toFixed(1)} s (checkpoint of epoch 1 after ${(first / 1000).toFixed(1)} s, of epoch ${epochs} after ${(last / 1000).toFixed(1)} s: ${Math.round(epochMs)} ms per epoch); weights ${refWeights.length} bytes; loss curve ${refCurve} epochs`,
  );
  let identical = 0;
  let inWrite = 0;
  let killed = 0;
  let midTraining = 0;
  let targeted = 0;
  let targetedInWrite = 0;
  let targetedIdentical = 0;
  const trial = async (t: number, u: number, inWriteKill = false): Promise<void> => {
    const out = join(base, `trial${t}`);
    const ckpt = join(out, "checkpoints/vae-s0");
    // kill at u epochs: the fraction u − ⌊u⌋ of an epoch after the checkpoint of epoch ⌊u⌋ appears
    // (or, for a write-targeted trial, at the start of the first checkpoint write after it)
    const e = Math.floor(u);
    const ew = epochWatch(ckpt, Date.now());
    let delayMs = 0;
    const wasRunning = inWriteKill
      ? await killInWrite(cmd(out), ckpt, e)
      : await killWhen(cmd(out), () => {
          if (ew.poll() < e) return undefined;
          const prev = ew.seen.get(e - 1);
          const own = e >= 2 && prev !== undefined ? ew.seen.get(e)! - prev : epochMs;
          delayMs = Math.round((u - e) * Math.min(own, epochMs));
          return delayMs;
        });
    const left = leftovers(ckpt);
    const atKill = checkpointEpoch(ckpt);
    const mid = wasRunning && atKill.epoch < epochs && !atKill.complete;
    const again = await runPolled(cmd(out));
    let same = false;
    let curve = 0;
    if (again.status === 0) {
      const w = Buffer.from(readCheckpoint(ckpt).weights.buffer);
      same = Buffer.compare(w, refWeights) === 0;
      curve = new ResultStore(out).artifact({ model: "vae", data: `synthetic:moran?rho=0.4&n=${n}`, seed: 0 })!.curves!.loss.length;
    }
    if (inWriteKill) {
      targeted++;
      if (left.length) targetedInWrite++;
      if (same && curve === refCurve) targetedIdentical++;
      console.log(
        `write-targeted trial ${t + 1 - kills}: kill at the first temporary file after the checkpoint of epoch ${e} (${wasRunning ? `killed; last checkpoint of epoch ${atKill.epoch}` : "had finished"})${left.length ? `, mid-write: ${left.join(", ")}` : ", the write had finished"}; resume exit ${again.status}; weights ${same ? "identical" : "DIFFERENT"}; curve ${curve} epochs`,
      );
      if (again.status !== 0) console.log(again.stderr);
      return;
    }
    if (wasRunning) killed++;
    if (mid) midTraining++;
    if (left.length) inWrite++;
    if (same && curve === refCurve) identical++;
    const where = !wasRunning ? "had finished" : mid ? `killed mid-training, last checkpoint of epoch ${atKill.epoch}` : `killed after training (checkpoint of epoch ${atKill.epoch}${atKill.complete ? ", final" : ""})`;
    console.log(
      `trial ${t + 1}: kill at ${u.toFixed(2)} epochs, ${delayMs} ms after the checkpoint of epoch ${e} (${where})${left.length ? `, mid-write: ${left.join(", ")}` : ""}; resume exit ${again.status}; weights ${same ? "identical" : "DIFFERENT"}; curve ${curve} epochs`,
    );
    if (again.status !== 0) console.log(again.stderr);
  };
  // --parallel N: N trials at a time (each its own folder and processes)
  const parallel = opt("parallel", 1);
  const points = Array.from({ length: kills }, () => 1 + rand() * (epochs - 1));
  for (let t = 0; t < kills; t += parallel) await Promise.all(points.slice(t, t + parallel).map((u, i) => trial(t + i, u)));
  console.log(
    `summary: ${kills} kills (${killed} while running, ${midTraining} of them mid-training, ${inWrite} left a write in progress); ${identical} of ${kills} resumes end with weights byte-identical to the uninterrupted run and a ${refCurve}-epoch curve`,
  );
  // --write-kills M: M more trials, each killed at the start of a checkpoint write (random kills
  // rarely land in one: a write of ~80 KB takes a few ms of an epoch's hundreds)
  const writeKills = opt("write-kills", 0);
  if (!writeKills) return;
  const wpoints = Array.from({ length: writeKills }, () => 1 + Math.floor(rand() * (epochs - 2)));
  for (let t = 0; t < writeKills; t += parallel) await Promise.all(wpoints.slice(t, t + parallel).map((e, i) => trial(kills + t + i, e, true)));
  console.log(
    `summary (write-targeted): ${targeted} kills, ${targetedInWrite} of them left a write in progress (a temporary file, or a weights file its manifest does not name); ${targetedIdentical} of ${targeted} resumes end with weights byte-identical to the uninterrupted run and a ${refCurve}-epoch curve`,
  );
}

async function compareTrials(): Promise<void> {
  const kills = opt("kills", 5);
  const rand = rng(opt("seed", 2));
  const base = mkdtempSync(join(tmpdir(), "sdgm-crash-compare-"));
  const data = ["synthetic:moran?rho=0.2&n=300", "synthetic:moran?rho=0.6&n=300", "synthetic:sparse-linear?n=300"].join(";");
  const cmd = (out: string) => ["compare", "--models", "vae,sparseVae", "--data", data, "--seeds", "2", "--epochs", "6", "--backend", "cpu", "--metrics", "elbo,heldoutMse", "--out", out];
  const full = join(base, "full");
  const ref = run(cmd(full));
  if (ref.status !== 0) throw new Error(`the uninterrupted comparison failed: ${ref.stderr}`);
  const key = (r: { model: string; data: string; seed: number }) => `${r.model}|${r.data}|${r.seed}`;
  const refRows = new Map(new ResultStore(full).rows().map((r) => [key(r), JSON.stringify(r.metrics)]));
  console.log(`uninterrupted: ${refRows.size} rows in ${(ref.ms / 1000).toFixed(1)} s`);
  for (let t = 0; t < kills; t++) {
    const out = join(base, `trial${t}`);
    let runs = 0;
    // kill it again and again at random moments until a run is left to finish
    for (let k = 0; k < 3; k++) {
      runs++;
      const at = Math.round(rand() * ref.ms);
      if (!(await killWhen(cmd(out), () => at))) break;
    }
    const again = run(cmd(out));
    const rows = new ResultStore(out).rows();
    const same = rows.length === refRows.size && rows.every((r) => refRows.get(key(r)) === JSON.stringify(r.metrics));
    const json = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as unknown[];
    console.log(`trial ${t + 1}: ${runs} killed run(s), then exit ${again.status}; ${rows.length} rows (results.json ${json.length}); metrics ${same ? "identical" : "DIFFERENT"} to the uninterrupted comparison's`);
  }
}

async function concurrent(): Promise<void> {
  const procs = opt("procs", 4);
  const sources = opt("sources", 10);
  const preexisting = opt("rows", 2000);
  const out = mkdtempSync(join(tmpdir(), "sdgm-crash-concurrent-"));
  const store = new ResultStore(out);
  const train = { epochs: 1, steps: 1, msPerStep: 1, seconds: 1, peakRssMb: 1, backend: "cpu" };
  // earlier rows: 10 models × 10 seeds per source, over as many sources as it takes
  store.put(Array.from({ length: preexisting }, (_, i) => ({ model: `earlier${i % 10}`, data: `synthetic:moran?n=${100 + Math.floor(i / 100)}`, seed: Math.floor(i / 10) % 10, metrics: { elbo: -i }, train, config: {} })));
  store.derive();
  console.log(`store of ${preexisting} rows in ${out}`);
  let polls = 0;
  let bad = 0;
  const badWhat: string[] = [];
  const children = Array.from({ length: procs }, (_, p) => {
    const data = Array.from({ length: sources }, (_, s) => `synthetic:moran?rho=0.${(s % 9) + 1}&n=${200 + p * 10}&seed=${s}`).join(";");
    return spawn("node", [SDGM, "compare", "--models", "vae", "--data", data, "--seeds", "2", "--epochs", "1", "--backend", "cpu", "--metrics", "elbo", "--out", out], { stdio: ["ignore", "ignore", "pipe"] });
  });
  const codes: Array<number | null> = [];
  const stderr: string[] = [];
  children.forEach((c) => c.stderr.on("data", (d) => stderr.push(String(d))));
  const done = Promise.all(children.map((c) => new Promise<void>((res) => c.on("exit", (code) => (codes.push(code), res())))));
  let finished = false;
  void done.then(() => (finished = true));
  const check = (f: string, parse: (t: string) => boolean) => {
    let text: string;
    try {
      text = readFileSync(f, "utf8");
    } catch {
      return; // a row file replaced between the listing and the read
    }
    polls++;
    if (!parse(text)) {
      bad++;
      badWhat.push(f);
    }
  };
  const json = (t: string) => {
    try {
      JSON.parse(t);
      return true;
    } catch {
      return false;
    }
  };
  while (!finished) {
    check(join(out, "results.json"), (t) => json(t) && Array.isArray(JSON.parse(t)));
    check(join(out, "results.csv"), (t) => t.endsWith("\r\n"));
    if (existsSync(join(out, "index.html"))) check(join(out, "index.html"), (t) => t.trimEnd().endsWith("</html>"));
    for (const f of readdirSync(join(out, "rows"))) if (f.endsWith(".json")) check(join(out, "rows", f), json);
    await new Promise((r) => setTimeout(r, 20));
  }
  const rows = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as Array<{ model: string }>;
  const expected = preexisting + procs * sources * 2;
  console.log(`exit codes ${codes.join(", ")}; ${rows.length} rows in results.json (expected ${expected}: ${expected - rows.length} lost); ${new ResultStore(out).rows().length} in the store; ${polls} file reads while writing, ${bad} invalid${badWhat.length ? `: ${badWhat.slice(0, 5).join(", ")}` : ""}`);
  const html = readFileSync(join(out, "index.html"), "utf8");
  console.log(`index.html: ${(html.match(/<tr><td class="text">/g) ?? []).length} run rows in its timing table; ends with </html>: ${html.trimEnd().endsWith("</html>")}`);
  if (stderr.some((s) => /error/i.test(s))) console.log(stderr.join("").split("\n").filter((l) => /error/i.test(l)).slice(0, 5).join("\n"));
}

if (mode === "fit") await fitTrials();
else if (mode === "compare") await compareTrials();
else if (mode === "concurrent") await concurrent();
else throw new Error(`unknown mode ${mode}: fit, compare or concurrent`);

// A worker thread of `sdgm compare --jobs N`: registers tsx, then runs one job.
import { register } from "tsx/esm/api";
import { parentPort } from "node:worker_threads";

register();
const { workerMain } = await import("../src/compare.ts");
await workerMain(parentPort);

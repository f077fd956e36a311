// A worker thread of `sdgm compare --jobs N`: registers the loaders (./register.js), then runs one job.
import "./register.js";
import { parentPort } from "node:worker_threads";

const { workerMain } = await import("../src/compare.ts");
await workerMain(parentPort);

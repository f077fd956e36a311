#!/usr/bin/env node
// Runs a TypeScript program of this repository (examples, benchmarks) with the command line's loaders.
import "./register.js";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error("usage: run-ts.js <file.ts> [args...]");
  process.exit(2);
}
process.argv = [process.argv[0], resolve(file), ...rest];
await import(pathToFileURL(resolve(file)).href);

// A pthread worker of TF.js's threaded wasm build, started by packages/core/src/wasm-threads.ts
// (Node's worker_threads). `@tensorflow/tfjs-backend-wasm` ships the worker's script only as a
// string (`wasmWorkerContents`, which its browser loader turns into a Blob URL that Node's Worker
// cannot start); this file runs that string as a classic script in the worker's global scope, with
// the `require` and `__filename` it expects. Hand-written: nothing on npm starts it in Node.
"use strict";
const vm = require("node:vm");
const { wasmWorkerContents } = require("@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js");

globalThis.require = require;
globalThis.__filename = __filename;
// The string holds escaped newlines that its JavaScript template turned into real ones; a real
// newline inside a string literal is a syntax error, so escape them back (as the browser loader does).
vm.runInThisContext(wasmWorkerContents.replace(/\n/g, "\\n"), { filename: "tfjs-backend-wasm-threaded-simd.worker.js" });

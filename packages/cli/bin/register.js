// The command line's module loading, for sdgm.js, worker.js and run-ts.js: tsx (an npm dependency,
// no download) runs the TypeScript sources, and ./user-model-hooks.js lets a user's model module
// import `sparse-dgm` from anywhere on disk.
import { register } from "tsx/esm/api";
import { register as registerHooks } from "node:module";

register();
registerHooks(new URL("./user-model-hooks.js", import.meta.url), {
  data: {
    anchor: new URL("../src/main.ts", import.meta.url).href,
    library: new URL("../../", import.meta.url).href,
  },
});

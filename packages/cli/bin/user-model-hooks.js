// Module hooks for a user's own model module (packages/cli/src/user-model.ts), registered by
// ./register.js after tsx's. Two rules, nothing else is touched:
// 1. `sparse-dgm` and `@sparse-dgm/*` resolve as the command line itself resolves them, wherever
//    the importing file lies (examples/, /tmp, another project): the model and the CLI then share
//    one copy of the library (one TF.js, one distribution registry), and a file outside any
//    project that installs sparse-dgm still finds it.
// 2. A user's .ts/.js file (outside node_modules and the library) whose folder has no package.json
//    saying "type": "module" would be CommonJS to Node and tsx; it is loaded as an ES module, since
//    it imports sparse-dgm, an ES module (.cts/.cjs files stay CommonJS).
// Node's module.register hooks (https://nodejs.org/api/module.html#customization-hooks); no
// library does this redirect, hence this file.

let anchor;
let library;

export function initialize(data) {
  anchor = data.anchor;
  library = data.library;
}

const isLibraryName = (s) => s === "sparse-dgm" || s.startsWith("sparse-dgm/") || s.startsWith("@sparse-dgm/");
const esmSource = /\.(ts|tsx|mts|js|jsx|mjs)$/;

export async function resolve(specifier, context, next) {
  if (isLibraryName(specifier)) return next(specifier, { ...context, parentURL: anchor });
  const r = await next(specifier, context);
  if (
    r.format === "commonjs" &&
    r.url.startsWith("file:") &&
    !r.url.includes("/node_modules/") &&
    !r.url.startsWith(library) &&
    esmSource.test(new URL(r.url).pathname)
  ) {
    return { ...r, format: "module" };
  }
  return r;
}

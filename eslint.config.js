// ESLint (flat config). Every package's sources get typescript-eslint's recommended rules, with three
// choices of this codebase (below); the compiler (packages/infer) keeps two rules of its design, kept
// by lint rather than review:
// - the generic compiler files (program.ts, objective.ts, guide.ts) import no concrete distribution:
//   what is specific to a kind of site belongs to its inference family (packages/infer/src/families/);
// - no function in packages/infer is longer than 80 lines.
// `npm test` runs it (scripts/test.mjs); by hand: npx eslint packages
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**"] },
  {
    files: ["packages/*/src/**/*.ts"],
    extends: [tseslint.configs.recommended],
    rules: {
      // `Model<any, any>` is the deliberate bound "any model" (its phantom site table is checked
      // where it matters; `unknown` does not accept every model), as are the untyped option bags of
      // the CLI's argument parser and the heterogeneous callbacks of registries (blocks, KL pairs).
      "@typescript-eslint/no-explicit-any": "off",
      // `{}` is the empty site table a model starts from (`Model<{}, never>`).
      "@typescript-eslint/no-empty-object-type": ["error", { allowObjectTypes: "always" }],
      // an argument a subclass must accept but does not read is named _x; `{ a, ...rest }` drops a
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
    },
  },
  {
    // a package's public surface is read in its index, and a new export is a decision: no `export *`
    files: ["packages/*/src/**/index.ts"],
    rules: {
      "no-restricted-syntax": ["error", { selector: "ExportAllDeclaration", message: "name the exports: export { a, type B } from \"./file.js\" (docs/contributing.md)" }],
    },
  },
  {
    files: ["packages/infer/src/**/*.ts"],
    // a test's describe() callback holds its cases; the 80-line rule is for the compiler's code
    ignores: ["packages/infer/src/**/*.test.ts"],
    rules: {
      "max-lines-per-function": ["error", { max: 80, skipBlankLines: false, skipComments: false, IIFEs: true }],
    },
  },
  {
    files: ["packages/infer/src/program.ts", "packages/infer/src/objective.ts", "packages/infer/src/guide.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "@sparse-dgm/distributions",
              allowTypeImports: true,
              message: "the generic compiler names no concrete distribution: put what is specific to a kind of site in its inference family (packages/infer/src/families/, docs/adding-a-family.md)",
            },
          ],
          patterns: [{ group: ["**/distributions/src/**"], message: "the generic compiler names no concrete distribution (see docs/adding-a-family.md)" }],
        },
      ],
    },
  },
);

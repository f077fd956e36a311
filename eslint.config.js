// ESLint (flat config), scoped for now to the compiler (packages/infer): a repo-wide formatter and
// lint come later. Two rules are the compiler's design, kept by lint rather than review:
// - the generic compiler files (program.ts, objective.ts, guide.ts) import no concrete distribution:
//   what is specific to a kind of site belongs to its inference family (packages/infer/src/families/);
// - no function in packages/infer is longer than 80 lines.
// `npm test` runs it (scripts/test.mjs); by hand: npx eslint
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**"] },
  {
    files: ["packages/infer/src/**/*.ts"],
    languageOptions: { parser: tseslint.parser },
    plugins: { "@typescript-eslint": tseslint.plugin },
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

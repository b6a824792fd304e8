// The one linter (ESLint + typescript-eslint). Beyond the recommended rules it keeps import directions honest:
// the pure ledger core, the projection folds, the offline verifiers and the evidence formats (ledger/verify, evidence/) import no database,
// HTTP or server code; ledger/ imports nothing above it; agents/ reach the server only through server/index.ts; and no
// two files import each other, directly or round a longer loop (import-x/no-cycle).
// (Biome was the first choice; its per-platform binaries are missing from this registry, which breaks `npm ci`.)
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettierConfig from "eslint-config-prettier";
import { createNodeResolver, importX } from "eslint-plugin-import-x";

const noDatabaseOrHttp = [
  {
    group: ["kysely", "kysely/*", "pg", "@electric-sql/*"],
    message: "The pure ledger core and the offline verifier must not touch a database.",
  },
  {
    group: ["hono", "hono/*", "@hono/*", "node:http", "node:https"],
    message: "The pure ledger core and the offline verifier must not depend on HTTP.",
  },
  {
    group: ["**/server/**", "**/store/**", "**/append/**", "**/read/**", "**/agents/**", "**/cli/**"],
    message: "The verifier must work with the data and a public key alone: no server, store or writer imports.",
  },
];

// Feature folders under server/exceptions share the parent's helpers; one feature reaches another (and the rest of
// server/ reaches any of them) only through the feature's index.ts. Likewise the top-level evidence/ package is reached
// only through evidence/index.ts. Tests may reach internals.
const EXCEPTION_FEATURES = "(waivers|holds|breakglass)";
const INTERNAL = "/(?!index\\.ts$)";
const featureInternals = [
  {
    regex: `(^|/)exceptions/${EXCEPTION_FEATURES}${INTERNAL}`,
    message: "Import an exception feature through its index.ts, not its internals.",
  },
  {
    regex: `^\\.\\./${EXCEPTION_FEATURES}${INTERNAL}`,
    message: "One exception feature imports another only through its index.ts.",
  },
];
// Anything in server/ but its public entry point.
const SERVER_INTERNALS = `^(\\.\\./)+server${INTERNAL}`;
// `up` is how many "../" reach the repository root from the files the rule applies to (server/ has evidence folders of
// its own one level up, so the depth tells the top-level package apart).
const evidenceInternals = (up) => ({
  regex: `^(\\.\\./)${up}evidence${INTERNAL}`,
  message: "Import the evidence package through evidence/index.ts, not its internals.",
});

export default tseslint.config(
  {
    ignores: [
      ".scratch/**",
      "node_modules/**",
      ".tools/**",
      ".maestro/**",
      "policies/build/**",
      "tests/fixtures/**",
      "coverage/**",
      "console/dist/**",
      "**/*.generated.cjs",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Layout is Prettier's job (`prettier --check` in `npm run lint`); this turns off the stylistic rules that would fight it.
  prettierConfig,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", destructuredArrayIgnorePattern: "^_" },
      ],
      "no-empty": ["error", { allowEmptyCatch: true }],
    },
  },
  {
    files: ["ledger/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/server/**", "**/evidence/**", "**/agents/**", "**/cli/**"],
              message: "ledger/ is the bottom layer: it imports nothing from server/, evidence/, agents/ or cli/.",
            },
          ],
        },
      ],
    },
  },
  {
    // The projection folds too: the writer and the verifier run the same pure functions, so they cannot read a store.
    files: ["ledger/core/**/*.ts", "ledger/verify/**/*.ts", "ledger/projections/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            ...noDatabaseOrHttp,
            { group: ["**/evidence/**"], message: "ledger/ is the bottom layer: it imports nothing from evidence/." },
          ],
        },
      ],
    },
  },
  {
    files: ["evidence/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: noDatabaseOrHttp }] },
  },
  {
    files: ["server/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [...featureInternals, evidenceInternals("{2,}")] }] },
  },
  {
    files: ["server/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [...featureInternals, evidenceInternals("{1}")] }] },
  },
  {
    files: ["cli/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { regex: SERVER_INTERNALS, message: "cli/ uses the server's public entry point (server/index.ts) only." },
            {
              regex: `^(\\.\\./)+evidence${INTERNAL}`,
              message: "cli/ uses the evidence package's public entry point (evidence/index.ts) only.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["agents/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { regex: SERVER_INTERNALS, message: "agents/ use the server's public entry point (server/index.ts) only." },
            { group: ["**/cli/**"], message: "agents/ never import the CLI." },
          ],
        },
      ],
    },
  },
  // No import cycles between files: a cycle makes load order decide what is defined. A cycle closed only by a lazy
  // import() (the CLI's command table loads each command on use) cannot see a half-loaded module, so it is allowed.
  {
    files: ["**/*.ts"],
    plugins: { "import-x": importX },
    settings: {
      "import-x/parsers": { "@typescript-eslint/parser": [".ts"] },
      "import-x/extensions": [".ts", ".js"],
      "import-x/resolver-next": [createNodeResolver({ extensions: [".ts", ".js", ".json"] })],
    },
    rules: { "import-x/no-cycle": ["error", { allowUnsafeDynamicCyclicDependency: true }] },
  },
);

/* global process, console */
// Builds the auditor console's browser assets (client/ → dist/) with esbuild. npm runs it at install time
// (`prepare`) and `npm run build:console` runs it by hand; plain JavaScript, so any Node that npm runs can run it.
// Two bundles: the page (console.js) and, loaded only when an auditor verifies, the CLI's offline verifier on WebCrypto
// in a worker (verify-worker.js), with browser stand-ins for the node: modules it imports (shims/).
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { copyFile, mkdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const dist = join(here, "dist");
const shims = join(here, "shims");

// CONSOLE_MINIFY=0 keeps names and lines, for a readable profile (bench/console-verify-ab.ts BENCH_PROFILE=1).
const common = {
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: process.env.CONSOLE_MINIFY !== "0",
  sourcemap: false,
  legalComments: "eof",
  logLevel: "warning",
};

/** Exact module names and files the verifier's bundle takes from shims/ (subpaths such as ajv/dist/runtime/* stay real). */
const SHIMMED = {
  "node:crypto": "node-crypto.ts",
  crypto: "node-crypto.ts",
  "node:buffer": "node-buffer.ts",
  "node:url": "node-misc.ts",
  util: "node-misc.ts",
  "ajv/dist/2020.js": "ajv.ts",
  "ajv-formats": "ajv-formats.ts",
};

const browserShims = {
  name: "browser-shims",
  setup(b) {
    const exact = new RegExp(
      `^(${Object.keys(SHIMMED)
        .map((k) => k.replace(/[./]/g, "\\$&"))
        .join("|")})$`,
    );
    b.onResolve({ filter: exact }, (args) => ({ path: join(shims, SHIMMED[args.path]) }));
    b.onResolve({ filter: /cyclonedx-validators\.ts$/ }, () => ({ path: join(shims, "cyclonedx-validators.ts") }));
    b.onResolve({ filter: /^precompiled:/ }, (args) => ({ path: join(dist, "schemas", `${args.path.slice("precompiled:".length)}.cjs`) }));
  },
};

/** The project's own Node 24 (TypeScript by type stripping) compiles the schemas; `node` of an older npm may not. */
function precompileSchemas() {
  const node = join(root, "node_modules", ".bin", "node");
  execFileSync(existsSync(node) ? node : process.execPath, [join(here, "precompile-schemas.ts"), join(dist, "schemas")], {
    stdio: "inherit",
  });
}

export async function buildConsole() {
  await mkdir(dist, { recursive: true });
  precompileSchemas();
  await Promise.all([
    build({ ...common, entryPoints: [join(here, "client", "main.ts")], outfile: join(dist, "console.js") }),
    build({
      ...common,
      entryPoints: [join(here, "worker", "verify-worker.ts")],
      outfile: join(dist, "verify-worker.js"),
      platform: "browser",
      plugins: [browserShims],
      inject: [join(shims, "buffer-global.ts")],
      define: { global: "globalThis" },
    }),
  ]);
  await copyFile(join(here, "client", "console.css"), join(dist, "console.css"));
  return dist;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildConsole();
  console.error(`console: assets built into ${dist}`);
}

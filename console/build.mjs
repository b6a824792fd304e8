/* global process, console */
// Builds the auditor console's browser assets (client/ → dist/) with esbuild. npm runs it at install time
// (`prepare`) and `npm run build:console` runs it by hand; plain JavaScript, so any Node that npm runs can run it.
import { build } from "esbuild";
import { copyFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");

export async function buildConsole() {
  await mkdir(dist, { recursive: true });
  await build({
    entryPoints: [join(here, "client", "main.ts")],
    outfile: join(dist, "console.js"),
    bundle: true,
    format: "esm",
    target: "es2022",
    minify: true,
    sourcemap: false,
    legalComments: "eof",
    logLevel: "warning",
  });
  await copyFile(join(here, "client", "console.css"), join(dist, "console.css"));
  return dist;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildConsole();
  console.error(`console: assets built into ${dist}`);
}

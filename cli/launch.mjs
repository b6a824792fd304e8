// bin/maestro's entry, in plain JavaScript so that Node's compile cache is on before the first TypeScript file loads:
// started on cli/main.ts itself, Node loads its TypeScript stripper to read that one file (~165 ms of every command's
// start, measured on `maestro ledger verify --help`), and every later module comes from the cache anyway.
import { enableCompileCache } from "node:module";

enableCompileCache();
await import("./main.ts");

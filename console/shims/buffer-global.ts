// Injected by console/build.mjs into the verifier's bundle: the global Buffer Node code uses unimported, and set on
// globalThis too, where @sigstore/protobuf-specs looks for it (`globalThis.Buffer.from(b64, "base64")`).
import { Buffer } from "./node-buffer.ts";

(globalThis as { Buffer?: unknown }).Buffer ??= Buffer;

export { Buffer };

// Replaces secret argument values with salted HMAC digests before anything is ledgered or logged.
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** Field names treated as secrets even when the policy's obligations do not list them. */
const ALWAYS_SECRET = /(pass(word|wd)?|secret|token|api[_-]?key|private[_-]?key|credential|authorization|cookie)/i;

export interface SecretRedactor {
  redact(args: Record<string, unknown>, secretFields: string[]): Record<string, unknown>;
}

/** The salt is a per-deployment secret (keys dir, 0600), so digests correlate uses without revealing values. */
export function loadSalt(file: string): Buffer {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    try {
      writeFileSync(file, randomBytes(32).toString("base64"), { flag: "wx", mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
  return Buffer.from(readFileSync(file, "utf8").trim(), "base64");
}

export function secretRedactor(salt: Buffer): SecretRedactor {
  const digest = (value: unknown) =>
    `hmac-sha256:${createHmac("sha256", salt)
      .update(typeof value === "string" ? value : (JSON.stringify(value) ?? ""))
      .digest("hex")}`;
  const walk = (value: unknown, named: Set<string>): unknown => {
    if (Array.isArray(value)) return value.map((v) => walk(v, named));
    if (value === null || typeof value !== "object") return value;
    // fromEntries defines each member as an own property: assigning out["__proto__"] would set the prototype and
    // drop the member (JSON.parse keeps it as an own key), leaving an argument the agent sent out of the ledger.
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) => [key, named.has(key) || ALWAYS_SECRET.test(key) ? digest(v) : walk(v, named)]),
    );
  };
  return { redact: (args, secretFields) => walk(args, new Set(secretFields)) as Record<string, unknown> };
}

// `maestro keys rotate`: a new signing key for one purpose; the old one is retired, its public half kept published.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { keyPath, type KeyPurpose, rotateKeyFile } from "../../ledger/keys/key-files.ts";
import { keysDirFor, loadKeyring } from "../../ledger/keys/keyring.ts";
import { openLedger } from "../../ledger/open-ledger.ts";
import { openStore } from "../../ledger/store/database.ts";
import type { LedgerTables } from "../../ledger/store/schema.ts";
import { configFromEnv } from "../../server/index.ts";
import { type Command, parseFlags, printJson, requireFlag, STORE_FLAGS, storeFrom, UsageError } from "../command.ts";

const PURPOSES: KeyPurpose[] = ["event", "token", "checkpoint"];
const ENV_BY_PURPOSE: Record<KeyPurpose, string> = {
  event: "MAESTRO_EVENT_KEY_FILE",
  token: "MAESTRO_TOKEN_KEY_FILE",
  checkpoint: "MAESTRO_CHECKPOINT_KEY_FILE",
};

export const keysRotateCommand: Command = {
  name: "keys rotate",
  usage: `
Usage: maestro keys rotate --purpose event|token|checkpoint [--data-dir DIR | --database-url URL] [--json]

Moves the current private key to <keys dir>/retired/ and creates a new one (file mode 0600). The
retired key's public half stays in the JWKS / vkey list, so old signatures, tokens and checkpoints
still verify. When the store can be opened now, both public keys are published at once and a key.added
event for the new key is appended (an event key's signed by the key it replaces); a running server signs
with the new key after a restart, and ledgers key.retired for the old one then (docs/governance/keys.md).`,
  async run(argv) {
    const { values } = parseFlags(argv, { ...STORE_FLAGS, purpose: { type: "string" }, json: { type: "boolean" } }, keysRotateCommand);
    const purpose = requireFlag(values.purpose, "purpose") as KeyPurpose;
    if (!PURPOSES.includes(purpose)) throw new UsageError(`--purpose must be one of ${PURPOSES.join(", ")}`);
    const { dataDir, databaseUrl } = storeFrom(values);
    const file = process.env[ENV_BY_PURPOSE[purpose]] ?? keyPath(keysDirFor(dataDir), purpose);
    // The keys in force are ledgered first (a log from before key events gets them now), so the old event key is
    // trusted in the log when it introduces its successor below.
    const before = await ledgerKeyEvents(dataDir, databaseUrl).catch(() => null);
    const { retired, current } = await rotateKeyFile(purpose, file);
    const after = before === null ? null : await ledgerKeyEvents(dataDir, databaseUrl).catch(() => null);
    const keyEvents = before === null || after === null ? null : before + after;
    const published =
      keyEvents === null ? "not yet: the store is busy or not initialised; the server publishes both keys when it starts" : "yes";
    const ledgered =
      keyEvents === null
        ? "not yet: the server ledgers key.added and key.retired when it starts"
        : `key.added (${keyEvents} event${keyEvents === 1 ? "" : "s"}); key.retired when the server restarts`;
    if (values.json) printJson({ purpose, file, retiredKid: retired.kid, currentKid: current.kid, published, ledgered, keyEvents });
    else {
      process.stdout.write(
        `rotated the ${purpose} key: ${retired.kid} retired, ${current.kid} current (${file})\npublished: ${published}\nledgered: ${ledgered}\n`,
      );
    }
  },
};

/**
 * Publishes the key files' public halves and ledgers key.added for the ones the log lacks; how many events it
 * appended. key.retired waits for the server's restart: it stops signing with the old key only then, and a
 * verifier refuses anything a retired key signs later. Throws when the store cannot be opened now.
 */
async function ledgerKeyEvents(dataDir: string, databaseUrl: string | undefined): Promise<number> {
  // An embedded store that was never created is left alone (opening it would create an empty one).
  if (!databaseUrl && !existsSync(join(dataDir, "pgdata"))) throw new Error("no store yet");
  const store = await openStore<LedgerTables>({ dataDir, databaseUrl, poolSize: 1 });
  try {
    const ledger = await openLedger(store.db, await loadKeyring(dataDir), { origin: configFromEnv({ dataDir }).origin });
    return await ledger.recordKeyEvents({ retire: false });
  } finally {
    await store.close();
  }
}

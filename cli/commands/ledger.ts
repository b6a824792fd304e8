// `maestro ledger verify|proof|verify-proof|checkpoint`: the auditor's tools over a store or the Evidence API.
import { existsSync } from "node:fs";
import type { JWK } from "jose";
import { MaestroError } from "../../common/errors.ts";
import { toBase64 } from "../../ledger/core/index.ts";
import { loadKeyring } from "../../ledger/keys/keyring.ts";
import { openLedger } from "../../ledger/open-ledger.ts";
import { ProjectionReplay } from "../../ledger/projections/replay.ts";
import {
  compareProjections,
  foldingEntries,
  PROJECTION_TABLE_NAMES,
  type ProjectionReport,
} from "../../ledger/projections/verify-projections.ts";
import { formatProofFile, startEntryCheckWorkers, verifyLog, verifyProofFile, type VerifyResult } from "../../ledger/verify/index.ts";
import { availableParallelism } from "node:os";
import { type Command, parseFlags, printJson, readArgFile, requireFlag, STORE_FLAGS, UsageError } from "../command.ts";
import { baseUrl, errorMessage, fetchJson } from "../http-client.ts";
import { count } from "../format.ts";
import { writeOutputFile } from "../output-file.ts";
import {
  announceSource,
  chooseSource,
  httpSource,
  type LedgerSource,
  openLedgerStore,
  type SourceChoice,
  storeSource,
} from "./ledger-sources.ts";
import { readWitnessFlags, WITNESS_FLAGS, WITNESS_USAGE } from "./witness-flags.ts";
import { itemAt } from "../../common/present.ts";

const SOURCE_FLAGS = { ...STORE_FLAGS, url: { type: "string" }, token: { type: "string" } } as const;
const KEY_FLAGS = { key: { type: "string", multiple: true }, jwks: { type: "string" }, origin: { type: "string" } } as const;
const SOURCE_USAGE = `Source (one of; the first given wins, and the command says on stderr which it used):
  --url BASE [--token T]     the Evidence API (auditor token; MAESTRO_TOKEN also works)
  --data-dir DIR             the embedded store (its server must be stopped)
  --database-url URL         PostgreSQL; read only
  else MAESTRO_URL, then MAESTRO_DATA_DIR or DATABASE_URL, then the embedded store in ./.maestro`;
const KEY_USAGE = `Trusted keys (default: a store's key files, in --data-dir's keys/ or MAESTRO_KEYS_DIR, never its
signing_keys rows; over --url, the keys the server publishes; pin them to verify independently). key.added events
in the log, signed by a key already trusted, add keys; after a key.retired event that key signs no later entry:
  --key VKEY|FILE            checkpoint verifier key(s) in signed-note vkey form (repeatable)
  --jwks FILE                event-signing public keys (a JWKS: {"keys": [...]})
  --origin ORIGIN            expected checkpoint origin (default: the verifier key's name)`;

type SourceValues = { url?: string; token?: string; "data-dir"?: string; "database-url"?: string };

/**
 * The source, and when to say on stderr which it is: `early` (verify, whose findings go to stdout) once it
 * answers; otherwise the command calls `announce` when it has succeeded, so a failure stays one error line.
 */
async function openSource(
  values: SourceValues,
  early: boolean,
  where: SourceChoice = chooseSource(values),
): Promise<{ source: LedgerSource; announce(): void }> {
  let said = false;
  const say = (describe: string) => () => {
    if (!said) announceSource(describe, where.why);
    said = true;
  };
  if (where.kind === "http") {
    const announce = say(baseUrl(where.url));
    return { source: httpSource(where.url, values.token ?? process.env.MAESTRO_TOKEN, early ? announce : undefined), announce };
  }
  const source = await storeSource(where.store);
  const announce = say(source.describe);
  if (early) announce();
  return { source, announce };
}

// name+keyid+key (C2SP signed-note). Anything else is a file name, so a mistyped path is reported as
// unreadable (exit 2) instead of being tried as a key and failing verification (exit 1, "tampered").
const VKEY_SHAPE = /^[^+\s]+\+[0-9a-f]{8}\+\S+$/;

/** A vkey given inline, or a file holding one per line. */
function readVkeys(args: string[] | undefined): string[] | undefined {
  if (!args?.length) return undefined;
  return args.flatMap((a) => {
    if (!existsSync(a) && VKEY_SHAPE.test(a)) return [a];
    const keys = readArgFile(a, `--key ${a}`)
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean);
    if (keys.length === 0) throw new UsageError(`--key ${a} holds no verifier key`);
    return keys;
  });
}

function readJwks(file: string | undefined): JWK[] | undefined {
  if (!file) return undefined;
  let parsed: { keys?: JWK[] } | undefined;
  try {
    parsed = JSON.parse(readArgFile(file, `--jwks ${file}`)) as { keys?: JWK[] };
  } catch (err) {
    if (err instanceof UsageError) throw err;
  }
  if (!Array.isArray(parsed?.keys)) throw new UsageError(`--jwks ${file} is not a JWKS ({"keys": [...]})`);
  return parsed.keys;
}

function describeFailure(r: Exclude<VerifyResult, { ok: true }>): string {
  if (r.row) {
    const { table, key, column, stored, expected } = r.row;
    return `ledger verification FAILED at ${table} ${key}, column ${column} (stored ${JSON.stringify(stored)}, expected ${JSON.stringify(expected)}): ${r.reason}`;
  }
  const where = r.index !== undefined ? `index ${r.index}` : r.checkpoint ? `checkpoint #${r.checkpoint.position}` : "the log";
  return `ledger verification FAILED at ${where} (${r.part}): ${r.reason}`;
}

/** The projection findings, one line each (the first 50; --json has them all). */
function describeProjections(report: ProjectionReport): string {
  const lines = [
    `ledger verification FAILED (projections): ${count(report.findings.length, "stored value")} and ${count(report.refused.length, "event")} disagree with the replayed ledger`,
    ...report.findings.map(
      (f) => `  ${f.table} ${f.key} column ${f.column}: stored ${JSON.stringify(f.stored)}, expected ${JSON.stringify(f.expected)}`,
    ),
    ...report.refused.map((r) => `  index ${r.index} (${r.kind}): the projection refuses it: ${r.reason}`),
  ];
  const shown = lines.slice(0, 51);
  if (lines.length > shown.length) shown.push(`  … ${lines.length - shown.length} more (--json lists all)`);
  return `${shown.join("\n")}\n`;
}

export const ledgerVerifyCommand: Command = {
  name: "ledger verify",
  usage: `
Usage: maestro ledger verify [--url BASE | --data-dir DIR | --database-url URL] [--json] [--skip-proofs]
                            [--witness VKEY|FILE ... [--quorum K]]

Recomputes every leaf hash and the RFC 6962 tree, checks each event's RFC 8785 form and JWS
signature, every signed checkpoint (signature, origin, forks, root at its size), the stored head and
the served consistency proofs between consecutive checkpoints (--skip-proofs leaves those out).
On a store, it also replays the projection folds over the entries and compares every row and column
of the tables the server decides from or serves (mediations, outcomes, sessions, runsets, holds, waivers,
break-glass, their uses, releases, webhooks, policy data), naming table, key, column, stored and expected
value for each difference.
With --witness, some checkpoint must also carry cosignatures from K of the given witnesses; the newest
such size is reported. Witnesses refuse to cosign a rewound or forked log, so entries past that size
are the ones no witness vouched for yet.
Exit 0 only if all of it holds; otherwise exit 1 naming the first bad index (or checkpoint) and why.

${SOURCE_USAGE}

${KEY_USAGE}

${WITNESS_USAGE}`,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        ...SOURCE_FLAGS,
        ...KEY_FLAGS,
        ...WITNESS_FLAGS,
        json: { type: "boolean" },
        "skip-proofs": { type: "boolean" },
        quiet: { type: "boolean" },
      },
      ledgerVerifyCommand,
    );
    const witnesses = readWitnessFlags(values);
    const pinnedVkeys = readVkeys(values.key);
    const pinnedJwks = readJwks(values.jwks);
    // A store's check threads start now and load on the other core while this one opens the store (~0.2 s for the
    // embedded store); started at verifyLog's first batch, their start held up the first checks (docs/benchmarks.md).
    const where = chooseSource(values);
    const checkWorkers = where.kind === "store" ? startEntryCheckWorkers(availableParallelism()) : undefined;
    let source: LedgerSource;
    try {
      ({ source } = await openSource(values, true, where));
    } catch (err) {
      await checkWorkers?.close();
      throw err;
    }
    try {
      const checkpoints = await source.checkpoints(); // before the head, so every checkpoint is within it
      const rows = await source.rows?.();
      const head = await source.head();
      if (!pinnedVkeys || !pinnedJwks) {
        process.stderr.write(`note: keys not pinned with --key/--jwks are taken from ${source.keysFrom}\n`);
      }
      const started = Date.now();
      let lastReport = started;
      const replay = new ProjectionReplay();
      const result: VerifyResult = await verifyLog({
        // The store's projection rows are compared with the folds replayed over these same entries (HTTP serves no rows).
        entries: source.projectionSnapshot
          ? foldingEntries(source.entries(head.size), replay, { mode: "checked" })
          : source.entries(head.size),
        checkpoints: checkpoints.map((c) => c.note),
        eventKeys: pinnedJwks ?? (await source.eventKeys()),
        checkpointKeys: pinnedVkeys ?? (await source.checkpointKeys()),
        origin: values.origin,
        witnesses,
        head: head.root ? { size: head.size, root: head.root } : undefined,
        rows,
        consistencyProof: values["skip-proofs"] ? undefined : source.consistencyProof,
        // Every stored interior node too, which proofs are served from (store mode).
        storedNodes: source.levelHashes,
        checkWorkers,
        onProgress: (n) => {
          const now = Date.now();
          if (values.quiet || now - lastReport < 2000) return;
          lastReport = now;
          process.stderr.write(`verify: ${n}/${head.size} entries (${Math.round((n * 1000) / (now - started))}/s)\n`);
        },
      });
      let projections: ProjectionReport | undefined;
      if (result.ok && source.projectionSnapshot) {
        const snapshot = await source.projectionSnapshot(PROJECTION_TABLE_NAMES);
        if (snapshot) {
          // Appended since the log was read (a running server): folded too, so the rows compare at the snapshot's head.
          if (snapshot.size > result.size)
            for await (const _ of foldingEntries(source.entries(snapshot.size, result.size), replay, {
              from: result.size,
              mode: "unchecked",
            }));
          projections = compareProjections(replay, snapshot.rows);
        }
      }
      const projectionsOk = !projections || (projections.findings.length === 0 && projections.refused.length === 0);
      const ok = result.ok && projectionsOk;
      const seconds = (Date.now() - started) / 1000;
      if (values.json) printJson({ ...result, ok, ...(projections ? { projections } : {}), source: source.describe, seconds });
      else if (!projectionsOk) process.stdout.write(describeProjections(projections!));
      else if (result.ok) {
        process.stdout.write(
          `ledger verified: ${count(result.size, "entry", "entries")}, root ${result.root}, ${count(result.checkpoints, "signed checkpoint")} ${result.checkpoints === 1 ? "matches" : "match"}${
            result.witnessed
              ? `; witnessed up to size ${result.witnessed.size} by ${result.witnessed.cosigners.join(", ")} (quorum ${result.witnessed.quorum})`
              : ""
          } (${source.describe}, ${seconds.toFixed(1)} s)\n`,
        );
      } else process.stdout.write(`${describeFailure(result)}\n`);
      return ok ? 0 : 1;
    } finally {
      await Promise.all([source.close(), checkWorkers?.close()]);
    }
  },
};

export const ledgerProofCommand: Command = {
  name: "ledger proof",
  usage: `
Usage: maestro ledger proof --index I [--size N] -o FILE [--url BASE | --data-dir DIR | --database-url URL] [--json]

Writes a C2SP tlog-proof (c2sp.org/tlog-proof@v1) for entry I: the signed checkpoint of size N
(default: the newest stored checkpoint covering I), the RFC 6962 audit path, and in its "extra"
line the event's canonical bytes and JWS. Check it with: maestro ledger verify-proof FILE --key VKEY

${SOURCE_USAGE}`,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        ...SOURCE_FLAGS,
        index: { type: "string" },
        size: { type: "string" },
        output: { type: "string", short: "o" },
        json: { type: "boolean" },
      },
      ledgerProofCommand,
    );
    const index = parseCount(requireFlag(values.index, "index"), "index");
    const wanted = values.size === undefined ? undefined : parseCount(values.size, "size");
    const output = requireFlag(values.output, "output (-o FILE)");
    const { source, announce } = await openSource(values, false);
    try {
      const checkpoints = await source.checkpoints();
      const covering = checkpoints.filter((c) => (wanted === undefined ? c.size > index : c.size === wanted));
      const cp = covering.sort((a, b) => b.size - a.size)[0];
      if (!cp) {
        const sizes = [...new Set(checkpoints.map((c) => c.size))].sort((a, b) => a - b);
        throw new MaestroError(
          "not_found",
          wanted === undefined
            ? `no stored checkpoint covers index ${index} yet (run maestro ledger checkpoint)`
            : `no stored checkpoint of size ${wanted} (sizes: ${sizes.slice(-10).join(", ") || "none"})`,
          { field: wanted === undefined ? "index" : "size" },
        );
      }
      if (index >= cp.size) throw new MaestroError("invalid_field", `index ${index} is not below size ${cp.size}`, { field: "index" });
      const entry = await source.entry(index);
      const text = formatProofFile({
        index,
        hashes: await source.inclusionProof(index, cp.size),
        checkpoint: cp.note,
        entry: { canonical: entry.canonical, signature: entry.signature },
      });
      // Never hand out a proof that does not verify.
      const checked = verifyProofFile(text, { checkpointKeys: await source.checkpointKeys(), eventKeys: await source.eventKeys() });
      writeOutputFile(output, text);
      announce();
      if (values.json)
        printJson({ file: output, index, size: cp.size, root: checked.root, kind: checked.event.kind, eventId: checked.event.id });
      else
        process.stdout.write(
          `wrote ${output}: entry ${index} (${checked.event.kind}) in the tree of size ${cp.size}, root ${checked.root}\n`,
        );
    } finally {
      await source.close();
    }
  },
};

export const ledgerVerifyProofCommand: Command = {
  name: "ledger verify-proof",
  usage: `
Usage: maestro ledger verify-proof FILE --key VKEY|FILE [--jwks FILE] [--origin ORIGIN] [--json]

Checks the checkpoint's signed-note signature with VKEY, the RFC 6962 audit path from the event's
leaf hash to the checkpoint root, the event's canonical form, and (with --jwks) its JWS signature.
Needs no network and no database. Exit 0 if it holds, 1 otherwise.`,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { ...KEY_FLAGS, json: { type: "boolean" } }, ledgerVerifyProofCommand, true);
    if (positionals.length !== 1) throw new UsageError("give exactly one proof FILE");
    const checkpointKeys = readVkeys(values.key);
    if (!checkpointKeys) throw new UsageError("missing --key (the checkpoint verifier key, from GET /v1/ledger/key)");
    // Inputs are read before the check: an unreadable file is a usage error (exit 2), not a failed proof (exit 1).
    const eventKeys = readJwks(values.jwks);
    const file = itemAt(positionals, 0, "positionals");
    const text = readArgFile(file, file);
    try {
      const r = verifyProofFile(text, { checkpointKeys, eventKeys, origin: values.origin });
      if (values.json) printJson({ ok: true, ...r });
      else {
        const sig = r.eventSignature === "verified" ? "event signature verified" : "event signature not checked (no --jwks)";
        process.stdout.write(
          `proof verified: entry ${r.index} (${r.event.kind} ${r.event.id}) is in the tree of size ${r.size}, root ${r.root}; ${sig}\n`,
        );
      }
      return 0;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (values.json) printJson({ ok: false, reason });
      else process.stdout.write(`proof verification FAILED: ${reason}\n`);
      return 1;
    }
  },
};

export const ledgerCheckpointCommand: Command = {
  name: "ledger checkpoint",
  usage: `
Usage: maestro ledger checkpoint [--data-dir DIR | --database-url URL | --url BASE --token T] [--force] [--json]

Store mode signs with the checkpoint key in DIR/keys (MAESTRO_CHECKPOINT_KEY_FILE overrides); it
returns the newest checkpoint when it already covers the head, unless --force. With --url it asks a
running server (admin or security token).`,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      { ...SOURCE_FLAGS, force: { type: "boolean" }, json: { type: "boolean" } },
      ledgerCheckpointCommand,
    );
    let cp: { size: number; rootHash: string; note: string };
    const where = chooseSource(values);
    if (where.kind === "http") {
      const token = values.token ?? process.env.MAESTRO_TOKEN;
      const url = `${baseUrl(where.url)}/v1/ledger/checkpoint`;
      const res = await fetchJson(url, { method: "POST", headers: token ? { Authorization: `Bearer ${token}` } : {} });
      if (!res.ok) throw new MaestroError("ledger_unavailable", `POST ${url}: HTTP ${res.status} ${errorMessage(res.body)}`.trim());
      if (typeof res.body?.note !== "string")
        throw new MaestroError("ledger_unavailable", `POST ${url} answered ${res.status} without a checkpoint`);
      announceSource(baseUrl(where.url), where.why);
      cp = res.body as typeof cp;
    } else {
      const { dataDir, databaseUrl } = where.store;
      // The ledger must exist before the keyring is loaded: loading creates missing keys.
      const { store, describe } = await openLedgerStore({ dataDir, databaseUrl }, 2);
      try {
        // Loaded here, not at the top: the server's modules took ~0.6 s of CPU to load (measured on a busy 2-core
        // machine), which `ledger verify` paid before reading an entry.
        const { configFromEnv } = await import("../../server/index.ts");
        const ledger = await openLedger(store.db, await loadKeyring(dataDir), { origin: configFromEnv({ dataDir }).origin });
        const issued = await ledger.checkpointer.issue({ force: values.force });
        cp = { size: issued.size, rootHash: toBase64(issued.root), note: issued.note };
        announceSource(describe, where.why);
      } finally {
        await store.close();
      }
    }
    if (values.json) printJson(cp);
    else process.stdout.write(cp.note);
  },
};

function parseCount(text: string, flag: string): number {
  if (!/^(0|[1-9][0-9]{0,15})$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`--${flag} must be a non-negative integer`);
  }
  return Number(text);
}

// `maestro evidence export|verify`: a release's self-contained evidence bundle, and its offline verification (no database, no network).
import { isMaestroError, MaestroError } from "../../common/errors.ts";
import { CURRENT_CLAIM_SET, KNOWN_CLAIM_SETS, verifyEvidenceFile, type VerifyResult } from "../../evidence/index.ts";
import { type Command, parseFlags, printJson, readArgFile, requireFlag, STORE_FLAGS, UsageError } from "../command.ts";
import { baseUrl, errorMessage, fetchJson } from "../http-client.ts";
import { count } from "../format.ts";
import { writeOutputFile } from "../output-file.ts";
import { announceSource, chooseSource, openLedgerStore } from "./ledger-sources.ts";
import { readWitnessFlags, WITNESS_FLAGS, WITNESS_USAGE } from "./witness-flags.ts";

export const evidenceExportCommand: Command = {
  name: "evidence export",
  usage: `
Usage: maestro evidence export RELEASE -o FILE [--url BASE [--token TOKEN]] [--data-dir DIR | --database-url URL] [--json]

With --url (or MAESTRO_URL), downloads GET BASE/v1/releases/RELEASE/bundle (token from --token or MAESTRO_TOKEN;
role auditor, admin or security). With --data-dir or --database-url (or MAESTRO_DATA_DIR, DATABASE_URL, else
./.maestro) it opens the store directly (stop an embedded server on DIR first). It says on stderr which it read.
The file verifies offline with: maestro evidence verify FILE --key KEY`,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      {
        ...STORE_FLAGS,
        output: { type: "string", short: "o" },
        url: { type: "string" },
        token: { type: "string" },
        json: { type: "boolean" },
      },
      evidenceExportCommand,
      true,
    );
    const [release] = positionals;
    if (!release || positionals.length > 1) throw new UsageError("give exactly one RELEASE id (see maestro evidence export --help)");
    const output = requireFlag(values.output, "output (-o)");
    let text: string;
    let source: string;
    const where = chooseSource(values);
    if (where.kind === "http") {
      const token = values.token ?? process.env.MAESTRO_TOKEN;
      const url = `${baseUrl(where.url)}/v1/releases/${encodeURIComponent(release)}/bundle`;
      const res = await fetchJson(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      if (!res.ok)
        throw new MaestroError(
          res.status === 404 ? "not_found" : "ledger_unavailable",
          `GET ${url} (${where.why}): HTTP ${res.status} ${errorMessage(res.body)}`.trim(),
        );
      text = res.text;
      source = baseUrl(where.url);
    } else {
      const { configFromEnv, composeServer } = await import("../../server/index.ts");
      // Composing the server would create a missing store and keys (and migrate an empty database): look first.
      const opened = await openLedgerStore(where.store, 1);
      await opened.store.close();
      source = opened.describe;
      const ctx = await composeServer(configFromEnv(where.store));
      try {
        text = await ctx.releases.exportEvidence(release);
      } catch (err) {
        // "no release app-1.2.0" alone does not say where it was looked for.
        if (isMaestroError(err) && err.code === "not_found")
          throw new MaestroError("not_found", `${err.message} in ${source} (${where.why})`, { field: err.field });
        throw err;
      } finally {
        await ctx.close();
      }
    }

    // Checked before writing: a file that is not a bundle must not replace one that is.
    const events = bundleEvents(text);
    writeOutputFile(output, text);
    // Said once it worked: a failure is one error line, and names the URL or store itself.
    announceSource(source, where.why);
    if (values.json) printJson({ release, file: output, events, bytes: Buffer.byteLength(text) });
    else process.stdout.write(`wrote ${output}: release ${release}, ${count(events, "ledger event")} with inclusion proofs\n`);
  },
};

function bundleEvents(text: string): number {
  let events: unknown;
  try {
    events = (JSON.parse(text) as { events?: unknown }).events;
  } catch {}
  if (!Array.isArray(events))
    throw new MaestroError("verification_failed", "the exported text is not an evidence bundle (no events list); nothing written");
  return events.length;
}

function printReport(result: VerifyResult): void {
  const out: string[] = [];
  if (result.release) out.push(`release ${result.release.id}: ${result.release.repository} ${result.release.version}`);
  for (const c of result.checks) out.push(`${c.ok ? "ok  " : "FAIL"} ${c.part}: ${c.message}`);
  if (result.claims.length > 0) {
    out.push("", "safety case claims:");
    for (const c of result.claims)
      out.push(
        `  ${c.status === "supported" ? "supported  " : "UNSUPPORTED"} ${c.claim}: ${c.statement}${c.reason ? ` — ${c.reason}` : ""}`,
      );
  }
  out.push(
    "",
    result.ok
      ? `verified: ${count(result.stats.events, "event")} in ${result.stats.ms} ms`
      : `NOT verified; failed parts: ${result.failedParts.join(", ")}`,
  );
  process.stdout.write(`${out.join("\n")}\n`);
}

export const evidenceVerifyCommand: Command = {
  name: "evidence verify",
  usage: `
Usage: maestro evidence verify FILE --key KEY [--require-supported] [--min-claim-set N] [--json]
                              [--witness VKEY|FILE ... [--quorum K]]

KEY is a file holding the event-signing JWKS (/.well-known/jwks.json), one JWK, an Ed25519 public key PEM,
or the checkpoint verifier key (GET /v1/ledger/key). Checks, with no database and no network: keys, signed
checkpoints and their consistency, every event's bytes, JWS signature and inclusion proof, the Sigstore
bundle (@sigstore/verify), the in-toto statement, the release record, the SBOM (CycloneDX schema), the GSN
safety case and that each claim follows from the events, the waiver/hold/break-glass summaries, and the
export signature; with --witness, that the checkpoint or the latest checkpoint is cosigned by K of the
given witnesses. Exit 0 only if all holds (and, with --require-supported, every claim is supported);
otherwise exit 1 and name the failed parts.

--min-claim-set N fails the safety case unless it argues claim set N or a newer one (known: ${KNOWN_CLAIM_SETS.join(", ")};
new releases argue ${CURRENT_CLAIM_SET}). Older exports argue an older set and verify as that set without it.

${WITNESS_USAGE}`,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      {
        key: { type: "string" },
        json: { type: "boolean" },
        "require-supported": { type: "boolean" },
        "min-claim-set": { type: "string" },
        ...WITNESS_FLAGS,
      },
      evidenceVerifyCommand,
      true,
    );
    const [file] = positionals;
    if (!file || positionals.length > 1) throw new UsageError("give exactly one FILE (see maestro evidence verify --help)");
    const keyFile = requireFlag(values.key, "key");
    const witnesses = readWitnessFlags(values);
    const minClaimSet = readMinClaimSet(values["min-claim-set"]);
    const result = await verifyEvidenceFile(readArgFile(file, file), readArgFile(keyFile, `--key ${keyFile}`), {
      witnesses,
      ...(minClaimSet === undefined ? {} : { minClaimSet }),
    });
    const unsupported = result.claims.filter((c) => c.status !== "supported").map((c) => c.claim);
    if (values.json) printJson({ ...result, unsupported });
    else printReport(result);
    if (!result.ok) {
      process.stderr.write(`maestro: evidence does not verify: ${result.failedParts.join(", ")}\n`);
      return 1;
    }
    if (values["require-supported"] && unsupported.length > 0) {
      process.stderr.write(`maestro: unsupported claims: ${unsupported.join(", ")}\n`);
      return 1;
    }
    return 0;
  },
};

/** --min-claim-set: one of the claim sets this verifier knows, or it could not say which claims the set lacks. */
function readMinClaimSet(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const version = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!KNOWN_CLAIM_SETS.includes(version)) {
    throw new UsageError(
      `--min-claim-set must be one of ${KNOWN_CLAIM_SETS.join(", ")} (the claim sets this maestro knows), not ${JSON.stringify(value)}`,
    );
  }
  return version;
}

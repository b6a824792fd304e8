// The witnesses a log asks for cosignatures: "vkey URL" lines (MAESTRO_WITNESSES file) and the k-of-n quorum.
import { readFileSync } from "node:fs";
import { MaestroError } from "../../common/errors.ts";
import { type Cosigner, parseCosignerVkey } from "../core/index.ts";

export interface WitnessEndpoint {
  cosigner: Cosigner;
  /** The witness's submission prefix; add-checkpoint is POSTed to `${url}/add-checkpoint`. */
  url: string;
}

export interface WitnessPolicy {
  witnesses: WitnessEndpoint[];
  /** How many distinct witnesses must cosign a checkpoint for it to count as witnessed (1..n). */
  quorum: number;
}

function bad(message: string, field: string): never {
  throw new MaestroError("invalid_field", message, { field });
}

/** One witness per line, "vkey URL"; blank lines and lines starting with "#" are skipped. */
export function parseWitnessList(text: string, field = "MAESTRO_WITNESSES"): WitnessEndpoint[] {
  const out: WitnessEndpoint[] = [];
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const where = `${field} line ${i + 1}`;
    const [vkey, address, ...extra] = line.split(/\s+/);
    if (vkey === undefined || address === undefined || extra.length > 0) bad(`${where}: expected "vkey URL"`, field);
    let cosigner: Cosigner;
    try {
      cosigner = parseCosignerVkey(vkey);
    } catch (err) {
      bad(`${where}: ${err instanceof Error ? err.message : String(err)}`, field);
    }
    let url: URL;
    try {
      url = new URL(address);
    } catch {
      bad(`${where}: ${JSON.stringify(address)} is not a URL`, field);
    }
    // Credentials in the URL would end up in logs and status reports.
    if ((url.protocol !== "http:" && url.protocol !== "https:") || url.username || url.password || url.search || url.hash) {
      bad(`${where}: the URL must be http(s) with no credentials, query or fragment`, field);
    }
    if (out.some((w) => w.cosigner.vkey === cosigner.vkey || w.cosigner.name === cosigner.name))
      bad(`${where}: witness ${cosigner.name} is listed twice`, field);
    out.push({ cosigner, url: url.href.replace(/\/+$/, "") });
  }
  return out;
}

/** Reads the list and checks the quorum (default: every witness, so one down means not witnessed: fail closed). */
export function loadWitnessPolicy(file: string | undefined, quorum: number | undefined): WitnessPolicy {
  if (!file) {
    if (quorum !== undefined) bad("a witness quorum is set but no witnesses (MAESTRO_WITNESSES)", "MAESTRO_WITNESS_QUORUM");
    return { witnesses: [], quorum: 0 };
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new MaestroError(
      "invalid_field",
      `MAESTRO_WITNESSES: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      { field: "MAESTRO_WITNESSES", cause: err },
    );
  }
  const witnesses = parseWitnessList(text);
  if (witnesses.length === 0) bad(`MAESTRO_WITNESSES: ${file} lists no witness`, "MAESTRO_WITNESSES");
  const k = quorum ?? witnesses.length;
  if (!Number.isSafeInteger(k) || k < 1 || k > witnesses.length)
    bad(`MAESTRO_WITNESS_QUORUM must be 1..${witnesses.length}`, "MAESTRO_WITNESS_QUORUM");
  return { witnesses, quorum: k };
}

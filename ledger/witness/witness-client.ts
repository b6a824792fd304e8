// POSTs one C2SP tlog-witness add-checkpoint request; the answer is returned raw for the cosigner to judge.
import { MaestroError } from "../../common/errors.ts";

export interface WitnessAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** Largest answer read from a witness: a few signature lines; anything longer is not a tlog-witness reply. */
const MAX_ANSWER_BYTES = 64 * 1024;

export async function postAddCheckpoint(prefix: string, body: string, timeoutMs: number): Promise<WitnessAnswer> {
  let res: Response;
  try {
    res = await fetch(`${prefix}/add-checkpoint`, {
      method: "POST",
      body,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err instanceof Error ? err.name : String(err));
    throw new MaestroError("ledger_unavailable", `witness ${prefix} unreachable: ${cause}`, { cause: err });
  }
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes.length > MAX_ANSWER_BYTES) throw new MaestroError("ledger_unavailable", `witness ${prefix} answered ${bytes.length} bytes`);
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", body: new TextDecoder().decode(bytes) };
}

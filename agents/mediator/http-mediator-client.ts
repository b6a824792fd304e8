// MediatorClient over the control API: POST /v1/mediate and /v1/mediate/{id}/outcome with an agent bearer token.
import { ERROR_STATUS, type ErrorCode, MaestroError } from "../../common/errors.ts";
import type { Decision, MediateCall, MediatorClient, Outcome, RunEvent } from "./mediator-client.ts";

export const DEFAULT_MAESTRO_URL = "http://127.0.0.1:8787";

export interface HttpMediatorOptions {
  url?: string;
  token: string;
  /** Per request; a mediator that does not answer in time is treated as down (fail closed). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** URL and token from flags, then MAESTRO_URL / MAESTRO_TOKEN. */
export function httpMediatorFromEnv(flags: { url?: string; token?: string }, env: NodeJS.ProcessEnv = process.env): HttpMediatorClient {
  const token = flags.token ?? env.MAESTRO_TOKEN;
  if (!token) throw new MaestroError("unauthenticated", "no agent token: pass --token or set MAESTRO_TOKEN (maestro token issue --role agent)");
  return new HttpMediatorClient({ url: flags.url ?? env.MAESTRO_URL ?? DEFAULT_MAESTRO_URL, token });
}

export class HttpMediatorClient implements MediatorClient {
  readonly url: string;
  #token: string;
  #timeoutMs: number;
  #fetch: typeof fetch;

  constructor(options: HttpMediatorOptions) {
    this.url = (options.url ?? DEFAULT_MAESTRO_URL).replace(/\/+$/, "");
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#fetch = options.fetch ?? fetch;
  }

  async mediate(call: MediateCall): Promise<Decision> {
    return parseDecision(await this.#post("/v1/mediate", call));
  }

  async recordOutcome(decisionId: string, outcome: Outcome): Promise<{ ledgerIndex: number }> {
    const body = await this.#post(`/v1/mediate/${encodeURIComponent(decisionId)}/outcome`, outcome);
    const ledgerIndex = (body as { ledgerIndex?: unknown }).ledgerIndex;
    if (!Number.isInteger(ledgerIndex)) throw badAnswer("outcome response has no integer ledgerIndex");
    return { ledgerIndex: ledgerIndex as number };
  }

  /** POST /v1/runs/{runId}/events; false when the server lacks the route (an older server). */
  async reportRunEvent(event: RunEvent): Promise<boolean> {
    try {
      await this.#post(`/v1/runs/${encodeURIComponent(event.runId)}/events`, { kind: event.kind, payload: event.payload });
      return true;
    } catch (err) {
      if (err instanceof MaestroError && (err.code === "not_found" || err.code === "method_not_allowed")) return false;
      throw err;
    }
  }

  async #post(path: string, body: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await this.#fetch(`${this.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${this.#token}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      throw new MaestroError("mediator_unreachable", `mediator at ${this.url} cannot be reached: ${(err as Error).message}`, { cause: err });
    }
    const text = await response.text().catch(() => "");
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) throw errorFrom(response.status, parsed, path);
    if (parsed === undefined || parsed === null || typeof parsed !== "object") throw badAnswer(`${path} answered ${response.status} without a JSON object`);
    return parsed;
  }
}

function errorFrom(status: number, body: unknown, path: string): MaestroError {
  const error = (body as { error?: { code?: unknown; message?: unknown; field?: unknown } } | undefined)?.error;
  const message = typeof error?.message === "string" ? error.message : `HTTP ${status}`;
  if (status >= 500) return new MaestroError("mediator_unreachable", `mediator failed on ${path}: ${message}`, { details: { status } });
  const code = typeof error?.code === "string" && error.code in ERROR_STATUS ? (error.code as ErrorCode) : status === 404 ? "not_found" : "mediator_bad_response";
  return new MaestroError(code, `mediator refused ${path}: ${message}`, {
    field: typeof error?.field === "string" ? error.field : undefined,
    details: { status },
  });
}

function badAnswer(message: string): MaestroError {
  return new MaestroError("mediator_bad_response", message);
}

/** Validates the decision document; anything unexpected is a bad answer, never a guessed allow. */
export function parseDecision(body: unknown): Decision {
  const d = (typeof body === "object" && body !== null ? body : {}) as Partial<Decision>;
  if (d.decision !== "allow" && d.decision !== "deny" && d.decision !== "require_approval") {
    throw badAnswer(`mediator answered an unknown decision ${JSON.stringify(d.decision)}`);
  }
  if (typeof d.decisionId !== "string" || d.decisionId === "") throw badAnswer("mediator answer has no decisionId");
  if (!Array.isArray(d.reasons) || !d.reasons.every((r) => r && typeof r.code === "string" && typeof r.message === "string")) {
    throw badAnswer("mediator answer has malformed reasons");
  }
  if (!Number.isInteger(d.ledgerIndex) || (d.ledgerIndex as number) < 0) throw badAnswer("mediator answer has no ledgerIndex (decision not durable)");
  if (typeof d.policyDigest !== "string") throw badAnswer("mediator answer has no policyDigest");
  return { decision: d.decision, reasons: d.reasons, decisionId: d.decisionId, ledgerIndex: d.ledgerIndex as number, policyDigest: d.policyDigest };
}

// Every error Maestro raises on purpose: one base class, one stable `code` union, one HTTP status map.
// A policy deny is a Decision, not an error; errors are for bad input, conflicts and outages.

export const ERROR_STATUS = {
  bad_request: 400,
  invalid_field: 400,
  payload_too_large: 413,
  unauthenticated: 401,
  token_expired: 401,
  token_bad_signature: 401,
  token_unknown_issuer: 401,
  forbidden: 403,
  self_approval: 403,
  agent_mismatch: 403,
  runset_mismatch: 403,
  session_mismatch: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  release_blocked: 409,
  stale_bundle: 409,
  policy_bundle_invalid: 422,
  internal: 500,
  ledger_unavailable: 503,
  store_unavailable: 503,
  /** The stored head forks the signed log (rewound, edited or inconsistent with the newest checkpoint): appends and signing stop. */
  ledger_inconsistent: 503,
  overloaded: 503,
  mediator_unreachable: 503,
  mediator_bad_response: 502,
  proof_invalid: 422,
  signature_invalid: 422,
  verification_failed: 422,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorOptions {
  /** The input field (JSON pointer or name) the error is about, for 400s. */
  field?: string;
  cause?: unknown;
  /** Extra machine-readable context (never secrets). */
  details?: Record<string, unknown>;
  /** Every field at fault (a body can be wrong in several places); `field` is the first. */
  problems?: ReadonlyArray<{ field: string; message: string }>;
}

export class MaestroError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly details?: Record<string, unknown>;
  readonly problems?: ReadonlyArray<{ field: string; message: string }>;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "MaestroError";
    this.code = code;
    this.field = options.field;
    this.details = options.details;
    this.problems = options.problems;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  /**
   * The wire form fixed by the external contract: {"error": {"code", "message", "field?", "details?"}}. An error about
   * input lists every field at fault in `details` (one entry when only `field` is known), so clients read one shape.
   */
  toJSON(): { error: { code: ErrorCode; message: string; field?: string; details?: Array<{ field: string; message: string }> } } {
    const details = this.problems?.length ? [...this.problems] : this.field ? [{ field: this.field, message: this.message }] : undefined;
    return {
      error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}), ...(details ? { details } : {}) },
    };
  }
}

export function isMaestroError(err: unknown): err is MaestroError {
  return err instanceof MaestroError;
}

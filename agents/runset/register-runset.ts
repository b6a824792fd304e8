// Registers a run-set's grants and cap with the server (POST /v1/runsets, admin or security token): the policy's grants come from here.
import { MaestroError } from "../../common/errors.ts";
import { registrationOf, type Runset } from "./runset-file.ts";

export interface RegisteredRunset {
  name: string;
  ledgerIndex: number;
  /** Grants the server found can never (or hardly ever) match, each with its field and the fix. */
  warnings: Array<{ field: string; message: string }>;
}

export async function registerRunsetOverHttp(url: string, adminToken: string, runset: Runset): Promise<RegisteredRunset> {
  let response: Response;
  try {
    response = await fetch(`${url.replace(/\/+$/, "")}/v1/runsets`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify(registrationOf(runset)),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new MaestroError("mediator_unreachable", `cannot reach ${url} to register run-set ${runset.name}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const body = (await response.json().catch(() => ({}))) as {
    error?: { message?: string; field?: string };
    name?: string;
    ledgerIndex?: number;
    warnings?: RegisteredRunset["warnings"];
  };
  if (response.status !== 201) {
    throw new MaestroError(
      response.status === 403 ? "forbidden" : "bad_request",
      `registering run-set ${runset.name} failed (${response.status}): ${body.error?.message ?? "no error message"}`,
      {
        field: body.error?.field,
      },
    );
  }
  return { name: String(body.name), ledgerIndex: Number(body.ledgerIndex), warnings: Array.isArray(body.warnings) ? body.warnings : [] };
}

// Holds every exchange a test makes through TestServer.call to the served OpenAPI document (openapi-backend), so the document cannot drift from the code.
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { OpenAPIBackend, type Document } from "openapi-backend";
import { openApiDocument } from "../../server/http/openapi.ts";

export interface Exchange {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  status: number;
  responseHeaders: Headers;
  responseBody: unknown;
}

let backend: Promise<OpenAPIBackend> | undefined;

/** One validator for the run: the document is the one /openapi.json serves. */
function api(): Promise<OpenAPIBackend> {
  backend ??= (async () => {
    const api = new OpenAPIBackend({
      definition: openApiDocument() as unknown as Document,
      // quick: skip openapi-backend's own check of the document, which knows the OpenAPI 3.0 schema only (Redocly lints
      // the 3.1 document in npm run lint); strict: any other failure to load it is an error, never a validator that passes all.
      quick: true,
      strict: true,
      validate: true,
      // The document's schemas are JSON Schema 2020-12 (OpenAPI 3.1), which openapi-backend's default (draft-07) Ajv does not read.
      customizeAjv: (_ajv, options) => {
        const ajv = new Ajv2020({ ...options, strict: false, allErrors: true });
        addFormats.default(ajv);
        return ajv as never;
      },
    });
    await api.init();
    return api;
  })();
  return backend;
}

/**
 * The problems of one exchange against the document, [] when there are none. A request the server accepted (2xx) must
 * be one the document allows; every response must have a documented status and media type and, when JSON, match its
 * schema. Requests the server refused are often malformed on purpose, so only their responses are held to it.
 * Paths the document leaves out on purpose (tiles) or does not serve (404/405 probes) match no operation and are skipped.
 */
export async function exchangeProblems(x: Exchange): Promise<string[]> {
  const openapi = await api();
  const [pathname, search = ""] = x.path.split("?");
  const request = { method: x.method, path: pathname, query: search, headers: x.headers, body: x.body };
  const operation = openapi.matchOperation(request);
  if (!operation) return [];
  const where = `${x.method} ${x.path} → ${x.status}`;
  const problems: string[] = [];
  if (x.status < 300) {
    const checked = openapi.validateRequest(request, operation);
    if (!checked.valid) problems.push(`${where}: request does not match the document: ${JSON.stringify(checked.errors)}`);
  }
  const response = operation.responses?.[String(x.status)] as { content?: Record<string, unknown> } | undefined;
  if (!response) return [...problems, `${where}: status ${x.status} is not documented`];
  const mediaType = (x.responseHeaders.get("content-type") ?? "").split(";")[0].trim();
  if (response.content && mediaType && !(mediaType in response.content))
    problems.push(`${where}: media type ${mediaType} is not documented`);
  if (mediaType === "application/json") {
    const checked = openapi.validateResponse(x.responseBody, operation, x.status);
    if (!checked.valid) problems.push(`${where}: response does not match the document: ${JSON.stringify(checked.errors)}`);
  }
  return problems;
}

/** Throws when the exchange and the document disagree: what the test helpers call after each request. */
export async function checkExchange(x: Exchange): Promise<void> {
  const problems = await exchangeProblems(x);
  if (problems.length > 0) throw new Error(`OpenAPI document and server disagree:\n${problems.join("\n")}`);
}

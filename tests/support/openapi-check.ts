// Holds one HTTP exchange to the served OpenAPI document (openapi-backend), so the document cannot drift from the code.
// check-every-exchange.ts feeds it every exchange the test suite makes.
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { OpenAPIBackend, type Document } from "openapi-backend";
import { openApiDocument, OUTSIDE_DOCUMENT } from "../../server/http/openapi.ts";
import { itemAt, present } from "../../common/present.ts";
import { closedAnswer } from "./closed-answers.ts";

export interface Exchange {
  method: string;
  /** Path and query, as requested. */
  path: string;
  headers: Record<string, string>;
  /** The request body: parsed JSON, or the text when it is not JSON; undefined when there is none. */
  body: unknown;
  status: number;
  responseHeaders: Headers;
  /** Parsed JSON when the response is JSON; undefined when its body was not read (streams, text). */
  responseBody: unknown;
  /** Why the test sends a request the document refuses, on purpose (see invalid-on-purpose.ts); absent otherwise. */
  invalidOnPurpose?: string;
}

interface Checker {
  openapi: OpenAPIBackend;
  /** The problems of a JSON answer against its (dereferenced) schema, held closed (closed-answers.ts); [] when none. */
  answerProblems: (schema: object, body: unknown) => string[];
  /** The error schema every operation answers with, dereferenced. */
  errorSchema: object;
}

let checker: Promise<Checker> | undefined;

function newAjv(options: object = {}): Ajv2020 {
  const ajv = new Ajv2020({ ...options, strict: false, allErrors: true });
  addFormats.default(ajv);
  return ajv;
}

/** One validator for the run: the document is the one /openapi.json serves. */
function load(): Promise<Checker> {
  checker ??= (async () => {
    const document = openApiDocument() as unknown as Document;
    const openapi = new OpenAPIBackend({
      definition: document,
      // quick: skip openapi-backend's own check of the document, which knows the OpenAPI 3.0 schema only (Redocly lints
      // the 3.1 document in npm run lint); strict: any other failure to load it is an error, never a validator that passes all.
      quick: true,
      strict: true,
      validate: true,
      // The document's schemas are JSON Schema 2020-12 (OpenAPI 3.1), which openapi-backend's default (draft-07) Ajv does not read.
      customizeAjv: (_ajv, options) => newAjv(options) as never,
    });
    await openapi.init();
    // A path no operation describes still answers the one error body; it is checked against the document's own.
    // The error schema is the one the document gives every operation's 404.
    const operations = Object.values(
      openapi.definition.paths as Record<string, Record<string, { responses?: Record<string, any> }>>,
    ).flatMap((ops) => Object.values(ops));
    const errorSchema = operations.map((op) => op.responses?.["404"]?.content?.["application/json"]?.schema).find(Boolean) as object;
    if (!errorSchema) throw new Error("the document describes no error body (a 404 answer)");
    return { openapi, answerProblems: answerChecker(), errorSchema };
  })();
  return checker;
}

/**
 * Answers are validated here rather than by openapi-backend's validateResponse: against a closed copy of their schema,
 * so that a field the server sends and the document lacks is found (closed-answers.ts says why the document stays open).
 * Each schema is closed and compiled once, on the first answer it checks.
 */
function answerChecker(): Checker["answerProblems"] {
  const ajv = newAjv();
  const compiled = new WeakMap<object, ValidateFunction>();
  return (schema, body) => {
    let validate = compiled.get(schema);
    if (!validate) compiled.set(schema, (validate = ajv.compile(closedAnswer(schema) as object)));
    if (validate(body)) return [];
    const errors = validate.errors ?? [];
    const extra = errors
      .filter((e) => e.keyword === "unevaluatedProperties")
      .map((e) => `${e.instancePath}/${String((e.params as { unevaluatedProperty?: unknown }).unevaluatedProperty)}`);
    return [
      ...(extra.length > 0 ? [`fields the document does not describe: ${[...new Set(extra)].join(", ")}`] : []),
      JSON.stringify(errors),
    ];
  };
}

/** Tile paths hold `/`-separated index groups no OpenAPI path can describe: the document says so in its info. */
function outsideDocument(method: string, pathname: string): boolean {
  return [...OUTSIDE_DOCUMENT].some((route) => {
    const [m, path] = route.split(" ");
    const p = present(path, `the path of ${route}`);
    return m === method && (p.endsWith("/*") ? pathname.startsWith(p.slice(0, -1)) : pathname === p);
  });
}

/** The operation the request is for; none when its path is not one (or cannot be decoded: `%ED%A0%80`, a lone surrogate). */
function describedBy(openapi: OpenAPIBackend, request: Parameters<OpenAPIBackend["matchOperation"]>[0]) {
  try {
    return openapi.matchOperation(request);
  } catch (err) {
    if (err instanceof URIError) return undefined;
    throw err;
  }
}

/**
 * The problems of one exchange against the document, [] when there are none. Every request must be one the document
 * allows, whatever the server answered, unless the test marks it invalid on purpose and the server refused it: a
 * request the server accepted must be in the document, marked or not. Every response must have a documented status
 * and media type and, when JSON, match its schema; a refusal on a path the document does not describe must still be
 * the document's error body.
 */
export async function exchangeProblems(x: Exchange): Promise<string[]> {
  const { openapi, answerProblems, errorSchema } = await load();
  const parts = x.path.split("?");
  const pathname = itemAt(parts, 0, "the path's parts"); // split returns at least one part
  const search = parts[1] ?? "";
  const where = `${x.method} ${x.path} → ${x.status}`;
  const refusedOnPurpose = x.invalidOnPurpose !== undefined && x.status >= 400;
  if (outsideDocument(x.method, pathname)) return [];

  const request = { method: x.method, path: pathname, query: search, headers: x.headers, body: x.body };
  const operation = describedBy(openapi, request);
  if (!operation) {
    if (!refusedOnPurpose) return [`${where}: the document describes no ${x.method} ${pathname}`];
    const wrong = answerProblems(errorSchema, x.responseBody);
    return wrong.length > 0 ? [`${where}: the refusal is not the document's error body: ${wrong.join("; ")}`] : [];
  }

  const problems: string[] = [];
  if (!refusedOnPurpose) {
    const checked = openapi.validateRequest(request, operation);
    if (!checked.valid) problems.push(`${where}: request does not match the document: ${JSON.stringify(checked.errors)}`);
  }
  const response = operation.responses?.[String(x.status)] as { content?: Record<string, { schema?: object }> } | undefined;
  if (!response) return [...problems, `${where}: status ${x.status} is not documented`];
  const mediaType = itemAt((x.responseHeaders.get("content-type") ?? "").split(";"), 0, "the content type's parts").trim();
  if (response.content && mediaType && !(mediaType in response.content))
    problems.push(`${where}: media type ${mediaType} is not documented`);
  const schema = response.content?.["application/json"]?.schema;
  if (mediaType === "application/json" && schema) {
    const wrong = answerProblems(schema, x.responseBody);
    if (wrong.length > 0) problems.push(`${where}: response does not match the document: ${wrong.join("; ")}`);
  }
  return problems;
}

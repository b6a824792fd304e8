// The OpenAPI check every exchange goes through finds drift: a wrong body, an undocumented status, media type or path,
// a request the document refuses, and a mark of "invalid on purpose" that is not.
import { describe, expect, it } from "vitest";
import { exchangeProblems, type Exchange } from "./openapi-check.ts";

const json = new Headers({ "content-type": "application/json" });
const exchange = (over: Partial<Exchange>): Exchange => ({
  method: "GET",
  path: "/v1/holds",
  headers: {},
  body: undefined,
  status: 200,
  responseHeaders: json,
  responseBody: { holds: [] },
  ...over,
});

describe("exchangeProblems", () => {
  it("passes an exchange the document describes", async () => {
    expect(await exchangeProblems(exchange({}))).toEqual([]);
    expect(
      await exchangeProblems(exchange({ status: 401, responseBody: { error: { code: "unauthenticated", message: "no token" } } })),
    ).toEqual([]);
  });

  it("reports a response body, status or media type the document does not describe", async () => {
    expect((await exchangeProblems(exchange({ status: 401, responseBody: { error: { message: "no code" } } })))[0]).toMatch(
      /response does not match/,
    );
    expect((await exchangeProblems(exchange({ status: 418 })))[0]).toMatch(/status 418 is not documented/);
    expect((await exchangeProblems(exchange({ responseHeaders: new Headers({ "content-type": "text/html" }) })))[0]).toMatch(
      /media type text\/html/,
    );
  });

  it("reports a field an answer carries and the document lacks, by name, in a success and in an error body", async () => {
    expect(await exchangeProblems(exchange({ responseBody: { holds: [], next: 1 } }))).toEqual([
      expect.stringMatching(/^GET \/v1\/holds → 200: response does not match the document: fields the document does not describe: \/next;/),
    ]);
    const error = { error: { code: "not_found", message: "m", stack: "at x" } };
    expect((await exchangeProblems(exchange({ status: 404, responseBody: error })))[0]).toMatch(/does not describe: \/error\/stack/);
    const notFound = { path: "/v1/nope", status: 404, responseBody: error, invalidOnPurpose: "probe" };
    expect((await exchangeProblems(exchange(notFound)))[0]).toMatch(/not the document's error body: .*\/error\/stack/);
  });

  it("reports a request the document does not allow, whatever the server answered", async () => {
    const post = { method: "POST", path: "/v1/holds", headers: { "content-type": "application/json" }, body: { nope: 1 } };
    expect((await exchangeProblems(exchange({ ...post, status: 201, responseBody: {} })))[0]).toMatch(/request does not match/);
    const refused = exchange({ ...post, status: 400, responseBody: { error: { code: "invalid_field", message: "m", field: "/scope" } } });
    expect((await exchangeProblems(refused))[0]).toMatch(/POST \/v1\/holds → 400: request does not match/);
    expect((await exchangeProblems(exchange({ path: "/v1/holds?nope=1" })))[0]).toMatch(/request does not match/);
  });

  it("lets a request marked invalid on purpose through only when the server refused it, and checks the refusal", async () => {
    const post = { method: "POST", path: "/v1/holds", headers: { "content-type": "application/json" }, body: { nope: 1 } };
    const error = { error: { code: "invalid_field", message: "m", field: "/scope" } };
    const marked = { ...post, invalidOnPurpose: "no scope" };
    expect(await exchangeProblems(exchange({ ...marked, status: 400, responseBody: error }))).toEqual([]);
    expect((await exchangeProblems(exchange({ ...marked, status: 201, responseBody: {} })))[0]).toMatch(/request does not match/);
    expect((await exchangeProblems(exchange({ ...marked, status: 400, responseBody: { message: "m" } })))[0]).toMatch(
      /response does not match/,
    );
  });

  it("reports a path the document does not describe unless marked, and then holds it to the error body", async () => {
    const notFound = { path: "/v1/nope", status: 404, responseBody: { error: { code: "not_found", message: "no route" } } };
    expect((await exchangeProblems(exchange(notFound)))[0]).toMatch(/the document describes no GET \/v1\/nope/);
    expect(await exchangeProblems(exchange({ ...notFound, invalidOnPurpose: "probe" }))).toEqual([]);
    expect((await exchangeProblems(exchange({ ...notFound, invalidOnPurpose: "probe", responseBody: "Not Found" })))[0]).toMatch(
      /not the document's error body/,
    );
    expect((await exchangeProblems(exchange({ method: "POST", path: "/v1/holds/x", status: 405, responseBody: {} })))[0]).toMatch(
      /describes no POST/,
    );
  });

  it("holds query parameters to what the route takes, and passes a 304 only where the route answers with ETags", async () => {
    const error = { error: { code: "invalid_field", message: "m", field: "state" } };
    expect((await exchangeProblems(exchange({ path: "/v1/holds?state=maybe", status: 400, responseBody: error })))[0]).toMatch(
      /request does not match/,
    );
    const notModified = { status: 304, responseHeaders: new Headers(), responseBody: undefined };
    expect(await exchangeProblems(exchange({ ...notModified, path: "/v1/releases?limit=1" }))).toEqual([]);
    expect((await exchangeProblems(exchange(notModified)))[0]).toMatch(/status 304 is not documented/);
  });

  it("leaves the tile paths the document describes in its info alone", async () => {
    const tile = exchange({ path: "/tlog/tile/0/000", responseHeaders: new Headers({ "content-type": "application/octet-stream" }) });
    expect(await exchangeProblems(tile)).toEqual([]);
  });
});

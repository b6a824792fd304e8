// The OpenAPI check the test server runs on every exchange finds drift: a wrong body, an undocumented status or media type.
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

  it("reports an accepted request the document does not allow, and leaves refused ones to their responses", async () => {
    const post = { method: "POST", path: "/v1/holds", headers: { "content-type": "application/json" }, body: { nope: 1 } };
    expect((await exchangeProblems(exchange({ ...post, status: 201, responseBody: {} })))[0]).toMatch(/request does not match/);
    const refused = exchange({ ...post, status: 400, responseBody: { error: { code: "invalid_field", message: "m", field: "/scope" } } });
    expect(await exchangeProblems(refused)).toEqual([]);
  });
});

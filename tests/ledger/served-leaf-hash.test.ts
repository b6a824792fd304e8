// GET /v1/ledger/entries/{i} serves the leaf hash of the bytes it serves, whatever the stored leaf_hash column says.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromBase64, leafHash, toBase64 } from "../../ledger/core/index.ts";
import { STORE_KINDS } from "../support/test-stores.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { testEvent } from "./ledger-fixture.ts";

describe.each(STORE_KINDS)("served leafHash (%s store)", (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => server?.close());

  it("is recomputed from canonical, not read from an edited leaf_hash column", async () => {
    const { index } = await server.ctx.ledger.writer.append(testEvent(1));
    await sql`update ledger_entries set leaf_hash = set_byte(leaf_hash, 0, get_byte(leaf_hash, 0) # 1) where idx = ${index}`.execute(
      server.ctx.db,
    );
    const stored = await server.ctx.db.selectFrom("ledger_entries").select("leaf_hash").where("idx", "=", index).executeTakeFirstOrThrow();

    const res = await server.call("GET", `/v1/ledger/entries/${index}`, { token: await server.token("auditor") });
    expect(res.status).toBe(200);
    const recomputed = toBase64(leafHash(fromBase64(res.body.canonical, "canonical")));
    expect(res.body.leafHash).toBe(recomputed);
    expect(res.body.leafHash).not.toBe(toBase64(new Uint8Array(stored.leaf_hash)));
  });
});

// The embedded store's buffer cache: a reader's smaller cache reaches PostgreSQL, and nothing but a size is passed on.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "./database.ts";

const dir = mkdtempSync(join(tmpdir(), "maestro-shared-buffers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function sharedBuffers(size?: string): Promise<string> {
  const store = await openStore<Record<string, never>>({ dataDir: dir, sharedBuffers: size });
  try {
    const { rows } = await sql<{ shared_buffers: string }>`show shared_buffers`.execute(store.db);
    return rows[0]?.shared_buffers ?? "";
  } finally {
    await store.close();
  }
}

describe("embedded store shared_buffers", () => {
  it("keeps PostgreSQL's default without the option, and runs with the size given", async () => {
    expect(await sharedBuffers()).toBe("128MB");
    expect(await sharedBuffers("16MB")).toBe("16MB");
    expect(await sharedBuffers()).toBe("128MB"); // a start parameter, never written into the store's configuration
  }, 60_000);

  it("refuses anything but a size before touching the disk", async () => {
    const fresh = join(dir, "never-created");
    for (const bad of ["16MB -c fsync=off", "16 MB", "0MB", "16GB", "", "-1MB", "16MB\n"]) {
      await expect(openStore({ dataDir: fresh, sharedBuffers: bad }), bad).rejects.toMatchObject({ code: "bad_request" });
    }
    expect(existsSync(fresh)).toBe(false);
  });
});

// Every row of every table in the test store as text (bytea decoded), so a test can assert a value is stored nowhere.
import { type Kysely, sql } from "kysely";

export async function storeText(db: Kysely<any>): Promise<string> {
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db);
  if (tables.rows.length === 0) throw new Error("no tables found: the search would prove nothing");
  const parts: string[] = [];
  for (const { table_name } of tables.rows) {
    const rows = await db.selectFrom(table_name).selectAll().execute();
    for (const row of rows)
      for (const value of Object.values(row))
        parts.push(
          value instanceof Uint8Array ? Buffer.from(value).toString("latin1") : typeof value === "string" ? value : JSON.stringify(value),
        );
  }
  return parts.join("\n");
}

// Reads PostgreSQL's COPY … TO (text format, the default): a whole table as one buffer, each value in its type's text
// output form, exactly what an ordinary query returns in text mode, so the driver's own type parsers apply to it.
//
// The embedded store's per-row result handling is the cost this avoids (copy-binary.ts says why). Format:
// https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.2 — one line per row, values separated by a
// tab, NULL as \N, and backslash escapes for a backslash and the control characters COPY TO escapes (\b \f \n \r \t
// \v). COPY TO writes no other escape, so any other one (or a line of the wrong width) is refused, not guessed at.

const ESCAPES: Record<string, string> = { "\\": "\\", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };

/** Each row's values as text (null for NULL), `columns` per row. */
export function parseCopyText(data: Uint8Array, columns: number): Array<Array<string | null>> {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8");
  if (text.length === 0) return [];
  if (!text.endsWith("\n")) throw new Error("COPY text: the data does not end with a full line");
  const rows: Array<Array<string | null>> = [];
  for (const line of text.slice(0, -1).split("\n")) {
    const fields = line.split("\t");
    if (fields.length !== columns) throw new Error(`COPY text: a line of ${fields.length} values, expected ${columns}`);
    rows.push(fields.map(unescape));
  }
  return rows;
}

function unescape(field: string): string | null {
  if (field === "\\N") return null;
  if (!field.includes("\\")) return field;
  return field.replace(/\\(.?)/gs, (_, c: string) => {
    const out = ESCAPES[c];
    if (out === undefined) throw new Error(`COPY text: an escape COPY TO does not write (\\${c})`);
    return out;
  });
}

// Reads PostgreSQL's COPY … (FORMAT binary) output: the embedded store's wide read path, one buffer per page of rows.
//
// PGlite runs inside the reading process, and its per-row result handling (one protocol message, one JS object and
// one parsed string per field per row) cost the verifier more CPU than every check on the row. COPY … TO STDOUT
// (copy-stdout.ts) hands back a page as one buffer in this documented format, read here with offsets and no per-field
// parsing: https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4 (file format, binary).
// Anything unexpected (another layout, a field of the wrong width, bytes after the trailer) throws: a reader that
// guessed could hand the verifier rows the store does not hold.
import { Buffer } from "node:buffer";

const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");
/** Signature, flags (int32), header extension length (int32). */
const HEADER_SIZE = SIGNATURE.length + 8;
/** Flag bit 16: each tuple carries an OID. Never asked for here. */
const HAS_OIDS = 1 << 16;

/** Walks the tuples of one COPY binary buffer; each field is read by position from the current tuple. */
export class CopyBinaryReader {
  readonly #data: Buffer;
  readonly #columns: number;
  /** Start and end of each field of the current tuple; start -1 for NULL. */
  readonly #starts: Int32Array;
  readonly #ends: Int32Array;
  #at: number;
  #done = false;

  constructor(data: Uint8Array, columns: number) {
    this.#data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.#columns = columns;
    this.#starts = new Int32Array(columns);
    this.#ends = new Int32Array(columns);
    if (this.#data.length < HEADER_SIZE || !this.#data.subarray(0, SIGNATURE.length).equals(SIGNATURE)) {
      throw new Error("COPY binary: no PGCOPY signature");
    }
    const flags = this.#data.readInt32BE(SIGNATURE.length);
    if ((flags & HAS_OIDS) !== 0) throw new Error("COPY binary: tuples carry OIDs");
    this.#at = this.#checked(HEADER_SIZE + this.#data.readInt32BE(SIGNATURE.length + 4), "header extension");
  }

  /** Moves to the next tuple; false after the last (the trailer must be there, and nothing after it). */
  next(): boolean {
    if (this.#done) return false;
    const data = this.#data;
    const count = data.readInt16BE(this.#checked(this.#at + 2, "tuple header") - 2);
    this.#at += 2;
    if (count === -1) {
      if (this.#at !== data.length) throw new Error(`COPY binary: ${data.length - this.#at} bytes after the trailer`);
      this.#done = true;
      return false;
    }
    if (count !== this.#columns) throw new Error(`COPY binary: a tuple of ${count} fields, expected ${this.#columns}`);
    for (let i = 0; i < count; i++) {
      const length = data.readInt32BE(this.#checked(this.#at + 4, "field length") - 4);
      this.#at += 4;
      if (length === -1) {
        this.#starts[i] = -1;
        continue;
      }
      if (length < 0) throw new Error(`COPY binary: field length ${length}`);
      this.#starts[i] = this.#at;
      this.#at = this.#checked(this.#at + length, "field");
      this.#ends[i] = this.#at;
    }
    return true;
  }

  isNull(field: number): boolean {
    return this.#starts[field] === -1;
  }

  /**
   * A bytea field, as a view of the page (no copy: a copied ArrayBuffer per field cost the verifier more than reading
   * the rows). Holding it holds the page; the verifier's check workers get entries packed (verify/entry-batch.ts).
   */
  bytes(field: number): Uint8Array {
    const start = this.#start(field, "bytea");
    return new Uint8Array(this.#data.buffer, this.#data.byteOffset + start, this.#end(field) - start);
  }

  /** A text field: in COPY binary, the text's bytes in the server encoding (UTF-8 here). */
  text(field: number): string {
    return this.#data.toString("utf8", this.#start(field, "text"), this.#end(field));
  }

  textOrNull(field: number): string | null {
    return this.isNull(field) ? null : this.text(field);
  }

  /** A bigint field: 8 bytes, big-endian two's complement; refused beyond 2^53 (the store's indexes never get there). */
  int8(field: number): number {
    const start = this.#start(field, "bigint");
    const length = this.#end(field) - start;
    if (length !== 8) throw new Error(`COPY binary: field ${field} is ${length} bytes, not a bigint`);
    const value = Number(this.#data.readBigInt64BE(start));
    if (!Number.isSafeInteger(value)) throw new Error(`COPY binary: field ${field} is beyond 2^53`);
    return value;
  }

  #end(field: number): number {
    const end = this.#ends[field];
    if (end === undefined) throw new Error(`COPY binary: the row has no field ${field}`);
    return end;
  }

  #start(field: number, type: string): number {
    const start = this.#starts[field];
    if (start === undefined) throw new Error(`COPY binary: the row has no field ${field}`);
    if (start === -1) throw new Error(`COPY binary: field ${field} is NULL, expected ${type}`);
    return start;
  }

  /** `end` if the buffer reaches that far; else the buffer was cut short. */
  #checked(end: number, what: string): number {
    if (end > this.#data.length) throw new Error(`COPY binary: the data ends inside a ${what}`);
    return end;
  }
}

// Issues signed checkpoints (C2SP tlog-checkpoint in a C2SP signed note) on demand and on a cadence; stores every one.
import type { Kysely } from "kysely";
import { formatCheckpoint, signNote } from "../core/index.ts";
import type { SigningKey } from "../keys/key-files.ts";
import type { LedgerTables } from "../store/schema.ts";

export interface IssuedCheckpoint {
  size: number;
  root: Uint8Array;
  note: string;
}

export class Checkpointer {
  readonly #db: Kysely<LedgerTables>;
  readonly #origin: string;
  readonly #key: SigningKey;
  #timer: NodeJS.Timeout | undefined;

  constructor(db: Kysely<LedgerTables>, origin: string, key: SigningKey) {
    this.#db = db;
    this.#origin = origin;
    this.#key = key;
  }

  get origin(): string {
    return this.#origin;
  }

  /** Signs the current head unless the newest checkpoint already covers it (or `force`). */
  async issue(options: { force?: boolean } = {}): Promise<IssuedCheckpoint> {
    const head = await this.#db.selectFrom("ledger_head").select(["size", "root"]).where("id", "=", 1).executeTakeFirstOrThrow();
    const size = Number(head.size);
    const root = new Uint8Array(head.root);
    if (!options.force) {
      const latest = await this.#db.selectFrom("ledger_checkpoints").select(["size", "root", "note"]).orderBy("size", "desc").limit(1).executeTakeFirst();
      if (latest && Number(latest.size) === size) return { size, root: new Uint8Array(latest.root), note: latest.note };
    }
    const body = formatCheckpoint({ origin: this.#origin, size, rootHash: root });
    const note = signNote(body, { name: this.#origin, privateKey: this.#key.privateKey });
    await this.#db.insertInto("ledger_checkpoints").values({ size, root, note }).execute();
    return { size, root, note };
  }

  /** Issues a checkpoint every `intervalMs` when the tree grew; errors are reported, never thrown from the timer. */
  start(intervalMs: number, onError: (err: unknown) => void): void {
    this.stop();
    let busy = false;
    this.#timer = setInterval(() => {
      if (busy) return;
      busy = true;
      this.issue()
        .catch(onError)
        .finally(() => {
          busy = false;
        });
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

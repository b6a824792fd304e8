// Issues signed checkpoints (C2SP tlog-checkpoint in a C2SP signed note) on demand and on a cadence; stores every one.
import type { Kysely } from "kysely";
import { MaestroError } from "../../common/errors.ts";
import { formatCheckpoint, signNote } from "../core/index.ts";
import type { SigningKey } from "../keys/key-files.ts";
import type { LedgerTables } from "../store/schema.ts";
import { checkHead, type CheckedHead } from "./head-check.ts";
import { WriteFence } from "./write-fence.ts";

export interface IssuedCheckpoint {
  size: number;
  root: Uint8Array;
  note: string;
}

export class Checkpointer {
  readonly #db: Kysely<LedgerTables>;
  readonly #origin: string;
  readonly #key: SigningKey;
  readonly #fence: WriteFence;
  #timer: NodeJS.Timeout | undefined;

  constructor(db: Kysely<LedgerTables>, origin: string, key: SigningKey, fence: WriteFence = new WriteFence()) {
    this.#db = db;
    this.#origin = origin;
    this.#key = key;
    this.#fence = fence;
  }

  get origin(): string {
    return this.#origin;
  }

  /** Signs the current head unless the newest checkpoint already covers it (or `force`). */
  async issue(options: { force?: boolean } = {}): Promise<IssuedCheckpoint> {
    const { size, root } = await this.#checkBeforeSigning();
    if (!options.force) {
      const latest = await this.#db.selectFrom("ledger_checkpoints").select(["size", "root", "note"]).orderBy("size", "desc").limit(1).executeTakeFirst();
      if (latest && Number(latest.size) === size) return { size, root: new Uint8Array(latest.root), note: latest.note };
    }
    const body = formatCheckpoint({ origin: this.#origin, size, rootHash: root });
    const note = signNote(body, { name: this.#origin, privateKey: this.#key.privateKey });
    await this.#db.insertInto("ledger_checkpoints").values({ size, root, note }).execute();
    return { size, root, note };
  }

  /**
   * Never sign a fork: the head to sign must pass the fork check (head-check.ts); a failure closes the fence the writer
   * shares, so appends stop too. Kept apart from signing so later steps (e.g. cosigning) stay separate.
   */
  async #checkBeforeSigning(): Promise<CheckedHead> {
    this.#fence.assertOpen();
    try {
      return await checkHead(this.#db);
    } catch (err) {
      if (err instanceof MaestroError && err.code === "ledger_inconsistent") this.#fence.refuse(err);
      throw err;
    }
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

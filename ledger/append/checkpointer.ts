// Issues signed checkpoints (C2SP tlog-checkpoint in a C2SP signed note) on demand and on a cadence; stores every one,
// then has the configured witnesses cosign it.
import type { Kysely } from "kysely";
import { MaestroError } from "../../common/errors.ts";
import { formatCheckpoint, signNote } from "../core/index.ts";
import type { SigningKey } from "../keys/key-files.ts";
import type { LedgerTables } from "../store/schema.ts";
import { checkHead, type CheckedHead } from "./head-check.ts";
import { WriteFence } from "./write-fence.ts";
import type { WitnessCosigner } from "../witness/cosigner.ts";

export interface IssuedCheckpoint {
  id: number;
  size: number;
  root: Uint8Array;
  note: string;
}

export class Checkpointer {
  readonly #db: Kysely<LedgerTables>;
  readonly #origin: string;
  readonly #key: SigningKey;
  readonly #fence: WriteFence;
  readonly #witnesses: WitnessCosigner | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    db: Kysely<LedgerTables>,
    origin: string,
    key: SigningKey,
    fence: WriteFence = new WriteFence(),
    witnesses?: WitnessCosigner,
  ) {
    this.#db = db;
    this.#origin = origin;
    this.#key = key;
    this.#fence = fence;
    this.#witnesses = witnesses;
  }

  get origin(): string {
    return this.#origin;
  }

  /** Signs the current head unless the newest checkpoint already covers it (or `force`). */
  async issue(options: { force?: boolean } = {}): Promise<IssuedCheckpoint> {
    const { size, root } = await this.#checkBeforeSigning();
    if (!options.force) {
      const latest = await this.#db
        .selectFrom("ledger_checkpoints")
        .select(["id", "size", "root", "note"])
        .orderBy("size", "desc")
        .orderBy("id", "desc")
        .limit(1)
        .executeTakeFirst();
      if (latest && Number(latest.size) === size)
        return { id: Number(latest.id), size, root: new Uint8Array(latest.root), note: latest.note };
    }
    const body = formatCheckpoint({ origin: this.#origin, size, rootHash: root });
    const note = signNote(body, { name: this.#origin, privateKey: this.#key.privateKey });
    const { id } = await this.#db.insertInto("ledger_checkpoints").values({ size, root, note }).returning("id").executeTakeFirstOrThrow();
    return { id: Number(id), size, root, note };
  }

  /**
   * Issues (or reuses) the newest checkpoint, then asks every witness that has not cosigned it yet. A witness
   * that is down or refuses only leaves this checkpoint unwitnessed; the next round asks again, so a witness
   * that comes back cosigns the then-newest checkpoint with a proof from the size it last saw.
   */
  async issueAndCosign(options: { force?: boolean } = {}): Promise<IssuedCheckpoint> {
    const cp = await this.issue(options);
    await this.#witnesses?.cosign(cp);
    return cp;
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
      this.issueAndCosign()
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

// Asks each configured witness to cosign a new checkpoint (C2SP tlog-witness add-checkpoint) and stores what verifies.
//
// Per witness: send "old N" with an RFC 6962 consistency proof from the size it last cosigned; a 409
// names the size it knows, and the request is sent once more from there. A 422 (proof refused), a
// 409 at our own size, or a witness already beyond our checkpoint means the witness saw another
// history under our key and origin: reported as a fork, never papered over. A cosignature is stored
// only if it verifies under the configured witness key, so a witness that lies is not counted.
import type { Kysely } from "kysely";
import { isMaestroError } from "../../common/errors.ts";
import {
  formatAddCheckpoint,
  parseConflictSize,
  parseCosignatureLines,
  splitNote,
  verifyCosignature,
  type CosignatureCheck,
} from "../core/index.ts";
import type { LedgerReader } from "../read/ledger-reader.ts";
import type { LedgerTables } from "../store/schema.ts";
import { postAddCheckpoint } from "./witness-client.ts";
import type { WitnessEndpoint, WitnessPolicy } from "./witness-list.ts";

/** Why a witness did not cosign; stable strings, stored and served in the witness status. */
export type WitnessProblem = "unreachable" | "fork" | "witness_ahead" | "refused" | "bad_cosignature" | "bad_response";

export interface CheckpointToCosign {
  id: number;
  size: number;
  note: string;
}

export type WitnessOutcome =
  { witness: string; ok: true; line: string; timestamp: number } | { witness: string; ok: false; problem: WitnessProblem; message: string };

export interface WitnessReport {
  witness: string;
  url: string;
  problem: WitnessProblem;
  message: string;
  size: number;
}

class Refusal extends Error {
  readonly problem: WitnessProblem;
  constructor(problem: WitnessProblem, message: string) {
    super(message);
    this.problem = problem;
  }
}

export class WitnessCosigner {
  readonly #db: Kysely<LedgerTables>;
  readonly #reader: LedgerReader;
  readonly policy: WitnessPolicy;
  readonly #timeoutMs: number;
  readonly #onReport: (report: WitnessReport) => void;

  constructor(
    db: Kysely<LedgerTables>,
    reader: LedgerReader,
    policy: WitnessPolicy,
    options: { timeoutMs?: number; onReport?: (r: WitnessReport) => void } = {},
  ) {
    this.#db = db;
    this.#reader = reader;
    this.policy = policy;
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#onReport = options.onReport ?? (() => {});
  }

  /** Asks every witness that has not cosigned this checkpoint yet, in parallel; never throws for a witness's failure. */
  async cosign(cp: CheckpointToCosign): Promise<WitnessOutcome[]> {
    if (this.policy.witnesses.length === 0 || cp.size === 0) return [];
    const done = await this.#db.selectFrom("ledger_cosignatures").select("witness").where("checkpoint_id", "=", cp.id).execute();
    const have = new Set(done.map((r) => r.witness));
    const pending = this.policy.witnesses.filter((w) => !have.has(w.cosigner.vkey));
    return Promise.all(pending.map((w) => this.#cosignOne(w, cp)));
  }

  async #cosignOne(w: WitnessEndpoint, cp: CheckpointToCosign): Promise<WitnessOutcome> {
    const witness = w.cosigner.vkey;
    try {
      const check = await this.#request(w, cp);
      await this.#db
        .insertInto("ledger_cosignatures")
        .values({ checkpoint_id: cp.id, witness, line: check.line, signed_at: check.timestamp })
        .onConflict((oc) => oc.columns(["checkpoint_id", "witness"]).doNothing())
        .execute();
      await this.#setStatus(witness, { cosigned_size: cp.size, cosigned_at: new Date(), error_code: null, error: null, error_at: null });
      return { witness, ok: true, line: check.line, timestamp: check.timestamp };
    } catch (err) {
      const problem: WitnessProblem =
        err instanceof Refusal ? err.problem : isMaestroError(err) && err.code === "ledger_unavailable" ? "unreachable" : "bad_response";
      const message = err instanceof Error ? err.message : String(err);
      await this.#setStatus(witness, { error_code: problem, error: message, error_at: new Date() });
      this.#onReport({ witness, url: w.url, problem, message, size: cp.size });
      return { witness, ok: false, problem, message };
    }
  }

  async #request(w: WitnessEndpoint, cp: CheckpointToCosign): Promise<CosignatureCheck> {
    const status = await this.#db
      .selectFrom("ledger_witness_status")
      .select("cosigned_size")
      .where("witness", "=", w.cosigner.vkey)
      .executeTakeFirst();
    const known = status?.cosigned_size == null ? 0 : Number(status.cosigned_size);
    let old = known <= cp.size ? known : 0;
    for (let attempt = 0; ; attempt++) {
      const proof = old === 0 || old === cp.size ? [] : (await this.#reader.consistencyProof(old, cp.size)).hashes;
      const answer = await postAddCheckpoint(w.url, formatAddCheckpoint(old, proof, cp.note), this.#timeoutMs);
      if (answer.status === 200) return this.#verifyAnswer(w, cp, answer.body);
      if (answer.status === 409) {
        let theirs: number;
        try {
          theirs = parseConflictSize(answer.body);
        } catch {
          // A 409 at equal sizes may come without a size body from some witnesses: the roots differ either way.
          throw new Refusal("fork", `witness refused size ${cp.size} as conflicting (409) without a size: it holds another root`);
        }
        if (theirs > cp.size) {
          throw new Refusal(
            "witness_ahead",
            `witness has cosigned size ${theirs} for this origin, beyond this checkpoint's ${cp.size}: the log was rolled back, or another log signs under this key and origin`,
          );
        }
        if (theirs === old || attempt > 0) {
          throw new Refusal(
            "fork",
            `witness refused size ${cp.size} from old size ${old} (409, it knows ${theirs}): it holds another root for this origin — a fork`,
          );
        }
        old = theirs;
        continue;
      }
      if (answer.status === 422) {
        throw new Refusal(
          "fork",
          `witness refused the consistency proof from size ${old} to ${cp.size} (422): its view of this log at size ${old} is another history — a fork`,
        );
      }
      throw new Refusal(
        "refused",
        `witness answered HTTP ${answer.status}${answer.status === 404 ? " (it does not know this origin)" : answer.status === 403 ? " (it does not trust this log key)" : ""}: ${answer.body.slice(0, 200).trim()}`,
      );
    }
  }

  #verifyAnswer(w: WitnessEndpoint, cp: CheckpointToCosign, body: string): CosignatureCheck {
    let lines: string[];
    try {
      lines = parseCosignatureLines(body);
    } catch (err) {
      throw new Refusal("bad_response", err instanceof Error ? err.message : String(err));
    }
    const { body: checkpointBody } = splitNote(cp.note);
    for (const line of lines) {
      try {
        const check = verifyCosignature(checkpointBody, line, w.cosigner);
        if (check) return check;
      } catch (err) {
        throw new Refusal("bad_cosignature", err instanceof Error ? err.message : String(err));
      }
    }
    throw new Refusal(
      "bad_cosignature",
      `witness answered 200 but none of its ${lines.length} line(s) is a cosignature by ${w.cosigner.name} under the configured key`,
    );
  }

  async #setStatus(witness: string, values: Partial<Omit<LedgerTables["ledger_witness_status"], "witness">>): Promise<void> {
    await this.#db
      .insertInto("ledger_witness_status")
      .values({ witness, cosigned_size: null, cosigned_at: null, error_code: null, error: null, error_at: null, ...values })
      .onConflict((oc) => oc.column("witness").doUpdateSet(values))
      .execute();
  }
}

// Releases: create (a signed release.created event) and publish (a mediated release.publish decision, then a signed safety case).
import { createHash, randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import { MaestroError } from "../../common/errors.ts";
import { canonicalRepository, canonicalVersion, releaseOrRaw, repositoryOrRaw, ResourceProblem } from "../../common/canonical-resource.ts";
import { toBase64 } from "../../ledger/core/index.ts";
import type { Principal } from "../auth/roles.ts";
import type { Clock } from "../../common/clock.ts";
import type { Ledger } from "../../ledger/open-ledger.ts";
import { gatherEvidence, PUBLISH_TOOL } from "./gather/gather-evidence.ts";
import { buildEvidenceExport } from "./export/build-export.ts";
import { findRelease, recordOf } from "./release-queries.ts";
import { acceptSbom } from "./sbom/accept-sbom.ts";
import {
  type Artifact,
  buildSafetyCase,
  buildStatement,
  checkReleaseCreate,
  policyDigestsOf,
  type ReleaseRecord,
  type SafetyCaseDocument,
  type SafetyCaseStatement,
  signStatement,
} from "../../evidence/index.ts";
import { validated } from "../../common/ajv.ts";
import type { AppDb } from "../db/app-db.ts";

interface CreateBody {
  id?: string;
  repository: string;
  version: string;
  artifacts: Artifact[];
  runsets?: string[];
  sessions?: string[];
  sbom?: { packageLock?: unknown; cyclonedx?: unknown };
}

/** What publishing needs from the mediator (server/mediator): one decision, durable on the ledger before we act on it. */
interface PublishMediator {
  mediate(
    call: unknown,
    principal: Principal,
  ): Promise<{
    decision: string;
    allow: boolean;
    reasons: Array<{ code: string; message: string }>;
    decisionId: string;
    ledgerIndex: number;
  }>;
}

const actorOf = (p: Principal) => ({ type: "user" as const, id: p.sub, role: p.role });

/** What releases need: the store, the ledger, the mediator that decides publishing, and the keys evidence names. */
export interface ReleaseDeps {
  db: Kysely<AppDb>;
  ledger: Ledger<AppDb>;
  clock: Clock;
  checkpointVkey: string;
  mediator: PublishMediator;
  eventJwks(): Promise<object[]>;
}

export class ReleaseService {
  readonly #ctx: ReleaseDeps;

  constructor(deps: ReleaseDeps) {
    this.#ctx = deps;
  }

  async create(body: unknown, principal: Principal): Promise<ReleaseRecord> {
    const input = validated<CreateBody>(checkReleaseCreate, body);
    // Stored in canonical form: two spellings of one repository are one release line, and holds compare on it.
    const repository = canonicalField(() => canonicalRepository(input.repository), "/repository");
    canonicalField(() => canonicalVersion(input.version), "/version");
    const sessions = input.sessions ?? [];
    const runsets = input.runsets ?? [];
    if (sessions.length === 0 && runsets.length === 0) {
      throw new MaestroError("invalid_field", "a release ships the work of at least one session or runset", { field: "/sessions" });
    }
    const sbom = acceptSbom(input.sbom, this.#ctx.clock);
    const id = input.id ?? randomUUID();
    // An agent may create a release only when the policy allows it a release.publish call for the repository.
    if (principal.role === "agent") {
      await this.#mediatePublish(principal, {
        runset: await this.#runsetOf(runsets, sessions),
        session: sessions[0] ?? serviceSession("release-create"),
        resource: `${repository}@${input.version}`,
        args: { repository, release: id, version: input.version },
      });
    }
    await this.#ctx.ledger.writer.append(
      {
        kind: "release.created",
        actor: actorOf(principal),
        subject: { type: "release", id },
        payload: { repository, version: input.version, artifacts: input.artifacts, runsets, sessions, sbom: sbom?.ref ?? null },
      },
      {
        // Its fold (ledger/projections/release-folds.ts) writes the draft row, with the SBOM the event names by digest.
        attached: sbom ? { "releases.sbom": JSON.stringify(sbom.document) } : undefined,
        // The store's keys refuse a second release with this id, or with this repository and version.
        conflict: () =>
          new MaestroError("conflict", `a release already exists with id ${id} or for ${repository}@${input.version}`, { field: "/id" }),
      },
    );
    return recordOf(await findRelease(this.#ctx.db, id));
  }

  /** Publishing is a release.publish decision: a hold (or any deny) blocks it; only an allow leads to a signed case. */
  async publish(id: string, principal: Principal): Promise<ReleaseRecord> {
    const row = await findRelease(this.#ctx.db, id);
    if (row.state !== "draft") throw new MaestroError("conflict", `release ${id} is already ${row.state}`, { field: "id" });
    const session = serviceSession(
      `release:${id}`.length <= 114 ? `release:${id}` : `release:${createHash("sha256").update(id).digest("hex").slice(0, 40)}`,
    );
    const result = await this.#mediatePublish(principal, {
      runset: await this.#runsetOf(JSON.parse(row.runsets), JSON.parse(row.sessions)),
      session,
      // The policy's release convention (policies/rego/match.rego): resource "owner/repo@version", args.repository.
      resource: `${row.repository}@${row.version}`,
      args: { repository: row.repository, release: id, version: row.version, artifacts: JSON.parse(row.artifacts) },
    });
    const statement = await this.#statementFor(row, { id: result.decisionId, index: result.ledgerIndex });
    const signed = await signStatement(statement, this.#ctx.ledger.keyring.event);
    const payload = {
      decisionId: result.decisionId,
      decisionIndex: result.ledgerIndex,
      statementDigest: signed.statementDigest,
      signerKid: signed.signerKid,
      tree: { size: statement.predicate.evidence.tree.size, rootHash: statement.predicate.evidence.tree.rootHash },
    };
    await this.#ctx.ledger.writer.append(
      { kind: "release.published", actor: actorOf(principal), subject: { type: "release", id }, payload },
      {
        // Its fold moves the row from draft to published (or refuses: 409), with the bundle the event names by digest.
        attached: { "releases.bundle": JSON.stringify(signed.bundle) },
        apply: (trx) => refuseIfHeld(trx, repositoryOrRaw(row.repository), releaseOrRaw(`${row.repository}@${row.version}`)),
      },
    );
    return recordOf(await findRelease(this.#ctx.db, id));
  }

  /** The run-set whose grants decide the publish: the release's first, else the one its sessions ran in. */
  async #runsetOf(runsets: string[], sessions: string[]): Promise<string> {
    const [first] = runsets;
    if (first !== undefined) return first;
    if (sessions.length === 0) return "releases";
    const row = await this.#ctx.db
      .selectFrom("mediations")
      .select("runset")
      .where("session", "in", sessions)
      .orderBy("ledger_index")
      .limit(1)
      .executeTakeFirst();
    return row?.runset ?? "releases";
  }

  /** Asks the mediator for a release.publish decision; anything but an allow blocks. */
  async #mediatePublish(
    principal: Principal,
    call: { runset: string; session: string; resource: string; args: Record<string, unknown> },
  ): Promise<{ decisionId: string; ledgerIndex: number }> {
    const result = await this.#ctx.mediator.mediate(
      { ...call, agent: principal.sub, tool: PUBLISH_TOOL, capability: "release.publish" },
      principal,
    );
    if (!result.allow) {
      const reasons = result.reasons.map((r) => `${r.code}: ${r.message}`).join("; ") || "no reason given";
      // The decision is made for the caller as the agent: say which grant would allow it, so no one has to guess.
      const hint = result.reasons.some((r) => r.code === "no_grant")
        ? `; publishing is decided for the caller as agent "${principal.sub}" in run-set "${call.runset}": register a grant {agent: "${principal.sub}", capability: release.publish, resource: "${call.resource}"} (approval none) there`
        : "";
      throw new MaestroError(
        "release_blocked",
        `release.publish was ${result.decision} (decision ${result.decisionId}): ${reasons}${hint}`,
        {
          details: { decisionId: result.decisionId, decision: result.decision, reasons: result.reasons },
        },
      );
    }
    return result;
  }

  /** Gathers the evidence up to the current tree size and builds the statement (and its GSN case) over it. */
  async #statementFor(
    row: Awaited<ReturnType<typeof findRelease>>,
    publishDecision: { id: string; index: number },
  ): Promise<SafetyCaseStatement> {
    const { reader } = this.#ctx.ledger;
    const size = (await reader.head()).size;
    const tree = { origin: this.#ctx.ledger.origin, size, rootHash: toBase64(await reader.rootAt(size)) };
    const record = recordOf(row);
    const { entries, classified } = await gatherEvidence(
      this.#ctx.db,
      { releaseId: row.id, sessions: record.sessions, runsets: record.runsets, createdIndex: record.createdIndex, publishDecision },
      size,
    );
    const policyDigests = policyDigestsOf(classified.set.decisions);
    const safetyCase = buildSafetyCase({
      release: record,
      evidence: { ...classified.set, sbom: record.sbom, target: { repository: record.repository, version: record.version } },
      tree,
      policyDigests,
      generatedAt: this.#ctx.clock.now().toISOString(),
    });
    return buildStatement({
      release: {
        ...record,
        created: { index: record.createdIndex, leafHash: toBase64(entries.find((e) => e.index === record.createdIndex)!.leafHash) },
      },
      safetyCase,
      tree,
      events: entries.map((e) => ({ index: e.index, leafHash: toBase64(e.leafHash) })),
      sbom: record.sbom,
      publishDecision,
      policyDigests,
      keys: { eventKid: this.#ctx.ledger.keyring.event.kid, checkpointVkey: this.#ctx.checkpointVkey },
    });
  }

  async get(id: string): Promise<ReleaseRecord> {
    return recordOf(await findRelease(this.#ctx.db, id));
  }

  /** The signed case of a published release, or a live, unsigned preview of a draft's. */
  async safetyCase(id: string): Promise<{ document: SafetyCaseDocument; signed: boolean; bundle: Record<string, unknown> | null }> {
    const row = await findRelease(this.#ctx.db, id);
    if (row.bundle) {
      const bundle = JSON.parse(row.bundle) as Record<string, any>;
      const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, "base64").toString("utf8")) as SafetyCaseStatement;
      return { document: statement.predicate.safetyCase, signed: true, bundle };
    }
    const preview = await this.#statementFor(row, { id: "none", index: 0 });
    return { document: preview.predicate.safetyCase, signed: false, bundle: null };
  }

  async sbom(id: string): Promise<Record<string, unknown>> {
    const row = await findRelease(this.#ctx.db, id);
    if (!row.sbom) throw new MaestroError("not_found", `release ${id} has no SBOM`, { field: "id" });
    return JSON.parse(row.sbom) as Record<string, unknown>;
  }

  /** The evidence export as the exact bytes that are signed (schemas/gsn/evidence-export.schema.json). */
  async exportEvidence(id: string): Promise<string> {
    const ctx = this.#ctx;
    return buildEvidenceExport(
      {
        db: ctx.db,
        ledger: ctx.ledger,
        clock: ctx.clock,
        checkpointVkey: ctx.checkpointVkey,
        eventJwks: async () => (await ctx.eventJwks()) as Array<Record<string, unknown>>,
      },
      await findRelease(ctx.db, id),
    );
  }
}

/** A value through its grammar, or 400 naming the field with the grammar's complaint. */
function canonicalField(canonical: () => string, field: string): string {
  try {
    return canonical();
  } catch (err) {
    if (!(err instanceof ResourceProblem)) throw err;
    throw new MaestroError("invalid_field", `${field.slice(1)}: ${err.message}`, { field, cause: err });
  }
}

/**
 * The publish decision may be allowed and a hold placed before the release.published append commits: evidence is
 * gathered and signed in between. Appends are serialized, so a hold committed by then is visible here, and it stops the
 * publish as the policy would have. The scopes mirror hold_scope_matches in policies/rego/match.rego for a release call.
 */
async function refuseIfHeld(trx: Transaction<AppDb>, repository: string, releaseResource: string): Promise<void> {
  const hold = await trx
    .selectFrom("holds")
    .select(["id", "placed_by", "reason"])
    .where("state", "=", "active")
    .where((eb) =>
      eb.or([
        eb("scope_type", "=", "all"),
        eb.and([eb("scope_type", "=", "release"), eb("scope_id", "=", releaseResource)]),
        eb.and([eb("scope_type", "=", "repository"), eb("scope_id", "=", repository)]),
      ]),
    )
    .executeTakeFirst();
  if (hold) {
    throw new MaestroError(
      "release_blocked",
      `hold ${hold.id} placed by ${hold.placed_by} (${hold.reason}) arrived while the release was being published`,
      {
        details: { holdId: hold.id },
      },
    );
  }
}

/**
 * A session of the service's own for one decision. Sessions belong to the token whose decision opens them (mediator
 * session-owner.ts), so a fixed name (`release:ID`) would lock out the second person to publish a release, and an
 * agent could claim the name first through POST /v1/mediate: the suffix is fresh per decision.
 */
function serviceSession(prefix: string): string {
  return `${prefix}:${randomUUID().slice(0, 13)}`;
}

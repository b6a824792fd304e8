// A published release over N seeded ledger events (half decisions, half their outcomes) with a CycloneDX SBOM from this
// project's package-lock.json, on a composed server: what bench/evidence-verify.ts and bench/console.ts measure.
import { readFileSync } from "node:fs";
import type { composeServer, createApp } from "../server/index.ts";

type Ctx = Awaited<ReturnType<typeof composeServer>>;

export const RELEASE_ID = "bench-1";

/** Seeds `events` events and publishes release bench-1 over them; returns how long each stage took (ms). */
export async function seedPublishedRelease(
  ctx: Ctx,
  app: ReturnType<typeof createApp>,
  security: string,
  events: number,
): Promise<{ seeded: number; published: number }> {
  const post = (path: string, body: unknown) =>
    app.request(path, {
      method: "POST",
      headers: { authorization: `Bearer ${security}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  await post("/v1/runsets", {
    name: "rs-bench",
    grants: [{ agent: "sec-1", capability: "release.publish", resource: "acme/api@*", approval: "none" }],
  });
  const digest = ctx.policy.current().digest;

  // Half decisions, half their outcomes (as the mediator writes them), appended concurrently so the writer batches them.
  const t0 = performance.now();
  const calls = events / 2;
  const agent = { type: "agent" as const, id: "coder", role: "agent" };
  for (let start = 0; start < calls; start += 1000) {
    await Promise.all(
      Array.from({ length: Math.min(1000, calls - start) }, async (_, k) => {
        const id = crypto.randomUUID();
        const tests = (start + k) % 10 === 0;
        const call = {
          runset: "rs-bench",
          agent: "coder",
          session: `s-${(start + k) % 20}`,
          tool: tests ? "test" : "read",
          capability: tests ? "tests.run" : "repo.read",
          resource: "src/x.ts",
          args: {},
        };
        await ctx.ledger.writer.append(
          {
            kind: "decision",
            actor: agent,
            subject: { type: "decision", id },
            payload: {
              call,
              decision: "allow",
              allow: true,
              reasons: [],
              waivers: [],
              breakglass: [],
              policy: { digest, revision: "bench" },
            },
          },
          // The decision's fold writes its mediations row (and claims the session), as the mediator's do.
        );
        await ctx.ledger.writer.append({
          kind: "outcome",
          actor: agent,
          subject: { type: "decision", id },
          payload: { status: "ok", summary: "ok", outputDigest: `sha256:${"0".repeat(64)}` },
        });
      }),
    );
  }
  const seeded = performance.now() - t0;
  const { releases } = ctx;
  const principal = { sub: "sec-1", role: "security" as const, issuer: "bench" };
  await releases.create(
    {
      id: RELEASE_ID,
      repository: "acme/api",
      version: "1.0.0",
      artifacts: [{ name: "api.tgz", digest: { sha256: "a".repeat(64) } }],
      runsets: ["rs-bench"],
      sbom: { packageLock: JSON.parse(readFileSync("package-lock.json", "utf8")) },
    },
    principal,
  );
  const t1 = performance.now();
  await releases.publish(RELEASE_ID, principal);
  const published = performance.now() - t1;
  return { seeded, published };
}

// Control API, policy part: activate an OPA bundle (verified, smoke-tested, ledgered, then swapped atomically).
import { Hono } from "hono";
import { MaestroError } from "../../../common/errors.ts";
import type { AuthEnv } from "../../auth/middleware.ts";
import { requireRoute } from "../../auth/route-roles.ts";
import type { ActivePolicy } from "../../policy/active-policy.ts";
import { readJson } from "../params.ts";

/** Bundles are larger than ordinary control bodies (base64 of a Wasm module). */
export const MAX_BUNDLE_BODY_BYTES = 8 * 1024 * 1024;

export function policyRoutes(policy: ActivePolicy): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.post("/v1/policy/activate", requireRoute("POST", "/v1/policy/activate"), async (c) => {
    const body = (await readJson(c.req)) as { bundle?: unknown; default?: unknown };
    if (typeof body === "object" && body !== null && body.default !== undefined) {
      // {"default": true}: back to the committed bundle, on purpose and ledgered (a restart never does it).
      if (body.default !== true || body.bundle !== undefined) {
        throw new MaestroError("invalid_field", "default must be true, and given without bundle", { field: "/default" });
      }
      return c.json(await policy.activateDefault(c.get("principal")));
    }
    if (typeof body !== "object" || body === null || typeof body.bundle !== "string" || body.bundle.length === 0) {
      throw new MaestroError("invalid_field", "bundle must be the base64 of an OPA bundle (.tar.gz)", { field: "/bundle" });
    }
    const bytes = Buffer.from(body.bundle, "base64");
    if (bytes.toString("base64") !== body.bundle.replace(/\s+/g, "")) {
      throw new MaestroError("invalid_field", "bundle is not valid base64", { field: "/bundle" });
    }
    const info = await policy.activate(bytes, c.get("principal"));
    return c.json(info);
  });
  return app;
}

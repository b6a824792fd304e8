// Policy: activate an OPA bundle (verified, smoke-tested, ledgered, then swapped atomically), and which bundle is in
// force, from where, and the ledgered activation that put it there.
import { MaestroError } from "../../../common/errors.ts";
import type { Services } from "../../compose.ts";
import { readJson } from "../params.ts";
import { EVIDENCE, json, type Route } from "../route.ts";

/** Bundles are larger than ordinary control bodies (base64 of a Wasm module). */
export const MAX_BUNDLE_BODY_BYTES = 8 * 1024 * 1024;
export const policyRoutes: readonly Route[] = [
  {
    method: "POST",
    path: "/v1/policy/activate",
    roles: ["security", "admin"],
    does: 'activate a signed policy bundle, or the committed one ({"default": true})',
    maxBodyBytes: MAX_BUNDLE_BODY_BYTES,
    response: json("policy.activation"),
    handler: (s: Pick<Services, "policy">) => async (c) => {
      const body = (await readJson(c.req)) as { bundle?: unknown; default?: unknown };
      if (typeof body === "object" && body !== null && body.default !== undefined) {
        // {"default": true}: back to the committed bundle, on purpose and ledgered (a restart never does it).
        if (body.default !== true || body.bundle !== undefined) {
          throw new MaestroError("invalid_field", "default must be true, and given without bundle", { field: "/default" });
        }
        return c.json(await s.policy.activateDefault(c.get("principal")));
      }
      if (typeof body !== "object" || body === null || typeof body.bundle !== "string" || body.bundle.length === 0) {
        throw new MaestroError("invalid_field", "bundle must be the base64 of an OPA bundle (.tar.gz)", { field: "/bundle" });
      }
      const bytes = Buffer.from(body.bundle, "base64");
      if (bytes.toString("base64") !== body.bundle.replace(/\s+/g, "")) {
        throw new MaestroError("invalid_field", "bundle is not valid base64", { field: "/bundle" });
      }
      return c.json(await s.policy.activate(bytes, c.get("principal")));
    },
  },
  {
    method: "GET",
    path: "/v1/policy/status",
    ...EVIDENCE,
    does: "the policy bundle in force: digest, source, who activated it and when",
    response: json("policy.status"),
    handler: (s: Pick<Services, "policy">) => (c) => c.json(s.policy.status()),
  },
];

import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { methodNotAllowed } from "./method-guard.ts";

function appWithGuard(): Hono {
  const app = new Hono();
  app.use("*", (_c, next) => next());
  app.get("/v1/things/:id", (c) => c.text("got"));
  app.post("/v1/things/:id", (c) => c.text("posted"));
  app.get("/v1/files/*", (c) => c.text("file"));
  app.notFound(methodNotAllowed(app));
  return app;
}

describe("methodNotAllowed", () => {
  it("answers 405 naming every method the path has, the same on every miss", async () => {
    const app = appWithGuard();
    for (let i = 0; i < 2; i++) {
      const res = await app.request("/v1/things/42", { method: "DELETE" });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("GET, POST");
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("method_not_allowed");
    }
  });

  it("answers 404 for a path no concrete route has, wildcards and middleware included", async () => {
    const app = appWithGuard();
    expect((await app.request("/v1/things", { method: "DELETE" })).status).toBe(404);
    expect((await app.request("/v1/things/42/more")).status).toBe(404);
    expect((await app.request("/v1/files/a", { method: "DELETE" })).status).toBe(404);
  });
});

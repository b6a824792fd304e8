// OpenAPI 3.1 description of the HTTP contract (see ../shared/ARCHITECTURE.md).
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: { title: "Maestro governance API", version: "0.1.0" },
    paths: {},
  };
}

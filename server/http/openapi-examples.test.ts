// The worked examples in openapi.json are valid against the schemas the server checks bodies with, so they cannot rot.
import { describe, expect, it } from "vitest";
import { compileSchema } from "../../common/ajv.ts";
import { openApiDocument } from "./openapi.ts";
import { present } from "../../common/present.ts";

const doc = openApiDocument() as { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, any> } };

describe("openapi.json examples", () => {
  it("shows an outcome body and a release body that their schemas accept", () => {
    for (const [path, schema] of [
      ["/v1/mediate/{decisionId}/outcome", "mediate.outcome"],
      ["/v1/releases", "release.release-create"],
    ] as const) {
      const example = present(doc.paths[path], path).post.requestBody.content["application/json"].example;
      expect(example, path).toBeDefined();
      const { $id: _id, ...rest } = doc.components.schemas[schema];
      expect(compileSchema(rest)(example), path).toBeNull();
    }
  });

  it("documents the error body with every field at fault in details", () => {
    const error = doc.components.schemas["http.error"];
    expect(error.properties.error.properties.details.type).toBe("array");
    expect(error.example.error.details.length).toBeGreaterThan(1);
    expect(error.example.error.field).toBe(error.example.error.details[0].field);
  });
});

// CycloneDX validators compiled from the pinned package's schema files: valid documents pass, each kind of bad one is
// refused at the place it goes wrong, and a $ref outside the registered schemas is never fetched.
import { describe, expect, it } from "vitest";
import { SUPPORTED_SPEC_VERSIONS } from "./cyclonedx-schema.ts";
import { compileValidator } from "./cyclonedx-validators.ts";

const valid = {
  bomFormat: "CycloneDX",
  specVersion: "1.7",
  version: 1,
  components: [{ type: "library", name: "left-pad", version: "1.3.0" }],
};
const invalid: Array<[doc: object, at: string]> = [
  [{ ...valid, components: [{ type: "nope", name: "x" }] }, "/components/0/type"],
  [{ ...valid, surprise: true }, ""],
  [{ ...valid, components: [{ type: "library", name: 42 }] }, "/components/0/name"],
  [{ ...valid, metadata: { timestamp: "yesterday" } }, "/metadata/timestamp"],
];

describe("CycloneDX validators", () => {
  it("compile for every supported version and accept a valid document", () => {
    for (const version of SUPPORTED_SPEC_VERSIONS) expect(compileValidator(version)({ ...valid, specVersion: version })).toBe(true);
  }, 60_000);

  it("refuse bad documents, naming where", () => {
    const validate = compileValidator("1.7");
    for (const [doc, at] of invalid) {
      expect(validate(doc)).toBe(false);
      expect(validate.errors![0]!.instancePath).toBe(at);
    }
  }, 60_000);

  it("refuse a version that has no schema file", () => {
    expect(() => compileValidator("9.9")).toThrow(/ENOENT|no such file/);
  });
});

// Builds a CycloneDX 1.7 JSON SBOM (ECMA-424) from an npm package-lock.json (lockfileVersion 2 or 3) with @cyclonedx/cyclonedx-library.
import { createHash } from "node:crypto";
import * as CDX from "@cyclonedx/cyclonedx-library";
import { MaestroError } from "../../common/errors.ts";

interface LockPackage {
  name?: string;
  version?: string;
  resolved?: string;
  integrity?: string;
  license?: string;
  dev?: boolean;
  optional?: boolean;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

interface PackageLock {
  name?: string;
  version?: string;
  lockfileVersion?: number;
  packages?: Record<string, LockPackage>;
}

const licenses = new CDX.Contrib.License.Factories.LicenseFactory(() => {
  throw new Error("SPDX expressions are recorded as named licenses");
});

/** purl-spec npm type: the scope's "@" is percent-encoded (pkg:npm/%40scope/name@1.0.0). */
export function npmPurl(name: string, version: string): string {
  const encoded = name.startsWith("@") ? `%40${name.slice(1)}` : name;
  return `pkg:npm/${encoded
    .split("/")
    .map((s, i) => (i === 0 ? s : encodeURIComponent(s)))
    .join("/")}@${encodeURIComponent(version)}`;
}

/** npm resolution: a dependency is found in the nearest node_modules walking up from the dependent's path. */
function resolveDep(packages: Record<string, LockPackage>, from: string, dep: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ""}node_modules/${dep}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const cut = base.lastIndexOf("node_modules/");
    base = cut <= 0 ? "" : base.slice(0, cut - 1);
  }
}

function nameOf(path: string, pkg: LockPackage): string {
  return pkg.name ?? path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);
}

const STRING_MEMBERS = ["name", "version", "resolved", "integrity", "license"] as const;
const MAP_MEMBERS = ["dependencies", "optionalDependencies"] as const;

/** What npm writes: an object whose text members are strings and whose dependency maps map names to strings. */
function lockEntryProblem(pkg: unknown): { member?: string; message: string } | null {
  if (typeof pkg !== "object" || pkg === null || Array.isArray(pkg)) return { message: "must be an object" };
  const entry = pkg as Record<string, unknown>;
  for (const member of STRING_MEMBERS) {
    if (entry[member] !== undefined && typeof entry[member] !== "string")
      return { member, message: `has a ${member} that is not a string` };
  }
  for (const member of MAP_MEMBERS) {
    const map = entry[member];
    if (map === undefined) continue;
    if (typeof map !== "object" || map === null || Array.isArray(map) || Object.values(map).some((v) => typeof v !== "string")) {
      return { member, message: `has ${member} that is not a map of names to version ranges` };
    }
  }
  return null;
}

export function sbomFromPackageLock(lock: unknown, now: Date): Record<string, unknown> {
  const l = lock as PackageLock;
  if (typeof l !== "object" || l === null || typeof l.packages !== "object" || l.packages === null) {
    throw new MaestroError(
      "invalid_field",
      "package-lock.json needs a 'packages' map (lockfileVersion 2 or 3; regenerate v1 locks with npm ≥ 7)",
      {
        field: "/sbom/packageLock/packages",
      },
    );
  }
  const packages = l.packages;
  for (const [path, pkg] of Object.entries(packages)) {
    const problem = lockEntryProblem(pkg);
    if (problem) {
      const field = `/sbom/packageLock/packages/${path.replaceAll("~", "~0").replaceAll("/", "~1")}${problem.member ? `/${problem.member}` : ""}`;
      throw new MaestroError("invalid_field", `package-lock.json entry "${path}" ${problem.message}`, { field });
    }
  }
  const root = packages[""] ?? {};
  const bom = new CDX.Models.Bom();
  // A serial number derived from the lock keeps the SBOM stable for the same input.
  const h = createHash("sha256").update(JSON.stringify(packages)).digest("hex");
  bom.serialNumber = `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  bom.metadata.timestamp = now;
  bom.metadata.component = new CDX.Models.Component(CDX.Enums.ComponentType.Application, root.name ?? l.name ?? "project", {
    version: root.version ?? l.version,
    bomRef: "root",
  });

  const byPath = new Map<string, CDX.Models.Component>();
  const byPurl = new Map<string, CDX.Models.Component>();
  for (const [path, pkg] of Object.entries(packages)) {
    if (path === "" || pkg.link || !pkg.version || !path.includes("node_modules/")) continue;
    const name = nameOf(path, pkg);
    const purl = npmPurl(name, pkg.version);
    let component = byPurl.get(purl);
    if (!component) {
      const slash = name.startsWith("@") ? name.indexOf("/") : -1;
      component = new CDX.Models.Component(CDX.Enums.ComponentType.Library, slash > 0 ? name.slice(slash + 1) : name, {
        group: slash > 0 ? name.slice(0, slash) : undefined,
        version: pkg.version,
        purl,
        bomRef: purl,
        scope: pkg.dev
          ? CDX.Enums.ComponentScope.Excluded
          : pkg.optional
            ? CDX.Enums.ComponentScope.Optional
            : CDX.Enums.ComponentScope.Required,
      });
      const integrity = /^sha512-(.+)$/.exec(pkg.integrity ?? "")?.[1];
      if (integrity !== undefined)
        component.hashes.set(CDX.Enums.HashAlgorithm["SHA-512"], Buffer.from(integrity, "base64").toString("hex"));
      if (pkg.license) {
        // Compound SPDX expressions stay expressions; a single id becomes an SPDX (or named) license.
        component.licenses.add(
          /\s(OR|AND|WITH)\s/.test(pkg.license) ? new CDX.Models.LicenseExpression(pkg.license) : licenses.makeDisjunctive(pkg.license),
        );
      }
      if (pkg.resolved) {
        component.externalReferences.add(new CDX.Models.ExternalReference(pkg.resolved, CDX.Enums.ExternalReferenceType.Distribution));
      }
      byPurl.set(purl, component);
      bom.components.add(component);
    }
    byPath.set(path, component);
  }
  // Dependency graph, resolved the way npm resolves node_modules.
  for (const [path, pkg] of Object.entries(packages)) {
    const from = path === "" ? bom.metadata.component : byPath.get(path);
    if (!from) continue;
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      const target = resolveDep(packages, path, dep);
      const to = target ? byPath.get(target) : undefined;
      if (to && to !== from) from.dependencies.add(to.bomRef);
    }
  }
  const serializer = new CDX.Serialize.JsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.Spec1dot7));
  return JSON.parse(serializer.serialize(bom, { sortLists: true })) as Record<string, unknown>;
}

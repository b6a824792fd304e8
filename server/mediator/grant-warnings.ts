// Grants that can never (or almost never) match a call, found at run-set registration so they are fixed before a run is denied.
//
// The policy matches a grant's resource glob with OPA glob.match split on the capability's delimiters
// (policies/rego/capabilities.rego, docs/governance/capabilities.md): `*` never crosses a delimiter, `**` does.
// Each rule here names a shape the policy will not match, with the fix. Registration still succeeds: a
// warning is advice, and a grant that matches nothing grants nothing (fail closed either way).

/** The delimiters per capability, as in capabilities.rego's catalogue (grant-warnings.test.ts holds the two equal). */
export const RESOURCE_DELIMITERS: Record<string, string | null> = {
  "repo.read": "/",
  "repo.write": "/",
  "tests.run": null,
  "network.egress": ".",
  "package.install": ":",
  "secrets.read": "/",
  "release.publish": null,
};

const EXAMPLES: Record<string, string> = {
  "repo.read": "src/app.ts",
  "repo.write": "src/app.ts",
  "network.egress": "docs.example.com",
  "package.install": "npm:left-pad",
  "secrets.read": "ci/npm-token",
};

export interface GrantWarning {
  /** JSON pointer of the grant's resource in the registration body, e.g. "/grants/0/resource". */
  field: string;
  message: string;
}

/** The problem with one grant's resource glob, or null when it can match the resources its capability names. */
export function grantResourceProblem(capability: string, resource: string): string | null {
  const delimiter = RESOURCE_DELIMITERS[capability];
  const example = EXAMPLES[capability];
  if (delimiter && resource === "*") {
    return `${capability} grant "*" matches only a resource without a "${delimiter}" (not ${example}): "*" stops at "${delimiter}"; use "**" for every resource`;
  }
  switch (capability) {
    case "network.egress":
      if (/[/:@]/.test(resource))
        return `network.egress resources are host names (${example}), never a URL, port or path: "${resource}" can never match`;
      break;
    case "package.install":
      if (!resource.includes(":") && !resource.includes("**")) {
        return `package.install resources are <ecosystem>:<name> (${example}): "${resource}" has no ":" and can never match; try "npm:${resource}"`;
      }
      break;
    case "release.publish":
      if (!resource.includes("@") && !resource.includes("*")) {
        return `release.publish resources are <owner>/<repo>@<version>: "${resource}" has no "@" and can never match; try "${resource}@*"`;
      }
      break;
    case "repo.read":
    case "repo.write":
      if (resource.startsWith("/") || resource.startsWith("./")) {
        return `${capability} resources are paths relative to the repository (${example}): "${resource}" can never match; drop the leading "${resource.startsWith("/") ? "/" : "./"}"`;
      }
      break;
  }
  return null;
}

export function grantWarnings(grants: ReadonlyArray<{ capability: string; resource: string }>): GrantWarning[] {
  return grants.flatMap((g, i) => {
    const problem = grantResourceProblem(g.capability, g.resource);
    return problem ? [{ field: `/grants/${i}/resource`, message: problem }] : [];
  });
}

// The environment tool subprocesses (run_tests, install_package, publish_release, git apply) start from: a short allow-list of the runner's.
// The runner's own environment holds MAESTRO_TOKEN / MAESTRO_ADMIN_TOKEN, provider API keys and every
// run-set `secrets:` variable, and run_tests runs code the agent can edit; so variables are kept by name,
// never by "everything but". A secret reaches an agent only through read_secret, a mediated secrets.read.

/**
 * Why each is kept:
 * - PATH: finds sh, node, npm and git.
 * - HOME: git and npm read the user's config there (~/.gitconfig, ~/.npmrc) and npm keeps its cache there.
 * - LANG, LC_*: locale of tools' messages and of sorting; tests that compare output depend on it.
 * - TZ: tests that format dates.
 * - TMPDIR: where test runners and npm put temporary files (a per-user or per-job folder on many systems).
 * - CI: test runners use it to turn off watch mode and interactive output.
 * Left out on purpose: NODE_OPTIONS (--require / --import load code into every node process the runner's
 * operator did not name for tools), GIT_* (would point git apply at another repository or index),
 * npm_config_* (can carry registry tokens), proxy variables (their URLs can carry credentials), TERM
 * (output is captured, not shown on a terminal). A test command that needs one sets it itself: the
 * grant names the exact command line.
 */
const KEPT = new Set(["PATH", "HOME", "LANG", "TZ", "TMPDIR", "CI"]);

export function toolProcessEnv(from: NodeJS.ProcessEnv): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(from)) {
    if (value !== undefined && (KEPT.has(name) || name.startsWith("LC_"))) kept[name] = value;
  }
  return kept;
}

# Content checks: secrets the mediator found in a write's content, files that must never be written, and what a
# session that read a secret may not do unseen.
package maestro.lib.content

import data.maestro.lib.glob as patterns
import data.maestro.lib.match

call := input.call

# --- policy data: paths (canonical repository paths, "/"-delimited globs) that hold secrets by convention ---

# A write to a file with one of these names, in any folder, is denied with secret_file whatever its content: a secret
# belongs in the secrets store, read at run time through secrets.read. Templates that hold no values
# (never_written_except) stay writable. Names, not paths: each is matched against the path's last segment, so every
# pattern takes a string fast path of glob.rego ("name", "prefix*", "*suffix"). As "**/"-path globs they went to
# glob.match, which OPA's Wasm compiles afresh per call: 26 of them made a write's decision ~6x slower.
never_written := [
	".env", ".env.*", "*.pem", "*.key", "*.p12", "*.pfx",
	"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", ".npmrc", ".pypirc", ".netrc",
]

never_written_except := [".env.example", ".env.sample", ".env.template"]

# Finding rules (secretlint rule/message ids, e.g. "github/GITHUB_TOKEN") a deployment decides not to act on.
ignored_rules := set()

# --- facts: the mediator's findings for this call's content (absent when the call carried none) ---

content := object.get(input, "content", {})

findings := [finding |
	some finding in object.get(content, "findings", [])
	not finding.rule in ignored_rules
]

# Undefined without content: then, as with 0, there is nothing unlisted to stop.
unlisted := content.unlisted

# A waiver of secret_detected lifts a finding when it covers the call's path and, if it lists fingerprints, this one.
finding_waivers(finding) := {waiver.id |
	some waiver in match.active_waivers
	"secret_detected" in waiver.waives
	fingerprint_listed(object.get(waiver, "fingerprints", null), finding.fingerprint)
}

fingerprint_listed(null, _)

fingerprint_listed(fingerprints, fingerprint) if fingerprint in fingerprints

# Unlisted findings have no fingerprint to name: only a waiver for the whole path lifts them.
path_waivers := {waiver.id |
	some waiver in match.active_waivers
	"secret_detected" in waiver.waives
	object.get(waiver, "fingerprints", null) == null
}

line_text(finding) := json.marshal(finding.line)

stops contains reason if {
	some finding in findings
	count(finding_waivers(finding)) == 0
	reason := {"code": "secret_detected", "message": concat("", [
		"secret found by rule ", finding.rule, " in ", finding.path, " line ", line_text(finding),
		": remove it and read it at run time through the secrets.read capability, or ask for a waiver of secret_detected",
		" for this path or for fingerprint ", finding.fingerprint,
	])}
}

stops contains reason if {
	unlisted > 0
	count(path_waivers) == 0
	reason := {"code": "secret_detected", "message": concat("", [
		json.marshal(unlisted), " more secrets found in ", call.resource,
		" than one decision lists: remove them, or ask for a waiver of secret_detected for this path",
	])}
}

lifted contains [id, "secret_detected"] if {
	some finding in findings
	some id in finding_waivers(finding)
}

lifted contains [id, "secret_detected"] if {
	unlisted > 0
	some id in path_waivers
}

# --- never-written files ---

# The path's last segment ("" for a path ending in "/", which names no file).
file_name := name if {
	segments := split(call.resource, "/")
	name := segments[count(segments) - 1]
}

secret_file_pattern := [pattern |
	call.capability == "repo.write"
	some pattern in never_written
	patterns.match(pattern, null, file_name)
	not excepted
][0]

excepted if {
	some pattern in never_written_except
	patterns.match(pattern, null, file_name)
}

file_waivers := match.waivers_for("secret_file")

stops contains reason if {
	pattern := secret_file_pattern
	count(file_waivers) == 0
	reason := {"code": "secret_file", "message": concat("", [
		call.resource, " matches ", pattern, ", a file that holds secrets and is never written by an agent:",
		" keep the value in the secrets store and read it through secrets.read, or ask for a waiver of secret_file",
	])}
}

lifted contains [id, "secret_file"] if {
	secret_file_pattern
	some id in file_waivers
}

# --- reads: a session whose tools read a secret (an outcome reported content with findings) ---

# What a session holding a secret does only with a person's approval: the ways a secret leaves the deployment.
secret_leaving_capabilities := {"network.egress", "release.publish"}

# Findings in what the session read, as "rule in path line N". An input without the list (or with something else) is
# taken to hold one: the mediator always sends it, so its absence means an input this policy cannot trust (fail closed).
secret_sources := object.get(input.session, "secret_sources", null)

holds_secret if not is_array(secret_sources)

holds_secret if count(secret_sources) > 0

# mutate: equivalent drop-expr — without either check, concat fails on a non-string and sources_text falls to its else
source_texts := [source | some source in secret_sources; is_string(source)] if is_array(secret_sources)

# mutate: equivalent remove-else — source_texts undefined leaves sources_text to its else, as [] does
else := []

sources_text := concat(", ", source_texts) if count(source_texts) > 0

else := "sources not listed"

held_secret_waivers := match.waivers_for("session_holds_secret")

approvals contains reason if {
	call.capability in secret_leaving_capabilities
	holds_secret
	count(held_secret_waivers) == 0
	reason := {"code": "session_holds_secret", "message": concat("", [
		"session ", call.session, " has read a secret (", sources_text, "); ", call.capability, " on ", call.resource,
		" needs a person's approval so the secret cannot leave unseen, or a waiver of session_holds_secret",
	])}
}

lifted contains [id, "session_holds_secret"] if {
	call.capability in secret_leaving_capabilities
	holds_secret
	some id in held_secret_waivers
}

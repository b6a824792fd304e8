# Tests for the content checks: secret findings, never-written files, and the waivers that lift each.
package maestro.content_test

import data.maestro.decision

fingerprint_a := "hmac-sha256:aaaa"

fingerprint_b := "hmac-sha256:bbbb"

finding(fp, line) := {"fingerprint": fp, "line": line, "path": "src/billing.ts", "rule": "stripe/STRIPE_SECRET_KEY_LIVE"}

write := {
	"call": {
		"runset": "rs-1", "agent": "coder", "session": "sess-1", "tool": "write_file",
		"capability": "repo.write", "resource": "src/billing.ts", "args": {"path": "src/billing.ts"},
	},
	"now": "2025-06-01T12:00:00Z",
	"session": {"tainted": false, "taint_sources": [], "secret_sources": []},
	"budget": {"spent_usd": 0, "cap_usd": null, "estimated_usd": 0},
	"grants": [{"agent": "coder", "runset": "rs-1", "capability": "repo.write", "resource": "**", "approval": "none"}],
	"waivers": [],
	"holds": [],
	"breakglass": [],
}

with_content(findings, unlisted) := object.union(write, {"content": {
	"bytes": 120, "digest": "sha256:00", "findings": findings, "unlisted": unlisted,
}})

at(path) := object.union(write, {"call": object.union(write.call, {"resource": path})})

waiver(id, fields) := object.union(
	{
		"id": id, "capability": "repo.write", "resource": "src/**", "agents": null, "runsets": null,
		"expires_at": "2025-06-01T13:00:00Z", "waives": ["secret_detected"], "state": "active",
	},
	fields,
)

codes(d) := {r.code | some r in d.reasons}

with_waivers(doc, waivers) := object.union(doc, {"waivers": waivers})

test_clean_content_allowed if {
	d := decision with input as with_content([], 0)
	d.decision == "allow"
}

test_no_content_allowed if {
	d := decision with input as write
	d.decision == "allow"
}

test_finding_denied_naming_rule_path_line_and_remedy if {
	d := decision with input as with_content([finding(fingerprint_a, 7)], 0)
	d.decision == "deny"
	codes(d) == {"secret_detected"}
	some r in d.reasons
	contains(r.message, "stripe/STRIPE_SECRET_KEY_LIVE")
	contains(r.message, "src/billing.ts line 7")
	contains(r.message, "secrets.read")
	contains(r.message, fingerprint_a)
}

test_each_finding_is_a_reason if {
	d := decision with input as with_content([finding(fingerprint_a, 7), finding(fingerprint_b, 9)], 0)
	count(d.reasons) == 2
}

test_ignored_rule_is_not_acted_on if {
	d := decision with input as with_content([finding(fingerprint_a, 7)], 0)
		with data.maestro.lib.content.ignored_rules as {"stripe/STRIPE_SECRET_KEY_LIVE"}
	d.decision == "allow"
}

test_path_waiver_lifts_every_finding_and_is_cited if {
	d := decision with input as with_waivers(with_content([finding(fingerprint_a, 7), finding(fingerprint_b, 9)], 2), [waiver("w-path", {})])
	d.decision == "allow"
	d.waivers == ["w-path"]
	"waiver_applied" in codes(d)
}

test_fingerprint_waiver_lifts_only_its_fingerprint if {
	one := with_waivers(with_content([finding(fingerprint_a, 7)], 0), [waiver("w-fp", {"fingerprints": [fingerprint_a]})])
	d := decision with input as one
	d.decision == "allow"
	d.waivers == ["w-fp"]
	both := with_waivers(with_content([finding(fingerprint_a, 7), finding(fingerprint_b, 9)], 0), [waiver("w-fp", {"fingerprints": [fingerprint_a]})])
	e := decision with input as both
	e.decision == "deny"
	count(e.reasons) == 1
	some r in e.reasons
	contains(r.message, fingerprint_b)
}

test_fingerprint_waiver_does_not_lift_unlisted_findings if {
	d := decision with input as with_waivers(with_content([finding(fingerprint_a, 7)], 3), [waiver("w-fp", {"fingerprints": [fingerprint_a]})])
	d.decision == "deny"
	some r in d.reasons
	contains(r.message, "3 more secrets")
}

test_expired_waiver_lifts_nothing if {
	d := decision with input as with_waivers(with_content([finding(fingerprint_a, 7)], 0), [waiver("w-old", {"expires_at": "2025-06-01T11:59:59Z"})])
	d.decision == "deny"
	codes(d) == {"secret_detected"}
}

test_waiver_of_another_reason_lifts_nothing if {
	d := decision with input as with_waivers(with_content([finding(fingerprint_a, 7)], 0), [waiver("w-grant", {"waives": ["no_grant"]})])
	d.decision == "deny"
}

test_never_written_files_denied if {
	every path in [".env", ".env.production", "services/api/.env", "deploy/tls.pem", "keys/id_ed25519", ".npmrc"] {
		d := decision with input as at(path)
		d.decision == "deny"
		codes(d) == {"secret_file"}
	}
}

test_never_written_reason_names_the_pattern if {
	d := decision with input as at("services/api/.env.local")
	some r in d.reasons
	contains(r.message, "services/api/.env.local matches .env.*")
}

test_templates_and_look_alike_names_written if {
	every path in [".env.example", "web/.env.sample", "src/env.ts", "docs/pem-files.md", "src/keys.ts"] {
		d := decision with input as at(path)
		d.decision == "allow"
	}
}

test_never_written_is_only_about_writes if {
	read := object.union(at(".env"), {
		"call": object.union(write.call, {"capability": "repo.read", "resource": ".env"}),
		"grants": [{"agent": "coder", "runset": "rs-1", "capability": "repo.read", "resource": "**", "approval": "none"}],
	})
	d := decision with input as read
	d.decision == "allow"
}

test_secret_file_waiver_lifts_and_is_cited if {
	doc := with_waivers(at("deploy/tls.pem"), [waiver("w-file", {"resource": "deploy/**", "waives": ["secret_file"]})])
	d := decision with input as doc
	d.decision == "allow"
	d.waivers == ["w-file"]
}

# Pins content.never_written and never_written_except entry by entry: each name at the root and nested.
test_every_never_written_pattern_and_exception if {
	every path in [
		".env", ".env.local", "a/.env", "a/.env.local", "k.pem", "a/k.pem", "k.key", "a/k.key", "k.p12", "a/k.p12",
		"k.pfx", "a/k.pfx", "id_rsa", "a/id_rsa", "id_dsa", "a/id_dsa", "id_ecdsa", "a/id_ecdsa", "id_ed25519",
		"a/b/id_ed25519", ".npmrc", "a/.npmrc", ".pypirc", "a/.pypirc", ".netrc", "a/.netrc", ".pem", "a/.env.",
	] {
		codes(decision) == {"secret_file"} with input as at(path)
	}
	every path in [".env.example", "a/.env.example", ".env.sample", "a/.env.sample", ".env.template", "a/.env.template"] {
		decision.decision == "allow" with input as at(path)
	}
}

# Names are matched as whole last segments: a folder named like a secret file, or a name that only starts or ends like
# one, is not one.
test_never_written_matches_the_file_name_only if {
	every path in [".env/readme.md", "keys.pem/index.ts", "id_rsa.pub", "my.env", "k.pem.txt", "x/.envrc", "a/"] {
		decision.decision == "allow" with input as at(path)
	}
}

# Pins content.lifted for unlisted findings: a path waiver is cited when there were unlisted secrets, and only then.
test_path_waiver_cited_only_for_unlisted_findings if {
	w := waiver("w-unlisted", {})
	lifted := decision with input as with_waivers(with_content([], 1), [w])
	lifted.waivers == ["w-unlisted"]
	{"code": "waiver_applied", "message": "waiver w-unlisted lifts secret_detected for this call"} in lifted.reasons
	clean := decision with input as with_waivers(with_content([], 0), [w])
	clean.waivers == []
}

# --- a session that read a secret: egress and release need a person ---

read_source := "aws/AWS_ACCESS_KEY_ID in config/aws.ini line 2"

leaving(capability, resource, grant_resource, sources) := object.union(write, {
	"call": object.union(write.call, {"capability": capability, "resource": resource, "tool": "fetch", "args": {}}),
	"session": {"tainted": false, "taint_sources": [], "secret_sources": sources},
	"grants": [{"agent": "coder", "runset": "rs-1", "capability": capability, "resource": grant_resource, "approval": "none"}],
})

egress(sources) := leaving("network.egress", "api.example.com", "*.example.com", sources)

publish(sources) := leaving("release.publish", "acme/api@1.2.0", "acme/api@*", sources)

egress_waiver(fields) := waiver("w-held", object.union(
	{"capability": "network.egress", "resource": "*.example.com", "waives": ["session_holds_secret"]},
	fields,
))

test_egress_and_release_from_a_session_holding_a_secret_need_approval if {
	every doc in [egress([read_source]), publish([read_source])] {
		d := decision with input as doc
		d.decision == "require_approval"
		codes(d) == {"session_holds_secret"}
		d.waivers == []
		some r in d.reasons
		contains(r.message, "session sess-1 has read a secret (aws/AWS_ACCESS_KEY_ID in config/aws.ini line 2)")
		contains(r.message, concat(" on ", [doc.call.capability, doc.call.resource]))
		contains(r.message, "waiver of session_holds_secret")
	}
}

test_every_source_is_named if {
	d := decision with input as egress([read_source, "github/GITHUB_TOKEN in ci.log line 9"])
	some r in d.reasons
	contains(r.message, "(aws/AWS_ACCESS_KEY_ID in config/aws.ini line 2, github/GITHUB_TOKEN in ci.log line 9)")
}

test_a_clean_session_egresses_and_releases if {
	every doc in [egress([]), publish([])] {
		d := decision with input as doc
		d.decision == "allow"
	}
}

test_other_capabilities_of_a_session_holding_a_secret_are_unchanged if {
	every capability in ["repo.read", "repo.write", "tests.run", "package.install", "secrets.read"] {
		d := decision with input as leaving(capability, "x", "*", [read_source])
		d.decision == "allow"
	}
}

test_missing_or_malformed_sources_fail_closed if {
	# object.union merges nested objects, so the missing list is removed rather than left out.
	every doc in [json.remove(egress([]), ["session/secret_sources"]), egress(5), egress("")] {
		d := decision with input as doc
		d.decision == "require_approval"
		codes(d) == {"session_holds_secret"}
		some r in d.reasons
		contains(r.message, "(sources not listed)")
	}
}

test_sources_that_are_not_text_still_hold_a_secret if {
	d := decision with input as egress([1, null])
	codes(d) == {"session_holds_secret"}
	some r in d.reasons
	contains(r.message, "(sources not listed)")
}

test_held_secret_waiver_lifts_and_is_cited if {
	d := decision with input as with_waivers(egress([read_source]), [egress_waiver({})])
	d.decision == "allow"
	d.waivers == ["w-held"]
	codes(d) == {"granted", "waiver_applied"}
	some r in d.reasons
	r.message == "waiver w-held lifts session_holds_secret for this call"
}

# A waiver naming session_holds_secret on a capability that needs no approval for it lifts nothing and is not cited.
test_held_secret_waiver_on_another_capability_is_not_cited if {
	read := leaving("repo.read", "src/a.ts", "**", [read_source])
	w := waiver("w-read", {"capability": "repo.read", "resource": "**", "waives": ["session_holds_secret"]})
	d := decision with input as with_waivers(read, [w])
	d.decision == "allow"
	d.waivers == []
}

test_held_secret_waiver_cited_only_when_it_lifts_something if {
	d := decision with input as with_waivers(egress([]), [egress_waiver({})])
	d.decision == "allow"
	d.waivers == []
}

test_expired_or_other_held_secret_waivers_lift_nothing if {
	every w in [egress_waiver({"expires_at": "2025-06-01T11:00:00Z"}), egress_waiver({"waives": ["secret_detected"]})] {
		d := decision with input as with_waivers(egress([read_source]), [w])
		d.decision == "require_approval"
		codes(d) == {"session_holds_secret"}
	}
}

test_a_denial_outranks_the_approval if {
	d := decision with input as object.union(egress([read_source]), {"grants": []})
	d.decision == "deny"
	codes(d) == {"no_grant"}
}

# --- pins found by mutation testing (policy mutate content.rego) ---

granted_write := {"code": "granted", "message": "granted by grant repo.write on ** for agent coder in run-set rs-1"}

# Pins content.stops (unlisted findings): one unlisted finding is enough to deny, with its count, path and code.
test_one_unlisted_finding_denied if {
	d := decision with input as with_content([], 1)
	d.reasons == [{"code": "secret_detected", "message": concat("", [
		"1 more secrets found in src/billing.ts than one decision lists:",
		" remove them, or ask for a waiver of secret_detected for this path",
	])}]
}

# Pins content.path_waivers: a path waiver of another reason lifts no unlisted finding.
test_path_waiver_of_another_reason_leaves_unlisted_findings if {
	d := decision with input as with_waivers(with_content([], 2), [waiver("w-file", {"waives": ["secret_file"]})])
	d.decision == "deny"
	codes(d) == {"secret_detected"}
	d.waivers == []
}

# Pins content.lifted (findings): the waiver that lifts a finding is cited with the reason it lifts.
test_finding_waiver_cited_with_the_reason_it_lifts if {
	doc := with_waivers(with_content([finding(fingerprint_a, 7)], 0), [waiver("w-fp", {"fingerprints": [fingerprint_a]})])
	d := decision with input as doc
	{r | some r in d.reasons} == {granted_write, {"code": "waiver_applied", "message": "waiver w-fp lifts secret_detected for this call"}}
}

# Pins content.lifted (secret_file): a secret_file waiver is cited, with its reason, only where it lifts a denial.
test_secret_file_waiver_cited_only_where_it_lifts if {
	w := waiver("w-file", {"resource": "**", "waives": ["secret_file"]})
	lifted := decision with input as with_waivers(at("deploy/tls.pem"), [w])
	{r | some r in lifted.reasons} == {granted_write, {"code": "waiver_applied", "message": "waiver w-file lifts secret_file for this call"}}
	ordinary := decision with input as with_waivers(at("src/app.ts"), [w])
	ordinary.decision == "allow"
	ordinary.waivers == []
}

# Tests for maestro/decision: every reason code, each lift (waiver, break-glass) and each hard stop.
package maestro.decision_test

import data.maestro.decision

base := {
	"call": {
		"runset": "rs-1", "agent": "coder", "session": "sess-1", "tool": "read_file",
		"capability": "repo.read", "resource": "src/app.ts", "args": {"path": "src/app.ts"},
	},
	"now": "2025-06-01T12:00:00Z",
	"session": {"tainted": false, "taint_sources": []},
	"budget": {"spent_usd": 1, "cap_usd": 10, "estimated_usd": 0.5},
	"grants": [
		{"agent": "coder", "runset": "*", "capability": "repo.*", "resource": "src/**", "approval": "none"},
		{"agent": "*", "runset": "rs-1", "capability": "tests.run", "resource": "npm test*", "approval": "required"},
		{"agent": "coder", "runset": "rs-1", "capability": "network.egress", "resource": "*.npmjs.org", "approval": "required"},
		{"agent": "releaser", "runset": "rs-1", "capability": "release.publish", "resource": "acme/api@*", "approval": "none"},
		{"agent": "coder", "runset": "rs-1", "capability": "secrets.read", "resource": "ci/*", "approval": "none"},
	],
	"waivers": [],
	"holds": [],
	"breakglass": [],
}

call(fields) := object.union(base, {"call": object.union(base.call, fields)})

with_doc(doc, fields) := object.union(doc, fields)

waiver(id, fields) := object.union(
	{
		"id": id, "capability": "*", "resource": "**", "agents": null, "runsets": null,
		"expires_at": "2025-06-01T13:00:00Z", "waives": ["no_grant"], "state": "active",
	},
	fields,
)

codes(d) := {r.code | some r in d.reasons}

publish := call({"agent": "releaser", "capability": "release.publish", "resource": "acme/api@v1.2.0", "tool": "publish"})

hold(scope) := {"id": "hold-7", "scope": scope, "reason": "audit in progress", "placed_by": "alice"}

# --- grants and tiers ---

test_low_tier_allowed_under_grant if {
	d := decision with input as base
	d.allow == true
	d.decision == "allow"
	codes(d) == {"granted"}
	d.waivers == []
}

test_low_tier_allowed_even_when_grant_requires_approval if {
	d := decision with input as call({"capability": "tests.run", "resource": "npm test -- --run"})
	d.decision == "allow"
}

test_no_grant_denied if {
	d := decision with input as call({"resource": "docs/readme.md"})
	d.allow == false
	d.decision == "deny"
	codes(d) == {"no_grant"}
	d.waivers == []
}

test_resource_glob_respects_delimiters if {
	d := decision with input as with_doc(call({"resource": "src/deep/file.ts"}), {"grants": [
		{"agent": "coder", "runset": "*", "capability": "repo.read", "resource": "src/*", "approval": "none"},
	]})
	d.decision == "deny"
}

test_medium_tier_allowed_with_approval_none if {
	d := decision with input as call({"capability": "repo.write", "resource": "src/app.ts"})
	d.decision == "allow"
}

test_medium_tier_requires_approval if {
	d := decision with input as call({"capability": "network.egress", "resource": "registry.npmjs.org"})
	d.allow == false
	d.decision == "require_approval"
	codes(d) == {"approval_required"}
}

test_grant_for_other_agent_does_not_apply if {
	d := decision with input as call({"agent": "reviewer"})
	codes(d) == {"no_grant"}
}

# --- waivers ---

test_no_grant_waiver_allows_and_is_cited if {
	d := decision with input as with_doc(call({"resource": "docs/readme.md"}), {"waivers": [waiver("w-1", {})]})
	d.decision == "allow"
	d.waivers == ["w-1"]
	d.reasons == [{"code": "waiver_applied", "message": "waiver w-1 lifts no_grant for this call"}]
}

test_approval_waiver_lifts_approval if {
	w := waiver("w-2", {"capability": "network.egress", "waives": ["approval_required"]})
	d := decision with input as with_doc(call({"capability": "network.egress", "resource": "registry.npmjs.org"}), {"waivers": [w]})
	d.decision == "allow"
	d.waivers == ["w-2"]
	d.reasons == [{"code": "waiver_applied", "message": "waiver w-2 lifts approval_required for this call"}]
}

test_approval_waiver_does_not_stand_in_for_a_grant if {
	w := waiver("w-3", {"waives": ["approval_required"]})
	d := decision with input as with_doc(call({"resource": "docs/readme.md"}), {"waivers": [w]})
	codes(d) == {"no_grant"}
}

test_expired_waiver_ignored if {
	w := waiver("w-4", {"expires_at": "2025-06-01T11:59:59Z"})
	d := decision with input as with_doc(call({"resource": "docs/readme.md"}), {"waivers": [w]})
	d.decision == "deny"
	d.waivers == []
}

test_waiver_expiry_compares_instants_not_strings if {
	w := waiver("w-5", {"expires_at": "2025-06-01T14:30:00+02:00"})
	d := decision with input as with_doc(call({"resource": "docs/readme.md"}), {"waivers": [w]})
	d.decision == "allow"
}

test_unparseable_expiry_ignored if {
	w := waiver("w-6", {"expires_at": "tomorrow"})
	d := decision with input as with_doc(call({"resource": "docs/readme.md"}), {"waivers": [w]})
	d.decision == "deny"
}

test_inactive_or_mismatched_waivers_ignored if {
	ws := [
		waiver("revoked", {"state": "revoked"}),
		waiver("other-agent", {"agents": ["reviewer"]}),
		waiver("other-runset", {"runsets": ["rs-2"]}),
		waiver("other-capability", {"capability": "repo.write"}),
		waiver("other-resource", {"resource": "lib/**"}),
		waiver("other-code", {"waives": ["budget_exceeded"]}),
	]
	d := decision with input as with_doc(call({"resource": "docs/readme.md"}), {"waivers": ws})
	codes(d) == {"no_grant"}
}

test_waiver_listing_the_agent_and_runset_applies if {
	w := waiver("w-7", {"agents": ["coder"], "runsets": ["rs-1"]})
	d := decision with input as with_doc(call({"resource": "docs/readme.md"}), {"waivers": [w]})
	d.waivers == ["w-7"]
}

test_waiver_for_unwaivable_capability_ignored if {
	d := decision with input as with_doc(call({"resource": "docs/readme.md"}), {"waivers": [waiver("w-8", {})]})
		with data.maestro.capabilities.waiver_limits as {"repo.read": {"waivable": false, "max_duration_seconds": 0, "approvals_required": 0}}
	codes(d) == {"no_grant"}
}

# --- holds ---

test_release_hold_denies_publish_and_cites_hold if {
	d := decision with input as with_doc(publish, {"holds": [hold({"type": "release", "id": "acme/api@v1.2.0"})]})
	d.decision == "deny"
	some r in d.reasons
	r.code == "hold_active"
	contains(r.message, "hold-7")
	contains(r.message, "alice")
	contains(r.message, "auditor")
}

test_repository_and_global_holds_deny_publish if {
	every scope in [{"type": "repository", "id": "acme/api"}, {"type": "all"}] {
		d := decision with input as with_doc(publish, {"holds": [hold(scope)]})
		codes(d) == {"hold_active"}
	}
}

test_repository_hold_matches_args_repository if {
	p := call({"agent": "releaser", "capability": "release.publish", "resource": "v1.2.0", "args": {"repository": "acme/api"}})
	g := {"agent": "releaser", "runset": "*", "capability": "release.publish", "resource": "*", "approval": "none"}
	d := decision with input as with_doc(p, {"grants": [g], "holds": [hold({"type": "repository", "id": "acme/api"})]})
	codes(d) == {"hold_active"}
}

test_hold_elsewhere_does_not_apply if {
	hs := [hold({"type": "release", "id": "acme/api@v9"}), hold({"type": "repository", "id": "acme/web"})]
	d := decision with input as with_doc(publish, {"holds": hs})
	d.decision == "allow"
}

test_hold_does_not_touch_other_capabilities if {
	d := decision with input as with_doc(base, {"holds": [hold({"type": "all"})]})
	d.decision == "allow"
}

test_hold_is_not_lifted_by_waiver_or_breakglass if {
	d := decision with input as with_doc(publish, {
		"holds": [hold({"type": "all"})],
		"waivers": [waiver("w-9", {"waives": ["no_grant", "hold_active"]})],
		"breakglass": [{"id": "bg-1", "opened_by": "bob", "expires_at": "2025-06-01T13:00:00Z", "scope": {"type": "all"}}],
	})
	codes(d) == {"hold_active"}
	d.waivers == []

	d.obligations.breakglass == []
}

test_denied_call_cites_no_breakglass if {
	# Without a grant, the break-glass would have lifted no_grant; the hold denies the call, which relied on none.
	ungranted := object.union(publish, {"call": object.union(publish.call, {"agent": "nobody"})})
	d := decision with input as with_doc(ungranted, {"holds": [hold({"type": "all"})], "breakglass": [breakglass({})]})
	codes(d) == {"hold_active"}
	d.obligations.breakglass == []
}

test_stops_hold_whatever_their_message_parts if {
	odd_hold := {"id": 7, "scope": {"type": "all"}, "placed_by": null}
	held := decision with input as with_doc(publish, {"holds": [odd_hold]})
	codes(held) == {"hold_active"}
	tainted := decision with input as with_doc(call({"capability": "network.egress", "resource": "registry.npmjs.org"}), {"session": {"tainted": true, "taint_sources": [1, null]}})
	"session_tainted" in codes(tainted)
	tainted.allow == false
}

test_missing_lists_are_invalid_input if {
	every list in ["waivers", "holds", "breakglass"] {
		d := decision with input as with_doc(publish, {list: null})
		codes(d) == {"invalid_input"}
	}
}

# --- session taint ---

tainted_secret := with_doc(call({"capability": "secrets.read", "resource": "ci/npm", "args": {"name": "ci/npm"}}), {"session": {"tainted": true, "taint_sources": ["https://evil.example/x"]}})

test_taint_denies_secrets_read if {
	d := decision with input as tainted_secret
	d.decision == "deny"
	some r in d.reasons
	r.code == "session_tainted"
	contains(r.message, "https://evil.example/x")
}

test_taint_waiver_allows_and_is_cited if {
	w := waiver("w-10", {"capability": "secrets.read", "waives": ["session_tainted"]})
	d := decision with input as with_doc(tainted_secret, {"waivers": [w]})
	d.decision == "allow"
	d.waivers == ["w-10"]
	codes(d) == {"granted", "waiver_applied"}
}

test_taint_does_not_touch_low_risk_reads if {
	d := decision with input as with_doc(base, {"session": {"tainted": true, "taint_sources": ["https://evil.example/x"]}})
	d.decision == "allow"
}

test_missing_taint_flag_fails_closed if {
	d := decision with input as with_doc(tainted_secret, {"session": {}})
	codes(d) == {"session_tainted"}
}

test_untainted_secret_read_allowed if {
	d := decision with input as with_doc(tainted_secret, {"session": {"tainted": false, "taint_sources": []}})
	d.decision == "allow"
}

# --- budget ---

test_budget_exceeded_denied if {
	d := decision with input as with_doc(base, {"budget": {"spent_usd": 9.75, "cap_usd": 10, "estimated_usd": 0.5}})
	d.decision == "deny"
	codes(d) == {"budget_exceeded"}
}

test_budget_exactly_at_cap_allowed if {
	d := decision with input as with_doc(base, {"budget": {"spent_usd": 9.5, "cap_usd": 10, "estimated_usd": 0.5}})
	d.decision == "allow"
}

test_no_cap_means_no_budget_check if {
	d := decision with input as with_doc(base, {"budget": {"spent_usd": 1000, "cap_usd": null, "estimated_usd": 5}})
	d.decision == "allow"
}

test_budget_waiver_lifts_budget if {
	w := waiver("w-11", {"waives": ["budget_exceeded"]})
	d := decision with input as with_doc(base, {"budget": {"spent_usd": 11, "cap_usd": 10, "estimated_usd": 1}, "waivers": [w]})
	d.decision == "allow"
	d.waivers == ["w-11"]
}

test_breakglass_lifts_budget if {
	bg := {"id": "bg-2", "opened_by": "bob", "expires_at": "2025-06-01T13:00:00Z", "scope": {"type": "runset", "id": "rs-1"}}
	d := decision with input as with_doc(base, {"budget": {"spent_usd": 11, "cap_usd": 10, "estimated_usd": 1}, "breakglass": [bg]})
	d.decision == "allow"
	d.obligations.breakglass == ["bg-2"]
	codes(d) == {"granted", "breakglass_applied"}
}

# --- break-glass ---

breakglass(fields) := object.union({"id": "bg-3", "opened_by": "carol", "expires_at": "2025-06-01T13:00:00Z", "scope": {"type": "all"}}, fields)

test_breakglass_lifts_no_grant_and_is_recorded if {
	d := decision with input as with_doc(call({"resource": "docs/readme.md"}), {"breakglass": [breakglass({})]})
	d.decision == "allow"
	d.obligations.breakglass == ["bg-3"]
	some r in d.reasons
	r.code == "breakglass_applied"
	contains(r.message, "carol")
}

test_breakglass_scopes if {
	every scope in [{"type": "agent", "id": "coder"}, {"type": "all", "capabilities": ["repo.*"]}] {
		d := decision with input as with_doc(call({"resource": "docs/readme.md"}), {"breakglass": [breakglass({"scope": scope})]})
		d.decision == "allow"
	}
}

test_breakglass_out_of_scope_or_expired_ignored if {
	bgs := [
		breakglass({"id": "expired", "expires_at": "2025-06-01T11:00:00Z"}),
		breakglass({"id": "other-agent", "scope": {"type": "agent", "id": "reviewer"}}),
		breakglass({"id": "other-cap", "scope": {"type": "all", "capabilities": ["secrets.*"]}}),
	]
	d := decision with input as with_doc(call({"resource": "docs/readme.md"}), {"breakglass": bgs})
	codes(d) == {"no_grant"}
}

test_breakglass_does_not_lift_taint if {
	d := decision with input as with_doc(tainted_secret, {"breakglass": [breakglass({})]})
	codes(d) == {"session_tainted"}
}

# --- unknown capability and malformed input ---

test_unknown_capability_denied if {
	d := decision with input as with_doc(call({"capability": "shell.exec", "resource": "rm -rf /"}), {"grants": [
		{"agent": "*", "runset": "*", "capability": "*", "resource": "*", "approval": "none"},
	]})
	d.decision == "deny"
	codes(d) == {"unknown_capability"}
}

test_invalid_input_denied if {
	d := decision with input as with_doc(base, {"budget": {"spent_usd": "lots", "cap_usd": 10, "estimated_usd": 1}})
	d.decision == "deny"
	"invalid_input" in codes(d)
}

test_negative_estimate_denied_as_invalid_input if {
	# Spent 9 of a 10 cap: an estimate of -5 would otherwise pass as 9 + (-5) = 4, within the cap.
	d := decision with input as with_doc(base, {"budget": {"spent_usd": 9, "cap_usd": 10, "estimated_usd": -5}})
	d.decision == "deny"
	codes(d) == {"invalid_input"}
}

test_missing_call_denied_by_defaults if {
	d := decision with input as {"now": "2025-06-01T12:00:00Z"}
	d.allow == false
	d.decision == "deny"
	codes(d) == {"invalid_input"}
}

test_all_stops_reported_together if {
	d := decision with input as with_doc(publish, {
		"holds": [hold({"type": "all"})],
		"session": {"tainted": true, "taint_sources": []},
		"budget": {"spent_usd": 20, "cap_usd": 10, "estimated_usd": 0},
	})
	codes(d) == {"hold_active", "session_tainted", "budget_exceeded"}
}

# --- obligations ---

test_secret_fields_listed_for_hashing if {
	d := decision with input as call({
		"capability": "secrets.read", "resource": "ci/npm",
		"args": {"name": "ci/npm", "GitHub_Token": "x", "db_password": "y", "path": "z"},
	})
	d.obligations.secret_fields == ["GitHub_Token", "db_password", "value"]
}

test_secret_fields_listed_even_when_denied if {
	d := decision with input as call({"resource": "docs/readme.md", "args": {"api_key": "k"}})
	d.decision == "deny"
	d.obligations.secret_fields == ["api_key"]
}

test_undefined_outcome_falls_back_to_deny if {
	d := decision with input as base with data.maestro.lib.outcome as {}
	d == {
		"allow": false, "decision": "deny", "waivers": [],
		"reasons": [{"code": "invalid_input", "message": "the policy could not evaluate this input"}],
		"obligations": {"secret_fields": [], "breakglass": []},
	}
}

# Tests for maestro/decision: every reason code, each lift (waiver, break-glass) and each hard stop.
package maestro.decision_test

import data.maestro.decision

base := {
	"call": {
		"runset": "rs-1", "agent": "coder", "session": "sess-1", "tool": "read_file",
		"capability": "repo.read", "resource": "src/app.ts", "args": {"path": "src/app.ts"},
	},
	"now": "2025-06-01T12:00:00Z",
	"session": {"tainted": false, "taint_sources": [], "secret_sources": []},
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

# --- tests that kill policy mutants (maestro policy mutate); each names the rule it pins ---

bad_budget := {"spent_usd": 1, "cap_usd": 10, "estimated_usd": 0.5}

# Pins outcome.valid_input: each shape check on its own turns a malformed input into invalid_input and nothing else.
test_each_input_shape_check_denies_alone if {
	every patch in [
		{"call": object.union(base.call, {"runset": 1})},
		{"call": object.union(base.call, {"agent": 1})},
		{"call": object.union(base.call, {"capability": 1})},
		{"call": object.union(base.call, {"resource": 1})},
		{"session": "tainted"},
		{"budget": object.union(bad_budget, {"estimated_usd": "0.5"})},
		{"budget": object.union(bad_budget, {"estimated_usd": -0.5})},
		{"budget": object.union(bad_budget, {"cap_usd": "10"})},
		{"grants": {}},
	] {
		d := decision with input as with_doc(base, patch)
		d.reasons == [{"code": "invalid_input", "message": "the policy input is missing required fields or has the wrong types"}]
	}
}

# Pins outcome.stops (unknown_capability) and outcome.denials: a malformed input reports only invalid_input.
test_invalid_input_reports_no_consequential_stop if {
	bad := with_doc(call({"capability": "shell.exec", "resource": "docs/readme.md"}), {"grants": "none"})
	codes(decision) == {"invalid_input"} with input as bad
	ungranted := with_doc(call({"resource": "docs/readme.md"}), {"budget": object.union(bad_budget, {"spent_usd": "1"})})
	codes(decision) == {"invalid_input"} with input as ungranted
}

# Pins decision.reasons: an outcome with no reasons falls back to the default invalid_input reason.
test_empty_reasons_fall_back_to_default if {
	d := decision with input as base with data.maestro.lib.outcome.reasons as set()
	d.reasons == [{"code": "invalid_input", "message": "the policy could not evaluate this input"}]
}

# Pins match.unexpired: a waiver expiring exactly now is no longer live.
test_waiver_expiring_now_ignored if {
	w := waiver("w-now", {"expires_at": "2025-06-01T12:00:00Z"})
	codes(decision) == {"no_grant"} with input as with_doc(call({"resource": "docs/readme.md"}), {"waivers": [w]})
}

# Pins match.matching_grants: a grant names its run-set and its capability.
test_grant_for_other_runset_or_capability_does_not_apply if {
	other_runset := {"agent": "coder", "runset": "rs-2", "capability": "repo.read", "resource": "**", "approval": "none"}
	codes(decision) == {"no_grant"} with input as with_doc(base, {"grants": [other_runset]})
	other_capability := {"agent": "coder", "runset": "*", "capability": "repo.write", "resource": "**", "approval": "none"}
	codes(decision) == {"no_grant"} with input as with_doc(base, {"grants": [other_capability]})
}

# Pins match.hold_scope_matches: a repository hold names a repository, a release hold a release id.
test_hold_scope_types_are_not_interchangeable if {
	every scope in [{"type": "repository", "id": "acme/api@v1.2.0"}, {"type": "release", "id": "acme/api"}] {
		d := decision with input as with_doc(publish, {"holds": [hold(scope)]})
		d.decision == "allow"
	}
}

# Pins match.breakglass_scope_matches: scope type and id both count.
test_breakglass_scope_type_and_id_both_count if {
	every scope in [{"type": "runset", "id": "rs-2"}, {"type": "agent", "id": "rs-1"}, {"type": "runset", "id": "coder"}] {
		d := decision with input as with_doc(call({"resource": "docs/readme.md"}), {"breakglass": [breakglass({"scope": scope})]})
		codes(d) == {"no_grant"}
	}
	d := decision with input as with_doc(call({"resource": "docs/readme.md"}), {"breakglass": [breakglass({"scope": {"type": "runset", "id": "rs-1"}})]})
	d.decision == "allow"
}

# Pins match.breakglass_capability_matches: any one of the listed capability globs is enough.
test_breakglass_any_listed_capability_matches if {
	scope := {"type": "all", "capabilities": ["secrets.*", "repo.*"]}
	d := decision with input as with_doc(call({"resource": "docs/readme.md"}), {"breakglass": [breakglass({"scope": scope})]})
	d.obligations.breakglass == ["bg-3"]
}

# Pins outcome.member_text: a missing hold field reads as empty, not as a placeholder.
test_hold_message_with_missing_fields if {
	d := decision with input as with_doc(publish, {"holds": [{"id": "hold-8", "scope": {"type": "all"}}]})
	d.reasons == [{"code": "hold_active", "message": "hold hold-8 placed by  blocks release.publish (); only an auditor can clear it"}]
}

# Pins outcome.authority_waivers: with a grant needing approval, a no_grant waiver lifts the approval step.
test_no_grant_waiver_lifts_approval_of_existing_grant if {
	w := waiver("w-12", {"capability": "network.egress"})
	d := decision with input as with_doc(call({"capability": "network.egress", "resource": "registry.npmjs.org"}), {"waivers": [w]})
	d.reasons == [{"code": "waiver_applied", "message": "waiver w-12 lifts approval_required for this call"}]
}

# Pins outcome.lifted_by_waiver: each lift names the reason it lifted, and nothing is cited that lifted nothing.
test_waivers_cite_what_they_lifted if {
	tw := waiver("w-13", {"capability": "secrets.read", "waives": ["session_tainted"]})
	tainted := decision with input as with_doc(tainted_secret, {"waivers": [tw]})
	{"code": "waiver_applied", "message": "waiver w-13 lifts session_tainted for this call"} in tainted.reasons
	clean := decision with input as with_doc(tainted_secret, {"session": {"tainted": false}, "waivers": [tw]})
	clean.waivers == []
	bw := waiver("w-14", {"waives": ["budget_exceeded"]})
	over := decision with input as with_doc(base, {"budget": {"spent_usd": 11, "cap_usd": 10, "estimated_usd": 1}, "waivers": [bw]})
	{"code": "waiver_applied", "message": "waiver w-14 lifts budget_exceeded for this call"} in over.reasons
	under := decision with input as with_doc(base, {"waivers": [bw]})
	under.waivers == []
	granted := decision with input as with_doc(base, {"waivers": [waiver("w-15", {})]})
	granted.waivers == []
}

# Pins outcome.lifted_by_breakglass: break-glass is cited only when it lifted something a waiver did not.
test_breakglass_cited_only_when_it_lifted_something if {
	bg := breakglass({})
	granted := decision with input as with_doc(base, {"breakglass": [bg]})
	granted.obligations.breakglass == []
	over := {"spent_usd": 11, "cap_usd": 10, "estimated_usd": 1}
	lifted := decision with input as with_doc(base, {"budget": over, "breakglass": [bg]})
	{"code": "breakglass_applied", "message": "break-glass bg-3 opened by carol lifts budget_exceeded; its use is recorded for review"} in lifted.reasons
	both := decision with input as with_doc(base, {"budget": over, "waivers": [waiver("w-16", {"waives": ["budget_exceeded"]})], "breakglass": [bg]})
	both.waivers == ["w-16"]
	both.obligations.breakglass == []
}

# Pins outcome.waivers: a denied call cites no waiver even when one lifted a stop that was not the last.
test_denied_call_cites_no_waiver if {
	w := waiver("w-17", {"capability": "release.publish", "waives": ["session_tainted"]})
	d := decision with input as with_doc(publish, {"holds": [hold({"type": "all"})], "session": {"tainted": true}, "waivers": [w]})
	codes(d) == {"hold_active"}
	d.waivers == []
}

# Pins match.call_repositories: a repository comes only from before the "@" of a release id, or a string args.repository.
test_call_repositories_only_from_release_ids_and_string_args if {
	g := {"agent": "releaser", "runset": "*", "capability": "release.publish", "resource": "*", "approval": "none"}
	bare := call({"agent": "releaser", "capability": "release.publish", "resource": "acme/api", "args": {"repository": "acme/web"}})
	every id in ["acme/api", "a"] {
		d := decision with input as with_doc(bare, {"grants": [g], "holds": [hold({"type": "repository", "id": id})]})
		d.decision == "allow"
	}
	odd := call({"agent": "releaser", "capability": "release.publish", "resource": "v1", "args": {"repository": 7}})
	d := decision with input as with_doc(odd, {"grants": [g], "holds": [hold({"type": "repository", "id": 7})]})
	d.decision == "allow"
}

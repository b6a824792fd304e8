# How the checks combine into one outcome: hard stops, authority (grant, waiver, break-glass, approval) and reasons.
package maestro.lib.outcome

import data.maestro.capabilities.catalogue
import data.maestro.capabilities.secret_arg_markers
import data.maestro.lib.content
import data.maestro.lib.licence
import data.maestro.lib.match

call := input.call

cap := catalogue[call.capability]

# --- input shape: a malformed input is denied, never guessed at ---

valid_input if {
	is_string(call.runset)
	is_string(call.agent)
	is_string(call.capability)
	is_string(call.resource)
	is_object(input.session)
	is_number(input.budget.spent_usd)
	is_number(input.budget.estimated_usd)

	# A negative estimate would offset what was already spent and slip under the cap.
	input.budget.estimated_usd >= 0
	valid_cap(input.budget.cap_usd)
	is_array(input.grants)

	# Absent or null lists would skip their checks (a hold that stops nothing): malformed, so denied.
	is_array(input.waivers)
	is_array(input.holds)
	is_array(input.breakglass)
}

valid_cap(null)

valid_cap(value) if is_number(value)

# --- hard stops: neither grants, waivers nor break-glass lift these ---

stops contains {"code": "invalid_input", "message": "the policy input is missing required fields or has the wrong types"} if not valid_input

stops contains reason if {
	valid_input
	not cap
	reason := {"code": "unknown_capability", "message": concat("", ["capability ", call.capability, " is not in the capability catalogue"])}
}

# Messages are built with text(): a stop must never vanish because one of its message's parts is not a string.
text(value) := value if is_string(value)

else := json.marshal(value)

member_text(obj, key) := text(object.get(obj, key, ""))

stops contains reason if {
	some hold in match.matching_holds
	reason := {"code": "hold_active", "message": concat("", [
		"hold ", member_text(hold, "id"), " placed by ", member_text(hold, "placed_by"), " blocks ", call.capability,
		" (", member_text(hold, "reason"), "); only an auditor can clear it",
	])}
}

# --- content: secrets found in a write and never-written files; a waiver naming the reason lifts them (content.rego) ---

stops contains reason if some reason in content.stops

stops contains reason if some reason in licence.stops

# Facts a person must look at before the call runs (an unknown licence, a secret that could leave with it), whatever
# grant allows it.
approvals_needed := licence.approvals | content.approvals

# --- session taint: untrusted content was read; a waiver naming session_tainted lifts it ---

# A missing session.tainted counts as tainted: fail closed.
tainted if {
	cap.taint_sensitive
	not input.session.tainted == false
}

taint_waivers := match.waivers_for("session_tainted")

stops contains reason if {
	tainted
	count(taint_waivers) == 0
	reason := {"code": "session_tainted", "message": concat("", [
		"session ", member_text(call, "session"), " has read untrusted content (",
		concat(", ", [text(source) | some source in object.get(input.session, "taint_sources", [])]), "); ",
		call.capability, " is denied unless a waiver names session_tainted",
	])}
}

# --- budget: spent + estimated must stay within the cap; a waiver or break-glass lifts it ---

over_budget if {
	input.budget.cap_usd != null
	input.budget.spent_usd + input.budget.estimated_usd > input.budget.cap_usd
}

budget_waivers := match.waivers_for("budget_exceeded")

breakglass_ids := {entry.id | some entry in match.active_breakglass}

budget_lifted_by := "waiver" if count(budget_waivers) > 0

else := "breakglass" if count(breakglass_ids) > 0

stops contains reason if {
	over_budget
	not budget_lifted_by
	reason := {"code": "budget_exceeded", "message": concat("", [
		"spent ", json.marshal(input.budget.spent_usd), " + estimated ", json.marshal(input.budget.estimated_usd),
		" USD exceeds the run-set cap of ", json.marshal(input.budget.cap_usd), " USD",
	])}
}

# --- authority: who says this agent may do this ---

authorises(grant) if grant.approval == "none"

authorises(_) if cap.tier == "low"

authorising_grants := {grant | some grant in match.matching_grants; authorises(grant)}

has_grant if count(match.matching_grants) > 0

# A no_grant waiver stands in for a grant with approval "none"; an approval_required waiver
# only lifts the approval step of a grant that exists.
authority_waivers := match.waivers_for("no_grant") if not has_grant

else := match.waivers_for("no_grant") | match.waivers_for("approval_required")

# mutate: equivalent string — nothing compares authority with "grant": any value other than the four tested acts the same
authority := "grant" if count(authorising_grants) > 0

else := "waiver" if count(authority_waivers) > 0

else := "breakglass" if count(breakglass_ids) > 0

else := "approval" if has_grant

else := "none"

no_grant_reason := {"code": "no_grant", "message": concat("", [
	"no grant allows agent ", call.agent, " in run-set ", call.runset,
	" to use ", call.capability, " on ", call.resource,
])}

# --- the outcome ---

# Unknown capabilities and malformed inputs report only that stop, not a consequential no_grant.
denials := stops | {no_grant_reason | authority == "none"; cap; valid_input}

kind := "deny" if count(denials) > 0

needs_approval if authority == "approval"

needs_approval if count(approvals_needed) > 0

kind := "require_approval" if {
	count(denials) == 0
	needs_approval
}

kind := "allow" if {
	count(denials) == 0
	not needs_approval
}

# What each waiver or break-glass entry actually lifted, as [id, reason code] pairs; cited on allow/require_approval.
authority_code := "no_grant" if not has_grant

else := "approval_required"

lifted_by_waiver contains [id, "session_tainted"] if {
	tainted
	some id in taint_waivers
}

lifted_by_waiver contains [id, "budget_exceeded"] if {
	over_budget

	# mutate: equivalent drop-expr — budget_waivers is empty whenever budget_lifted_by is not "waiver"
	budget_lifted_by == "waiver"
	some id in budget_waivers
}

lifted_by_waiver contains pair if some pair in content.lifted

lifted_by_waiver contains pair if some pair in licence.lifted

lifted_by_waiver contains [id, authority_code] if {
	authority == "waiver"
	some id in authority_waivers
}

lifted_by_breakglass contains [id, "budget_exceeded"] if {
	over_budget
	budget_lifted_by == "breakglass"
	some id in breakglass_ids
}

lifted_by_breakglass contains [id, authority_code] if {
	authority == "breakglass"
	some id in breakglass_ids
}

applied_waivers := {id | some [id, _] in lifted_by_waiver}

# A deny relied on no break-glass: citing one would count a use (and a review) for a call that never ran.
applied_breakglass := set() if kind == "deny"

else := {id | some [id, _] in lifted_by_breakglass}

lift_reasons := {reason |
	some [id, code] in lifted_by_waiver
	reason := {"code": "waiver_applied", "message": concat("", ["waiver ", id, " lifts ", code, " for this call"])}
} | {reason |
	some entry in match.active_breakglass
	some [entry.id, code] in lifted_by_breakglass
	reason := {"code": "breakglass_applied", "message": concat("", [
		"break-glass ", entry.id, " opened by ", entry.opened_by, " lifts ", code, "; its use is recorded for review",
	])}
}

grant_reasons := {reason |
	some grant in authorising_grants
	reason := {"code": "granted", "message": concat("", [
		"granted by grant ", grant.capability, " on ", grant.resource,
		" for agent ", grant.agent, " in run-set ", grant.runset,
	])}
}

approval_reason := {"code": "approval_required", "message": concat("", [
	call.capability, " (", cap.tier, " risk) is granted with approval \"required\": a person must approve this call",
])}

reasons := denials if kind == "deny"

reasons := (lift_reasons | {approval_reason | authority == "approval"}) | approvals_needed if kind == "require_approval"

reasons := lift_reasons | grant_reasons if kind == "allow"

# mutate: equivalent string — on a deny neither rule applies then, and decision.waivers defaults to []
waivers := set() if kind == "deny"

waivers := applied_waivers if kind != "deny"

# --- obligations: what the mediator must do whatever the outcome ---

secret_fields contains field if some field in cap.secret_args

secret_fields contains name if {
	some name, _ in call.args
	some marker in secret_arg_markers
	contains(lower(name), marker)
}

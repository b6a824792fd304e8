# Which grants, waivers, holds and break-glass entries apply to the call in input.call, and when they are live.
package maestro.lib.match

import data.maestro.capabilities.catalogue
import data.maestro.capabilities.waiver_limits
import data.maestro.lib.glob as patterns

call := input.call

# --- time: the policy checks expiry itself against input.now (nanosecond precision) ---

now_ns := time.parse_rfc3339_ns(input.now)

# An unparseable timestamp makes this undefined, so a malformed expiry never counts as live.
unexpired(expires_at) if time.parse_rfc3339_ns(expires_at) > now_ns

# --- names and globs ---

name_matches("*", _)

name_matches(pattern, value) if pattern == value

# Capability patterns split on "." so "repo.*" covers repo.read and repo.write but not "repository.x";
# a lone "*" means every capability.
capability_matches("*")

capability_matches(pattern) if {
	# mutate: equivalent drop-expr,string — only skips a glob for "*", which the rule above already matched
	pattern != "*"

	# mutate: equivalent empty-collection — glob.match reads empty delimiters as ["."]
	patterns.match(pattern, ["."], call.capability)
}

# Resource globs use the capability's delimiters; unknown capabilities match no resource.
resource_matches(pattern) if patterns.match(pattern, catalogue[call.capability].delimiters, call.resource)

# A null (or absent) list means "everyone".
listed(null, _)

listed(list, value) if value in list

# --- grants ---

matching_grants contains grant if {
	some grant in input.grants
	name_matches(grant.agent, call.agent)
	name_matches(grant.runset, call.runset)
	capability_matches(grant.capability)
	resource_matches(grant.resource)
}

# --- waivers ---

active_waivers contains waiver if {
	some waiver in input.waivers
	waiver.state == "active"
	unexpired(waiver.expires_at)
	capability_matches(waiver.capability)
	resource_matches(waiver.resource)
	listed(object.get(waiver, "agents", null), call.agent)
	listed(object.get(waiver, "runsets", null), call.runset)
	waiver_limits[call.capability].waivable
}

# Ids of the live waivers for this call that waive the given reason code.
waivers_for(code) := {waiver.id | some waiver in active_waivers; code in waiver.waives}

# --- holds (placed and cleared by the auditor; they stop every release.* capability) ---

release_capability if startswith(call.capability, "release.")

# Repositories a release call touches: "owner/repo" from a "owner/repo@version" release id, or args.repository.
call_repositories contains split(call.resource, "@")[0] if contains(call.resource, "@")

call_repositories contains call.args.repository if is_string(call.args.repository)

hold_scope_matches(scope) if scope.type == "all"

hold_scope_matches(scope) if {
	scope.type == "release"
	scope.id == call.resource
}

hold_scope_matches(scope) if {
	scope.type == "repository"
	scope.id in call_repositories
}

matching_holds contains hold if {
	release_capability
	some hold in input.holds
	hold_scope_matches(hold.scope)
}

# --- break-glass (emergency access opened by a person; always recorded) ---

breakglass_scope_matches(scope) if scope.type == "all"

breakglass_scope_matches(scope) if {
	scope.type == "runset"
	scope.id == call.runset
}

breakglass_scope_matches(scope) if {
	scope.type == "agent"
	scope.id == call.agent
}

# Optional scope.capabilities: a list of capability globs the break-glass is limited to.
breakglass_capability_matches(scope) if object.get(scope, "capabilities", null) == null

breakglass_capability_matches(scope) if {
	some pattern in scope.capabilities
	capability_matches(pattern)
}

active_breakglass contains entry if {
	some entry in input.breakglass
	unexpired(entry.expires_at)
	breakglass_scope_matches(entry.scope)
	breakglass_capability_matches(entry.scope)
}

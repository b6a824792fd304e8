# The capability catalogue: each capability's risk tier, how its resource globs split, and its taint and secret rules.
package maestro.capabilities

# tier: "low" is allowed by any matching grant; "medium"/"high" need a grant with approval "none"
# (a grant with approval "required" turns the call into require_approval).
# delimiters: separators a single `*` in a resource glob does not cross (OPA glob.match; null = none,
# so `*` matches anything): https://www.openpolicyagent.org/docs/policy-reference/#builtin-glob-globmatch
# taint_sensitive: denied in a session that has read untrusted content, unless a waiver names the taint.
# secret_args: argument fields that always carry secrets (the mediator hashes them before recording).
catalogue := {
	"repo.read": {"tier": "low", "delimiters": ["/"], "taint_sensitive": false, "secret_args": []},
	"repo.write": {"tier": "medium", "delimiters": ["/"], "taint_sensitive": false, "secret_args": []},
	"tests.run": {"tier": "low", "delimiters": null, "taint_sensitive": false, "secret_args": []},
	"network.egress": {"tier": "medium", "delimiters": ["."], "taint_sensitive": true, "secret_args": []},
	"package.install": {"tier": "medium", "delimiters": [":"], "taint_sensitive": true, "secret_args": []},
	"secrets.read": {"tier": "high", "delimiters": ["/"], "taint_sensitive": true, "secret_args": ["value"]},
	"release.publish": {"tier": "high", "delimiters": null, "taint_sensitive": true, "secret_args": []},
}

# Argument names containing any of these (case-insensitive) are treated as secrets too.
secret_arg_markers := {"token", "password", "passwd", "secret", "api_key", "apikey", "private_key", "credential"}

# Waiver limits per capability, served to the waiver service through maestro/waiver_rules.
# waivable: whether a waiver may be granted at all; max_duration_seconds: longest allowed
# expires_at - approved_at; approvals_required: distinct approvers (never the requester).
waiver_limits := {
	"repo.read": {"waivable": true, "max_duration_seconds": 604800, "approvals_required": 1},
	"repo.write": {"waivable": true, "max_duration_seconds": 259200, "approvals_required": 1},
	"tests.run": {"waivable": true, "max_duration_seconds": 604800, "approvals_required": 1},
	"network.egress": {"waivable": true, "max_duration_seconds": 86400, "approvals_required": 1},
	"package.install": {"waivable": true, "max_duration_seconds": 86400, "approvals_required": 1},
	"secrets.read": {"waivable": true, "max_duration_seconds": 3600, "approvals_required": 2},
	"release.publish": {"waivable": true, "max_duration_seconds": 86400, "approvals_required": 2},
}

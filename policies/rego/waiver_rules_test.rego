# Tests for maestro/waiver_rules: every catalogued capability has limits; high risk needs two approvers.
package maestro.waiver_rules_test

import data.maestro.capabilities.catalogue
import data.maestro.waiver_rules

test_every_capability_has_waiver_limits if {
	every name, _ in catalogue {
		waiver_rules.capabilities[name]
	}
}

test_high_risk_needs_two_approvers if {
	every name, entry in catalogue {
		entry.tier == "high"
		waiver_rules.capabilities[name].approvals_required >= 2
	} with catalogue as {name: entry | some name, entry in catalogue; entry.tier == "high"}
}

test_rule_for_requested_capability if {
	r := waiver_rules.rule with input as {"capability": "secrets.read"}
	r == {"waivable": true, "max_duration_seconds": 3600, "approvals_required": 2}
	p := waiver_rules.rule with input as {"capability": "release.publish"}
	p.max_duration_seconds == 86400
}

test_unknown_capability_not_waivable if {
	# Pins the default rule: nothing about an unknown capability may be waived.
	r := waiver_rules.rule with input as {"capability": "shell.exec"}
	r == {"waivable": false, "max_duration_seconds": 0, "approvals_required": 0}
}

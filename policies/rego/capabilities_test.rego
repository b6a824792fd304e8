# Tests that pin the capability catalogue and the waiver limits: each value decides what an agent may do or how
# long a waiver may last, so changing one must be a reviewed change to this file too (policy mutation, issue #19).
package maestro.capabilities_test

import data.maestro.capabilities.catalogue
import data.maestro.capabilities.waiver_limits

# Pins catalogue: tier, resource delimiters, taint sensitivity and secret arguments of every capability.
test_catalogue_pinned if {
	catalogue == {
		"repo.read": {"tier": "low", "delimiters": ["/"], "taint_sensitive": false, "secret_args": []},
		"repo.write": {"tier": "medium", "delimiters": ["/"], "taint_sensitive": false, "secret_args": []},
		"tests.run": {"tier": "low", "delimiters": null, "taint_sensitive": false, "secret_args": []},
		"network.egress": {"tier": "medium", "delimiters": ["."], "taint_sensitive": true, "secret_args": []},
		"package.install": {"tier": "medium", "delimiters": [":"], "taint_sensitive": true, "secret_args": []},
		"secrets.read": {"tier": "high", "delimiters": ["/"], "taint_sensitive": true, "secret_args": ["value"]},
		"release.publish": {"tier": "high", "delimiters": null, "taint_sensitive": true, "secret_args": []},
	}
}

# Pins waiver_limits: waivable, max_duration_seconds and approvals_required of every capability.
test_waiver_limits_pinned if {
	waiver_limits == {
		"repo.read": {"waivable": true, "max_duration_seconds": 604800, "approvals_required": 1},
		"repo.write": {"waivable": true, "max_duration_seconds": 259200, "approvals_required": 1},
		"tests.run": {"waivable": true, "max_duration_seconds": 604800, "approvals_required": 1},
		"network.egress": {"waivable": true, "max_duration_seconds": 86400, "approvals_required": 1},
		"package.install": {"waivable": true, "max_duration_seconds": 86400, "approvals_required": 1},
		"secrets.read": {"waivable": true, "max_duration_seconds": 3600, "approvals_required": 2},
		"release.publish": {"waivable": true, "max_duration_seconds": 86400, "approvals_required": 2},
	}
}

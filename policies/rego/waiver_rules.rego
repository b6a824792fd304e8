# Entrypoint maestro/waiver_rules: per-capability limits the waiver service enforces when a waiver is requested.
package maestro.waiver_rules

import data.maestro.capabilities.waiver_limits

# Every capability's limits (the table lives next to the catalogue in capabilities.rego).
capabilities := waiver_limits

# The rule for input.capability; capabilities not listed cannot be waived.
default rule := {"waivable": false, "max_duration_seconds": 0, "approvals_required": 0}

rule := capabilities[input.capability]

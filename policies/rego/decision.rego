# Entrypoint maestro/decision: the decision document the mediator enforces for one tool call.
package maestro.decision

# This package holds only the five fields of the decision document, because the entrypoint
# evaluates the whole package: {allow, decision, reasons, waivers, obligations}. The logic lives
# in maestro.lib.*. Anything undefined falls back to deny.
import data.maestro.lib.outcome

default decision := "deny"

decision := outcome.kind

default allow := false

allow if decision == "allow"

default reasons := [{"code": "invalid_input", "message": "the policy could not evaluate this input"}]

# Sets become sorted arrays so the document is deterministic and matches the schema.
reasons := [reason | some reason in outcome.reasons] if count(outcome.reasons) > 0

default waivers := []

waivers := sort(outcome.waivers)

default obligations := {"secret_fields": [], "breakglass": []}

obligations := {
	"secret_fields": sort(outcome.secret_fields),
	"breakglass": sort(outcome.applied_breakglass),
}

# Tests for licence compatibility on lock file writes: allowed, denied, needing approval, and the waivers for each.
package maestro.licence_test

import data.maestro.decision
import data.maestro.lib.licence

pkg(name, licence, alternatives) := {"name": name, "version": "1.0.0", "licence": licence, "alternatives": alternatives}

lock_write(project_ids, packages) := {
	"call": {
		"runset": "rs-1", "agent": "coder", "session": "sess-1", "tool": "write_file",
		"capability": "repo.write", "resource": "package-lock.json", "args": {},
	},
	"now": "2025-06-01T12:00:00Z",
	"session": {"tainted": false, "taint_sources": [], "secret_sources": []},
	"budget": {"spent_usd": 0, "cap_usd": null, "estimated_usd": 0},
	"grants": [{"agent": "coder", "runset": "rs-1", "capability": "repo.write", "resource": "**", "approval": "none"}],
	"waivers": [],
	"holds": [],
	"breakglass": [],
	"runset": {"license": concat(" AND ", project_ids), "license_ids": project_ids},
	"content": {"bytes": 1, "digest": "sha256:00", "findings": [], "unlisted": 0, "lockfile": {"packages": packages}},
}

waiver(id, code) := {
	"id": id, "capability": "repo.write", "resource": "package-lock.json", "agents": null, "runsets": null,
	"expires_at": "2025-06-01T13:00:00Z", "waives": [code], "state": "active",
}

codes(d) := {r.code | some r in d.reasons}

gpl := pkg("readline-gpl", "GPL-3.0-only", [["GPL-3.0-only"]])

test_apache_dependency_in_mit_project_allowed if {
	d := decision with input as lock_write(["MIT"], [pkg("left-pad", "Apache-2.0", [["Apache-2.0"]])])
	d.decision == "allow"
}

test_gpl_dependency_in_mit_project_denied_naming_package_and_licence if {
	d := decision with input as lock_write(["MIT"], [gpl, pkg("ok", "MIT", [["MIT"]])])
	d.decision == "deny"
	codes(d) == {"licence_incompatible"}
	some r in d.reasons
	contains(r.message, "readline-gpl@1.0.0 (GPL-3.0-only)")
	not contains(r.message, "ok@")
}

test_dual_licensed_dependency_allowed_under_one_alternative if {
	d := decision with input as lock_write(["Apache-2.0"], [pkg("dual", "GPL-2.0-only OR MIT", [["GPL-2.0-only"], ["MIT"]])])
	d.decision == "allow"
}

test_unknown_and_weak_copyleft_need_approval if {
	d := decision with input as lock_write(["MIT"], [
		pkg("nolicence", null, []),
		pkg("weak", "MPL-2.0", [["MPL-2.0"]]),
	])
	d.decision == "require_approval"
	codes(d) == {"licence_unknown"}
	some r in d.reasons
	contains(r.message, "nolicence@1.0.0 (no licence declared)")
	contains(r.message, "weak@1.0.0 (MPL-2.0)")
}

test_unreadable_lock_file_needs_approval if {
	doc := object.union(lock_write(["MIT"], []), {"content": {"bytes": 1, "digest": "sha256:00", "findings": [], "unlisted": 0, "lockfile": {"packages": null}}})
	d := decision with input as doc
	d.decision == "require_approval"
	codes(d) == {"licence_unknown"}
}

test_project_without_a_licence_checks_nothing if {
	doc := json.remove(lock_write(["MIT"], [gpl]), ["runset"])
	d := decision with input as doc
	d.decision == "allow"
}

test_unknown_project_licence_makes_every_package_unknown if {
	d := decision with input as lock_write(["LicenseRef-Custom"], [pkg("left-pad", "MIT", [["MIT"]])])
	d.decision == "require_approval"
}

test_waivers_lift_each_reason_and_are_cited if {
	denied := object.union(lock_write(["MIT"], [gpl]), {"waivers": [waiver("w-gpl", "licence_incompatible")]})
	d := decision with input as denied
	d.decision == "allow"
	d.waivers == ["w-gpl"]
	unknown := object.union(lock_write(["MIT"], [pkg("x", null, [])]), {"waivers": [waiver("w-unk", "licence_unknown")]})
	e := decision with input as unknown
	e.decision == "allow"
	e.waivers == ["w-unk"]
}

# Pins the licence catalogue value by value: a licence dropped from either set changes what projects may ship.
test_catalogue_is_pinned if {
	licence.permissive == {
		"MIT", "MIT-0", "ISC", "BSD-2-Clause", "BSD-3-Clause", "0BSD", "Apache-2.0", "Zlib", "Unlicense", "CC0-1.0",
		"BlueOak-1.0.0", "Python-2.0", "CC-BY-4.0", "BSD-2-Clause-Patent", "WTFPL",
	}
	licence.copyleft == {
		"GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later", "GPL-2.0", "GPL-3.0", "GPL-2.0+", "GPL-3.0+",
		"AGPL-3.0-only", "AGPL-3.0-or-later", "AGPL-3.0", "AGPL-1.0", "SSPL-1.0", "EUPL-1.2", "OSL-3.0",
	}
}

# Pins `checked`: a run-set without a licence checks nothing, not even an unreadable lock file.
test_no_project_licence_checks_nothing if {
	doc := lock_write([], [gpl, pkg("weak", "LGPL-3.0-only", [["LGPL-3.0-only"]])])
	not licence.checked with input as doc
	count(licence.approvals) == 0 with input as doc
	unreadable := object.union(lock_write([], []), {"content": {"lockfile": {"packages": null}}})
	count(licence.approvals) == 0 with input as unreadable
}

# Pins `every` in fine(): one allowed id in an AND alternative is not enough.
test_and_alternative_needs_every_licence_allowed if {
	doc := lock_write(["MIT"], [pkg("dual", "MIT AND LGPL-3.0-only", [["MIT", "LGPL-3.0-only"]])])
	{r.code | some r in licence.approvals} == {"licence_unknown"} with input as doc
}

# Pins `lifted`: a waiver is cited only when its reason is there to lift, and under its own code.
test_lifted_only_for_a_reason_present if {
	waivers := {"waivers": [waiver("w-gpl", "licence_incompatible"), waiver("w-unk", "licence_unknown")]}
	clean := object.union(lock_write(["MIT"], [pkg("ok", "MIT", [["MIT"]])]), waivers)
	count(licence.lifted) == 0 with input as clean
	denied := object.union(lock_write(["MIT"], [gpl]), waivers)
	licence.lifted == {["w-gpl", "licence_incompatible"]} with input as denied
	unknown := object.union(lock_write(["MIT"], [pkg("x", null, [])]), waivers)
	licence.lifted == {["w-unk", "licence_unknown"]} with input as unknown
}

# Pins the waiver check on an unreadable lock file.
test_unreadable_lock_file_lifted_by_unknown_waiver if {
	doc := object.union(lock_write(["MIT"], []), {
		"content": {"lockfile": {"packages": null}},
		"waivers": [waiver("w-unk", "licence_unknown")],
	})
	count(licence.approvals) == 0 with input as doc
}

# --- package.install with the lock file it writes ---

install(project_ids, name, packages, installs) := object.union(lock_write(project_ids, packages), {
	"call": {"capability": "package.install", "resource": concat(":", ["npm", name]), "tool": "install_package", "args": {"name": name}},
	"grants": [{"agent": "coder", "runset": "rs-1", "capability": "package.install", "resource": "npm:*", "approval": "none"}],
	"content": {"lockfile": {"packages": packages, "installs": installs}},
})

install_waiver(id) := object.union(waiver(id, "licence_unknown"), {"capability": "package.install", "resource": "npm:*"})

apache := pkg("apache-thing", "Apache-2.0", [["Apache-2.0"]])

test_install_of_a_gpl_package_into_an_mit_project_denied if {
	d := decision with input as install(["MIT"], "readline-gpl", [gpl], gpl)
	d.decision == "deny"
	codes(d) == {"licence_incompatible"}
	some r in d.reasons
	contains(r.message, "readline-gpl@1.0.0 (GPL-3.0-only)")
}

test_install_of_an_apache_package_into_an_mit_project_allowed if {
	d := decision with input as install(["MIT"], "apache-thing", [apache], apache)
	d.decision == "allow"
	d.waivers == []
}

test_install_whose_lock_file_does_not_pin_it_needs_approval if {
	every doc in [install(["MIT"], "other", [apache], null), json.remove(install(["MIT"], "other", [apache], null), ["content/lockfile/installs"])] {
		d := decision with input as doc
		d.decision == "require_approval"
		codes(d) == {"licence_unknown"}
		some r in d.reasons
		r.message == concat("", [
			"the lock file sent with npm:other does not pin it at node_modules/, so it is not the lock file",
			" this install writes and its licences cannot be checked; a person must approve",
		])
	}
}

test_unpinned_install_lifted_by_an_unknown_waiver_and_cited if {
	d := decision with input as object.union(install(["MIT"], "other", [apache], null), {"waivers": [install_waiver("w-unk")]})
	d.decision == "allow"
	d.waivers == ["w-unk"]
	licence.lifted == {["w-unk", "licence_unknown"]} with input as object.union(install(["MIT"], "other", [apache], null), {"waivers": [install_waiver("w-unk")]})
}

# Pins install_unpinned's conditions: a write has no installed package, a project without a licence checks nothing,
# and an unreadable lock file says so in its own reason, not this one.
test_unpinned_only_for_a_checked_readable_install if {
	not licence.install_unpinned with input as lock_write(["MIT"], [apache])
	not licence.install_unpinned with input as install([], "other", [apache], null)
	not licence.install_unpinned with input as install(["MIT"], "other", null, null)
	licence.install_unpinned with input as install(["MIT"], "other", [apache], null)
	not licence.install_unpinned with input as install(["MIT"], "apache-thing", [apache], apache)
}

# An unreadable lock file's approval, lifted by a waiver, cites it.
test_unreadable_lock_file_waiver_is_cited if {
	doc := object.union(install(["MIT"], "x", null, null), {"waivers": [install_waiver("w-unk")]})
	d := decision with input as doc
	d.decision == "allow"
	d.waivers == ["w-unk"]
	licence.lifted == {["w-unk", "licence_unknown"]} with input as doc
	count(licence.lifted) == 0 with input as object.union(install([], "x", null, null), {"waivers": [install_waiver("w-unk")]})
}

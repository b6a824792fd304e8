# Licence compatibility for npm lock file writes and installs: each pinned package's licence against the run-set's
# project licence.
package maestro.lib.licence

import data.maestro.lib.match

call := input.call

# --- policy data: which dependency licences each project licence can ship ---

permissive := {
	"MIT", "MIT-0", "ISC", "BSD-2-Clause", "BSD-3-Clause", "0BSD", "Apache-2.0", "Zlib", "Unlicense", "CC0-1.0",
	"BlueOak-1.0.0", "Python-2.0", "CC-BY-4.0", "BSD-2-Clause-Patent", "WTFPL",
}

# Strong copyleft and source-available licences: shipping them in a permissive project changes its terms.
copyleft := {
	"GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later", "GPL-2.0", "GPL-3.0", "GPL-2.0+", "GPL-3.0+",
	"AGPL-3.0-only", "AGPL-3.0-or-later", "AGPL-3.0", "AGPL-1.0", "SSPL-1.0", "EUPL-1.2", "OSL-3.0",
}

# compatible[project]: dependency licences allowed outright; incompatible[project]: denied. Anything else (weak
# copyleft such as LGPL or MPL, an unknown id, no licence) needs a person's approval.
# A copyleft project's table is for its owners to add (e.g. "GPL-3.0-only": permissive | {"LGPL-3.0-only"}).
compatible[id] := permissive if some id in permissive

incompatible[id] := copyleft if some id in permissive

# --- facts ---

content := object.get(input, "content", {})

packages := object.get(object.get(content, "lockfile", {}), "packages", [])

lockfile_unreadable if {
	# mutate: equivalent drop-expr — without a lockfile key content.lockfile.packages is undefined, so the next line fails alone
	"lockfile" in object.keys(content)
	content.lockfile.packages == null
}

project_ids := object.get(object.get(input, "runset", {}), "license_ids", [])

checked if {
	count(project_ids) > 0

	# mutate: equivalent drop-expr — without a lock file there are no packages, so bad and unknown are empty either way
	"lockfile" in object.keys(content)
}

# Allowed for every id of the project's licence (a dual-licensed project must be able to ship under each).
allowed := intersection({object.get(compatible, id, set()) | some id in project_ids})

denied := union({object.get(incompatible, id, set()) | some id in project_ids})

# A package is fine when one of its alternatives uses only allowed licences; incompatible when every alternative
# needs a denied one; otherwise unknown.
fine(pkg) if {
	some alternative in pkg.alternatives
	every id in alternative {
		id in allowed
	}
}

incompatible_pkg(pkg) if {
	count(pkg.alternatives) > 0
	every alternative in pkg.alternatives {
		some id in alternative
		id in denied
	}
}

# mutate: equivalent drop-expr — concat fails on a non-string licence, and the else branch then answers exactly this
described(pkg) := concat("", [pkg.name, "@", pkg.version, " (", pkg.licence, ")"]) if is_string(pkg.licence)

else := concat("", [pkg.name, "@", pkg.version, " (no licence declared)"])

bad := sort([described(pkg) | some pkg in packages; incompatible_pkg(pkg)]) if {
	# mutate: equivalent drop-expr — without a project licence nothing is denied, so no package is incompatible
	checked
}

unknown := sort([described(pkg) | some pkg in packages; not fine(pkg); not incompatible_pkg(pkg)]) if checked

incompatible_waivers := match.waivers_for("licence_incompatible")

unknown_waivers := match.waivers_for("licence_unknown")

project := input.runset.license

stops contains reason if {
	count(bad) > 0
	count(incompatible_waivers) == 0
	reason := {"code": "licence_incompatible", "message": concat("", [
		call.resource, " pins packages whose licence the ", project, " project cannot ship: ", concat(", ", bad),
		"; choose another package, or ask for a waiver of licence_incompatible",
	])}
}

approvals contains reason if {
	count(unknown) > 0
	count(unknown_waivers) == 0
	reason := {"code": "licence_unknown", "message": concat("", [
		call.resource, " pins packages whose licence is not known to suit the ", project, " project: ", concat(", ", unknown),
		"; a person must approve, or a waiver of licence_unknown lifts it",
	])}
}

approvals contains reason if {
	checked
	lockfile_unreadable
	count(unknown_waivers) == 0
	reason := {"code": "licence_unknown", "message": concat("", [
		call.resource, " is not a lock file with a packages map (npm lock file v2/v3), so its licences cannot be checked;",
		" a person must approve",
	])}
}

# --- package.install: the lock file sent with an install must be the one it writes ---

# The client resolves the lock file the install is about to write and sends it as content; the mediator looks up the
# installed package in it (content.lockfile.installs). Not pinned at the top: this is not that lock file.
install_unpinned if {
	call.capability == "package.install"
	checked
	not lockfile_unreadable
	object.get(content.lockfile, "installs", null) == null
}

approvals contains reason if {
	install_unpinned
	count(unknown_waivers) == 0
	reason := {"code": "licence_unknown", "message": concat("", [
		"the lock file sent with ", call.resource, " does not pin it at node_modules/, so it is not the lock file",
		" this install writes and its licences cannot be checked; a person must approve",
	])}
}

lifted contains [id, "licence_unknown"] if {
	install_unpinned
	some id in unknown_waivers
}

lifted contains [id, "licence_unknown"] if {
	checked
	lockfile_unreadable
	some id in unknown_waivers
}

lifted contains [id, "licence_incompatible"] if {
	count(bad) > 0
	some id in incompatible_waivers
}

lifted contains [id, "licence_unknown"] if {
	count(unknown) > 0
	some id in unknown_waivers
}

# Conditional Access semantics over Graph JSON, the way policy-as-code tooling would write them.
#
# data.policies: conditionalAccessPolicy bodies (Graph v1.0), in order.
# data.locations: namedLocation bodies, keyed by the reference policies use.
# input: one sign-in in Graph's spellings (see src/workload.rs, View::rego_input).
#
# `applies` is the set of indices of the policies that apply. Cheap conditions come first and the
# IP ranges last, so ranges are only scanned for policies that survive everything else.
package ca

import rego.v1

applies contains i if {
	some i, p in data.policies
	p.state != "disabled"
	not report_only_user_action(p)
	c := p.conditions
	user_included(c.users)
	not user_excluded(c.users)
	target(c.applications)
	platforms(c.platforms)
	client_apps(c.clientAppTypes)
	levels(c.signInRiskLevels, input.signInRiskLevel)
	levels(c.userRiskLevels, input.userRiskLevel)
	comma_levels(c.insiderRiskLevels, input.insiderRiskLevel)
	flows(c.authenticationFlows)
	locations(c.locations)
}

# Report-only mode does not cover user actions.
report_only_user_action(p) if {
	p.state == "enabledForReportingButNotEnforced"
	count(p.conditions.applications.includeUserActions) > 0
}

# --- users ---

user_included(u) if "All" in u.includeUsers

user_included(u) if input.user.id in u.includeUsers

user_included(u) if user_in(u.includeUsers, u.includeGroups, u.includeRoles, u.includeGuestsOrExternalUsers)

user_excluded(u) if input.user.id in u.excludeUsers

user_excluded(u) if user_in(u.excludeUsers, u.excludeGroups, u.excludeRoles, u.excludeGuestsOrExternalUsers)

user_in(users, _, _, _) if {
	"GuestsOrExternalUsers" in users
	input.user.userType != "member"
}

user_in(_, groups, _, _) if {
	some g in groups
	g in input.user.groups
}

user_in(_, _, roles, _) if {
	some r in roles
	r in input.user.roles
}

user_in(_, _, _, guests) if {
	guests.externalTenants.membershipKind == "all"
	is_string(guests.guestOrExternalUserTypes)
	input.user.userType in split(guests.guestOrExternalUserTypes, ",")
}

# --- target: apps, user actions, authentication contexts ---

target(a) if {
	app_in(a.includeApplications, true)
	not app_in(a.excludeApplications, false)
}

target(a) if input.userAction in a.includeUserActions

target(a) if input.authenticationContext in a.includeAuthenticationContextClassReferences

app_in(list, true) if {
	input.application
	"All" in list
}

app_in(list, _) if input.application in list

app_in(list, _) if {
	some g in input.applicationGroups
	g in list
}

# --- platforms, client apps, risks, flows ---

platforms(p) if p == null

platforms(p) if {
	platform_in(p.includePlatforms)
	not platform_in(p.excludePlatforms)
}

platform_in(list) if "all" in list

platform_in(list) if input.devicePlatform in list

client_apps(list) if "all" in list

client_apps(list) if input.clientAppType in list

levels(list, _) if count(list) == 0

levels(list, level) if level in list

comma_levels(s, _) if s == null

comma_levels(s, level) if {
	is_string(s)
	level in split(s, ",")
}

flows(f) if f == null

flows(f) if {
	is_string(f.transferMethods)
	input.authenticationFlow in split(f.transferMethods, ",")
}

# --- locations ---

locations(l) if l == null

locations(l) if {
	location_in(l.includeLocations, true)
	not location_in(l.excludeLocations, false)
}

location_in(list, true) if "All" in list

location_in(list, _) if {
	"AllTrusted" in list
	in_trusted
}

location_in(list, _) if {
	some id in list
	in_location(id)
}

in_location(id) if {
	some r in data.locations[id].ipRanges
	net.cidr_contains(r.cidrAddress, input.ipAddress)
}

# A complete rule: evaluated at most once per query.
in_trusted if {
	some loc in data.locations
	loc.isTrusted
	some r in loc.ipRanges
	net.cidr_contains(r.cidrAddress, input.ipAddress)
}

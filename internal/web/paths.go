package web

import (
	"net/url"
	"strings"
)

// The paths the pages link and post to. The server registers its handlers
// on exactly these patterns (ServeMux syntax), so that a link in a template
// and a route in routes.go cannot drift apart: a test in the server can
// walk this list.
const (
	PathHome             = "/{$}"
	PathSignIn           = "/signin"
	PathSignInCode       = "/signin/code"  // the second factor
	PathSignInSetup      = "/signin/setup" // setting up a first second factor
	PathSignOut          = "/signout"
	PathSignOutAll       = "/signout/everywhere"
	PathSessions         = "/sessions"
	PathLanguage         = "/language" // POST lang, return
	PathPeople           = "/people"
	PathPerson           = "/people/{id}"
	PathPersonAccess     = "/people/{id}/access"
	PathScreeningNew     = "/screenings/new" // GET the start form, POST to begin; ?person={id}
	PathScreening        = "/screenings/{id}"
	PathInterview        = "/screenings/{id}/interview" // GET ?step=N|followups, POST answers
	PathScreeningAccess  = "/screenings/{id}/access"
	PathAdminUsers       = "/admin/users"
	PathAdminUserNew     = "/admin/users/new"
	PathAdminOrg         = "/admin/organization"
	PathStatic           = "/static/"
	PathTaskStatus       = "/tasks/{id}/status" // POST status
	PathPersonNotes      = "/people/{id}/notes" // POST class, body
	PathSessionSignOut   = "/sessions/{id}/signout"
	PathAdminUserDisable = "/admin/users/{id}/disable"
	PathConsentNew       = "/people/{id}/consents/new"    // GET the form (?recipient=kind:id), POST to record
	PathConsentRevoke    = "/people/{id}/consents/revoke" // POST consent, version
	PathReferralNew      = "/people/{id}/referrals/new"   // GET the form, POST step=preview|edit|send
	PathReferral         = "/referrals/{id}"
	PathReferralMove     = "/referrals/{id}/move" // POST to, outcome, reason
	PathInbox            = "/referrals"           // referrals sent to the organization

	// PathDirectory finds services in the directory for a person's needs
	// (GET form; ?screening={id} suggests needs from that screening).
	PathDirectory = "/directory"

	PathScreeningLetter      = "/screenings/{id}/letter"               // POST: the non-punishment letter (PDF)
	PathAdminExceptions      = "/admin/organization/exceptions"        // POST kind, label, citation
	PathAdminExceptionToggle = "/admin/organization/exceptions/toggle" // POST id
)

// The pages of plans (pathway tracking), contact safety and reminders.
const (
	PathPersonPlans         = "/people/{id}/plans"          // POST screening, pathway, jurisdiction: start tracking
	PathPlan                = "/plans/{id}"                 // GET the plan; POST a change (do, version, …)
	PathPersonContactSafety = "/people/{id}/contact-safety" // POST the contact-safety form
	PathNotificationDismiss = "/notifications/{id}/dismiss" // POST: a reminder dealt with
)

// Paths lists every path above, for the server's route-coverage test.
var Paths = []string{
	PathHome, PathSignIn, PathSignInCode, PathSignInSetup, PathSignOut, PathSignOutAll, PathSessions, PathLanguage,
	PathPeople, PathPerson, PathPersonAccess, PathScreeningNew, PathScreening, PathInterview,
	PathScreeningAccess, PathAdminUsers, PathAdminUserNew, PathAdminOrg, PathStatic, PathTaskStatus,
	PathPersonNotes, PathSessionSignOut, PathAdminUserDisable,
	PathConsentNew, PathConsentRevoke, PathReferralNew, PathReferral, PathReferralMove, PathInbox,
	PathDirectory, PathAdminExceptions, PathAdminExceptionToggle, PathScreeningLetter,
	PathPersonPlans, PathPlan, PathPersonContactSafety, PathNotificationDismiss,
}

// URL fills a path pattern's {id} with id, escaped, and drops ServeMux's
// {$} anchor: URL(PathPerson, "p_1") is "/people/p_1".
func URL(pattern, id string) string {
	p := strings.Replace(pattern, "{id}", url.PathEscape(id), 1)
	return strings.TrimSuffix(p, "{$}")
}

// pathFor is the templates' spelling of URL: {{path "person" .ID}}.
func pathFor(name string, id ...string) string {
	pattern, ok := pathNames[name]
	if !ok {
		// A misspelt name is a template bug; make it loud in the page and
		// in the tests rather than a dead link that looks fine.
		return "/unknown-path/" + name
	}
	v := ""
	if len(id) > 0 {
		v = id[0]
	}
	return URL(pattern, v)
}

var pathNames = map[string]string{
	"home": PathHome, "signin": PathSignIn, "signin_code": PathSignInCode, "signin_setup": PathSignInSetup, "signout": PathSignOut,
	"signout_all": PathSignOutAll, "sessions": PathSessions, "language": PathLanguage, "people": PathPeople,
	"person": PathPerson, "person_access": PathPersonAccess, "screening_new": PathScreeningNew,
	"screening": PathScreening, "interview": PathInterview, "screening_access": PathScreeningAccess,
	"admin_users": PathAdminUsers, "admin_user_new": PathAdminUserNew, "admin_org": PathAdminOrg,
	"task_status": PathTaskStatus, "person_notes": PathPersonNotes, "session_signout": PathSessionSignOut,
	"admin_user_disable": PathAdminUserDisable,
	"consent_new":        PathConsentNew, "consent_revoke": PathConsentRevoke, "referral_new": PathReferralNew,
	"referral": PathReferral, "referral_move": PathReferralMove, "inbox": PathInbox,
	"directory":        PathDirectory,
	"screening_letter": PathScreeningLetter,
	"admin_exceptions": PathAdminExceptions, "admin_exception_toggle": PathAdminExceptionToggle,
	"plan": PathPlan, "person_plans": PathPersonPlans, "person_contact_safety": PathPersonContactSafety,
	"notification_dismiss": PathNotificationDismiss,
}

package httpserver

import (
	"net/http"
	"net/url"
	"time"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/directory"
	"github.com/discern-org/discern/internal/web"
)

// routes is the route table: every route the server serves, each with the
// policy action it is decided under (or Public). To add a route, add a
// line here with its action and a maker function (api_<resource>.go) that
// registers the operation; TestAuthorizationMatrix then covers it for
// every role and both organizations without further work, and fails if
// its action is missing or it reaches another organization.
//
// Path wildcards are named after the record they find and end in _id
// (user_id, team_id, …); the matrix test fills them with records of the
// caller's organization and of another one.
func routes(d *deps) []Route {
	svc, cw := d.accounts, d.casework
	return append([]Route{
		// Operations and the API description.
		{Method: http.MethodGet, Path: "/healthz", Action: Public, Handler: handleHealthz()},
		{Method: http.MethodGet, Path: "/readyz", Action: Public, Handler: handleReadyz(d.db)},
		{Method: http.MethodGet, Path: "/metrics", Action: Public, Handler: handleMetrics(d.metrics)},
		{Method: http.MethodGet, Path: "/api/v1/openapi.json", Action: Public, Handler: handleOpenAPI(d.openapi)},

		// Screening without storing.
		{Method: http.MethodPost, Path: "/api/v1/assess", Action: auth.AssessRun, Tags: []string{"screening"},
			Summary: "Evaluate answers without storing anything", API: assess(d.engine), Example: exampleAnswers},

		// Signing in and out, and sessions.
		{Method: http.MethodPost, Path: "/api/v1/sessions", Action: Public, Tags: []string{"sessions"},
			Summary: "Sign in", API: signIn(svc, d.metrics)},
		{Method: http.MethodPost, Path: "/api/v1/sessions/current/mfa", Action: Public, Tags: []string{"sessions"},
			Summary: "Give the second factor of a session", API: verifyMFA(svc)},
		{Method: http.MethodDelete, Path: "/api/v1/sessions/current", Action: auth.SignOut, Tags: []string{"sessions"},
			Summary: "Sign out", API: signOut(svc)},
		{Method: http.MethodGet, Path: "/api/v1/sessions", Action: auth.SessionsRead, Tags: []string{"sessions"},
			Summary: "List your sessions", API: userSessions(svc, false)},
		{Method: http.MethodDelete, Path: "/api/v1/sessions", Action: auth.SessionsRevoke, Tags: []string{"sessions"},
			Summary: "Sign out everywhere", API: endSessions(svc, false)},
		{Method: http.MethodDelete, Path: "/api/v1/sessions/{session_id}", Action: auth.SessionsRevoke, Tags: []string{"sessions"},
			Summary: "End one of your sessions", API: revokeSession(svc)},

		// Your account.
		{Method: http.MethodGet, Path: "/api/v1/me", Action: auth.UsersRead, Tags: []string{"account"},
			Summary: "The signed-in user", API: getMe(svc)},
		{Method: http.MethodPut, Path: "/api/v1/account/password", Action: auth.AccountManage, Tags: []string{"account"},
			Summary: "Change your password", API: changePassword(svc),
			Example: map[string]string{"current_password": "wrong password for the test", "new_password": "another long passphrase here"}},
		{Method: http.MethodPost, Path: "/api/v1/account/mfa/totp", Action: auth.MFAEnroll, Tags: []string{"account"},
			Summary: "Start setting up a TOTP second factor", API: beginTOTP(svc)},
		{Method: http.MethodPost, Path: "/api/v1/account/mfa/totp/confirm", Action: auth.MFAEnroll, Tags: []string{"account"},
			Summary: "Confirm a TOTP second factor", API: confirmTOTP(svc),
			Example: map[string]string{"enrollment_token": "AAAAAAAAAAA", "code": "123456"}},

		// Users and teams.
		{Method: http.MethodGet, Path: "/api/v1/users", Action: auth.UsersRead, Tags: []string{"users"},
			Summary: "List users", API: listUsers(svc)},
		{Method: http.MethodPost, Path: "/api/v1/users", Action: auth.UsersManage, Tags: []string{"users"},
			Summary: "Add a user", API: createUser(svc, d.idem),
			Example: map[string]string{"email": "new.colleague@example.org", "display_name": "New colleague", "role": "screener", "password": "lantern quietly orchard mosaic"}},
		{Method: http.MethodGet, Path: "/api/v1/users/{user_id}", Action: auth.UsersRead, Tags: []string{"users"},
			Summary: "Get a user", API: getUser(svc)},
		{Method: http.MethodPatch, Path: "/api/v1/users/{user_id}", Action: auth.UsersManage, Tags: []string{"users"},
			Summary: "Change or disable a user", API: updateUser(svc), Example: map[string]string{"display_name": "Renamed"}},
		{Method: http.MethodDelete, Path: "/api/v1/users/{user_id}/mfa", Action: auth.UsersManage, Tags: []string{"users"},
			Summary: "Reset a user's second factor", API: resetMFA(svc)},
		{Method: http.MethodGet, Path: "/api/v1/users/{user_id}/sessions", Action: auth.SessionsRead, Tags: []string{"users"},
			Summary: "List a user's sessions", API: userSessions(svc, true)},
		{Method: http.MethodDelete, Path: "/api/v1/users/{user_id}/sessions", Action: auth.SessionsRevoke, Tags: []string{"users"},
			Summary: "Sign a user out everywhere", API: endSessions(svc, true)},
		{Method: http.MethodGet, Path: "/api/v1/teams", Action: auth.OrgsRead, Tags: []string{"organizations"},
			Summary: "List teams", API: listTeams(svc)},
		{Method: http.MethodPost, Path: "/api/v1/teams", Action: auth.OrgsManage, Tags: []string{"organizations"},
			Summary: "Add a team", API: createTeam(svc, d.idem), Example: map[string]string{"name": "Matrix team"}},
		{Method: http.MethodPatch, Path: "/api/v1/teams/{team_id}", Action: auth.OrgsManage, Tags: []string{"organizations"},
			Summary: "Rename a team", API: updateTeam(svc), Example: map[string]string{"name": "Renamed team"}},

		// Organizations.
		{Method: http.MethodGet, Path: "/api/v1/organizations/{org_id}", Action: auth.OrgsRead, Tags: []string{"organizations"},
			Summary: "Get your organization", API: getOrganization(svc)},
		{Method: http.MethodPatch, Path: "/api/v1/organizations/{org_id}", Action: auth.OrgsManage, Tags: []string{"organizations"},
			Summary: "Change your organization", API: updateOrganization(svc), Example: map[string]string{"name": "Renamed organization"}},

		// API tokens.
		{Method: http.MethodGet, Path: "/api/v1/tokens", Action: auth.TokensRead, Tags: []string{"tokens"},
			Summary: "List API tokens", API: listTokens(svc)},
		{Method: http.MethodPost, Path: "/api/v1/tokens", Action: auth.TokensCreate, Tags: []string{"tokens"},
			Summary: "Create an API token", API: createToken(svc),
			Example: map[string]any{"name": "matrix", "scopes": []string{"orgs:read"}, "expires_at": time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)}},
		{Method: http.MethodDelete, Path: "/api/v1/tokens/{token_id}", Action: auth.TokensRevoke, Tags: []string{"tokens"},
			Summary: "Revoke an API token", API: revokeToken(svc)},

		// People and their records.
		{Method: http.MethodGet, Path: "/api/v1/people", Action: auth.PeopleRead, Tags: []string{"people"},
			Summary: "List people (case codes only)", API: listPeople(cw)},
		{Method: http.MethodPost, Path: "/api/v1/people", Action: auth.PeopleCreate, Tags: []string{"people"},
			Summary: "Record a person (pseudonymous by default)", API: createPerson(cw, d.idem), Example: map[string]string{}},
		{Method: http.MethodGet, Path: "/api/v1/people/{person_id}", Action: auth.PeopleRead, Tags: []string{"people"},
			Summary: "Get a person (reading identifying fields is audited)", API: getPerson(cw)},
		{Method: http.MethodPatch, Path: "/api/v1/people/{person_id}", Action: auth.PeopleUpdate, Tags: []string{"people"},
			Summary: "Change a person's fields", API: updatePerson(cw), Example: map[string]string{"age_estimate": "30"}},
		{Method: http.MethodDelete, Path: "/api/v1/people/{person_id}", Action: auth.PeopleErase, Tags: []string{"people"},
			Summary: "Erase a person for good (crypto-shredding)", API: erasePerson(cw)},
		{Method: http.MethodGet, Path: "/api/v1/people/{person_id}/history", Action: auth.AuditRead, Tags: []string{"people"},
			Summary: "Who accessed or changed this person's record", API: personHistory(cw)},
		{Method: http.MethodGet, Path: "/api/v1/people/{person_id}/encounters", Action: auth.EncountersRead, Tags: []string{"people"},
			Summary: "List a person's encounters", API: listEncounters(cw)},
		{Method: http.MethodPost, Path: "/api/v1/people/{person_id}/encounters", Action: auth.EncountersCreate, Tags: []string{"people"},
			Summary: "Record an encounter", API: createEncounter(cw, d.idem),
			Example: map[string]any{"occurred_at": time.Date(2026, 3, 1, 18, 0, 0, 0, time.UTC), "place_kind": "street"}},
		{Method: http.MethodGet, Path: "/api/v1/people/{person_id}/notes", Action: auth.NotesRead, Tags: []string{"people"},
			Summary: "List a person's notes", API: listNotes(cw)},
		{Method: http.MethodPost, Path: "/api/v1/people/{person_id}/notes", Action: auth.NotesCreate, Tags: []string{"people"},
			Summary: "Add a note", API: createNote(cw, d.idem), Example: map[string]string{"data_class": "case", "body": "Matrix note"}},

		// Tasks.
		{Method: http.MethodGet, Path: "/api/v1/tasks", Action: auth.TasksRead, Tags: []string{"tasks"},
			Summary: "List tasks", API: listTasks(cw)},
		{Method: http.MethodPost, Path: "/api/v1/tasks", Action: auth.TasksCreate, Tags: []string{"tasks"},
			Summary: "Add a task", API: createTask(cw, d.idem), Example: map[string]string{"title": "Matrix task"}},
		{Method: http.MethodPatch, Path: "/api/v1/tasks/{task_id}", Action: auth.TasksUpdate, Tags: []string{"tasks"},
			Summary: "Mark a task done, cancelled or open", API: updateTask(cw), Example: map[string]string{"status": "done"}},

		// Screenings.
		{Method: http.MethodGet, Path: "/api/v1/screenings", Action: auth.ScreeningsRead, Tags: []string{"screenings"},
			Summary: "List screenings", API: listScreenings(cw)},
		{Method: http.MethodPost, Path: "/api/v1/screenings", Action: auth.ScreeningsCreate, Tags: []string{"screenings"},
			Summary: "Record a screening; a complete one is evaluated and its conclusion recorded (GET it for the full result)", API: createScreening(cw, d.idem),
			Example: map[string]any{"complete": true, "evidence": exampleAnswers}},
		{Method: http.MethodGet, Path: "/api/v1/screenings/{screening_id}", Action: auth.ScreeningsRead, Tags: []string{"screenings"},
			Summary: "Get a screening (answers redacted to your data classes)", API: getScreening(cw)},
		{Method: http.MethodPatch, Path: "/api/v1/screenings/{screening_id}", Action: auth.ScreeningsUpdate, Tags: []string{"screenings"},
			Summary: "Amend or complete a draft screening", API: updateScreening(cw), Example: map[string]any{"complete": true}},
		{Method: http.MethodGet, Path: "/api/v1/screenings/{screening_id}/history", Action: auth.AuditRead, Tags: []string{"screenings"},
			Summary: "Who accessed or changed this screening", API: screeningHistory(cw)},

		// Consent records, and what rests on them: referrals and exports.
		{Method: http.MethodGet, Path: "/api/v1/people/{person_id}/consents", Action: auth.ConsentsRead, Tags: []string{"consent"},
			Summary: "A person's consents (newest version of each, with where it stands now)", API: listConsents(cw)},
		{Method: http.MethodPost, Path: "/api/v1/people/{person_id}/consents", Action: auth.ConsentsManage, Tags: []string{"consent"},
			Summary: "Record what a person agreed to share, with whom, for what", API: recordConsent(cw), Example: exampleConsent},
		{Method: http.MethodPut, Path: "/api/v1/people/{person_id}/consents/{consent_id}", Action: auth.ConsentsManage, Tags: []string{"consent"},
			Summary: "Change a consent (a new version)", API: reviseConsent(cw), Example: exampleConsentRevision},
		{Method: http.MethodPost, Path: "/api/v1/people/{person_id}/consents/{consent_id}/revoke", Action: auth.ConsentsManage, Tags: []string{"consent"},
			Summary: "Revoke a consent: from this instant nothing rests on it", API: revokeConsent(cw), Example: map[string]int{"version": 1}},
		{Method: http.MethodGet, Path: "/api/v1/people/{person_id}/referrals", Action: auth.ReferralsRead, Tags: []string{"referrals"},
			Summary: "A person's referrals", API: listReferrals(cw)},
		{Method: http.MethodPost, Path: "/api/v1/people/{person_id}/referrals/preview", Action: auth.ReferralsCreate, Tags: []string{"referrals"},
			Summary: "What a referral would share and its consequences, without making it", API: previewReferral(cw), Example: exampleReferral},
		{Method: http.MethodPost, Path: "/api/v1/people/{person_id}/referrals", Action: auth.ReferralsCreate, Tags: []string{"referrals"},
			Summary: "Refer a person: only the classes their consent covers, or under a legal exception", API: createReferral(cw, d.idem), Example: exampleReferral},
		{Method: http.MethodGet, Path: "/api/v1/people/{person_id}/export", Action: auth.PeopleExport, Tags: []string{"people"},
			Summary: "Export a person's records for a recipient, as far as their consent covers", API: exportPerson(cw)},
		{Method: http.MethodGet, Path: "/api/v1/inbox", Action: auth.ReferralsReceive, Tags: []string{"referrals"},
			Summary: "Referrals sent to your organization", API: referralInbox(cw)},
		{Method: http.MethodGet, Path: "/api/v1/referrals/{referral_id}", Action: auth.ReferralsRead, Tags: []string{"referrals"},
			Summary: "A referral, as the sender or the recipient sees it (the recipient: only what consent covers now)", API: getReferral(cw)},
		{Method: http.MethodPost, Path: "/api/v1/referrals/{referral_id}/moves", Action: auth.ReferralsUpdate, Tags: []string{"referrals"},
			Summary: "Move a referral on (receive, accept, reject, complete, cancel, withdraw…)", API: moveReferral(cw),
			Example: map[string]string{"to": "withdrawn"}},
		// Plans (pathway tracking), contact safety and reminders.
		{Method: http.MethodGet, Path: "/api/v1/people/{person_id}/plans", Action: auth.PlansRead, Tags: []string{"plans"},
			Summary: "List a person's plans (redacted to your data classes)", API: listPlans(cw)},
		{Method: http.MethodPost, Path: "/api/v1/people/{person_id}/plans", Action: auth.PlansCreate, Tags: []string{"plans"},
			Summary: "Start tracking a pathway of one of the person's screening results", API: startPlan(cw),
			Example: map[string]string{"screening_id": "01AAAAAAAAAAAAAAAAAAAAAAAA", "pathway_id": "recovery_reflection_period", "jurisdiction": "palermo"}},
		{Method: http.MethodGet, Path: "/api/v1/plans/{plan_id}", Action: auth.PlansRead, Tags: []string{"plans"},
			Summary: "Get a plan with its checklist and clocks", API: getPlan(cw)},
		{Method: http.MethodPatch, Path: "/api/v1/plans/{plan_id}", Action: auth.PlansUpdate, Tags: []string{"plans"},
			Summary: "Move a plan, tick a step, set a clock or change its notes", API: updatePlan(cw),
			Example: map[string]any{"version": 1, "status": "preparing"}},
		{Method: http.MethodGet, Path: "/api/v1/people/{person_id}/contact-safety", Action: auth.ContactRead, Tags: []string{"plans"},
			Summary: "A person's contact-safety rules (reading them is audited)", API: getContactSafety(cw)},
		{Method: http.MethodPut, Path: "/api/v1/people/{person_id}/contact-safety", Action: auth.ContactUpdate, Tags: []string{"plans"},
			Summary: "Record a person's contact-safety rules", API: putContactSafety(cw),
			Example: map[string]any{"do_not_contact": true, "channels": []any{}, "has_code_word": false}},
		{Method: http.MethodGet, Path: "/api/v1/notifications", Action: auth.NotificationsRead, Tags: []string{"plans"},
			Summary: "Your open reminders; person reminders are for you to deliver (Discern sends no SMS or e-mail)", API: listNotifications(cw)},

		// Documents (PDF): each only as far as the person's consent covers now; made and refused ones are audited.
		{Method: http.MethodGet, Path: "/api/v1/referrals/{referral_id}/packet.pdf", Action: auth.ReferralsRead, Tags: []string{"documents"},
			Summary: "A referral's packet as a PDF: exactly what reading the referral shows you now", API: referralPacketPDF(cw)},
		{Method: http.MethodGet, Path: "/api/v1/screenings/{screening_id}/summary.pdf", Action: auth.DocumentsCreate, Tags: []string{"documents"},
			Summary: "A screening summary for a recipient, as far as the person's consent (purpose documents) covers", API: screeningSummaryPDF(cw)},
		{Method: http.MethodPost, Path: "/api/v1/screenings/{screening_id}/letter.pdf", Action: auth.DocumentsCreate, Tags: []string{"documents"},
			Summary: "A non-punishment summary letter for defence counsel or a prosecutor (consent with purpose legal_support)", API: nonPunishmentLetterPDF(cw),
			Example: exampleLetter},
		{Method: http.MethodPost, Path: "/api/v1/notifications/{notification_id}/dismiss", Action: auth.NotificationsRead, Tags: []string{"plans"},
			Summary: "Dismiss one of your reminders (dealt with)", API: dismissNotification(cw), Example: map[string]any{}},
	}, append(directoryRoutes(d), pageRoutes(d)...)...)
}

// directoryRoutes are the service directory's: the HSDS 3.0 read API under
// /hsds (described by the HSDS OpenAPI, so plain handlers) and matching.
// The directory is the same for every organization: its wildcards find
// shared records (see sharedWildcards in the matrix test).
func directoryRoutes(d *deps) []Route {
	get, read := http.MethodGet, auth.DirectoryRead
	hsds := func(path string, h http.Handler) Route {
		return Route{Method: get, Path: path, Action: read, Handler: h}
	}
	return []Route{
		hsds("/hsds/{$}", hsdsMeta()),
		hsds("/hsds/services", hsdsList(d, directory.ListServices)),
		hsds("/hsds/services/{service_id}", hsdsItem(d, directory.ListServices, "service_id")),
		hsds("/hsds/service_at_locations", hsdsList(d, directory.ListServiceAtLocations)),
		hsds("/hsds/service_at_locations/{service_at_location_id}", hsdsItem(d, directory.ListServiceAtLocations, "service_at_location_id")),
		hsds("/hsds/organizations", hsdsList(d, directory.ListOrganizations)),
		hsds("/hsds/organizations/{organization_id}", hsdsItem(d, directory.ListOrganizations, "organization_id")),
		hsds("/hsds/taxonomies", hsdsList(d, directory.ListTaxonomies)),
		hsds("/hsds/taxonomies/{taxonomy_id}", hsdsItem(d, directory.ListTaxonomies, "taxonomy_id")),
		hsds("/hsds/taxonomy_terms", hsdsList(d, directory.ListTaxonomyTerms)),
		hsds("/hsds/taxonomy_terms/{taxonomy_term_id}", hsdsItem(d, directory.ListTaxonomyTerms, "taxonomy_term_id")),
		{Method: get, Path: "/api/v1/directory/matches", Action: read, Tags: []string{"directory"},
			Summary: "Match directory services to a person's needs", API: directoryMatches(d)},
	}
}

// pageRoutes are the web interface's routes, on exactly the paths of
// web.Paths. Their wildcard is {id}, named by the path it is in: the
// matrix test fills it by the path's first segment.
func pageRoutes(d *deps) []Route {
	get, post := http.MethodGet, http.MethodPost
	pg := func(method, path string, action auth.Action, h http.Handler) Route {
		return Route{Method: method, Path: path, Action: action, Handler: h, Page: true}
	}
	return []Route{
		pg(get, web.PathStatic, Public, web.Static()),
		pg(get, web.PathSignIn, Public, uiSignInForm(d)),
		pg(post, web.PathSignIn, Public, uiSignIn(d, d.metrics)),
		pg(get, web.PathSignInCode, Public, uiCodeForm(d)),
		pg(post, web.PathSignInCode, Public, uiCode(d)),
		pg(get, web.PathSignInSetup, auth.MFAEnroll, uiSetupForm(d)),
		pg(post, web.PathSignInSetup, auth.MFAEnroll, uiSetup(d)),
		pg(post, web.PathLanguage, Public, uiLanguage(d)),
		pg(post, web.PathSignOut, auth.SignOut, uiSignOut(d)),
		pg(post, web.PathSignOutAll, auth.SessionsRevoke, uiSignOutEverywhere(d)),
		pg(get, web.PathSessions, auth.SessionsRead, uiSessions(d)),
		pg(post, web.PathSessionSignOut, auth.SessionsRevoke, uiSessionSignOut(d)),

		// Home is every signed-in user's own page; reading one's own
		// sessions is the action every role has.
		pg(get, web.PathHome, auth.SessionsRead, uiHome(d)),

		pg(get, web.PathPeople, auth.PeopleRead, uiPeople(d)),
		pg(post, web.PathPeople, auth.PeopleCreate, uiPersonCreate(d)),
		pg(get, web.PathPerson, auth.PeopleRead, uiPerson(d)),
		pg(get, web.PathPersonAccess, auth.AuditRead, uiAccess(d, "person")),
		form(pg(post, web.PathPersonNotes, auth.NotesCreate, uiNoteCreate(d)), "class=narrative&body=Matrix+note"),
		form(pg(post, web.PathTaskStatus, auth.TasksUpdate, uiTaskStatus(d)), "status=done"),

		pg(get, web.PathScreeningNew, auth.ScreeningsCreate, uiStartForm(d)),
		form(pg(post, web.PathScreeningNew, auth.ScreeningsCreate, uiStart(d)), "language=en&instrument=short&jurisdictions=palermo"),
		pg(get, web.PathScreening, auth.ScreeningsRead, uiScreening(d)),
		pg(get, web.PathInterview, auth.ScreeningsUpdate, uiInterview(d)),
		form(pg(post, web.PathInterview, auth.ScreeningsUpdate, uiInterviewSave(d)), "step=0&nav=save"),
		pg(get, web.PathScreeningAccess, auth.AuditRead, uiAccess(d, "screening")),
		form(pg(post, web.PathScreeningLetter, auth.DocumentsCreate, uiLetter(d)), "recipient=organization:dir-org-matrix&to_name=Counsel&from_name=Worker"),

		// Consent and referrals.
		pg(get, web.PathConsentNew, auth.ConsentsManage, uiConsentForm(d)),
		form(pg(post, web.PathConsentNew, auth.ConsentsManage, uiConsentCreate(d)),
			"recipient=organization:dir-org-matrix&classes=case&purposes=referral&method=verbal_recorded&explained=yes"),
		form(pg(post, web.PathConsentRevoke, auth.ConsentsManage, uiConsentRevoke(d)), "consent=none&version=1"),
		pg(get, web.PathReferralNew, auth.ReferralsCreate, uiReferralForm(d)),
		form(pg(post, web.PathReferralNew, auth.ReferralsCreate, uiReferralPost(d)), "step=preview&recipient=organization:dir-org-matrix&classes=case"),
		pg(get, web.PathReferral, auth.ReferralsRead, uiReferral(d)),
		form(pg(post, web.PathReferralMove, auth.ReferralsUpdate, uiReferralMove(d)), "to=withdrawn"),
		pg(get, web.PathInbox, auth.ReferralsReceive, uiInbox(d)),

		pg(get, web.PathAdminUsers, auth.UsersManage, uiAdminUsers(d)),
		pg(get, web.PathAdminUserNew, auth.UsersManage, uiAdminUserForm(d)),
		pg(post, web.PathAdminUserNew, auth.UsersManage, uiAdminUserCreate(d)),
		pg(post, web.PathAdminUserDisable, auth.UsersManage, uiAdminUserDisable(d)),
		pg(get, web.PathAdminOrg, auth.OrgsManage, uiAdminOrg(d)),
		form(pg(post, web.PathAdminExceptions, auth.OrgsManage, uiAdminExceptionAdd(d)),
			"kind=court_order&label=Matrix+court+order&citation=Matrix+Act+s.1"),
		form(pg(post, web.PathAdminExceptionToggle, auth.OrgsManage, uiAdminExceptionToggle(d)), "id=court_order"),
		pg(post, web.PathAdminOrg, auth.OrgsManage, uiAdminOrgSave(d)),

		// The service directory: find services for a person's needs.
		pg(get, web.PathDirectory, auth.DirectoryRead, uiDirectory(d)),
		// Plans (pathway tracking), contact safety and reminders.
		form(pg(post, web.PathPersonPlans, auth.PlansCreate, uiPlanStart(d)), "screening=01AAAAAAAAAAAAAAAAAAAAAAAA&pathway=recovery_reflection_period&jurisdiction=palermo"),
		pg(get, web.PathPlan, auth.PlansRead, uiPlan(d)),
		form(pg(post, web.PathPlan, auth.PlansUpdate, uiPlanUpdate(d)), "do=notes&version=1&notes=Matrix+note"),
		form(pg(post, web.PathPersonContactSafety, auth.ContactUpdate, uiContactSafety(d)), "do_not_contact=yes&time_zone=UTC"),
		pg(post, web.PathNotificationDismiss, auth.NotificationsRead, uiNotificationDismiss(d)),
	}
}

// form gives a page route an example form, for the authorization
// matrix.
func form(rt Route, example string) Route {
	v, err := url.ParseQuery(example)
	if err != nil {
		panic("httpserver: example form of " + rt.Pattern() + ": " + err.Error())
	}
	rt.Example = v
	return rt
}

// exampleAnswers is a small assess body, for the route table's example.
var exampleAnswers = map[string]any{
	"instrument":    "short",
	"language":      "en",
	"jurisdictions": []string{"palermo"},
	"answers":       map[string]any{"exchange_sex": "yes", "free_to_leave": "no"},
}

// Examples for the consent and referral routes (the matrix test posts them).
var (
	exampleConsent = map[string]any{"recipient_kind": "organization", "recipient_id": "dir-org-matrix",
		"classes": []string{"case", "contact"}, "purposes": []string{"referral"}, "method": "verbal_recorded", "language": "en"}
	exampleConsentRevision = map[string]any{"version": 1, "recipient_kind": "organization", "recipient_id": "dir-org-matrix",
		"classes": []string{"case"}, "purposes": []string{"referral"}, "method": "written"}
	exampleReferral = map[string]any{"recipient_kind": "organization", "recipient_id": "dir-org-matrix",
		"needs": []string{"legal_immigration"}, "classes": []string{"case"}}
)

// exampleLetter is a letter request, for the matrix.
var exampleLetter = map[string]any{"recipient_kind": "organization", "recipient_id": "dir-org-matrix",
	"to": map[string]string{"name": "Defence counsel", "organization": "Matrix Chambers"}, "from": map[string]string{"name": "Matrix worker"}}

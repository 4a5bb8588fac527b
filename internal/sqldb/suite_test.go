package sqldb_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

func TestStoreSQLite(t *testing.T) { runStoreSuite(t, openSQLite) }

func TestStorePostgres(t *testing.T) {
	pgDSN(t)
	runStoreSuite(t, openPostgres)
}

// runStoreSuite is the one store test suite; it runs on every engine.
// Each subtest opens a fresh, migrated database.
func runStoreSuite(t *testing.T, open func(testing.TB) *sqldb.DB) {
	tests := []struct {
		name string
		fn   func(*testing.T, *fixture)
	}{
		{"Placeholders", testPlaceholders},
		{"Organizations", testOrganizations},
		{"Teams", testTeams},
		{"Users", testUsers},
		{"People", testPeople},
		{"ErasePerson", testErasePerson},
		{"Encounters", testEncounters},
		{"Screenings", testScreenings},
		{"ScreeningPages", testScreeningPages},
		{"Notes", testNotes},
		{"Tasks", testTasks},
		{"Sessions", testSessions},
		{"APITokens", testAPITokens},
		{"Throttle", testThrottle},
		{"Idempotency", testIdempotency},
		{"OrgIsolation", testOrgIsolation},
		{"Transactions", testTransactions},
		{"KeyVault", testKeyVault},
		{"Consents", testConsents},
		{"Referrals", testReferrals},
		{"OpenReferrals", testOpenReferrals},
		{"Plans", testPlans},
		{"Notifications", testNotifications},
		{"AuditAppendVerify", testAuditAppendVerify},
		{"AuditAppendOnly", testAuditAppendOnly},
		{"AuditTamper", func(t *testing.T, f *fixture) { testAuditTamper(t, open) }},
		{"Concurrency", testConcurrency},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newFixture(t, open(t)))
		})
	}
}

// fixture is two organizations with users, so that every test can check
// that one organization's records stay out of the other's reach.
type fixture struct {
	db                     *sqldb.DB
	ctx                    context.Context
	orgA, orgB             *discern.Organization
	teamA                  *discern.Team
	adminA, workerA, userB *discern.User
}

func newFixture(t testing.TB, db *sqldb.DB) *fixture {
	t.Helper()
	f := &fixture{db: db, ctx: t.Context()}
	f.orgA = &discern.Organization{Name: "Harbour Outreach (fictional)", Country: "GB", Region: "GB-SCT",
		Settings: discern.OrganizationSettings{DefaultLanguage: "en", Jurisdictions: []string{"gb-sct"}}}
	f.orgB = &discern.Organization{Name: "Riverside Clinic (fictional)", Country: "CA"}
	must(t, db.CreateOrganization(f.ctx, f.orgA))
	must(t, db.CreateOrganization(f.ctx, f.orgB))
	f.teamA = &discern.Team{OrgID: f.orgA.ID, Name: "Night outreach"}
	must(t, db.CreateTeam(f.ctx, f.teamA))
	f.adminA = f.user(t, f.orgA, "admin@harbour.example", discern.RoleAdministrator)
	f.workerA = f.user(t, f.orgA, "worker@harbour.example", discern.RoleCaseworker)
	f.userB = f.user(t, f.orgB, "staff@riverside.example", discern.RoleCaseworker)
	return f
}

func (f *fixture) user(t testing.TB, org *discern.Organization, email string, role discern.Role) *discern.User {
	t.Helper()
	u := &discern.User{OrgID: org.ID, Email: email, DisplayName: "Staff " + email, Role: role,
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA"}
	must(t, f.db.CreateUser(f.ctx, u))
	return u
}

func (f *fixture) person(t testing.TB, org *discern.Organization, by *discern.User, code string) *discern.Person {
	t.Helper()
	p := &discern.Person{OrgID: org.ID, CreatedBy: by.ID, CaseCode: sealed(code), CaseCodeIndex: index(code)}
	must(t, f.db.CreatePerson(f.ctx, p))
	return p
}

func (f *fixture) screening(org *discern.Organization, by *discern.User, personID string, status discern.ScreeningStatus) *discern.Screening {
	s := &discern.Screening{OrgID: org.ID, PersonID: personID, ScreenerID: by.ID, InstrumentID: "brief-v1",
		Language: "en", Jurisdictions: []string{"gb-eng", "us-federal"},
		Answers:        json.RawMessage(`{"q1":{"value":"yes","provenance":"self_report"}}`),
		ContentVersion: "2026.3", ContentHash: "sha256:abc", Status: status}
	if status == discern.ScreeningComplete {
		s.Result = json.RawMessage(`{"outcome":"indicators_present"}`)
	}
	return s
}

func testPlaceholders(t *testing.T, f *fixture) {
	// Shared queries rely on $N being bound by number, as PostgreSQL does;
	// a driver that binds by order of appearance would swap these.
	var got string
	must(t, f.db.WithTx(f.ctx, func(tx *sqldb.Tx) error {
		return tx.QueryRowContext(f.ctx, "SELECT CAST($2 AS TEXT) || '-' || CAST($1 AS TEXT)", "first", "second").Scan(&got)
	}))
	if got != "second-first" {
		t.Fatalf("$2 || $1 = %q, want second-first", got)
	}
}

func testOrganizations(t *testing.T, f *fixture) {
	got, err := f.db.FindOrganizationByID(f.ctx, f.orgA.ID)
	must(t, err)
	if got.Name != f.orgA.Name || got.Region != "GB-SCT" || !slices.Equal(got.Settings.Jurisdictions, []string{"gb-sct"}) ||
		!got.CreatedAt.Equal(f.orgA.CreatedAt) {
		t.Fatalf("found %+v, want %+v", got, f.orgA)
	}
	_, err = f.db.FindOrganizationByID(f.ctx, "01J00000000000000000000000")
	wantKind(t, err, discern.KindNotFound)

	err = f.db.CreateOrganization(f.ctx, &discern.Organization{Name: f.orgA.Name})
	wantKind(t, err, discern.KindConflict)
	if !sqldb.IsUniqueViolation(err) {
		t.Errorf("IsUniqueViolation(%v) = false", err)
	}
	if e, _ := errors.AsType[*discern.Error](err); e.Field != "name" {
		t.Errorf("conflict field = %q, want name", e.Field)
	}
	for name, o := range map[string]*discern.Organization{
		"lower-case country":    {Name: "X", Country: "gb"},
		"region of no country":  {Name: "X", Region: "GB-SCT"},
		"region of another":     {Name: "X", Country: "CA", Region: "GB-SCT"},
		"empty name":            {Name: " "},
		"bad default language":  {Name: "X", Settings: discern.OrganizationSettings{DefaultLanguage: "english please"}},
		"repeated jurisdiction": {Name: "X", Settings: discern.OrganizationSettings{Jurisdictions: []string{"a", "a"}}},
	} {
		if err := f.db.CreateOrganization(f.ctx, o); discern.KindOf(err) != discern.KindInvalid {
			t.Errorf("%s: error %v, want invalid", name, err)
		}
	}

	upd, err := f.db.UpdateOrganization(f.ctx, f.orgB.ID, discern.OrganizationUpdate{
		Name: new("Riverside Health (fictional)"), Settings: &discern.OrganizationSettings{RequireMFA: true}})
	must(t, err)
	got, err = f.db.FindOrganizationByID(f.ctx, f.orgB.ID)
	must(t, err)
	if got.Name != "Riverside Health (fictional)" || !got.Settings.RequireMFA || !got.UpdatedAt.Equal(upd.UpdatedAt) || !got.UpdatedAt.After(got.CreatedAt) {
		t.Fatalf("after update: %+v", got)
	}
	_, err = f.db.UpdateOrganization(f.ctx, f.orgB.ID, discern.OrganizationUpdate{Name: &f.orgA.Name})
	wantKind(t, err, discern.KindConflict)

	orgs, next, err := f.db.FindOrganizations(f.ctx, discern.OrganizationFilter{Page: discern.Page{Limit: 1}})
	must(t, err)
	if len(orgs) != 1 || orgs[0].ID != f.orgB.ID || next == "" {
		t.Fatalf("first page: %d orgs, next %q", len(orgs), next)
	}
	orgs, next, err = f.db.FindOrganizations(f.ctx, discern.OrganizationFilter{Page: discern.Page{Limit: 1, Cursor: next}})
	must(t, err)
	if len(orgs) != 1 || orgs[0].ID != f.orgA.ID || next != "" {
		t.Fatalf("last page: %d orgs, next %q", len(orgs), next)
	}
}

func testTeams(t *testing.T, f *fixture) {
	got, err := f.db.FindTeamByID(f.ctx, f.orgA.ID, f.teamA.ID)
	must(t, err)
	if got.Name != "Night outreach" {
		t.Fatalf("team name %q", got.Name)
	}
	_, err = f.db.FindTeamByID(f.ctx, f.orgB.ID, f.teamA.ID)
	wantKind(t, err, discern.KindNotFound)
	wantKind(t, f.db.CreateTeam(f.ctx, &discern.Team{OrgID: f.orgA.ID, Name: "Night outreach"}), discern.KindConflict)
	must(t, f.db.CreateTeam(f.ctx, &discern.Team{OrgID: f.orgB.ID, Name: "Night outreach"}))
	wantKind(t, f.db.CreateTeam(f.ctx, &discern.Team{OrgID: "01J00000000000000000000000", Name: "Ghost"}), discern.KindInvalid)

	_, err = f.db.UpdateTeam(f.ctx, f.orgB.ID, f.teamA.ID, discern.TeamUpdate{Name: new("Stolen")})
	wantKind(t, err, discern.KindNotFound)
	upd, err := f.db.UpdateTeam(f.ctx, f.orgA.ID, f.teamA.ID, discern.TeamUpdate{Name: new("Day outreach")})
	must(t, err)
	teams, next, err := f.db.FindTeams(f.ctx, discern.TeamFilter{OrgID: f.orgA.ID})
	must(t, err)
	if len(teams) != 1 || teams[0].Name != upd.Name || next != "" {
		t.Fatalf("teams of A: %+v", teams)
	}
	_, _, err = f.db.FindTeams(f.ctx, discern.TeamFilter{})
	wantKind(t, err, discern.KindInvalid)
}

func testUsers(t *testing.T, f *fixture) {
	got, err := f.db.FindUserByID(f.ctx, f.orgA.ID, f.workerA.ID)
	must(t, err)
	if got.Email != f.workerA.Email || got.Role != discern.RoleCaseworker || got.PasswordHash != f.workerA.PasswordHash || got.Disabled {
		t.Fatalf("found %+v", got)
	}
	_, err = f.db.FindUserByID(f.ctx, f.orgB.ID, f.workerA.ID)
	wantKind(t, err, discern.KindNotFound)

	byEmail, err := f.db.FindUserByEmail(f.ctx, "  Worker@Harbour.EXAMPLE ")
	must(t, err)
	if byEmail.ID != f.workerA.ID {
		t.Fatalf("by email: %s, want %s", byEmail.ID, f.workerA.ID)
	}
	_, err = f.db.FindUserByEmail(f.ctx, "nobody@harbour.example")
	wantKind(t, err, discern.KindNotFound)

	cases := []struct {
		name string
		u    discern.User
		want discern.ErrorKind
	}{
		{"email taken in another org", discern.User{OrgID: f.orgB.ID, Email: f.workerA.Email, DisplayName: "X", Role: discern.RoleScreener}, discern.KindConflict},
		{"unknown role", discern.User{OrgID: f.orgA.ID, Email: "a@b.example", DisplayName: "X", Role: "root"}, discern.KindInvalid},
		{"plaintext password", discern.User{OrgID: f.orgA.ID, Email: "a@b.example", DisplayName: "X", Role: discern.RoleScreener, PasswordHash: "hunter2"}, discern.KindInvalid},
		{"email taken, in capitals", discern.User{OrgID: f.orgA.ID, Email: " WORKER@harbour.example", DisplayName: "X", Role: discern.RoleScreener}, discern.KindConflict},
		{"no email", discern.User{OrgID: f.orgA.ID, Email: "harbour.example", DisplayName: "X", Role: discern.RoleScreener}, discern.KindInvalid},
		{"team of another org", discern.User{OrgID: f.orgB.ID, TeamID: f.teamA.ID, Email: "a@b.example", DisplayName: "X", Role: discern.RoleScreener}, discern.KindInvalid},
		{"short mfa secret", discern.User{OrgID: f.orgA.ID, Email: "a@b.example", DisplayName: "X", Role: discern.RoleScreener, MFASecret: discern.Sealed("JBSWY3DP")}, discern.KindInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantKind(t, f.db.CreateUser(f.ctx, &tc.u), tc.want)
		})
	}

	upd, err := f.db.UpdateUser(f.ctx, f.orgA.ID, f.workerA.ID, discern.UserUpdate{
		TeamID: &f.teamA.ID, Role: new(discern.RoleSupervisor), MFASecret: new(sealed("totp")), DisplayName: new("Sam")})
	must(t, err)
	got, err = f.db.FindUserByID(f.ctx, f.orgA.ID, f.workerA.ID)
	must(t, err)
	if got.TeamID != f.teamA.ID || got.Role != discern.RoleSupervisor || string(got.MFASecret) != string(sealed("totp")) || got.DisplayName != "Sam" ||
		!got.UpdatedAt.Equal(upd.UpdatedAt) {
		t.Fatalf("after update: %+v", got)
	}
	_, err = f.db.UpdateUser(f.ctx, f.orgB.ID, f.workerA.ID, discern.UserUpdate{Disabled: new(true)})
	wantKind(t, err, discern.KindNotFound)

	for i, step := range []struct {
		step int64
		want bool
	}{{100, true}, {100, false}, {99, false}, {101, true}} {
		ok, err := f.db.AdvanceMFAStep(f.ctx, f.orgA.ID, f.workerA.ID, step.step)
		must(t, err)
		if ok != step.want {
			t.Fatalf("AdvanceMFAStep #%d (%d) = %v, want %v", i, step.step, ok, step.want)
		}
	}
	_, err = f.db.AdvanceMFAStep(f.ctx, f.orgB.ID, f.workerA.ID, 500)
	wantKind(t, err, discern.KindNotFound)
	// Resetting MFA starts the step counter again.
	_, err = f.db.UpdateUser(f.ctx, f.orgA.ID, f.workerA.ID, discern.UserUpdate{MFASecret: new(discern.Sealed(nil))})
	must(t, err)
	got, _ = f.db.FindUserByID(f.ctx, f.orgA.ID, f.workerA.ID)
	if got.MFASecret != nil || got.MFALastStep != 0 {
		t.Fatalf("after MFA reset: secret %q, step %d", got.MFASecret, got.MFALastStep)
	}

	filters := []struct {
		name string
		f    discern.UserFilter
		want []string
	}{
		{"all of A", discern.UserFilter{OrgID: f.orgA.ID}, []string{f.workerA.ID, f.adminA.ID}},
		{"team", discern.UserFilter{OrgID: f.orgA.ID, TeamID: &f.teamA.ID}, []string{f.workerA.ID}},
		{"no team", discern.UserFilter{OrgID: f.orgA.ID, TeamID: new("")}, []string{f.adminA.ID}},
		{"role", discern.UserFilter{OrgID: f.orgA.ID, Role: new(discern.RoleAdministrator)}, []string{f.adminA.ID}},
		{"disabled", discern.UserFilter{OrgID: f.orgA.ID, Disabled: new(true)}, nil},
		{"B", discern.UserFilter{OrgID: f.orgB.ID}, []string{f.userB.ID}},
	}
	for _, tc := range filters {
		t.Run(tc.name, func(t *testing.T) {
			users, _, err := f.db.FindUsers(f.ctx, tc.f)
			must(t, err)
			if got := ids(users, func(u *discern.User) string { return u.ID }); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func ids[T any](xs []*T, id func(*T) string) []string {
	var out []string
	for _, x := range xs {
		out = append(out, id(x))
	}
	return out
}

func testPeople(t *testing.T, f *fixture) {
	p := &discern.Person{OrgID: f.orgA.ID, TeamID: f.teamA.ID, CreatedBy: f.workerA.ID, AssignedTo: f.adminA.ID,
		CaseCode: sealed("DSC-7M3F-QE"), CaseCodeIndex: index("DSC-7M3F-QE"),
		Name: sealed("Ana"), NameIndex: index("ana"), BirthDate: sealed("2001-02-03"),
		AgeEstimate: sealed("20-25"), Contact: sealed("+44 7700 900000")}
	must(t, f.db.CreatePerson(f.ctx, p))
	if !discern.ValidID(p.ID) || p.CreatedAt.IsZero() {
		t.Fatalf("created person %q at %v", p.ID, p.CreatedAt)
	}
	got, err := f.db.FindPersonByID(f.ctx, f.orgA.ID, p.ID)
	must(t, err)
	if string(got.Name) != string(p.Name) || string(got.NameIndex) != string(p.NameIndex) || string(got.Contact) != string(p.Contact) ||
		string(got.CaseCode) != string(p.CaseCode) || got.TeamID != f.teamA.ID || got.AssignedTo != f.adminA.ID || got.ErasedAt != nil ||
		!got.CreatedAt.Equal(p.CreatedAt) {
		t.Fatalf("found %+v\nwant %+v", got, p)
	}
	_, err = f.db.FindPersonByID(f.ctx, f.orgB.ID, p.ID)
	wantKind(t, err, discern.KindNotFound)

	// A case code is unique per organization, not across them.
	dup := &discern.Person{OrgID: f.orgA.ID, CreatedBy: f.workerA.ID, CaseCode: sealed("other"), CaseCodeIndex: index("DSC-7M3F-QE")}
	err = f.db.CreatePerson(f.ctx, dup)
	wantKind(t, err, discern.KindConflict)
	if e, _ := errors.AsType[*discern.Error](err); e.Field != "case_code" || !sqldb.IsUniqueViolation(err) {
		t.Fatalf("duplicate case code: %#v", err)
	}
	inB := f.person(t, f.orgB, f.userB, "DSC-7M3F-QE")

	invalid := []struct {
		name string
		p    discern.Person
	}{
		{"no case code", discern.Person{OrgID: f.orgA.ID, CreatedBy: f.workerA.ID}},
		{"plaintext name", discern.Person{OrgID: f.orgA.ID, CreatedBy: f.workerA.ID, CaseCode: sealed("c"), CaseCodeIndex: index("c"), Name: discern.Sealed("Ana"), NameIndex: index("ana")}},
		{"name without index", discern.Person{OrgID: f.orgA.ID, CreatedBy: f.workerA.ID, CaseCode: sealed("c"), CaseCodeIndex: index("c"), Name: sealed("Ana")}},
		{"short index", discern.Person{OrgID: f.orgA.ID, CreatedBy: f.workerA.ID, CaseCode: sealed("c"), CaseCodeIndex: discern.BlindIndex("c")}},
		{"creator of another org", discern.Person{OrgID: f.orgA.ID, CreatedBy: f.userB.ID, CaseCode: sealed("c"), CaseCodeIndex: index("c")}},
		{"team of another org", discern.Person{OrgID: f.orgB.ID, TeamID: f.teamA.ID, CreatedBy: f.userB.ID, CaseCode: sealed("c"), CaseCodeIndex: index("c")}},
		{"bad id", discern.Person{ID: "robert'); DROP TABLE people;--", OrgID: f.orgA.ID, CreatedBy: f.workerA.ID, CaseCode: sealed("c"), CaseCodeIndex: index("c")}},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			wantKind(t, f.db.CreatePerson(f.ctx, &tc.p), discern.KindInvalid)
		})
	}

	// A caller may choose the ID (to bind ciphertexts to it) before creating.
	id, err := discern.NewID(time.Now(), fixedReader(7))
	must(t, err)
	chosen := &discern.Person{ID: id, OrgID: f.orgA.ID, CreatedBy: f.adminA.ID, CaseCode: sealed("chosen"), CaseCodeIndex: index("chosen")}
	must(t, f.db.CreatePerson(f.ctx, chosen))
	if chosen.ID != id {
		t.Fatalf("chosen ID replaced: %s", chosen.ID)
	}

	upd, err := f.db.UpdatePerson(f.ctx, f.orgA.ID, p.ID, discern.PersonUpdate{Name: new(sealed("Ana Maria")), NameIndex: new(index("ana maria")),
		Contact: new(discern.Sealed(nil)), AssignedTo: new("")})
	must(t, err)
	got, _ = f.db.FindPersonByID(f.ctx, f.orgA.ID, p.ID)
	if string(got.Name) != string(sealed("Ana Maria")) || got.Contact != nil || got.AssignedTo != "" || string(got.BirthDate) != string(p.BirthDate) ||
		!got.UpdatedAt.Equal(upd.UpdatedAt) {
		t.Fatalf("after update: %+v", got)
	}
	_, err = f.db.UpdatePerson(f.ctx, f.orgA.ID, p.ID, discern.PersonUpdate{Name: new(sealed("x"))})
	wantKind(t, err, discern.KindInvalid)
	_, err = f.db.UpdatePerson(f.ctx, f.orgB.ID, p.ID, discern.PersonUpdate{Contact: new(sealed("x"))})
	wantKind(t, err, discern.KindNotFound)

	filters := []struct {
		name string
		f    discern.PersonFilter
		want []string
	}{
		{"all of A", discern.PersonFilter{OrgID: f.orgA.ID}, []string{chosen.ID, p.ID}},
		{"all of B", discern.PersonFilter{OrgID: f.orgB.ID}, []string{inB.ID}},
		{"case code", discern.PersonFilter{OrgID: f.orgA.ID, CaseCodeIndex: index("DSC-7M3F-QE")}, []string{p.ID}},
		{"case code, other org", discern.PersonFilter{OrgID: f.orgB.ID, CaseCodeIndex: index("DSC-7M3F-QE")}, []string{inB.ID}},
		{"name", discern.PersonFilter{OrgID: f.orgA.ID, NameIndex: index("ana maria")}, []string{p.ID}},
		{"old name", discern.PersonFilter{OrgID: f.orgA.ID, NameIndex: index("ana")}, nil},
		{"team", discern.PersonFilter{OrgID: f.orgA.ID, TeamID: &f.teamA.ID}, []string{p.ID}},
		{"owner (creator)", discern.PersonFilter{OrgID: f.orgA.ID, Owner: &f.workerA.ID}, []string{p.ID}},
		{"owner (creator of other)", discern.PersonFilter{OrgID: f.orgA.ID, Owner: &f.adminA.ID}, []string{chosen.ID}},
		{"unassigned", discern.PersonFilter{OrgID: f.orgA.ID, AssignedTo: new("")}, []string{chosen.ID, p.ID}},
	}
	for _, tc := range filters {
		t.Run(tc.name, func(t *testing.T) {
			people, next, err := f.db.FindPeople(f.ctx, tc.f)
			must(t, err)
			if got := ids(people, func(p *discern.Person) string { return p.ID }); !slices.Equal(got, tc.want) || next != "" {
				t.Fatalf("got %v (next %q), want %v", got, next, tc.want)
			}
		})
	}
	_, _, err = f.db.FindPeople(f.ctx, discern.PersonFilter{})
	wantKind(t, err, discern.KindInvalid)
}

// fixedReader is an endless stream of one byte.
type fixedReader byte

func (r fixedReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

func testErasePerson(t *testing.T, f *fixture) {
	p := &discern.Person{OrgID: f.orgA.ID, CreatedBy: f.workerA.ID, CaseCode: sealed("DSC-ERAS-E1"), CaseCodeIndex: index("DSC-ERAS-E1"),
		Name: sealed("Bea"), NameIndex: index("bea"), Contact: sealed("phone")}
	must(t, f.db.CreatePerson(f.ctx, p))
	enc := &discern.Encounter{OrgID: f.orgA.ID, PersonID: p.ID, OccurredAt: time.Now(), PlaceKind: discern.PlaceStreet,
		Narrative: sealed("met near the station"), CreatedBy: f.workerA.ID}
	must(t, f.db.CreateEncounter(f.ctx, enc))
	note := &discern.Note{OrgID: f.orgA.ID, PersonID: p.ID, AuthorID: f.workerA.ID, DataClass: discern.ClassHealth, Body: sealed("clinic")}
	must(t, f.db.CreateNote(f.ctx, note))
	task := &discern.Task{OrgID: f.orgA.ID, PersonID: p.ID, Title: sealed("call Bea"), Status: discern.TaskOpen, CreatedBy: f.workerA.ID}
	must(t, f.db.CreateTask(f.ctx, task))
	scr := f.screening(f.orgA, f.workerA, p.ID, discern.ScreeningComplete)
	scr.EncounterID = enc.ID
	must(t, f.db.CreateScreening(f.ctx, scr))

	wantKind(t, f.db.ErasePerson(f.ctx, f.orgB.ID, p.ID), discern.KindNotFound)
	must(t, f.db.ErasePerson(f.ctx, f.orgA.ID, p.ID))
	must(t, f.db.ErasePerson(f.ctx, f.orgA.ID, p.ID)) // twice is fine

	got, err := f.db.FindPersonByID(f.ctx, f.orgA.ID, p.ID)
	must(t, err)
	if got.ErasedAt == nil || got.Name != nil || got.NameIndex != nil || got.Contact != nil || got.CaseCode != nil || got.CaseCodeIndex != nil {
		t.Fatalf("erased person still holds data: %+v", got)
	}
	people, _, err := f.db.FindPeople(f.ctx, discern.PersonFilter{OrgID: f.orgA.ID})
	must(t, err)
	if len(people) != 0 {
		t.Fatalf("erased person listed: %d people", len(people))
	}
	people, _, err = f.db.FindPeople(f.ctx, discern.PersonFilter{OrgID: f.orgA.ID, IncludeErased: true})
	must(t, err)
	if len(people) != 1 {
		t.Fatalf("IncludeErased listed %d people", len(people))
	}
	if e, _ := f.db.FindEncounterByID(f.ctx, f.orgA.ID, enc.ID); e.Narrative != nil {
		t.Fatal("encounter narrative survived erasure")
	}
	_, err = f.db.FindNoteByID(f.ctx, f.orgA.ID, note.ID)
	wantKind(t, err, discern.KindNotFound)
	if tk, _ := f.db.FindTaskByID(f.ctx, f.orgA.ID, task.ID); tk.Title != nil {
		t.Fatal("task title survived erasure")
	}
	_, err = f.db.UpdateTask(f.ctx, f.orgA.ID, task.ID, discern.TaskUpdate{Status: new(discern.TaskDone)})
	wantKind(t, err, discern.KindConflict)
	s, err := f.db.FindScreeningByID(f.ctx, f.orgA.ID, scr.ID)
	must(t, err)
	if s.PersonID != "" || s.EncounterID != "" || string(s.Answers) != string(scr.Answers) {
		t.Fatalf("screening after erasure: person %q encounter %q", s.PersonID, s.EncounterID)
	}
	_, err = f.db.UpdatePerson(f.ctx, f.orgA.ID, p.ID, discern.PersonUpdate{Contact: new(sealed("x"))})
	wantKind(t, err, discern.KindConflict)
	// The erased case code is free again.
	f.person(t, f.orgA, f.workerA, "DSC-ERAS-E1")
}

func testEncounters(t *testing.T, f *fixture) {
	pa := f.person(t, f.orgA, f.workerA, "a1")
	pb := f.person(t, f.orgB, f.userB, "b1")
	when := time.Date(2026, 2, 14, 22, 30, 0, 123456789, time.FixedZone("X", 3600))
	e := &discern.Encounter{OrgID: f.orgA.ID, PersonID: pa.ID, OccurredAt: when, PlaceKind: discern.PlaceHotel,
		Narrative: sealed("narrative"), CreatedBy: f.workerA.ID}
	must(t, f.db.CreateEncounter(f.ctx, e))
	got, err := f.db.FindEncounterByID(f.ctx, f.orgA.ID, e.ID)
	must(t, err)
	if !got.OccurredAt.Equal(when.Truncate(time.Microsecond)) || got.PlaceKind != discern.PlaceHotel || string(got.Narrative) != string(e.Narrative) {
		t.Fatalf("found %+v", got)
	}
	_, err = f.db.FindEncounterByID(f.ctx, f.orgB.ID, e.ID)
	wantKind(t, err, discern.KindNotFound)

	bad := []struct {
		name string
		e    discern.Encounter
	}{
		{"person of another org", discern.Encounter{OrgID: f.orgA.ID, PersonID: pb.ID, OccurredAt: when, PlaceKind: discern.PlaceStreet, CreatedBy: f.workerA.ID}},
		{"address instead of kind", discern.Encounter{OrgID: f.orgA.ID, PersonID: pa.ID, OccurredAt: when, PlaceKind: "12 High Street", CreatedBy: f.workerA.ID}},
		{"no time", discern.Encounter{OrgID: f.orgA.ID, PersonID: pa.ID, PlaceKind: discern.PlaceStreet, CreatedBy: f.workerA.ID}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			wantKind(t, f.db.CreateEncounter(f.ctx, &tc.e), discern.KindInvalid)
		})
	}

	e2 := &discern.Encounter{OrgID: f.orgA.ID, PersonID: pa.ID, OccurredAt: when, PlaceKind: discern.PlaceOnline, CreatedBy: f.adminA.ID}
	must(t, f.db.CreateEncounter(f.ctx, e2))
	upd, err := f.db.UpdateEncounter(f.ctx, f.orgA.ID, e.ID, discern.EncounterUpdate{PlaceKind: new(discern.PlaceVenue), Narrative: new(discern.Sealed(nil))})
	must(t, err)
	if upd.PlaceKind != discern.PlaceVenue || upd.Narrative != nil {
		t.Fatalf("after update: %+v", upd)
	}
	_, err = f.db.UpdateEncounter(f.ctx, f.orgB.ID, e.ID, discern.EncounterUpdate{PlaceKind: new(discern.PlaceVenue)})
	wantKind(t, err, discern.KindNotFound)

	list, _, err := f.db.FindEncounters(f.ctx, discern.EncounterFilter{OrgID: f.orgA.ID, PersonID: &pa.ID})
	must(t, err)
	if got := ids(list, func(e *discern.Encounter) string { return e.ID }); !slices.Equal(got, []string{e2.ID, e.ID}) {
		t.Fatalf("encounters of person: %v", got)
	}
	list, _, err = f.db.FindEncounters(f.ctx, discern.EncounterFilter{OrgID: f.orgA.ID, CreatedBy: &f.adminA.ID})
	must(t, err)
	if len(list) != 1 || list[0].ID != e2.ID {
		t.Fatalf("encounters by admin: %d", len(list))
	}
	list, _, err = f.db.FindEncounters(f.ctx, discern.EncounterFilter{OrgID: f.orgB.ID, PersonID: &pa.ID})
	must(t, err)
	if len(list) != 0 {
		t.Fatal("org B sees org A's encounters")
	}
}

func testScreenings(t *testing.T, f *fixture) {
	pa := f.person(t, f.orgA, f.workerA, "a1")
	pb := f.person(t, f.orgB, f.userB, "b1")

	anon := f.screening(f.orgA, f.workerA, "", discern.ScreeningDraft)
	must(t, f.db.CreateScreening(f.ctx, anon))
	if anon.CompletedAt != nil {
		t.Fatal("a draft has CompletedAt")
	}
	done := f.screening(f.orgA, f.adminA, pa.ID, discern.ScreeningComplete)
	must(t, f.db.CreateScreening(f.ctx, done))
	got, err := f.db.FindScreeningByID(f.ctx, f.orgA.ID, done.ID)
	must(t, err)
	if got.PersonID != pa.ID || got.CompletedAt == nil || !got.CompletedAt.Equal(got.CreatedAt) || string(got.Result) != string(done.Result) ||
		!slices.Equal(got.Jurisdictions, done.Jurisdictions) || got.ContentHash != "sha256:abc" || got.ContentVersion != "2026.3" {
		t.Fatalf("found %+v", got)
	}
	if g, _ := f.db.FindScreeningByID(f.ctx, f.orgA.ID, anon.ID); g.PersonID != "" || g.Result != nil {
		t.Fatalf("anonymous draft: person %q result %q", g.PersonID, g.Result)
	}
	_, err = f.db.FindScreeningByID(f.ctx, f.orgB.ID, done.ID)
	wantKind(t, err, discern.KindNotFound)

	bad := map[string]func(s *discern.Screening){
		"person of another org":   func(s *discern.Screening) { s.PersonID = pb.ID },
		"screener of other org":   func(s *discern.Screening) { s.ScreenerID = f.userB.ID },
		"answers not JSON":        func(s *discern.Screening) { s.Answers = json.RawMessage(`{"q1":`) },
		"answers missing":         func(s *discern.Screening) { s.Answers = nil },
		"complete without result": func(s *discern.Screening) { s.Status = discern.ScreeningComplete; s.Result = nil },
		"unknown status":          func(s *discern.Screening) { s.Status = "final" },
		"bad language":            func(s *discern.Screening) { s.Language = "" },
		"bad jurisdiction":        func(s *discern.Screening) { s.Jurisdictions = []string{"gb eng"} },
		"invalid UTF-8":           func(s *discern.Screening) { s.Answers = json.RawMessage("\"\xff\"") },
	}
	for name, mutate := range bad {
		t.Run(name, func(t *testing.T) {
			s := f.screening(f.orgA, f.workerA, "", discern.ScreeningDraft)
			mutate(s)
			wantKind(t, f.db.CreateScreening(f.ctx, s), discern.KindInvalid)
		})
	}

	upd, err := f.db.UpdateScreening(f.ctx, f.orgA.ID, anon.ID, discern.ScreeningUpdate{
		PersonID: &pa.ID, Answers: new(json.RawMessage(`{"q1":{"value":"unknown","provenance":"observed"}}`)),
		Result: new(json.RawMessage(`{"outcome":"insufficient_information"}`)), Status: new(discern.ScreeningComplete)})
	must(t, err)
	if upd.CompletedAt == nil || upd.PersonID != pa.ID {
		t.Fatalf("completed draft: %+v", upd)
	}
	_, err = f.db.UpdateScreening(f.ctx, f.orgA.ID, anon.ID, discern.ScreeningUpdate{Language: new("fr")})
	wantKind(t, err, discern.KindConflict)
	_, err = f.db.UpdateScreening(f.ctx, f.orgB.ID, anon.ID, discern.ScreeningUpdate{Language: new("fr")})
	wantKind(t, err, discern.KindNotFound)
	draft := f.screening(f.orgA, f.workerA, "", discern.ScreeningDraft)
	must(t, f.db.CreateScreening(f.ctx, draft))
	_, err = f.db.UpdateScreening(f.ctx, f.orgA.ID, draft.ID, discern.ScreeningUpdate{PersonID: &pb.ID})
	wantKind(t, err, discern.KindInvalid)

	inB := f.screening(f.orgB, f.userB, pb.ID, discern.ScreeningDraft)
	must(t, f.db.CreateScreening(f.ctx, inB))
	filters := []struct {
		name string
		f    discern.ScreeningFilter
		want []string
	}{
		{"all of A", discern.ScreeningFilter{OrgID: f.orgA.ID}, []string{draft.ID, done.ID, anon.ID}},
		{"complete", discern.ScreeningFilter{OrgID: f.orgA.ID, Status: new(discern.ScreeningComplete)}, []string{done.ID, anon.ID}},
		{"draft", discern.ScreeningFilter{OrgID: f.orgA.ID, Status: new(discern.ScreeningDraft)}, []string{draft.ID}},
		{"person", discern.ScreeningFilter{OrgID: f.orgA.ID, PersonID: &pa.ID}, []string{done.ID, anon.ID}},
		{"anonymous", discern.ScreeningFilter{OrgID: f.orgA.ID, PersonID: new("")}, []string{draft.ID}},
		{"screener", discern.ScreeningFilter{OrgID: f.orgA.ID, ScreenerID: &f.adminA.ID}, []string{done.ID}},
		{"person of A, org B", discern.ScreeningFilter{OrgID: f.orgB.ID, PersonID: &pa.ID}, nil},
		{"all of B", discern.ScreeningFilter{OrgID: f.orgB.ID}, []string{inB.ID}},
	}
	for _, tc := range filters {
		t.Run(tc.name, func(t *testing.T) {
			list, _, err := f.db.FindScreenings(f.ctx, tc.f)
			must(t, err)
			if got := ids(list, func(s *discern.Screening) string { return s.ID }); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func testScreeningPages(t *testing.T, f *fixture) {
	// Several screenings share each created_at (one transaction), so the
	// keyset must break ties by ID.
	var want []string
	for range 4 {
		must(t, f.db.WithTx(f.ctx, func(tx *sqldb.Tx) error {
			for range 3 {
				s := f.screening(f.orgA, f.workerA, "", discern.ScreeningComplete)
				if err := tx.CreateScreening(f.ctx, s); err != nil {
					return err
				}
				want = append(want, s.ID)
			}
			return nil
		}))
	}
	must(t, f.db.CreateScreening(f.ctx, f.screening(f.orgA, f.workerA, "", discern.ScreeningDraft)))
	must(t, f.db.CreateScreening(f.ctx, f.screening(f.orgB, f.userB, "", discern.ScreeningComplete)))
	all, _, err := f.db.FindScreenings(f.ctx, discern.ScreeningFilter{OrgID: f.orgA.ID, Status: new(discern.ScreeningComplete)})
	must(t, err)
	if len(all) != 12 {
		t.Fatalf("%d complete screenings, want 12", len(all))
	}
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if a.CreatedAt.Before(b.CreatedAt) || a.CreatedAt.Equal(b.CreatedAt) && a.ID < b.ID {
			t.Fatalf("not newest first at %d", i)
		}
	}
	for _, size := range []int{1, 5, 12, 13} {
		t.Run(fmt.Sprint("size ", size), func(t *testing.T) {
			var got []string
			cursor := ""
			for pages := 0; ; pages++ {
				if pages > 20 {
					t.Fatal("pagination does not end")
				}
				list, next, err := f.db.FindScreenings(f.ctx, discern.ScreeningFilter{OrgID: f.orgA.ID,
					Status: new(discern.ScreeningComplete), Page: discern.Page{Limit: size, Cursor: cursor}})
				must(t, err)
				if len(list) > size {
					t.Fatalf("page of %d rows, limit %d", len(list), size)
				}
				got = append(got, ids(list, func(s *discern.Screening) string { return s.ID })...)
				if next == "" {
					break
				}
				cursor = next
			}
			if want := ids(all, func(s *discern.Screening) string { return s.ID }); !slices.Equal(got, want) {
				t.Fatalf("pages gave %v\nwant %v", got, want)
			}
		})
	}
	for name, p := range map[string]discern.Page{
		"garbage cursor": {Cursor: "not a cursor"},
		"negative limit": {Limit: -1},
		"huge limit":     {Limit: discern.MaxLimit + 1},
		"forged id":      {Cursor: "AQAAAAAAAAAAJzsgT1IgMT0x"},
	} {
		_, _, err := f.db.FindScreenings(f.ctx, discern.ScreeningFilter{OrgID: f.orgA.ID, Page: p})
		if discern.KindOf(err) != discern.KindInvalid {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
}

func testNotes(t *testing.T, f *fixture) {
	pa := f.person(t, f.orgA, f.workerA, "a1")
	n1 := &discern.Note{OrgID: f.orgA.ID, PersonID: pa.ID, AuthorID: f.workerA.ID, DataClass: discern.ClassNarrative, Body: sealed("one")}
	n2 := &discern.Note{OrgID: f.orgA.ID, PersonID: pa.ID, AuthorID: f.adminA.ID, DataClass: discern.ClassHealth, Body: sealed("two")}
	must(t, f.db.CreateNote(f.ctx, n1))
	must(t, f.db.CreateNote(f.ctx, n2))
	wantKind(t, f.db.CreateNote(f.ctx, &discern.Note{OrgID: f.orgB.ID, PersonID: pa.ID, AuthorID: f.userB.ID, DataClass: discern.ClassHealth, Body: sealed("x")}), discern.KindInvalid)
	wantKind(t, f.db.CreateNote(f.ctx, &discern.Note{OrgID: f.orgA.ID, PersonID: pa.ID, AuthorID: f.workerA.ID, DataClass: "gossip", Body: sealed("x")}), discern.KindInvalid)

	got, err := f.db.FindNoteByID(f.ctx, f.orgA.ID, n1.ID)
	must(t, err)
	if string(got.Body) != string(n1.Body) || got.DataClass != discern.ClassNarrative {
		t.Fatalf("found %+v", got)
	}
	_, err = f.db.FindNoteByID(f.ctx, f.orgB.ID, n1.ID)
	wantKind(t, err, discern.KindNotFound)

	for _, tc := range []struct {
		name string
		f    discern.NoteFilter
		want []string
	}{
		{"person", discern.NoteFilter{OrgID: f.orgA.ID, PersonID: &pa.ID}, []string{n2.ID, n1.ID}},
		{"classes", discern.NoteFilter{OrgID: f.orgA.ID, DataClasses: []discern.DataClass{discern.ClassNarrative, discern.ClassContact}}, []string{n1.ID}},
		{"author", discern.NoteFilter{OrgID: f.orgA.ID, AuthorID: &f.adminA.ID}, []string{n2.ID}},
		{"org B", discern.NoteFilter{OrgID: f.orgB.ID, PersonID: &pa.ID}, nil},
	} {
		list, _, err := f.db.FindNotes(f.ctx, tc.f)
		must(t, err)
		if got := ids(list, func(n *discern.Note) string { return n.ID }); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	_, _, err = f.db.FindNotes(f.ctx, discern.NoteFilter{OrgID: f.orgA.ID, DataClasses: []discern.DataClass{"x' OR 1=1"}})
	wantKind(t, err, discern.KindInvalid)

	upd, err := f.db.UpdateNote(f.ctx, f.orgA.ID, n1.ID, discern.NoteUpdate{Body: new(sealed("one, revised")), DataClass: new(discern.ClassImmigration)})
	must(t, err)
	if string(upd.Body) != string(sealed("one, revised")) || upd.DataClass != discern.ClassImmigration {
		t.Fatalf("after update %+v", upd)
	}
	_, err = f.db.UpdateNote(f.ctx, f.orgB.ID, n1.ID, discern.NoteUpdate{Body: new(sealed("x"))})
	wantKind(t, err, discern.KindNotFound)
	wantKind(t, f.db.DeleteNote(f.ctx, f.orgB.ID, n1.ID), discern.KindNotFound)
	must(t, f.db.DeleteNote(f.ctx, f.orgA.ID, n1.ID))
	wantKind(t, f.db.DeleteNote(f.ctx, f.orgA.ID, n1.ID), discern.KindNotFound)
}

func testTasks(t *testing.T, f *fixture) {
	pa := f.person(t, f.orgA, f.workerA, "a1")
	due := time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)
	t1 := &discern.Task{OrgID: f.orgA.ID, PersonID: pa.ID, Title: sealed("book clinic"), Status: discern.TaskOpen, DueAt: &due,
		AssigneeID: f.workerA.ID, CreatedBy: f.adminA.ID}
	t2 := &discern.Task{OrgID: f.orgA.ID, Title: sealed("team meeting"), Status: discern.TaskOpen, CreatedBy: f.adminA.ID}
	must(t, f.db.CreateTask(f.ctx, t1))
	must(t, f.db.CreateTask(f.ctx, t2))
	wantKind(t, f.db.CreateTask(f.ctx, &discern.Task{OrgID: f.orgB.ID, Title: sealed("x"), Status: discern.TaskOpen, CreatedBy: f.userB.ID, AssigneeID: f.workerA.ID}), discern.KindInvalid)
	wantKind(t, f.db.CreateTask(f.ctx, &discern.Task{OrgID: f.orgA.ID, Title: sealed("x"), Status: "later", CreatedBy: f.adminA.ID}), discern.KindInvalid)

	got, err := f.db.FindTaskByID(f.ctx, f.orgA.ID, t1.ID)
	must(t, err)
	if got.DueAt == nil || !got.DueAt.Equal(due) || got.AssigneeID != f.workerA.ID || got.CompletedAt != nil {
		t.Fatalf("found %+v", got)
	}
	_, err = f.db.FindTaskByID(f.ctx, f.orgB.ID, t1.ID)
	wantKind(t, err, discern.KindNotFound)

	done, err := f.db.UpdateTask(f.ctx, f.orgA.ID, t1.ID, discern.TaskUpdate{Status: new(discern.TaskDone), DueAt: new((*time.Time)(nil))})
	must(t, err)
	if done.CompletedAt == nil || done.DueAt != nil {
		t.Fatalf("done task: %+v", done)
	}
	reopened, err := f.db.UpdateTask(f.ctx, f.orgA.ID, t1.ID, discern.TaskUpdate{Status: new(discern.TaskOpen), AssigneeID: new("")})
	must(t, err)
	if reopened.CompletedAt != nil || reopened.AssigneeID != "" {
		t.Fatalf("reopened task: %+v", reopened)
	}
	_, err = f.db.UpdateTask(f.ctx, f.orgA.ID, t2.ID, discern.TaskUpdate{DueAt: new(&due), AssigneeID: &f.workerA.ID})
	must(t, err)

	for _, tc := range []struct {
		name string
		f    discern.TaskFilter
		want []string
	}{
		{"all", discern.TaskFilter{OrgID: f.orgA.ID}, []string{t2.ID, t1.ID}},
		{"assignee", discern.TaskFilter{OrgID: f.orgA.ID, AssigneeID: &f.workerA.ID}, []string{t2.ID}},
		{"person", discern.TaskFilter{OrgID: f.orgA.ID, PersonID: &pa.ID}, []string{t1.ID}},
		{"status", discern.TaskFilter{OrgID: f.orgA.ID, Status: new(discern.TaskDone)}, nil},
		{"due before", discern.TaskFilter{OrgID: f.orgA.ID, DueBefore: new(due.Add(time.Second))}, []string{t2.ID}},
		{"org B", discern.TaskFilter{OrgID: f.orgB.ID}, nil},
	} {
		list, _, err := f.db.FindTasks(f.ctx, tc.f)
		must(t, err)
		if got := ids(list, func(t *discern.Task) string { return t.ID }); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	wantKind(t, f.db.DeleteTask(f.ctx, f.orgB.ID, t2.ID), discern.KindNotFound)
	must(t, f.db.DeleteTask(f.ctx, f.orgA.ID, t2.ID))
	_, err = f.db.FindTaskByID(f.ctx, f.orgA.ID, t2.ID)
	wantKind(t, err, discern.KindNotFound)
}

func testSessions(t *testing.T, f *fixture) {
	now := time.Now()
	s1 := &discern.Session{TokenHash: hash("s1"), OrgID: f.orgA.ID, UserID: f.workerA.ID, ExpiresAt: now.Add(12 * time.Hour)}
	s2 := &discern.Session{TokenHash: hash("s2"), OrgID: f.orgA.ID, UserID: f.workerA.ID, ExpiresAt: now.Add(12 * time.Hour)}
	sb := &discern.Session{TokenHash: hash("sb"), OrgID: f.orgB.ID, UserID: f.userB.ID, ExpiresAt: now.Add(time.Hour)}
	for _, s := range []*discern.Session{s1, s2, sb} {
		must(t, f.db.CreateSession(f.ctx, s))
	}
	wantKind(t, f.db.CreateSession(f.ctx, &discern.Session{TokenHash: hash("s1"), OrgID: f.orgA.ID, UserID: f.adminA.ID, ExpiresAt: now}), discern.KindConflict)
	wantKind(t, f.db.CreateSession(f.ctx, &discern.Session{TokenHash: hash("x"), OrgID: f.orgB.ID, UserID: f.workerA.ID, ExpiresAt: now}), discern.KindInvalid)

	got, err := f.db.FindSessionByTokenHash(f.ctx, hash("s1"))
	must(t, err)
	if got.ID != s1.ID || got.UserID != f.workerA.ID || got.MFAVerified || !got.ExpiresAt.Equal(s1.ExpiresAt) {
		t.Fatalf("found %+v", got)
	}
	_, err = f.db.FindSessionByTokenHash(f.ctx, hash("nope"))
	wantKind(t, err, discern.KindNotFound)

	must(t, f.db.TouchSession(f.ctx, hash("s1"), true))
	got, _ = f.db.FindSessionByTokenHash(f.ctx, hash("s1"))
	if !got.MFAVerified || !got.LastSeenAt.After(got.CreatedAt) {
		t.Fatalf("after touch: %+v", got)
	}
	wantKind(t, f.db.TouchSession(f.ctx, hash("nope"), false), discern.KindNotFound)

	list, err := f.db.FindSessions(f.ctx, f.orgA.ID, f.workerA.ID)
	must(t, err)
	if got := ids(list, func(s *discern.Session) string { return s.ID }); !slices.Equal(got, []string{s2.ID, s1.ID}) {
		t.Fatalf("sessions: %v", got)
	}
	if list, _ := f.db.FindSessions(f.ctx, f.orgB.ID, f.workerA.ID); len(list) != 0 {
		t.Fatal("org B lists org A's sessions")
	}

	must(t, f.db.DeleteSession(f.ctx, hash("s2")))
	must(t, f.db.DeleteSession(f.ctx, hash("s2")))
	n, err := f.db.DeleteUserSessions(f.ctx, f.orgB.ID, f.workerA.ID)
	must(t, err)
	if n != 0 {
		t.Fatalf("org B ended %d of org A's sessions", n)
	}
	n, err = f.db.DeleteUserSessions(f.ctx, f.orgA.ID, f.workerA.ID)
	must(t, err)
	if n != 1 {
		t.Fatalf("sign out everywhere ended %d sessions, want 1", n)
	}
	n, err = f.db.DeleteStaleSessions(f.ctx, now.Add(2*time.Hour), time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	must(t, err)
	if n != 1 {
		t.Fatalf("stale sessions removed %d, want 1 (the expired one)", n)
	}
}

func testAPITokens(t *testing.T, f *fixture) {
	exp := time.Now().Add(90 * 24 * time.Hour)
	tok := &discern.APIToken{OrgID: f.orgA.ID, UserID: f.workerA.ID, Name: "intake form", TokenHash: hash("t1"),
		Scopes: []string{"screenings:write", "people:read"}, ExpiresAt: exp}
	must(t, f.db.CreateAPIToken(f.ctx, tok))
	wantKind(t, f.db.CreateAPIToken(f.ctx, &discern.APIToken{OrgID: f.orgA.ID, UserID: f.adminA.ID, Name: "x", TokenHash: hash("t1"), Scopes: []string{"a"}, ExpiresAt: exp}), discern.KindConflict)
	wantKind(t, f.db.CreateAPIToken(f.ctx, &discern.APIToken{OrgID: f.orgA.ID, UserID: f.adminA.ID, Name: "x", TokenHash: hash("t2"), Scopes: []string{"a"}}), discern.KindInvalid)
	tb := &discern.APIToken{OrgID: f.orgB.ID, UserID: f.userB.ID, Name: "b", TokenHash: hash("tb"), Scopes: []string{"people:read"}, ExpiresAt: exp}
	must(t, f.db.CreateAPIToken(f.ctx, tb))

	got, err := f.db.FindAPITokenByHash(f.ctx, hash("t1"))
	must(t, err)
	if got.ID != tok.ID || !slices.Equal(got.Scopes, tok.Scopes) || got.LastUsedAt != nil || got.RevokedAt != nil {
		t.Fatalf("found %+v", got)
	}
	must(t, f.db.TouchAPIToken(f.ctx, tok.ID))
	wantKind(t, f.db.RevokeAPIToken(f.ctx, f.orgB.ID, tok.ID), discern.KindNotFound)
	must(t, f.db.RevokeAPIToken(f.ctx, f.orgA.ID, tok.ID))
	first, _ := f.db.FindAPITokenByHash(f.ctx, hash("t1"))
	must(t, f.db.RevokeAPIToken(f.ctx, f.orgA.ID, tok.ID))
	second, _ := f.db.FindAPITokenByHash(f.ctx, hash("t1"))
	if first.LastUsedAt == nil || first.RevokedAt == nil || !second.RevokedAt.Equal(*first.RevokedAt) {
		t.Fatalf("after touch and revoke: %+v / %+v", first, second)
	}
	list, err := f.db.FindAPITokens(f.ctx, f.orgA.ID, nil)
	must(t, err)
	if len(list) != 1 || list[0].ID != tok.ID {
		t.Fatalf("tokens of A: %d", len(list))
	}
	list, _ = f.db.FindAPITokens(f.ctx, f.orgA.ID, &f.adminA.ID)
	if len(list) != 0 {
		t.Fatal("admin has tokens")
	}
}

func testThrottle(t *testing.T, f *fixture) {
	_, err := f.db.FindThrottle(f.ctx, "login:x")
	wantKind(t, err, discern.KindNotFound)
	fail := func(cur *discern.ThrottleRecord) (*discern.ThrottleRecord, error) {
		if cur == nil {
			return &discern.ThrottleRecord{Failures: 1, FirstFailureAt: time.Now()}, nil
		}
		cur.Failures++
		if cur.Failures >= 5 {
			cur.LockedUntil = new(time.Now().Add(15 * time.Minute))
		}
		return cur, nil
	}
	// Concurrent failures all count: the read-modify-write is locked.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 3 {
				if _, err := f.db.UpdateThrottle(f.ctx, "login:x", fail); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	got, err := f.db.FindThrottle(f.ctx, "login:x")
	must(t, err)
	if got.Failures != 12 || got.LockedUntil == nil {
		t.Fatalf("after 12 failures: %+v", got)
	}
	// fn's error aborts without a trace.
	_, err = f.db.UpdateThrottle(f.ctx, "login:y", func(*discern.ThrottleRecord) (*discern.ThrottleRecord, error) {
		return nil, discern.Errorf(discern.KindRateLimited, "slow down")
	})
	wantKind(t, err, discern.KindRateLimited)
	_, err = f.db.FindThrottle(f.ctx, "login:y")
	wantKind(t, err, discern.KindNotFound)
	// Returning nil clears the record (a successful sign-in).
	_, err = f.db.UpdateThrottle(f.ctx, "login:x", func(*discern.ThrottleRecord) (*discern.ThrottleRecord, error) { return nil, nil })
	must(t, err)
	_, err = f.db.FindThrottle(f.ctx, "login:x")
	wantKind(t, err, discern.KindNotFound)

	_, err = f.db.UpdateThrottle(f.ctx, "login:z", fail)
	must(t, err)
	n, err := f.db.DeleteThrottles(f.ctx, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	must(t, err)
	if n != 0 {
		t.Fatalf("deleted %d fresh records", n)
	}
	n, err = f.db.DeleteThrottles(f.ctx, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
	must(t, err)
	if n != 1 {
		t.Fatalf("deleted %d old records, want 1", n)
	}
}

func testIdempotency(t *testing.T, f *fixture) {
	k := &discern.IdempotencyKey{OrgID: f.orgA.ID, UserID: f.workerA.ID, Key: "8e0c-retry", RequestHash: hash("POST /screenings body"),
		ExpiresAt: time.Now().Add(24 * time.Hour)}
	must(t, f.db.CreateIdempotencyKey(f.ctx, k))
	dup := *k
	err := f.db.CreateIdempotencyKey(f.ctx, &dup)
	wantKind(t, err, discern.KindConflict)
	if !sqldb.IsUniqueViolation(err) {
		t.Fatalf("IsUniqueViolation(%v) = false", err)
	}
	// The same key is another user's own.
	must(t, f.db.CreateIdempotencyKey(f.ctx, &discern.IdempotencyKey{OrgID: f.orgA.ID, UserID: f.adminA.ID, Key: k.Key,
		RequestHash: hash("other"), ExpiresAt: k.ExpiresAt}))

	got, err := f.db.FindIdempotencyKey(f.ctx, f.orgA.ID, f.workerA.ID, k.Key)
	must(t, err)
	if got.Status != 0 || got.Body != nil || string(got.RequestHash) != string(k.RequestHash) {
		t.Fatalf("reserved key: %+v", got)
	}

	// The response is stored in the transaction of the create it answers.
	var created *discern.Screening
	must(t, f.db.WithTx(f.ctx, func(tx *sqldb.Tx) error {
		created = f.screening(f.orgA, f.workerA, "", discern.ScreeningComplete)
		if err := tx.CreateScreening(f.ctx, created); err != nil {
			return err
		}
		return tx.CompleteIdempotencyKey(f.ctx, f.orgA.ID, f.workerA.ID, k.Key, 201, []byte(`{"id":"`+created.ID+`"}`))
	}))
	got, err = f.db.FindIdempotencyKey(f.ctx, f.orgA.ID, f.workerA.ID, k.Key)
	must(t, err)
	if got.Status != 201 || string(got.Body) != `{"id":"`+created.ID+`"}` {
		t.Fatalf("completed key: %d %s", got.Status, got.Body)
	}
	_, err = f.db.FindIdempotencyKey(f.ctx, f.orgB.ID, f.workerA.ID, k.Key)
	wantKind(t, err, discern.KindNotFound)
	wantKind(t, f.db.CompleteIdempotencyKey(f.ctx, f.orgA.ID, f.workerA.ID, "nope", 201, nil), discern.KindNotFound)
	wantKind(t, f.db.CompleteIdempotencyKey(f.ctx, f.orgA.ID, f.workerA.ID, k.Key, 42, nil), discern.KindInvalid)

	must(t, f.db.DeleteIdempotencyKey(f.ctx, f.orgA.ID, f.adminA.ID, k.Key))
	_, err = f.db.FindIdempotencyKey(f.ctx, f.orgA.ID, f.adminA.ID, k.Key)
	wantKind(t, err, discern.KindNotFound)
	n, err := f.db.DeleteExpiredIdempotencyKeys(f.ctx, time.Now().Add(48*time.Hour))
	must(t, err)
	if n != 1 {
		t.Fatalf("expired %d keys, want 1", n)
	}
}

// testOrgIsolation creates one of everything in organization A and asks
// every finder, as organization B, for it.
func testOrgIsolation(t *testing.T, f *fixture) {
	p := f.person(t, f.orgA, f.workerA, "iso")
	e := &discern.Encounter{OrgID: f.orgA.ID, PersonID: p.ID, OccurredAt: time.Now(), PlaceKind: discern.PlaceOnline, CreatedBy: f.workerA.ID}
	must(t, f.db.CreateEncounter(f.ctx, e))
	s := f.screening(f.orgA, f.workerA, p.ID, discern.ScreeningComplete)
	must(t, f.db.CreateScreening(f.ctx, s))
	n := &discern.Note{OrgID: f.orgA.ID, PersonID: p.ID, AuthorID: f.workerA.ID, DataClass: discern.ClassNarrative, Body: sealed("n")}
	must(t, f.db.CreateNote(f.ctx, n))
	tk := &discern.Task{OrgID: f.orgA.ID, PersonID: p.ID, Title: sealed("t"), Status: discern.TaskOpen, CreatedBy: f.workerA.ID}
	must(t, f.db.CreateTask(f.ctx, tk))
	appendEntry(t, f, f.orgA, "person.read", "person", p.ID)
	b := f.orgB.ID
	byID := map[string]func() error{
		"team":      func() error { _, err := f.db.FindTeamByID(f.ctx, b, f.teamA.ID); return err },
		"user":      func() error { _, err := f.db.FindUserByID(f.ctx, b, f.workerA.ID); return err },
		"person":    func() error { _, err := f.db.FindPersonByID(f.ctx, b, p.ID); return err },
		"encounter": func() error { _, err := f.db.FindEncounterByID(f.ctx, b, e.ID); return err },
		"screening": func() error { _, err := f.db.FindScreeningByID(f.ctx, b, s.ID); return err },
		"note":      func() error { _, err := f.db.FindNoteByID(f.ctx, b, n.ID); return err },
		"task":      func() error { _, err := f.db.FindTaskByID(f.ctx, b, tk.ID); return err },
	}
	for name, find := range byID {
		if err := find(); discern.KindOf(err) != discern.KindNotFound {
			t.Errorf("org B finding org A's %s: %v, want not found", name, err)
		}
	}
	lists := map[string]func() (int, error){
		"teams": func() (int, error) {
			l, _, err := f.db.FindTeams(f.ctx, discern.TeamFilter{OrgID: b})
			return len(l), err
		},
		"users": func() (int, error) {
			l, _, err := f.db.FindUsers(f.ctx, discern.UserFilter{OrgID: b, TeamID: &f.teamA.ID})
			return len(l), err
		},
		"people": func() (int, error) {
			l, _, err := f.db.FindPeople(f.ctx, discern.PersonFilter{OrgID: b, Owner: &f.workerA.ID, IncludeErased: true})
			return len(l), err
		},
		"encounters": func() (int, error) {
			l, _, err := f.db.FindEncounters(f.ctx, discern.EncounterFilter{OrgID: b, PersonID: &p.ID})
			return len(l), err
		},
		"screenings": func() (int, error) {
			l, _, err := f.db.FindScreenings(f.ctx, discern.ScreeningFilter{OrgID: b, ScreenerID: &f.workerA.ID})
			return len(l), err
		},
		"notes": func() (int, error) {
			l, _, err := f.db.FindNotes(f.ctx, discern.NoteFilter{OrgID: b, PersonID: &p.ID})
			return len(l), err
		},
		"tasks": func() (int, error) {
			l, _, err := f.db.FindTasks(f.ctx, discern.TaskFilter{OrgID: b, PersonID: &p.ID})
			return len(l), err
		},
		"api tokens": func() (int, error) { l, err := f.db.FindAPITokens(f.ctx, b, &f.workerA.ID); return len(l), err },
		"sessions":   func() (int, error) { l, err := f.db.FindSessions(f.ctx, b, f.workerA.ID); return len(l), err },
		"audit": func() (int, error) {
			l, _, err := f.db.FindAuditEntries(f.ctx, discern.AuditFilter{OrgID: b, TargetID: &p.ID})
			return len(l), err
		},
	}
	for name, list := range lists {
		n, err := list()
		if err != nil || n != 0 {
			t.Errorf("org B listing org A's %s: %d rows, %v", name, n, err)
		}
	}
	// Organization A's own view is not empty, so the checks above can fail.
	if l, _, _ := f.db.FindScreenings(f.ctx, discern.ScreeningFilter{OrgID: f.orgA.ID, ScreenerID: &f.workerA.ID}); len(l) != 1 {
		t.Fatalf("org A sees %d of its screenings", len(l))
	}
}

func testTransactions(t *testing.T, f *fixture) {
	boom := errors.New("boom")
	var id string
	err := f.db.WithTx(f.ctx, func(tx *sqldb.Tx) error {
		p := &discern.Person{OrgID: f.orgA.ID, CreatedBy: f.workerA.ID, CaseCode: sealed("rolled back"), CaseCodeIndex: index("rb")}
		if err := tx.CreatePerson(f.ctx, p); err != nil {
			return err
		}
		id = p.ID
		// Inside the transaction the person exists.
		if _, err := tx.FindPersonByID(f.ctx, f.orgA.ID, p.ID); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WithTx returned %v, want boom", err)
	}
	_, err = f.db.FindPersonByID(f.ctx, f.orgA.ID, id)
	wantKind(t, err, discern.KindNotFound)

	// One transaction has one time.
	var t1, t2 time.Time
	must(t, f.db.WithTx(f.ctx, func(tx *sqldb.Tx) error {
		a := &discern.Person{OrgID: f.orgA.ID, CreatedBy: f.workerA.ID, CaseCode: sealed("a"), CaseCodeIndex: index("a")}
		b := &discern.Person{OrgID: f.orgA.ID, CreatedBy: f.workerA.ID, CaseCode: sealed("b"), CaseCodeIndex: index("b")}
		if err := tx.CreatePerson(f.ctx, a); err != nil {
			return err
		}
		if err := tx.CreatePerson(f.ctx, b); err != nil {
			return err
		}
		t1, t2 = a.CreatedAt, b.CreatedAt
		return nil
	}))
	if !t1.Equal(t2) {
		t.Fatalf("two times in one transaction: %v, %v", t1, t2)
	}

	// A read transaction sees one snapshot and cannot write.
	err = f.db.WithReadTx(f.ctx, func(tx *sqldb.Tx) error {
		return tx.CreateTeam(f.ctx, &discern.Team{OrgID: f.orgA.ID, Name: "read only"})
	})
	if err == nil {
		t.Fatal("a read transaction wrote")
	}
}

func testKeyVault(t *testing.T, f *fixture) {
	p := f.person(t, f.orgA, f.workerA, "k1")
	wrapped := []byte("wrapped-key-bytes-0123456789abcdef")
	_, err := f.db.GetKey(f.ctx, p.ID)
	if !errors.Is(err, discern.ErrKeyNotFound) {
		t.Fatalf("GetKey before PutKey: %v", err)
	}
	must(t, f.db.PutKey(f.ctx, p.ID, wrapped))
	got, err := f.db.GetKey(f.ctx, p.ID)
	must(t, err)
	if string(got) != string(wrapped) {
		t.Fatalf("GetKey = %q", got)
	}
	wantKind(t, f.db.PutKey(f.ctx, p.ID, []byte("another")), discern.KindConflict)
	wantKind(t, f.db.PutKey(f.ctx, "not an id", wrapped), discern.KindInvalid)
	wantKind(t, f.db.PutKey(f.ctx, p.ID, nil), discern.KindInvalid)

	must(t, f.db.DestroyKey(f.ctx, p.ID))
	must(t, f.db.DestroyKey(f.ctx, p.ID))
	if _, err := f.db.GetKey(f.ctx, p.ID); !errors.Is(err, discern.ErrKeyDestroyed) {
		t.Fatalf("GetKey after DestroyKey: %v", err)
	}
	if err := f.db.PutKey(f.ctx, p.ID, wrapped); !errors.Is(err, discern.ErrKeyDestroyed) {
		t.Fatalf("PutKey after DestroyKey: %v", err)
	}
	// Destroying a key that never existed still bars one from being put.
	ghost, err := discern.NewID(time.Now(), fixedReader(3))
	must(t, err)
	must(t, f.db.DestroyKey(f.ctx, ghost))
	if err := f.db.PutKey(f.ctx, ghost, wrapped); !errors.Is(err, discern.ErrKeyDestroyed) {
		t.Fatalf("PutKey after DestroyKey of a missing key: %v", err)
	}

	// Rewrapping visits every live key once, across batches.
	live := map[string]bool{}
	for i := range 300 {
		id, err := discern.NewID(time.Now(), fixedReader(byte(i)))
		must(t, err)
		id = id[:20] + fmt.Sprintf("%06d", i)
		must(t, f.db.PutKey(f.ctx, id, []byte("old:"+id)))
		live[id] = true
	}
	n, err := f.db.RewrapKeys(f.ctx, func(id string, w []byte) ([]byte, error) {
		if string(w) != "old:"+id || !live[id] {
			return nil, fmt.Errorf("unexpected key %s: %q", id, w)
		}
		delete(live, id)
		return []byte("new:" + id), nil
	})
	must(t, err)
	if n != 300 || len(live) != 0 {
		t.Fatalf("rewrapped %d keys, %d left", n, len(live))
	}
	n, err = f.db.RewrapKeys(f.ctx, func(id string, w []byte) ([]byte, error) {
		if string(w[:4]) != "new:" {
			return nil, fmt.Errorf("key %s not rewrapped", id)
		}
		return w, nil
	})
	must(t, err)
	if n != 300 {
		t.Fatalf("second pass saw %d keys", n)
	}
}

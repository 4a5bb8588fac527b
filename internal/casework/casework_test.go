package casework

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/audit"
	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/content"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/screening"
	"github.com/discern-org/discern/internal/seal"
	"github.com/discern-org/discern/internal/sqldb"
	"github.com/discern-org/discern/internal/sqldb/sqldbtest"
)

type fixture struct {
	svc   *Service
	db    *sqldb.DB
	dir   string
	kr    *seal.Keyring
	log   *audit.Log
	orgA  string
	orgB  string
	users map[string]Actor // by name
}

var engine = screening.New(content.MustLoadEmbedded())

func newFixture(t *testing.T) *fixture { return newFixtureOn(t, "sqlite") }

// onEveryBackend runs a test on SQLite and, when a DSN is set, PostgreSQL.
func onEveryBackend(t *testing.T, test func(t *testing.T, f *fixture)) {
	for _, backend := range sqldbtest.Backends() {
		t.Run(backend, func(t *testing.T) { test(t, newFixtureOn(t, backend)) })
	}
}

func newFixtureOn(t *testing.T, backend string) *fixture {
	t.Helper()
	ctx := t.Context()
	dir := t.TempDir()
	now := func() time.Time { return time.Now().UTC() }
	db := sqldbtest.Open(t, backend, dir, now)
	kr, err := seal.NewKeyring(crand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	log, err := audit.New(kr.AuditKey())
	if err != nil {
		t.Fatal(err)
	}
	sealer := seal.NewSealer(kr, sqldb.SealVault(db), crand.Reader, seal.NewKeyCache(64, time.Minute, now))
	f := &fixture{svc: New(db, sealer, engine, log, now, crand.Reader), db: db, dir: dir, kr: kr, log: log, users: map[string]Actor{}}
	for _, o := range []struct{ name, country string }{{"Harbour Outreach (fictional)", "GB"}, {"Northside Legal Aid (fictional)", "CA"}} {
		org := &discern.Organization{Name: o.name, Country: o.country}
		if err := db.CreateOrganization(ctx, org); err != nil {
			t.Fatal(err)
		}
		if f.orgA == "" {
			f.orgA = org.ID
		} else {
			f.orgB = org.ID
		}
	}
	team := &discern.Team{OrgID: f.orgA, Name: "Outreach"}
	if err := db.CreateTeam(ctx, team); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		name string
		org  string
		role discern.Role
	}{
		{"caseworker", f.orgA, discern.RoleCaseworker}, {"colleague", f.orgA, discern.RoleCaseworker},
		{"screener", f.orgA, discern.RoleScreener}, {"supervisor", f.orgA, discern.RoleSupervisor},
		{"admin", f.orgA, discern.RoleAdministrator}, {"analyst", f.orgA, discern.RoleAnalyst},
		{"outsider", f.orgB, discern.RoleSupervisor},
	} {
		user := &discern.User{OrgID: u.org, Email: u.name + "@example.org", DisplayName: u.name, Role: u.role}
		if u.org == f.orgA && u.role != discern.RoleAdministrator && u.role != discern.RoleAnalyst {
			user.TeamID = team.ID
		}
		if err := db.CreateUser(ctx, user); err != nil {
			t.Fatal(err)
		}
		p := auth.Principal{UserID: user.ID, OrgID: u.org, Role: u.role, MFAVerified: true}
		if user.TeamID != "" {
			p.TeamIDs = []string{user.TeamID}
		}
		f.users[u.name] = Actor{Principal: p, RequestID: "test-" + u.name}
	}
	return f
}

func answers(t *testing.T, yaml string) *screening.Evidence {
	t.Helper()
	ev, err := screening.ParseAnswers(engine.Bundle(), "test", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

const coercedAnswers = `
jurisdictions: [palermo, england-wales]
answers:
  age: 29
  status: no_status
  exchange_sex: "yes"
  others_involved: "yes"
  money_share: all_or_most
  travel_arranged: "yes"
  documents: someone_else_holds
  violence: {answer: "yes", note: "Marisol Quintanilla-Vex said he hit her"}
  legal_situation: [charges_now]
`

func TestPeopleAreSealedAuditedAndScoped(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		cw := f.users["caseworker"]
		p, err := f.svc.CreatePerson(ctx, cw, PersonInput{Name: "Marisol Quintanilla-Vex", Contact: "Signal, after 6pm; code word 'lantern'", AssignedTo: cw.UserID})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(p.CaseCode, "DSC-") || p.Name == nil || *p.Name != "Marisol Quintanilla-Vex" {
			t.Fatalf("created %+v", p)
		}
		got, err := f.svc.GetPerson(ctx, cw, p.ID)
		if err != nil || *got.Name != "Marisol Quintanilla-Vex" || *got.Contact == "" {
			t.Fatalf("get: %+v %v", got, err)
		}
		// A screener of the same organization sees only what their role covers.
		if _, err := f.svc.GetPerson(ctx, f.users["screener"], p.ID); discern.KindOf(err) != discern.KindNotFound {
			t.Errorf("screener reading someone else's person: %v", err)
		}
		// Nobody in another organization can find the record at all.
		if _, err := f.svc.GetPerson(ctx, f.users["outsider"], p.ID); discern.KindOf(err) != discern.KindNotFound {
			t.Errorf("other organization: %v", err)
		}
		// An analyst sees no person-level records.
		if _, _, err := f.svc.ListPeople(ctx, f.users["analyst"], PeopleQuery{}); err == nil {
			t.Error("an analyst listed people")
		}
		// Search by case code and by name goes through blind indexes.
		list, _, err := f.svc.ListPeople(ctx, cw, PeopleQuery{CaseCode: strings.ToLower(p.CaseCode)})
		if err != nil || len(list) != 1 || list[0].ID != p.ID || list[0].Name != nil {
			t.Fatalf("by case code: %v %+v", err, list)
		}
		list, _, err = f.svc.ListPeople(ctx, cw, PeopleQuery{Name: "  marisol   quintanilla-vex "})
		if err != nil || len(list) != 1 {
			t.Fatalf("by name: %v %d", err, len(list))
		}
		// Who accessed this record: creation, the read, and the refused attempts.
		hist, _, err := f.svc.AccessHistory(ctx, f.users["supervisor"], "person", p.ID, 50, "")
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range hist {
			actions = append(actions, e.Action+"/"+string(e.Outcome))
		}
		for _, want := range []string{"person.create/success", "person.read/success", "person.read/denied"} {
			if !contains(actions, want) {
				t.Errorf("history %v lacks %s", actions, want)
			}
		}
		if _, _, err := f.svc.AccessHistory(ctx, f.users["screener"], "person", p.ID, 50, ""); err == nil {
			t.Error("a screener read the access history")
		}
	})
}

func TestScreeningsAreSealedRedactedAndReproducible(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		sc := f.users["screener"]
		v, err := f.svc.CreateScreening(ctx, sc, ScreeningInput{Evidence: answers(t, coercedAnswers), Complete: true})
		if err != nil {
			t.Fatal(err)
		}
		if v.Result == nil || v.ContentHash != engine.Bundle().Hash || v.Status != discern.ScreeningComplete {
			t.Fatalf("stored screening %+v", v)
		}
		// The screener's role does not cover immigration or criminal-justice
		// answers, nor narrative notes: they come back redacted.
		got, err := f.svc.GetScreening(ctx, sc, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range got.Evidence.Answers {
			if (a.Question == "status" || a.Question == "legal_situation") && a.Value != "redacted" {
				t.Errorf("%s shown to a screener: %+v", a.Question, a)
			}
			if a.Note != "" {
				t.Errorf("note shown to a screener")
			}
		}
		for _, ind := range got.Result.Indicators {
			if ind.ID == "irregular_status" || ind.ID == "facing_charges" {
				t.Errorf("indicator %s rests only on redacted answers", ind.ID)
			}
		}
		// A supervisor of the organization sees everything.
		full, err := f.svc.GetScreening(ctx, f.users["supervisor"], v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if a, _ := full.Evidence.Answer("status"); a.Value != "no_status" {
			t.Errorf("supervisor sees status %q", a.Value)
		}
		// The record of the conclusion is kept, and the full result shown is
		// recomputed from the evidence: under the same content, nothing changed.
		if full.Recorded == nil || full.Recorded.ContentHash != engine.Bundle().Hash || len(full.Changes) != 0 {
			t.Fatalf("recorded %+v, changes %v", full.Recorded, full.Changes)
		}
		for i, jr := range full.Result.Results {
			if jr.Determination != full.Recorded.Results[i].Determination {
				t.Errorf("%s: shown %s, recorded %s", jr.Jurisdiction, jr.Determination, full.Recorded.Results[i].Determination)
			}
		}
		// Stored results reproduce: re-evaluating the stored answers under the
		// same content gives the same determinations.
		again, err := engine.Evaluate(full.Evidence)
		if err != nil {
			t.Fatal(err)
		}
		for i, jr := range again.Results {
			if jr.Determination != full.Result.Results[i].Determination {
				t.Errorf("%s: %s now, %s stored", jr.Jurisdiction, jr.Determination, full.Result.Results[i].Determination)
			}
		}
		// A complete screening is frozen; a draft can be resumed and completed.
		if _, err := f.svc.UpdateScreening(ctx, sc, v.ID, ScreeningPatch{Complete: true}); discern.KindOf(err) != discern.KindConflict {
			t.Errorf("changing a complete screening: %v", err)
		}
		draft, err := f.svc.CreateScreening(ctx, sc, ScreeningInput{Evidence: answers(t, "answers: {age: 30}")})
		if err != nil || draft.Status != discern.ScreeningDraft || draft.Recorded != nil {
			t.Fatalf("draft: %+v %v", draft, err)
		}
		done, err := f.svc.UpdateScreening(ctx, sc, draft.ID, ScreeningPatch{Evidence: answers(t, coercedAnswers), Complete: true})
		if err != nil || done.Status != discern.ScreeningComplete {
			t.Fatalf("completing a draft: %+v %v", done, err)
		}
		list, _, err := f.svc.ListScreenings(ctx, sc, ScreeningQuery{Status: "complete"})
		if err != nil || len(list) != 2 || list[0].Determinations["england-wales"] != screening.SexTrafficking {
			t.Fatalf("list: %v %+v", err, list)
		}
		if _, err := f.svc.GetScreening(ctx, f.users["outsider"], v.ID); discern.KindOf(err) != discern.KindNotFound {
			t.Errorf("another organization read a screening: %v", err)
		}
	})
}

// TestNothingIdentifyingReachesTheDisk seeds people, notes, narratives and
// screenings with known names and finds none of them in the database files,
// the WAL, the key vault or a backup.
func TestNothingIdentifyingReachesTheDisk(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	cw := f.users["caseworker"]
	secrets := []string{"Oluwaseun Barraclough-Ibe", "Tereza Nakamura-Lindqvist", "07700 900461", "lantern-code-Zephyr"}
	for i, name := range secrets[:2] {
		p, err := f.svc.CreatePerson(ctx, cw, PersonInput{Name: name, Contact: secrets[2+i], AssignedTo: cw.UserID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CreateNote(ctx, cw, p.ID, discern.ClassNarrative, "Met "+name+" at the station"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CreateEncounter(ctx, cw, EncounterInput{PersonID: p.ID, OccurredAt: time.Now(), PlaceKind: discern.PlaceStreet, Narrative: name + " asked for a shelter bed"}); err != nil {
			t.Fatal(err)
		}
		ev := answers(t, coercedAnswers)
		ev.Answers[len(ev.Answers)-2].Note = name + " described the violence"
		if _, err := f.svc.CreateScreening(ctx, cw, ScreeningInput{PersonID: p.ID, Evidence: ev, Complete: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CreateTask(ctx, cw, TaskInput{PersonID: p.ID, Title: "Call " + name + " about housing"}); err != nil {
			t.Fatal(err)
		}
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := f.db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(f.dir, "*"))
	files = append(files, backup)
	if len(files) < 3 {
		t.Fatalf("expected database, WAL and vault files, found %v", files)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			for _, form := range []string{s, strings.ToLower(s), strings.ToUpper(s)} {
				if bytes.Contains(data, []byte(form)) {
					t.Errorf("%q found in %s", form, filepath.Base(file))
				}
			}
		}
	}
}

// TestErasureShredsBackupsToo: a backup taken before a person is erased
// cannot be read for that person afterwards, because their key is gone
// from the vault, which backups do not copy.
func TestErasureShredsBackupsToo(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	cw := f.users["caseworker"]
	p, err := f.svc.CreatePerson(ctx, cw, PersonInput{Name: "Ilse Vantongeren", AssignedTo: cw.UserID})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := f.svc.CreateScreening(ctx, cw, ScreeningInput{PersonID: p.ID, Evidence: answers(t, coercedAnswers), Complete: true})
	if err != nil {
		t.Fatal(err)
	}
	keep, err := f.svc.CreatePerson(ctx, cw, PersonInput{Name: "Someone Else Entirely", AssignedTo: cw.UserID})
	if err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "before-erasure.db")
	if err := f.db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	// Only an administrator may erase.
	if err := f.svc.ErasePerson(ctx, cw, p.ID); discern.KindOf(err) != discern.KindForbidden && discern.KindOf(err) != discern.KindNotFound {
		t.Fatalf("a caseworker erased: %v", err)
	}
	if err := f.svc.ErasePerson(ctx, f.users["admin"], p.ID); err != nil {
		t.Fatal(err)
	}
	if v, err := f.svc.GetPerson(ctx, cw, p.ID); err != nil || !v.Erased || v.Name != nil {
		t.Fatalf("erased person reads as %+v %v", v, err)
	}
	if v, err := f.svc.GetScreening(ctx, f.users["supervisor"], sc.ID); err != nil || !v.Erased {
		t.Fatalf("erased person's screening reads as %+v %v", v, err)
	}
	// Restore the old backup beside the live vault: the erased person stays
	// unreadable, the other person is intact.
	restored, err := sqldb.Open(ctx, backup, sqldb.Options{Now: time.Now, Rand: crand.Reader, KeyDSN: filepath.Join(f.dir, "keys.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	svc := New(restored, seal.NewSealer(f.kr, sqldb.SealVault(restored), crand.Reader, nil), engine, f.log, time.Now, crand.Reader)
	v, err := svc.GetPerson(ctx, cw, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Erased || v.Name != nil {
		t.Errorf("the backup still reveals the erased person: %+v", v)
	}
	if other, err := svc.GetPerson(ctx, cw, keep.ID); err != nil || other.Name == nil || *other.Name != "Someone Else Entirely" {
		t.Errorf("the restored backup lost another person: %+v %v", other, err)
	}
}

func TestAuditChainVerifiesAfterCasework(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		cw := f.users["caseworker"]
		p, err := f.svc.CreatePerson(ctx, cw, PersonInput{Name: "Chain Test"})
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if _, err := f.svc.GetPerson(ctx, cw, p.ID); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.svc.CreateTask(ctx, cw, TaskInput{Title: "Follow up"}); err != nil {
			t.Fatal(err)
		}
		rep, err := f.log.Verify(ctx, f.db)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Entries < 5 {
			t.Errorf("only %d audit entries", rep.Entries)
		}
	})
}

func TestBadInputNamesTheField(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		cw := f.users["caseworker"]
		_, err := f.svc.CreatePerson(ctx, cw, PersonInput{Name: strings.Repeat("x", 501)})
		var de *discern.Error
		if !errors.As(err, &de) || de.Field != "name" {
			t.Errorf("long name: %v", err)
		}
		if _, err := f.svc.CreateNote(ctx, cw, "nobody", discern.ClassNarrative, "x"); discern.KindOf(err) != discern.KindNotFound {
			t.Errorf("note for nobody: %v", err)
		}
		if _, err := f.svc.CreateScreening(ctx, cw, ScreeningInput{PersonID: "01ZZZZZZZZZZZZZZZZZZZZZZZZ", Evidence: answers(t, "answers: {}")}); discern.KindOf(err) != discern.KindInvalid {
			t.Errorf("screening for nobody: %v", err)
		}
		if _, _, err := f.svc.ListScreenings(ctx, cw, ScreeningQuery{Status: "maybe"}); discern.KindOf(err) != discern.KindInvalid {
			t.Errorf("bad status filter: %v", err)
		}
	})
}

// TestHookFailureRollsBackTheCreation: what runs inside the creating
// transaction (the idempotent response) commits with the record or not at all.
func TestHookFailureRollsBackTheCreation(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		cw := f.users["caseworker"]
		boom := errors.New("hook failed")
		var seen *PersonView
		_, err := f.svc.CreatePerson(ctx, cw, PersonInput{Name: "Rolled Back"}, func(_ context.Context, _ *sqldb.Tx, v any) error {
			seen = v.(*PersonView)
			return boom
		})
		if !errors.Is(err, boom) || seen == nil || seen.Name == nil {
			t.Fatalf("hook: %v %+v", err, seen)
		}
		if _, err := f.svc.GetPerson(ctx, cw, seen.ID); discern.KindOf(err) != discern.KindNotFound {
			t.Errorf("the person survived a failed hook: %v", err)
		}
		list, _, _ := f.svc.ListPeople(ctx, cw, PeopleQuery{})
		if len(list) != 0 {
			t.Errorf("%d people after a rolled-back creation", len(list))
		}
	})
}

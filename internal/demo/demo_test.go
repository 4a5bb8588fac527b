package demo

import (
	crand "crypto/rand"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/audit"
	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/content"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/screening"
	"github.com/discern-org/discern/internal/seal"
	"github.com/discern-org/discern/internal/sqldb"
)

func TestCaseworkSeedsFictionalRecords(t *testing.T) {
	ctx := t.Context()
	db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "d.db"), sqldb.Options{Now: time.Now, Rand: crand.Reader})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	kr, _ := seal.NewKeyring(crand.Reader)
	log, _ := audit.New(kr.AuditKey())
	svc := casework.New(db, seal.NewSealer(kr, sqldb.SealVault(db), crand.Reader, nil), screening.New(content.MustLoadEmbedded()), log, time.Now, crand.Reader)
	org := &discern.Organization{Name: "Demo org (fictional)", Country: "GB"}
	if err := db.CreateOrganization(ctx, org); err != nil {
		t.Fatal(err)
	}
	u := &discern.User{OrgID: org.ID, Email: "cw@demo.example", DisplayName: "Demo caseworker", Role: discern.RoleCaseworker}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	actor := casework.Actor{Principal: auth.Principal{UserID: u.ID, OrgID: org.ID, Role: u.Role, MFAVerified: true}, RequestID: "demo"}
	n, err := Casework(ctx, svc, actor, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	list, _, err := svc.ListPeople(ctx, actor, casework.PeopleQuery{})
	if err != nil || len(list) != n || n != len(people) {
		t.Fatalf("seeded %d, listed %d: %v", n, len(list), err)
	}
	sums, _, err := svc.ListScreenings(ctx, actor, casework.ScreeningQuery{})
	if err != nil || len(sums) != n {
		t.Fatalf("screenings %d: %v", len(sums), err)
	}
	drafts := 0
	for _, s := range sums {
		if s.Status == discern.ScreeningDraft {
			drafts++
		}
	}
	if drafts != 1 {
		t.Errorf("the demo has one draft to resume; found %d", drafts)
	}
	for _, p := range list {
		v, err := svc.GetPerson(ctx, actor, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Name != nil && !fictional(*v.Name) {
			t.Errorf("demo name %q is not marked fictional", *v.Name)
		}
	}
}

func fictional(name string) bool { return strings.HasSuffix(name, "(fictional)") }

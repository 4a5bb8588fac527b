package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/discern-org/discern/internal/accounts"
	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/discern"
)

// Login is a demo sign-in to print.
type Login struct {
	Role     discern.Role
	Email    string
	Password string
	Note     string
}

// Password is the one password of every demo user. It is printed on
// purpose: the demo holds only fictional records, and its data directory is
// for trying Discern out, never for real work.
const Password = "demo only: harbour lantern quiet"

// Seeded says what Seed made.
type Seeded struct {
	Logins []Login
	People int
}

// Seed makes two fictional organizations with a user of every role, and the
// first organization's casework. It is for an empty database: it fails if
// the demo organization exists already.
func Seed(ctx context.Context, op *accounts.Operator, svc *casework.Service, now time.Time) (*Seeded, error) {
	harbour := &discern.Organization{Name: "Harbour Outreach (fictional demo)", Country: "GB",
		Settings: discern.OrganizationSettings{DefaultLanguage: "en", Jurisdictions: []string{"england-wales", "uk-nrm", "palermo"},
			LegalExceptions: []discern.LegalException{
				{ID: "child-protection", Kind: discern.ExceptionChildProtection, Label: "Child-protection referral to the local authority (demo setting)",
					Citation: "Children Act 1989 s.47; Working Together to Safeguard Children 2023", Active: true},
				{ID: "court-order", Kind: discern.ExceptionCourtOrder, Label: "A court order naming this record (demo setting)",
					Citation: "The order itself: record its court, date and number in the reason", Active: true},
			}}}
	if err := op.CreateOrganization(ctx, "demo", harbour); err != nil {
		return nil, fmt.Errorf("demo organization: %w", err)
	}
	northside := &discern.Organization{Name: "Northside Legal Aid (fictional demo)", Country: "CA",
		Settings: discern.OrganizationSettings{DefaultLanguage: "en", Jurisdictions: []string{"canada", "palermo"},
			DirectoryOrgID: LegalAidOrgID}}
	if err := op.CreateOrganization(ctx, "demo", northside); err != nil {
		return nil, fmt.Errorf("demo organization: %w", err)
	}
	out := &Seeded{}
	add := func(org *discern.Organization, email, name string, role discern.Role, note string) (*discern.User, error) {
		u, err := op.CreateUser(ctx, "demo", org.ID, accounts.NewUser{Email: email, DisplayName: name, Role: role, Password: Password})
		if err != nil {
			return nil, fmt.Errorf("demo user %s: %w", email, err)
		}
		out.Logins = append(out.Logins, Login{Role: role, Email: email, Password: Password, Note: note})
		return u, nil
	}
	var caseworker *discern.User
	for _, u := range []struct {
		email, name string
		role        discern.Role
		note        string
	}{
		{"caseworker@harbour.example", "Casey Worker (fictional)", discern.RoleCaseworker, "holds the demo cases"},
		{"supervisor@harbour.example", "Sam Supervisor (fictional)", discern.RoleSupervisor, ""},
		{"screener@harbour.example", "Sky Screener (fictional)", discern.RoleScreener, ""},
		{"analyst@harbour.example", "Ari Analyst (fictional)", discern.RoleAnalyst, "sees statistics only"},
		{"admin@harbour.example", "Alex Admin (fictional)", discern.RoleAdministrator, "sets up a second factor at first sign-in"},
	} {
		created, err := add(harbour, u.email, u.name, u.role, u.note)
		if err != nil {
			return nil, err
		}
		if u.role == discern.RoleCaseworker {
			caseworker = created
		}
	}
	if _, err := add(northside, "caseworker@northside.example", "Noor Northside (fictional)", discern.RoleCaseworker, "another organization: sees none of Harbour's records, only referrals sent to it, as far as consent allows"); err != nil {
		return nil, err
	}
	actor := casework.Actor{Principal: auth.Principal{UserID: caseworker.ID, OrgID: harbour.ID, Role: caseworker.Role, MFAVerified: true}, RequestID: "demo"}
	n, err := Casework(ctx, svc, actor, now)
	if err != nil {
		return nil, err
	}
	out.People = n
	if err := Referral(ctx, svc, actor); err != nil {
		return nil, err
	}
	return out, nil
}

// Referral records, for the first demo person, consent to share case and
// contact information with the legal-aid partner for a referral, and makes
// one, so that the partner's inbox has something in it. It needs the
// service's recipients to be the demo directory, and does nothing when
// they are not.
func Referral(ctx context.Context, svc *casework.Service, actor casework.Actor) error {
	found := false
	for _, o := range svc.RecipientOptions(1000) {
		if o.Recipient.ID == LegalAidOrgID {
			found = true
		}
	}
	if !found {
		return nil
	}
	people, _, err := svc.ListPeople(ctx, actor, casework.PeopleQuery{Limit: 50})
	if err != nil || len(people) == 0 {
		return err
	}
	p := people[len(people)-1] // the first recorded
	classes := []discern.DataClass{discern.ClassCase, discern.ClassContact}
	if _, err := svc.RecordConsent(ctx, actor, p.ID, casework.ConsentInput{RecipientKind: discern.RecipientOrganization, RecipientID: LegalAidOrgID,
		Classes: classes, Purposes: []discern.ConsentPurpose{discern.PurposeReferral, discern.PurposeDocuments},
		Method: discern.ConsentVerbal, Language: "en"}); err != nil {
		return fmt.Errorf("demo consent: %w", err)
	}
	if _, err := svc.CreateReferral(ctx, actor, casework.ReferralInput{PersonID: p.ID, RecipientKind: discern.RecipientOrganization,
		RecipientID: LegalAidOrgID, Needs: []string{"legal_immigration"}, Classes: classes}); err != nil {
		return fmt.Errorf("demo referral: %w", err)
	}
	return nil
}

// Logins lists the demo sign-ins without seeding, for a demo directory
// made earlier.
func Logins() []Login {
	return []Login{
		{Role: discern.RoleCaseworker, Email: "caseworker@harbour.example", Password: Password, Note: "holds the demo cases"},
		{Role: discern.RoleSupervisor, Email: "supervisor@harbour.example", Password: Password},
		{Role: discern.RoleAdministrator, Email: "admin@harbour.example", Password: Password, Note: "sets up a second factor at first sign-in"},
		{Role: discern.RoleCaseworker, Email: "caseworker@northside.example", Password: Password, Note: "another organization: receives Harbour's referrals"},
	}
}

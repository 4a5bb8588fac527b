package accounts_test

import (
	"context"
	"testing"

	"github.com/discern-org/discern/internal/discern"
)

// FuzzConfirmTOTP feeds the enrollment token decoder: whatever comes back
// from a client gets a client error (a bad token or code, or too many
// tries), never a panic or an internal error. (A fuzzing worker process
// seals with the same deterministic keys, so a seed token from the parent
// process may decrypt; its code then fails.)
func FuzzConfirmTOTP(f *testing.F) {
	e := newEnv(f)
	ctx := context.Background()
	o := e.org(f, "Harbour Outreach")
	e.user(f, o.ID, "ana@example.org", discern.RoleCaseworker)
	res := e.signIn(f, "ana@example.org", "")
	p := e.principal(f, res.Token)
	en, err := e.svc.BeginTOTP(ctx, "r", p)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(en.Token, "123456")
	f.Add(en.Token[:20], "000000")
	f.Add("", "")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "12 34 56")
	f.Fuzz(func(t *testing.T, token, code string) {
		_, err := e.svc.ConfirmTOTP(ctx, "r", p, res.Token, token, code, e.addr)
		if err == nil {
			t.Fatal("a made-up set-up was confirmed")
		}
		de, ok := err.(*discern.Error)
		switch {
		case !ok:
			t.Fatalf("error %v is not a discern error", err)
		case de.Kind == discern.KindInvalid && (de.Field == "enrollment_token" || de.Field == "code"):
		case de.Kind == discern.KindUnauthorized || de.Kind == discern.KindRateLimited:
		default:
			t.Fatalf("error %v, want a client error", err)
		}
	})
}

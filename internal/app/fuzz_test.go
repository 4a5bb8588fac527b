package app_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/discern-org/discern/internal/app"
	"github.com/discern-org/discern/internal/discern"
)

// FuzzConfig checks that any database URL and schema either validate or
// give a clear invalid-input error, and that neither String nor an error
// message ever shows the URL's password.
func FuzzConfig(f *testing.F) {
	for _, s := range []string{"", "postgres://u:pw@h/db", "postgresql://h/db?search_path=a", "mysql://x", "/var/lib/x.db",
		"postgres://u:p%zz@h/db", "postgres://[::1", "postgres://u:secret@h:99999/db"} {
		f.Add(s, "")
		f.Add(s, "discern_keys")
	}
	f.Fuzz(func(t *testing.T, database, keySchema string) {
		c := app.Config{DataDir: "/d", Database: database, KeySchema: keySchema}
		err := c.Validate()
		if err != nil && discern.KindOf(err) != discern.KindInvalid {
			t.Fatalf("Validate: %v is not KindInvalid", err)
		}
		u, perr := url.Parse(database)
		if perr != nil || u.User == nil {
			return
		}
		pw, ok := u.User.Password()
		if !ok || len(pw) < 4 || strings.Contains(u.Redacted(), pw) {
			return // too short to tell, or it is also the user, host, path…
		}
		for _, s := range []string{c.String(), app.RedactURL(database), discern.MessageOf(err)} {
			if strings.Contains(s, pw) {
				t.Fatalf("password %q shown in %q", pw, s)
			}
		}
	})
}

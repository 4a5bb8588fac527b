package demo

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/discern-org/discern/internal/directory"
)

// The demo directory is valid HSDS 3.0 (every record passes the schema
// validation of directory.ImportJSON), clearly fictional, and covers every
// need and every wanted attribute of the matcher.
func TestDemoDirectory(t *testing.T) {
	d, err := directory.ImportJSON(bytes.NewReader(DirectoryJSON()), "demo directory.json")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(d.Organizations); n < 12 || n > 20 {
		t.Errorf("%d organizations, want about 15", n)
	}
	if n := len(d.Services); n < 25 || n > 40 {
		t.Errorf("%d services, want about 30", n)
	}
	legal := 0
	for _, o := range d.Organizations {
		if !strings.HasSuffix(o.Name, "(fictional)") {
			t.Errorf("organization %q is not marked fictional", o.Name)
		}
		if !strings.HasSuffix(o.Website, ".example.org") {
			t.Errorf("organization %q has website %q, want an example.org address", o.Name, o.Website)
		}
		if o.ID == LegalAidOrgID {
			legal++
			if !strings.Contains(o.Name, "Legal Aid") {
				t.Errorf("the legal-aid partner is named %q", o.Name)
			}
		}
	}
	if legal != 1 {
		t.Errorf("%d organizations with id %s, want exactly one", legal, LegalAidOrgID)
	}
	phone := regexp.MustCompile(`^\+1 555 0\d{3}$`)
	for _, s := range d.Services {
		if !strings.HasSuffix(s.Name, "(fictional)") {
			t.Errorf("service %q is not marked fictional", s.Name)
		}
		for _, p := range s.Phones {
			if !phone.MatchString(p.Number) {
				t.Errorf("service %q has phone %q, want a 555 number", s.Name, p.Number)
			}
		}
		if len(s.Schedules) == 0 || len(s.Languages) == 0 {
			t.Errorf("service %q has no schedule or no languages", s.Name)
		}
	}
	located := 0
	for _, l := range d.Locations {
		if l.Latitude != nil {
			located++
		}
	}
	if located < 5 {
		t.Errorf("%d locations with coordinates", located)
	}

	// Every need and every attribute is offered by at least one service:
	// matching for it alone finds something, and says so.
	ix := directory.NewIndex(d)
	if ix.Len() != len(d.Services) {
		t.Errorf("indexed %d of %d services", ix.Len(), len(d.Services))
	}
	for _, need := range directory.NeedNames() {
		ms, err := ix.Match(directory.Needs{Kinds: []directory.Need{need}})
		if err != nil || len(ms) == 0 {
			t.Errorf("need %s: %d matches, %v", need, len(ms), err)
		}
	}
	for _, a := range []string{"serves_trafficking_survivors", "sex_worker_led", "lgbtq_affirming", "no_id_required", "free", "confidential"} {
		ms, err := ix.Match(directory.Needs{Kinds: directory.NeedNames(), Attributes: []string{a}, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(ms, func(m directory.Match) bool {
			return slices.Contains(m.Reasons, "is "+strings.ReplaceAll(a, "_", " "))
		}) {
			t.Errorf("no service offers %s", a)
		}
	}
	// Gender eligibility is stated somewhere, and excludes: a man is not
	// offered the women's refuge.
	age := 30
	ms, err := ix.Match(directory.Needs{Kinds: []directory.Need{directory.NeedShelter}, Gender: "male", Age: &age, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if strings.Contains(m.Service.Name, "Women's refuge") {
			t.Errorf("a man was offered %q", m.Service.Name)
		}
	}
}

package httpserver

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/discern-org/discern/internal/discern"
)

// TestSettingsKeepLegalExceptions: changing the settings through the API
// without listing the legal exceptions keeps them (an integration that
// knows nothing of them must not switch them off), and listing them
// replaces them.
func TestSettingsKeepLegalExceptions(t *testing.T) {
	s := newTestServer(t)
	o := s.org("Settings Org")
	sess, _ := s.admin(o.ID, "admin@settings.example")
	path := "/api/v1/organizations/" + o.ID
	exc := []map[string]any{{"id": "court", "kind": "court_order", "label": "Court order", "citation": "Act s.1", "active": true}}
	r := s.do(req{method: "PATCH", path: path, session: sess, body: map[string]any{"settings": map[string]any{
		"default_language": "en", "directory_org_id": "dir-1", "legal_exceptions": exc}}})
	expect(t, r, http.StatusOK)
	r = s.do(req{method: "PATCH", path: path, session: sess, body: map[string]any{"settings": map[string]any{"default_language": "es"}}})
	expect(t, r, http.StatusOK)
	var got orgBody
	r.decode(t, &got)
	if got.Settings.DefaultLanguage != "es" || got.Settings.LegalExceptions == nil || len(*got.Settings.LegalExceptions) != 1 ||
		(*got.Settings.LegalExceptions)[0].ID != "court" {
		t.Fatalf("after a change that left the exceptions out: %+v", got.Settings)
	}
	r = s.do(req{method: "PATCH", path: path, session: sess, body: map[string]any{"settings": map[string]any{"legal_exceptions": []any{}}}})
	expect(t, r, http.StatusOK)
	r.decode(t, &got)
	if len(*got.Settings.LegalExceptions) != 0 {
		t.Fatalf("an empty list did not replace them: %+v", got.Settings)
	}
	bad := []map[string]any{{"id": "x", "kind": "whim", "label": "No", "citation": "None", "active": true}}
	r = s.do(req{method: "PATCH", path: path, session: sess, body: map[string]any{"settings": map[string]any{"legal_exceptions": bad}}})
	expect(t, r, http.StatusBadRequest)
}

// TestAdminPagesManageExceptions: an administrator adds a legal exception
// on the settings page (a bad one is shown again with its problems), stops
// and restarts it, and saving the other settings keeps it.
func TestAdminPagesManageExceptions(t *testing.T) {
	s := newTestServer(t)
	o := s.org("Exceptions Org")
	sess, _ := s.admin(o.ID, "admin@exceptions.example")
	r := s.do(req{method: "POST", path: "/admin/organization/exceptions", session: sess, body: url.Values{"kind": {"whim"}, "label": {""}}})
	expect(t, r, http.StatusUnprocessableEntity)
	r = s.do(req{method: "POST", path: "/admin/organization/exceptions", session: sess,
		body: url.Values{"kind": {"court_order"}, "label": {"Court order"}, "citation": {"Senior Courts Act 1981 s.37"}}})
	expect(t, r, http.StatusSeeOther)
	stored := func() []discern.LegalException {
		got, err := s.db.FindOrganizationByID(t.Context(), o.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Settings.LegalExceptions
	}
	if ex := stored(); len(ex) != 1 || ex[0].ID != "court_order" || !ex[0].Active {
		t.Fatalf("after adding: %+v", ex)
	}
	r = s.do(req{method: "POST", path: "/admin/organization/exceptions/toggle", session: sess, body: url.Values{"id": {"court_order"}}})
	expect(t, r, http.StatusSeeOther)
	if ex := stored(); ex[0].Active {
		t.Fatal("toggling did not stop the exception")
	}
	r = s.do(req{method: "POST", path: "/admin/organization", session: sess,
		body: url.Values{"name": {"Exceptions Org"}, "country": {"GB"}, "default_language": {"en"}, "directory_org_id": {"dir-x"}}})
	expect(t, r, http.StatusSeeOther)
	got, err := s.db.FindOrganizationByID(t.Context(), o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Settings.LegalExceptions) != 1 || got.Settings.DirectoryOrgID != "dir-x" {
		t.Fatalf("saving the settings form left %+v", got.Settings)
	}
}

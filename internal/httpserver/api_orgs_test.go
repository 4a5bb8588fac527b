package httpserver

import (
	"net/http"
	"testing"
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

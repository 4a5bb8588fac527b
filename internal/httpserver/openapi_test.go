package httpserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// openAPIFile is the checked-in copy of the OpenAPI document, for people
// and tools that read the API without running the server.
var openAPIFile = filepath.Join("..", "..", "api", "openapi.json")

// TestOpenAPIDocument fails when the served OpenAPI document and the
// checked-in copy differ. Rewrite the copy with
//
//	DISCERN_UPDATE_OPENAPI=1 go test ./internal/httpserver -run TestOpenAPIDocument
func TestOpenAPIDocument(t *testing.T) {
	s := newTestServer(t)
	r := s.do(req{method: "GET", path: "/api/v1/openapi.json"})
	expect(t, r, http.StatusOK)
	if os.Getenv("DISCERN_UPDATE_OPENAPI") != "" {
		if err := os.MkdirAll(filepath.Dir(openAPIFile), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(openAPIFile, r.body, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", openAPIFile)
	}
	want, err := os.ReadFile(openAPIFile)
	if err != nil {
		t.Fatalf("%v; create it with DISCERN_UPDATE_OPENAPI=1 go test ./internal/httpserver -run TestOpenAPIDocument", err)
	}
	if !bytes.Equal(r.body, want) {
		t.Fatalf("the served OpenAPI document differs from %s; if the change is intended, rewrite it with "+
			"DISCERN_UPDATE_OPENAPI=1 go test ./internal/httpserver -run TestOpenAPIDocument", openAPIFile)
	}

	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]map[string]struct {
			OperationID string                `json:"operationId"`
			Security    []map[string][]string `json:"security"`
		} `json:"paths"`
	}
	r.decode(t, &doc)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	for _, rt := range s.table {
		if rt.API == nil {
			continue
		}
		op, ok := doc.Paths[rt.Path][strings.ToLower(rt.Method)]
		if !ok {
			t.Errorf("route %s is not in the document", rt.Pattern())
			continue
		}
		if (rt.Action != Public) != (len(op.Security) > 0) {
			t.Errorf("route %s: security %v does not match its action %s", rt.Pattern(), op.Security, rt.Action)
		}
	}
	for _, p := range []string{"/docs", "/schemas", "/openapi.json", "/openapi.yaml"} {
		if _, ok := doc.Paths[p]; ok {
			t.Errorf("the document lists %s", p)
		}
		expect(t, s.do(req{method: "GET", path: p}), http.StatusNotFound)
	}
	if bytes.Contains(r.body, []byte("unpkg.com")) || bytes.Contains(r.body, []byte("cdn")) {
		t.Error("the document refers to a CDN")
	}
	if !json.Valid(want) {
		t.Error("the checked-in document is not JSON")
	}
}

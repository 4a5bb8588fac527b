package web

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDumpPages writes every fixture page to the folder named by
// DISCERN_DUMP_PAGES, to read or open in a browser; it does nothing
// otherwise.
func TestDumpPages(t *testing.T) {
	dir := os.Getenv("DISCERN_DUMP_PAGES")
	if dir == "" {
		t.Skip("set DISCERN_DUMP_PAGES to a folder to write the fixture pages there")
	}
	r := mustRenderer(t)
	for _, lang := range r.Languages() {
		for _, p := range fixturePages(t, r, lang) {
			_, body := renderPage(t, p)
			if err := os.WriteFile(filepath.Join(dir, lang+"-"+p.name+".html"), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

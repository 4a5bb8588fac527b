package documents

import (
	"testing"

	"github.com/discern-org/discern/internal/documents/pdftext"
)

// pdfText extracts a PDF's text (pdftext.Text) or fails the test.
func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	text, err := pdftext.Text(pdf)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// flat joins wrapped lines, so that a phrase broken over two lines is
// found.
func flat(text string) string { return pdftext.Flat(text) }

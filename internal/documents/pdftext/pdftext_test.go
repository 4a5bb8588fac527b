package pdftext_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/documents"
	"github.com/discern-org/discern/internal/documents/pdftext"
)

func TestTextOfAPacket(t *testing.T) {
	day := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	err := documents.WriteReferralPacket(&buf, &documents.ReferralPacket{Date: day, From: documents.Sender{Organization: "Harbour"},
		To: documents.Recipient{Organization: "Riverside (ñ)"}, Consent: documents.ConsentBasis{ID: "c1", Method: discern.ConsentWritten,
			GivenAt: day, Classes: []discern.DataClass{discern.ClassCase}},
		Sections: []documents.Section{{Class: discern.ClassCase, Fields: []documents.Field{{Label: "Code", Value: "CASEMARK"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	text, err := pdftext.Text(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	flat := pdftext.Flat(text)
	for _, want := range []string{"CASEMARK", "Riverside (ñ)", "Referral packet"} {
		if !strings.Contains(flat, want) {
			t.Errorf("text lacks %q: %s", want, flat)
		}
	}
	if _, err := pdftext.Text([]byte("not a pdf")); err == nil {
		t.Error("a non-PDF gave no error")
	}
}

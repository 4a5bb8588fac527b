package documents

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/content"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/screening"
)

var (
	bundle = content.MustLoadEmbedded()
	engine = screening.New(bundle)
	day    = time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)
)

// vignette evaluates one dev vignette with the engine and gives every
// answer a distinctive note, so that notes can be looked for in the text.
func vignette(t testing.TB, id string) (*screening.Evidence, *screening.Result) {
	t.Helper()
	file := filepath.Join("..", "screening", "testdata", "vignettes", id+".yaml")
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := screening.ParseAnswers(bundle, file, raw)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ev.Answers {
		ev.Answers[i].Note = "NOTEMARK" + strings.ReplaceAll(ev.Answers[i].Question, "_", "")
	}
	res, err := engine.Evaluate(ev)
	if err != nil {
		t.Fatal(err)
	}
	return ev, res
}

func vignetteIDs(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join("..", "screening", "testdata", "vignettes", "D*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no vignettes: %v", err)
	}
	var ids []string
	for _, f := range files {
		ids = append(ids, strings.TrimSuffix(filepath.Base(f), ".yaml"))
	}
	return ids
}

// body is the flattened text of a PDF without the running header and
// footer, which can fall inside a paragraph broken over two pages.
func body(t testing.TB, pdf []byte) string {
	t.Helper()
	var keep []string
	for _, line := range strings.Split(pdfText(t, pdf), "\n") {
		if strings.HasPrefix(line, "CONFIDENTIAL") || strings.HasPrefix(line, "CONFIDENCIAL") || strings.Contains(line, " · ") {
			continue
		}
		keep = append(keep, line)
	}
	return flat(strings.Join(keep, "\n"))
}

func render(t testing.TB, write func(*bytes.Buffer) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// packet has a section of every class, each holding marker strings.
func packet() *ReferralPacket {
	until := day.AddDate(0, 6, 0)
	p := &ReferralPacket{
		Language: "en", Date: day, Reference: "REF-7",
		From:   Sender{Organization: "Harbour Outreach", Worker: "Sam Okafor"},
		To:     Recipient{Organization: "Safe Rooms", Service: "Emergency beds"},
		Reason: "REASONMARK a safe place to stay tonight", Needs: []string{"NEEDMARK housing", "sexual-health clinic"},
		Consent: ConsentBasis{ID: "cons-42", Version: 3, Method: discern.ConsentVerbal, GivenAt: day.AddDate(0, 0, -1), ValidUntil: &until,
			Purposes: []discern.ConsentPurpose{discern.PurposeReferral, discern.PurposeDocuments},
			Classes:  []discern.DataClass{discern.ClassCase, discern.ClassIdentity, discern.ClassContact}},
		ContactSafety: discern.ContactSafety{TimeZone: "Europe/London", HasCodeWord: true,
			Channels: []discern.SafeChannel{{Channel: discern.ChannelSMS, Windows: []discern.ContactWindow{{Weekdays: []time.Weekday{time.Monday, time.Wednesday}, From: 9 * 60, To: 11*60 + 30}}}}},
	}
	for _, c := range discern.DataClasses {
		p.Sections = append(p.Sections, Section{Class: c, Fields: []Field{{Label: "LABEL" + strings.ToUpper(string(c)), Value: "VALUE" + strings.ToUpper(strings.ReplaceAll(string(c), "_", ""))}}})
	}
	return p
}

func TestReferralPacketPrintsOnlyReleasedClasses(t *testing.T) {
	p := packet()
	text := body(t, render(t, func(b *bytes.Buffer) error { return WriteReferralPacket(b, p) }))
	for _, c := range discern.DataClasses {
		val := "VALUE" + strings.ToUpper(strings.ReplaceAll(string(c), "_", ""))
		released := slices.Contains(p.Consent.Classes, c)
		if got := strings.Contains(text, val); got != released {
			t.Errorf("class %s: value printed=%v, want %v", c, got, released)
		}
		if got := strings.Contains(text, "LABEL"+strings.ToUpper(string(c))); got != released {
			t.Errorf("class %s: label printed=%v, want %v", c, got, released)
		}
		line := labelSet["en"]["class."+string(c)] + ": withheld: no consent"
		if got := strings.Contains(text, line); got == released {
			t.Errorf("class %s: %q printed=%v, want %v", c, line, got, !released)
		}
	}
	for _, want := range []string{"REASONMARK", "NEEDMARK", "Harbour Outreach, Sam Okafor", "Safe Rooms, Emergency beds", "cons-42 (version 3)",
		"Verbal, recorded by staff", "Referral; Documents for the recipient", "Text message: Mon, Wed 09:00–11:30", "Europe/London",
		"Ask for the code word", "REF-7", "2026-11-24"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
}

func TestReferralPacketSharesLessThanConsent(t *testing.T) {
	p := packet()
	p.Released = []discern.DataClass{discern.ClassIdentity}
	p.ContactSafety.HasCodeWord = false
	text := body(t, render(t, func(b *bytes.Buffer) error { return WriteReferralPacket(b, p) }))
	for _, absent := range []string{"REASONMARK", "NEEDMARK", "VALUECONTACT", "VALUECASE", "Text message", "Europe/London", "code word"} {
		if strings.Contains(text, absent) {
			t.Errorf("%q printed although not released", absent)
		}
	}
	for _, want := range []string{"VALUEIDENTITY", "Case: withheld: not shared for this purpose", "Health: withheld: no consent",
		"contact details and safe channels are withheld"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}

	p.Released = []discern.DataClass{discern.ClassHealth}
	err := WriteReferralPacket(&bytes.Buffer{}, p)
	if discern.KindOf(err) != discern.KindInvalid || !strings.Contains(err.Error(), "not covered by the consent") {
		t.Errorf("releasing a class the consent does not cover: %v", err)
	}
}

func TestReferralPacketDoNotContact(t *testing.T) {
	p := packet()
	p.ContactSafety.DoNotContact = true
	text := body(t, render(t, func(b *bytes.Buffer) error { return WriteReferralPacket(b, p) }))
	if !strings.Contains(text, "Do NOT contact the person directly") || strings.Contains(text, "Text message:") {
		t.Errorf("do-not-contact not honoured:\n%s", text)
	}
}

func TestReferralPacketRejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*ReferralPacket)
		field string
	}{
		{"no date", func(p *ReferralPacket) { p.Date = time.Time{} }, "date"},
		{"no sender", func(p *ReferralPacket) { p.From.Organization = " " }, "from"},
		{"no recipient", func(p *ReferralPacket) { p.To = Recipient{} }, "to"},
		{"no consent", func(p *ReferralPacket) { p.Consent.ID = "" }, "consent"},
		{"bad method", func(p *ReferralPacket) { p.Consent.Method = "nodded" }, "consent.method"},
		{"bad purpose", func(p *ReferralPacket) { p.Consent.Purposes = []discern.ConsentPurpose{"marketing"} }, "consent.purposes"},
		{"bad class", func(p *ReferralPacket) { p.Sections[0].Class = "rumours" }, "sections"},
		{"two sections of a class", func(p *ReferralPacket) { p.Sections[1].Class = p.Sections[0].Class }, "sections"},
		{"bad language", func(p *ReferralPacket) { p.Language = "not a language!" }, "language"},
		{"bad time zone", func(p *ReferralPacket) { p.ContactSafety.TimeZone = "Mars/Olympus" }, "time_zone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := packet()
			tc.edit(p)
			err := WriteReferralPacket(&bytes.Buffer{}, p)
			var e *discern.Error
			if err == nil || discern.KindOf(err) != discern.KindInvalid {
				t.Fatalf("got %v, want an invalid-input error", err)
			}
			if errors.As(err, &e) && e.Field != tc.field {
				t.Errorf("field %q, want %q (%v)", e.Field, tc.field, err)
			}
		})
	}
	if err := WriteReferralPacket(&bytes.Buffer{}, nil); discern.KindOf(err) != discern.KindInvalid {
		t.Errorf("nil packet: %v", err)
	}
}

func summary(ev *screening.Evidence, res *screening.Result, released ...discern.DataClass) *ScreeningSummary {
	return &ScreeningSummary{Date: day, Reference: "scr-1", PreparedBy: Sender{Organization: "Harbour Outreach", Worker: "Sam Okafor"},
		Screening: Screening{Bundle: bundle, Result: res, Evidence: ev, Released: released, AssessedAt: day.AddDate(0, 0, -2)}}
}

// TestScreeningSummaryVignettes renders every vignette's real result with
// only case released and with everything released.
func TestScreeningSummaryVignettes(t *testing.T) {
	for _, id := range vignetteIDs(t) {
		t.Run(id, func(t *testing.T) {
			ev, res := vignette(t, id)
			caseOnly := body(t, render(t, func(b *bytes.Buffer) error {
				return WriteScreeningSummary(b, summary(ev, res, discern.ClassCase))
			}))
			all := body(t, render(t, func(b *bytes.Buffer) error {
				return WriteScreeningSummary(b, summary(ev, res, discern.DataClasses...))
			}))
			if strings.Contains(caseOnly, "NOTEMARK") {
				t.Error("a narrative note is printed although narrative is withheld")
			}
			for _, want := range []string{"not a determination of whether anyone is a victim", "not legal advice", "Narrative: withheld: no consent", "Health: withheld: no consent"} {
				if !strings.Contains(caseOnly, want) {
					t.Errorf("missing %q", want)
				}
			}
			notes := 0
			for _, ind := range res.Indicators {
				if ind.State != "present" {
					continue
				}
				for _, src := range ind.Sources {
					q := bundle.Question(src.Question)
					line := bundle.Text("en", "question."+src.Question+".text") + " " + answerText(labelFn("en"), ct(bundle, locale{lang: "en"}), bundle, src)
					if strings.Contains(all, "NOTEMARK"+strings.ReplaceAll(src.Question, "_", "")) {
						notes++
					}
					if q.Class != "" && q.Class != string(discern.ClassCase) {
						if strings.Contains(caseOnly, line) {
							t.Errorf("%s answer %q printed although %s is withheld", src.Question, line, q.Class)
						}
						if !strings.Contains(all, line) {
							t.Errorf("%s answer %q missing although released", src.Question, line)
						}
					}
				}
			}
			if notes == 0 && len(res.Indicators) > 0 {
				t.Error("no note printed although narrative is released")
			}
			for _, jr := range res.Results {
				for _, el := range jr.Elements {
					for _, c := range el.Citations {
						if !strings.Contains(caseOnly, c) {
							t.Errorf("%s %s: citation %q missing", jr.Jurisdiction, el.ID, c)
						}
					}
				}
				if !strings.Contains(caseOnly, flat(determination(ct(bundle, locale{lang: "en"}), jr))) {
					t.Errorf("%s: determination missing", jr.Jurisdiction)
				}
			}
		})
	}
}

func labelFn(lang string) func(string, ...any) string { return locale{lang: lang}.t }

func TestScreeningSummaryNeedsCase(t *testing.T) {
	ev, res := vignette(t, "D03")
	err := WriteScreeningSummary(&bytes.Buffer{}, summary(ev, res, discern.ClassNarrative))
	if discern.KindOf(err) != discern.KindInvalid {
		t.Fatalf("got %v, want invalid: no case class", err)
	}
	if err := WriteScreeningSummary(&bytes.Buffer{}, &ScreeningSummary{Date: day}); discern.KindOf(err) != discern.KindInvalid {
		t.Errorf("no result: %v", err)
	}
}

func TestSpanishLabels(t *testing.T) {
	ev, res := vignette(t, "D03")
	s := summary(ev, res, discern.ClassCase)
	s.Language = "es"
	text := body(t, render(t, func(b *bytes.Buffer) error { return WriteScreeningSummary(b, s) }))
	for _, want := range []string{"Resumen de la detección", "no es asesoramiento jurídico", "Preguntas que lo aclararían",
		bundle.Text("es", "report.elements"), "Relato: no compartida (sin consentimiento)"} {
		if !strings.Contains(text, flat(want)) {
			t.Errorf("missing Spanish %q", want)
		}
	}
	if strings.Contains(text, "Screening summary") || strings.Contains(text, "not legal advice") {
		t.Error("English labels in a Spanish summary")
	}

	p := packet()
	p.Language = "es-MX"
	text = body(t, render(t, func(b *bytes.Buffer) error { return WriteReferralPacket(b, p) }))
	for _, want := range []string{"Expediente de derivación", "Pida la palabra clave", "Salud: no compartida (sin consentimiento)", "Mensaje de texto: lun, mié 09:00–11:30"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing Spanish %q", want)
		}
	}
}

// TestUnsupportedScript: Arabic is not in the Go fonts, so labels fall back
// to English, the document says so, and Arabic values become [?].
func TestUnsupportedScript(t *testing.T) {
	p := packet()
	p.Language = "ar"
	p.Sections[0].Fields = append(p.Sections[0].Fields, Field{Label: "Name as written", Value: "سارة ARABICMARK Σοφία Соня"})
	pdf := render(t, func(b *bytes.Buffer) error { return WriteReferralPacket(b, p) })
	text := body(t, pdf)
	for _, want := range []string{"Referral packet", "uses a script this document's font cannot show", "Arabic", "[?] ARABICMARK Σοφία Соня", "it is marked [?]"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	for _, r := range pdfText(t, pdf) {
		if r >= 0x0600 && r <= 0x06FF {
			t.Fatalf("Arabic rune %q printed", r)
		}
	}
	p.Language = "fr"
	text = body(t, render(t, func(b *bytes.Buffer) error { return WriteReferralPacket(b, p) }))
	if !strings.Contains(text, "not yet translated into French") {
		t.Error("an untranslated language is not announced")
	}
}

func letter(ev *screening.Evidence, res *screening.Result, released ...discern.DataClass) *NonPunishmentLetter {
	return &NonPunishmentLetter{Date: day, Reference: "L-9", Matter: "R v. Doe, Southwark Crown Court", PersonName: "PERSONNAMEMARK",
		To:        Party{Name: "A. Counsel", Role: "Defence counsel", Organization: "Legal Aid Chambers"},
		From:      Party{Name: "Sam Okafor", Role: "Caseworker", Organization: "Harbour Outreach"},
		Screening: Screening{Bundle: bundle, Result: res, Evidence: ev, Released: released}}
}

func TestNonPunishmentLetter(t *testing.T) {
	for _, id := range []string{"D17", "D18", "D05"} {
		t.Run(id, func(t *testing.T) {
			ev, res := vignette(t, id)
			text := body(t, render(t, func(b *bytes.Buffer) error {
				return WriteNonPunishmentLetter(b, letter(ev, res, discern.ClassCase, discern.ClassCriminalJustice))
			}))
			for _, want := range []string{"Discern records what the answers given mean under each law, with citations", "It is not a finding of fact",
				"A. Counsel", "Defence counsel", "R v. Doe", "name withheld: no consent", "Said by the person"} {
				if !strings.Contains(text, want) {
					t.Errorf("missing %q", want)
				}
			}
			if strings.Contains(text, "PERSONNAMEMARK") || strings.Contains(text, "NOTEMARK") {
				t.Error("withheld identity or narrative printed")
			}
			for _, jr := range res.Results {
				for _, el := range jr.Elements {
					if el.State != screening.Met {
						continue
					}
					for _, c := range el.Citations {
						if !strings.Contains(text, c) {
							t.Errorf("%s %s: citation %q missing", jr.Jurisdiction, el.ID, c)
						}
					}
				}
			}
			for _, a := range res.Alerts {
				if a.ID == "non_punishment" {
					for _, c := range []string{"CETS 197 Art. 26", "Directive 2011/36/EU Art. 8", "Modern Slavery Act 2015 s.45"} {
						if !strings.Contains(text, c) {
							t.Errorf("non-punishment citation %q missing", c)
						}
					}
				}
			}
			for _, jr := range res.Results {
				for _, pw := range jr.Pathways {
					if slices.Contains(provs.Pathways, pw.ID) && pw.Status != "not_eligible" {
						if name := bundle.Text("en", "pathway."+pw.ID+".name"); !strings.Contains(text, name) {
							t.Errorf("provision %q missing", name)
						}
					}
				}
			}
		})
	}
	ev, res := vignette(t, "D17")
	text := body(t, render(t, func(b *bytes.Buffer) error {
		return WriteNonPunishmentLetter(b, letter(ev, res, discern.ClassCase, discern.ClassIdentity))
	}))
	if !strings.Contains(text, "PERSONNAMEMARK") {
		t.Error("the person's name is missing although identity is released")
	}
	// D20 raises no non-punishment alert or pathway: the letter says so.
	ev, res = vignette(t, "D20")
	text = body(t, render(t, func(b *bytes.Buffer) error { return WriteNonPunishmentLetter(b, letter(ev, res, discern.ClassCase)) }))
	if !strings.Contains(text, "no non-punishment provision is indicated") {
		t.Errorf("a letter with no provision does not say so:\n%s", text)
	}
	if err := WriteNonPunishmentLetter(&bytes.Buffer{}, &NonPunishmentLetter{Date: day, Screening: Screening{Bundle: bundle, Result: res, Released: []discern.DataClass{discern.ClassCase}}}); discern.KindOf(err) != discern.KindInvalid {
		t.Errorf("a letter with no addressee: %v", err)
	}
}

func TestDeterministic(t *testing.T) {
	ev, res := vignette(t, "D18")
	writers := map[string]func(*bytes.Buffer) error{
		"packet":  func(b *bytes.Buffer) error { return WriteReferralPacket(b, packet()) },
		"summary": func(b *bytes.Buffer) error { return WriteScreeningSummary(b, summary(ev, res, discern.DataClasses...)) },
		"letter": func(b *bytes.Buffer) error {
			return WriteNonPunishmentLetter(b, letter(ev, res, discern.DataClasses...))
		},
	}
	for name, write := range writers {
		a, b := render(t, write), render(t, write)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two renderings of the same input differ", name)
		}
		if !bytes.Contains(a, []byte("/CreationDate (D:20261124093000")) {
			t.Errorf("%s: the creation date is not the input's date", name)
		}
	}
	p := packet()
	p.Date = day.Add(time.Hour)
	if bytes.Equal(render(t, func(b *bytes.Buffer) error { return WriteReferralPacket(b, p) }), render(t, writers["packet"])) {
		t.Error("a different date gives the same bytes")
	}
}

// TestLongText: a value pages long, and a "word" far wider than a line,
// wrap and paginate; the end of each is still printed.
func TestLongText(t *testing.T) {
	p := packet()
	long := strings.Repeat("She said the work went on every night and the money went to someone else. ", 4000) + "ENDOFLONGTEXT"
	word := strings.Repeat("x", 20000) + "ENDOFWORD"
	p.Sections[0].Fields = append(p.Sections[0].Fields, Field{Label: strings.Repeat("Long label ", 50), Value: long}, Field{Label: "word", Value: word})
	p.Needs = slices.Repeat([]string{strings.Repeat("need ", 300)}, 30)
	pdf := render(t, func(b *bytes.Buffer) error { return WriteReferralPacket(b, p) })
	text := pdfText(t, pdf)
	if !strings.Contains(text, "ENDOFLONGTEXT") || !strings.Contains(strings.ReplaceAll(text, "\n", ""), "xxENDOFWORD") {
		t.Error("the end of a long value is missing")
	}
	pages := strings.Count(text, " · Page ")
	if pages < 40 || !strings.Contains(text, "Page 1 of ") {
		t.Errorf("%d pages for 300 KB of text", pages)
	}
}

func FuzzRenderers(f *testing.F) {
	for _, s := range []string{"", "plain", "سارة", "(paren) \\ back", "\x00\xff\xfe", "😀 emoji", strings.Repeat("w", 3000), "a\r\n\tb", "\u200f\u202e", "{nb} {n}"} {
		f.Add(s, "en")
	}
	f.Add("x", "es")
	f.Add("x", "zz-Qaaa")
	ev, res := vignette(f, "D18")
	f.Fuzz(func(t *testing.T, s, lang string) {
		p := packet()
		p.Language, p.Reason, p.Reference = lang, s, s
		p.From.Worker, p.To.Service = s, s
		p.Needs = []string{s}
		p.Sections[0].Fields = []Field{{Label: s, Value: s}}
		if err := WriteReferralPacket(&bytes.Buffer{}, p); err != nil && discern.KindOf(err) != discern.KindInvalid {
			t.Fatalf("packet: %v", err)
		}
		sum := summary(ev, res, discern.DataClasses...)
		sum.Language, sum.Reference, sum.PreparedBy.Worker = lang, s, s
		if err := WriteScreeningSummary(&bytes.Buffer{}, sum); err != nil && discern.KindOf(err) != discern.KindInvalid {
			t.Fatalf("summary: %v", err)
		}
		l := letter(ev, res, discern.DataClasses...)
		l.Language, l.Matter, l.PersonName, l.To.Address, l.From.Name = lang, s, s, s, "x"+s
		if err := WriteNonPunishmentLetter(&bytes.Buffer{}, l); err != nil && discern.KindOf(err) != discern.KindInvalid {
			t.Fatalf("letter: %v", err)
		}
	})
}

func benchmark(b *testing.B, write func(*bytes.Buffer) error) {
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := write(&buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "pdf-bytes")
}

func BenchmarkReferralPacket(b *testing.B) {
	benchmark(b, func(buf *bytes.Buffer) error { return WriteReferralPacket(buf, packet()) })
}

func BenchmarkScreeningSummary(b *testing.B) {
	ev, res := vignette(b, "D18")
	benchmark(b, func(buf *bytes.Buffer) error {
		return WriteScreeningSummary(buf, summary(ev, res, discern.DataClasses...))
	})
}

func BenchmarkNonPunishmentLetter(b *testing.B) {
	ev, res := vignette(b, "D18")
	benchmark(b, func(buf *bytes.Buffer) error {
		return WriteNonPunishmentLetter(buf, letter(ev, res, discern.DataClasses...))
	})
}

// TestLabelsComplete: the Spanish labels have every English key, so that
// nothing falls back to English in a Spanish document.
func TestLabelsComplete(t *testing.T) {
	if err := load(); err != nil {
		t.Fatal(err)
	}
	for lang, labels := range labelSet {
		for key := range labelSet[fallbackLang] {
			if _, ok := labels[key]; !ok {
				t.Errorf("%s: no label %q", lang, key)
			}
		}
	}
	if len(provs.Alerts) == 0 || len(provs.Pathways) == 0 {
		t.Fatal("data/provisions.yaml names no provision")
	}
	for _, id := range provs.Pathways {
		if bundle.Text("en", "pathway."+id+".name") == "pathway."+id+".name" {
			t.Errorf("provision %q is not a pathway of the content", id)
		}
	}
	for _, id := range provs.Alerts {
		if !slices.ContainsFunc(bundle.Alerts, func(a *content.Alert) bool { return a.ID == id }) {
			t.Errorf("provision %q is not an alert of the content", id)
		}
	}
}

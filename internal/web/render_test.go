package web

import (
	"crypto/sha256"
	"encoding/hex"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/discern-org/discern/internal/screening"
)

// TestRenderEveryPage renders every page with realistic data in every
// language, and checks each for structure, inline code, accessibility
// rules and the content it must carry.
func TestRenderEveryPage(t *testing.T) {
	r := mustRenderer(t)
	for _, lang := range r.Languages() {
		for _, p := range fixturePages(t, r, lang) {
			t.Run(lang+"/"+p.name, func(t *testing.T) {
				code, body := renderPage(t, p)
				if code != http.StatusOK && code != http.StatusUnprocessableEntity && code != http.StatusNotFound {
					t.Errorf("status %d", code)
				}
				for _, prob := range checkPage(body) {
					t.Error(prob)
				}
				if !strings.Contains(body, `<html lang="`+lang+`" dir="ltr">`) {
					t.Errorf("no <html lang=%q dir=ltr>", lang)
				}
				if strings.Contains(body, "/unknown-path/") {
					t.Error("a link to an unknown path")
				}
				text := html.UnescapeString(body)
				// A key shown instead of its text means a missing
				// translation. Keys look like "word.word".
				for _, m := range keyLeakRE.FindAllString(text, -1) {
					t.Errorf("untranslated key %q", m)
				}
				for _, want := range mustContain[p.name][lang] {
					if !strings.Contains(text, want) {
						t.Errorf("page lacks %q", want)
					}
				}
				for _, bad := range mustNotContain {
					if strings.Contains(strings.ToLower(text), bad) {
						t.Errorf("page says %q", bad)
					}
				}
			})
		}
	}
}

// keyLeakRE finds interface or content keys left in a page's text: a
// known prefix, a dot and a word.
var keyLeakRE = regexp.MustCompile(`(?:^|[\s>(“"«:])(?:layout|nav|home|tasks|task_status|signin|sessions|start|interview|problem|result|determination_short|person|class|place|access|outcome|action|admin|role|role_hint|error|question|option|answer|provenance|report|state|element|jurisdiction|determination|situation|pathway|consent|rights|level|alert|facet|indicator|dimension|status)\.[a-z_]+`)

// Words the interface must never use about a person.
var mustNotContain = []string{"victim:", "is a victim", "not a victim", "prostitute", "es una víctima", "no es una víctima"}

var mustContain = map[string]map[string][]string{
	"home": {
		"en": {"Your screenings in progress", "Screening for HX-4821", "Call the legal clinic", "elements of sex trafficking met", "Skip to main content"},
		"es": {"Sus detecciones en curso", "Detección del caso HX-4821", "Saltar al contenido principal"},
	},
	"signin": {
		"en": {"Email address", "Password", "There is a problem", "The email address or password is not right", `value="ana@example.org"`},
		"es": {"Correo electrónico", "Contraseña", "Hay un problema"},
	},
	"signin_code": {
		"en": {"Second step: your code", "one-time-code"},
		"es": {"Segundo paso: su código"},
	},
	"sessions": {
		"en": {"Your sessions", "This device", "Sign out everywhere", "2026-11-24 14:30"},
		"es": {"Sus sesiones", "Este dispositivo", "Cerrar sesión en todas partes"},
	},
	"interview_start": {
		"en": {"Start a screening", "HX-4821", "England and Wales (Modern Slavery Act 2015)", "suggested", "First-contact screen (short form)", "Español"},
		"es": {"Empezar una detección", "sugerida", "Idioma de la entrevista"},
	},
	"interview_start_problems": {
		"en": {"Choose at least one law."},
		"es": {"Elija al menos una ley."},
	},
	"interview": {
		"en": {"Your work and money", "Step 3 of 7", "Have you given sex or sexual services", "Why we ask", "Guidance for the interviewer",
			"Don't know", "Prefers not to say", "Skip (not asked)", "Source of this answer", "Told by someone else", "restored from the saved draft",
			"Choose all that apply.", "Save and continue", "Previous step", "Save and exit", "Not needed if the answer to"},
		"es": {"Su trabajo y su dinero", "Paso 3 de 7", "Por qué lo preguntamos", "No sabe", "Prefiere no decirlo", "Guardar y continuar"},
	},
	"interview_problems": {
		"en": {"There is a problem", "Enter an age in whole years from 0 to 120", `value="abc"`, `href="#a-age"`},
		"es": {"Hay un problema", "Introduzca una edad en años enteros", `value="abc"`},
	},
	"interview_followups": {
		"en": {"Follow-up questions", "could settle", "Save and see the result"},
		"es": {"Preguntas de seguimiento", "podría aclarar", "Guardar y ver el resultado"},
	},
	"result": {
		"en": {"Screening summary", "The answers given meet the elements of sex trafficking under United States federal law.",
			"The elements under United States federal law", "Element", "State", "Evidence", "Law", "met", "Urgent",
			"Protections that may follow", "T visa", "Rights and harm-reduction information", "Content version", "Print view",
			"Indicator profile (ILO/EC operational indicators)", "Non-punishment summary letter", "Make the letter (PDF)"},
		"es": {"Resumen de la detección", "Elemento", "Estado", "Vista para imprimir"},
	},
	"result_draft": {
		"en": {"Draft: the answers may still change", "Ask the follow-up questions", "health", "Questions that would settle what is unknown"},
		"es": {"Borrador", "Hacer las preguntas de seguimiento"},
	},
	"result_print": {
		"en": {"Use your browser's print command", "Back to the result"},
		"es": {"Use la orden de imprimir"},
	},
	"person": {
		"en": {"Case HX-4821", "Maria Example", "about 20", "contact and location", "Who accessed this record", "Prefers text messages",
			"Consent and referrals", "Harbour Legal Aid (fictional)", "Revoke", "revoked", "Shared without consent under a legal exception.", "Make a referral",
			"This note is not shown to your role.", "The narrative is not shown to your role.", "Ana Ruiz"},
		"es": {"Caso HX-4821", "Quién accedió a este registro", "Esta nota no se muestra a su rol."},
	},
	"person_problems": {
		"en": {"This person's data was erased.", "Write the note.", "Choose what kind of note this is."},
		"es": {"Escriba la nota."},
	},
	"directory": {
		"en": {"Find services", "suggestions only", "Emergency shelter beds (fictional)", "Offers: Shelter", "Does not list: Legal and immigration help",
			"1.4 km away", "Serves people aged 18 and over", "Confidential", "Back to the screening result", `value="24"`,
			`href="/people/p_1/referrals/new?recipient=service:svc-1&need=shelter"`},
		"es": {"Buscar servicios", "solo sugerencias", "Ofrece: Alojamiento seguro"},
	},
	"directory_problems": {
		"en": {"Enter an age in whole years from 0 to 130.", "Choose at least one kind of help", `value="200"`, "No service in the directory fits"},
		"es": {"Escriba una edad en años enteros"},
	},
	"people": {
		"en": {"Find a person by case code", "HX-4821", "QK-1130", "data erased", "Add a person", "More people"},
		"es": {"Buscar a una persona por código de caso", "Añadir una persona"},
	},
	"people_problems": {
		"en": {"No person has that case code", "This is too long.", "Signal after 6 pm", `value="ZZ-0000"`},
		"es": {"Es demasiado largo."},
	},
	"access": {
		"en": {"Who accessed HX-4821", "read the record", "refused", "The system", "Another user", "Older entries"},
		"es": {"Quién accedió a HX-4821", "leyó el registro", "denegado"},
	},
	"admin_users": {
		"en": {"Users", "ana@example.org", "Caseworker", "Disabled", "Set up", "Not set up"},
		"es": {"Personas usuarias", "Gestión de casos", "Desactivada"},
	},
	"admin_user_form": {
		"en": {"Add a user", "Enter an email address", `value="not-an-email"`, "Choose a role."},
		"es": {"Añadir una persona usuaria", "Elija un rol."},
	},
	"admin_org": {
		"en": {"Organization settings", "Settings saved.", `value="Harbour Outreach"`, "Require a second step",
			"Legal exceptions to consent", "Children Act 1989 s.47", "Stop using", "Add a legal exception", "service directory"},
		"es": {"Ajustes de la organización", "Ajustes guardados."},
	},
	"consent_form": {
		"en": {"Record consent", "Immigration clinic", "Choose at least one purpose.", "Enter a date after today", "Confirm that you explained this"},
		"es": {"Registrar consentimiento", "Elija al menos una finalidad."},
	},
	"referral_new": {
		"en": {"Make a referral", "Choose at least one kind of information.", "tick “narrative”", "Shelter", "See what would be shared"},
		"es": {"Hacer una derivación", "Alojamiento"},
	},
	"referral_new_preview": {
		"en": {"Before you send", "Not covered by the person's consent", "This person may be under 18", "Duty to notify the Home Office",
			"the notification is anonymous", "Modern Slavery Act 2015 s.52", "Children Act 1989 s.47", "Send the referral", "Untick what is not covered"},
		"es": {"Antes de enviar", "Esta persona puede ser menor de 18 años", "Enviar la derivación"},
	},
	"referral": {
		"en": {"From", "Harbour Outreach", "received", "waiting too long", "HX-4821", "Withheld", "contact and location", "Declined", "Called the person back", "FHIR Task: received",
			`href="/api/v1/referrals/r_1/packet.pdf"`},
		"es": {"Derivación", "recibida", "Retenido"},
	},
	"referral_exception": {
		"en": {"Shared without consent under a legal exception.", "Court order", "FC-118", "Made on the child-protection branch.", "recorded for the recipient", "Maria Example",
			"Contact safety", "18:00–21:00", "Times are in Europe/London.", "A code word is agreed"},
		"es": {"Compartido sin consentimiento bajo una excepción legal."},
	},
	"inbox": {
		"en": {"Referrals received", "From Harbour Outreach, to Harbour Legal Aid (fictional)", "Legal and immigration advice"},
		"es": {"Derivaciones recibidas", "De Harbour Outreach"},
	},
	"error": {
		"en": {"This page does not exist", "req-7f3a"},
		"es": {"Esta página no existe", "req-7f3a"},
	},
}

// TestEveryPageHasAFixture fails when a page template is added without
// a fixture that renders it.
func TestEveryPageHasAFixture(t *testing.T) {
	r := mustRenderer(t)
	var rendered []string
	for _, p := range fixturePages(t, r, "en") {
		rendered = append(rendered, p.name)
		if _, ok := mustContain[p.name]; !ok {
			t.Errorf("fixture %s has no content checks", p.name)
		}
	}
	for _, name := range pageNames {
		found := false
		for _, f := range rendered {
			if f == name || strings.HasPrefix(f, name+"_") || (name == "signin" && f == "signin_code") {
				found = true
			}
		}
		if !found {
			t.Errorf("page %s has no fixture", name)
		}
	}
}

// TestTemplatesHaveNoInlineCode reads the templates as text: no inline
// script or style, no event-handler attribute, no external URL, so that a
// strict Content-Security-Policy holds for every page, rendered or not.
func TestTemplatesHaveNoInlineCode(t *testing.T) {
	srcs, err := templateSources()
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name string
		re   *regexp.Regexp
	}{
		{"event handler", regexp.MustCompile(`(?i)\son[a-z]+\s*=`)},
		{"style attribute", regexp.MustCompile(`(?i)\sstyle\s*=`)},
		{"style element", regexp.MustCompile(`(?i)<style`)},
		{"inline script", regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>\s*[^<\s]`)},
		{"script without src", regexp.MustCompile(`(?i)<script(?:\s(?:[^s>]|s[^r])*)?>`)},
		{"javascript: URL", regexp.MustCompile(`(?i)javascript:`)},
		{"external resource", regexp.MustCompile(`(?i)(?:src|href|action)\s*=\s*"(?:https?:)?//`)},
		{"htmx eval", regexp.MustCompile(`(?i)hx-[a-z-]+\s*=\s*['"][^'"]*js:`)},
		{"hx-on", regexp.MustCompile(`(?i)hx-on`)},
	}
	if len(srcs) < len(pageNames)+2 {
		t.Fatalf("read %d templates, want at least %d", len(srcs), len(pageNames)+2)
	}
	for path, src := range srcs {
		for _, c := range checks {
			if loc := c.re.FindStringIndex(src); loc != nil {
				t.Errorf("%s: %s: %q", path, c.name, src[loc[0]:min(len(src), loc[1]+30)])
			}
		}
	}
}

// TestCheckerCatchesProblems proves the page checker can fail.
func TestCheckerCatchesProblems(t *testing.T) {
	const ok = `<!doctype html><html lang="en" dir="ltr"><head><title>x</title></head><body><h1>x</h1>%s</body></html>`
	cases := []struct{ name, body, want string }{
		{"unclosed", `<div><p>x</div>`, "not well formed"},
		{"inline script", `<script>alert(1)</script>`, "inline <script>"},
		{"handler", `<a href="/" onclick="x()">x</a>`, "event-handler"},
		{"style attr", `<p style="color:red">x</p>`, "inline style"},
		{"unlabelled input", `<input type="text" name="q">`, "no label"},
		{"img alt", `<img src="/x.png">`, "without alt"},
		{"radio outside fieldset", `<input type="radio" id="r" name="r"><label for="r">r</label>`, "outside a fieldset"},
		{"duplicate id", `<p id="a">1</p><p id="a">2</p>`, "used 2 times"},
		{"dangling describedby", `<input type="text" id="i" aria-describedby="nope"><label for="i">i</label>`, "no element has id"},
		{"external", `<script src="https://cdn.example/x.js"></script>`, "another origin"},
		{"fieldset no legend", `<fieldset id="f"><p>x</p></fieldset>`, "without a legend"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			probs := checkPage(strings.Replace(ok, "%s", tc.body, 1))
			if !slices.ContainsFunc(probs, func(p string) bool { return strings.Contains(p, tc.want) }) {
				t.Errorf("problems %q lack %q", probs, tc.want)
			}
		})
	}
	if probs := checkPage(strings.Replace(ok, "%s", `<p>fine</p>`, 1)); len(probs) > 0 {
		t.Errorf("a clean page has problems: %q", probs)
	}
}

// TestUITextsComplete fails when a key is missing in any language, or
// when a template names a key no language has.
func TestUITextsComplete(t *testing.T) {
	r := mustRenderer(t)
	en := r.ui.keys("en")
	if len(r.ui.order) < 2 {
		t.Fatalf("languages %v, want at least en and es", r.ui.order)
	}
	for _, lang := range r.ui.order {
		keys := r.ui.keys(lang)
		for _, k := range en {
			if !slices.Contains(keys, k) {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
		for _, k := range keys {
			if !slices.Contains(en, k) {
				t.Errorf("%s has %q, which English lacks", lang, k)
			}
			if strings.TrimSpace(r.ui.texts[lang][k]) == "" {
				t.Errorf("%s: %q is empty", lang, k)
			}
		}
		if r.bundle.Locale(lang) == nil {
			t.Errorf("interface language %s has no content locale", lang)
		}
	}
	// Every literal key in the templates and the Go code exists.
	srcs, err := templateSources()
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, s := range srcs {
		all.WriteString(s)
	}
	for _, f := range []string{"web.go", "views.go", "interview.go", "result.go", "forms.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	keyRE := regexp.MustCompile(`(?:\.T |l\.T\(|Key: |prepare\(&p(?:\.Page)?, |MessageKey = )"([a-z_]+\.[a-z_.]*[a-z])"`)
	found := 0
	for _, m := range keyRE.FindAllStringSubmatch(all.String(), -1) {
		found++
		key := m[1]
		for _, lang := range r.ui.order {
			_, ui := r.ui.texts[lang][key]
			if !ui && r.bundle.Text(lang, key) == key {
				t.Errorf("%s: key %q has no text", lang, key)
			}
		}
	}
	if found < 100 {
		t.Errorf("found only %d key uses; the pattern has rotted", found)
	}
	// Keys built at run time from a list of values.
	dynamic := map[string][]string{
		"problem.":             {"option", "one_answer", "age_range", "age_and_other", "multi_and_other", "provenance", "unknown_question"},
		"interview.step_":      {"done", "current", "todo"},
		"determination_short.": {screening.SexTrafficking, screening.LabourTrafficking, screening.SexAndLabourTrafficking, screening.NotTrafficking, screening.InsufficientInformation},
		"task_status.":         {"open", "done", "cancelled"},
		"class.":               {"case", "identity", "contact", "narrative", "health", "immigration", "criminal_justice"},
		"place.":               {"street", "venue", "hotel", "residence", "online", "transport", "border", "health_facility", "shelter", "office", "police", "workplace", "other"},
		"role.":                {"administrator", "supervisor", "caseworker", "screener", "analyst"},
		"role_hint.":           {"administrator", "supervisor", "caseworker", "screener", "analyst"},
		"outcome.":             {"success", "denied", "failure"},
		"start.field_":         {"language", "instrument", "jurisdictions"},
		"signin.field_":        {"email", "password", "code"},
		"person.field_":        {"class", "body"},
		"people.field_":        {"name", "birth_date", "age_estimate", "contact"},
		"admin.field_":         {"email", "display_name", "role", "team", "name", "country", "region", "default_language", "jurisdictions"},
		"error.":               {"not_found", "forbidden", "unauthorized", "bad_request", "rate_limited", "internal"},
		"status.":              {"draft", "complete"},
	}
	for _, in := range r.bundle.Instruments {
		dynamic["start.instrument_hint_"] = append(dynamic["start.instrument_hint_"], in.ID)
	}
	for prefix, ids := range dynamic {
		for _, id := range ids {
			for _, lang := range r.ui.order {
				if _, ok := r.ui.texts[lang][prefix+id]; !ok {
					t.Errorf("%s lacks %q", lang, prefix+id)
				}
			}
		}
	}
}

// TestVendoredChecksums checks every vendored file against the checksums
// recorded when it was packed from the npm registry.
func TestVendoredChecksums(t *testing.T) {
	data, err := os.ReadFile("vendor.sha256")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) < 1 {
		t.Fatalf("vendor.sha256 lists %d files, want htmx", len(lines))
	}
	for _, line := range lines {
		want, path, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != want {
			t.Errorf("%s: sha256 %s, recorded %s", path, got, want)
		}
	}
	htmx, err := files.ReadFile("static/vendor/htmx.min.js")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(htmx), `version:"2.0.11"`) {
		t.Error("the embedded htmx is not 2.0.11")
	}
}

func TestStatic(t *testing.T) {
	h := Static()
	css := AssetURL("css/app.css")
	if !regexp.MustCompile(`^/static/css/app\.[0-9a-f]{10}\.css$`).MatchString(css) {
		t.Fatalf("AssetURL(css/app.css) = %q", css)
	}
	cases := []struct {
		name, method, path, inm string
		status                  int
		ctype, cache            string
	}{
		{"css", "GET", css, "", 200, "text/css; charset=utf-8", "public, max-age=31536000, immutable"},
		{"htmx", "GET", AssetURL("vendor/htmx.min.js"), "", 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"},
		{"head", "HEAD", css, "", 200, "text/css; charset=utf-8", "public, max-age=31536000, immutable"},
		{"not modified", "GET", css, `"` + strings.Split(css, ".")[1] + `"`, 304, "text/css; charset=utf-8", "public, max-age=31536000, immutable"},
		{"unhashed name", "GET", "/static/css/app.css", "", 404, "", ""},
		{"stale hash", "GET", "/static/css/app.0000000000.css", "", 404, "", ""},
		{"licence not served", "GET", "/static/vendor/htmx.LICENSE.txt", "", 404, "", ""},
		{"traversal", "GET", "/static/../web.go", "", 404, "", ""},
		{"post", "POST", css, "", 405, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, "http://example.org/", nil)
			req.URL.Path = tc.path
			if tc.inm != "" {
				req.Header.Set("If-None-Match", tc.inm)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d", rec.Code, tc.status)
			}
			if tc.ctype != "" && rec.Header().Get("Content-Type") != tc.ctype {
				t.Errorf("Content-Type %q", rec.Header().Get("Content-Type"))
			}
			if tc.cache != "" && rec.Header().Get("Cache-Control") != tc.cache {
				t.Errorf("Cache-Control %q", rec.Header().Get("Cache-Control"))
			}
			if tc.status == 200 && rec.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Error("no nosniff")
			}
			if tc.method == "HEAD" && rec.Body.Len() != 0 {
				t.Error("HEAD with a body")
			}
		})
	}
}

// TestPagesAreNotCached: pages hold personal data.
func TestPagesAreNotCached(t *testing.T) {
	r := mustRenderer(t)
	for _, p := range fixturePages(t, r, "en") {
		rec := httptest.NewRecorder()
		if err := p.render(rec); err != nil {
			t.Fatal(err)
		}
		if rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q", p.name, rec.Header().Get("Cache-Control"))
		}
		if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			t.Errorf("%s: Content-Type %q", p.name, rec.Header().Get("Content-Type"))
		}
	}
}

// TestCSSIsDirectionNeutral keeps the stylesheet ready for right-to-left
// languages: no physical left/right, only logical start/end.
func TestCSSIsDirectionNeutral(t *testing.T) {
	css, err := files.ReadFile("static/css/app.css")
	if err != nil {
		t.Fatal(err)
	}
	physical := regexp.MustCompile(`(?m)(?:^|[\s;{])((?:margin|padding|border)-(?:left|right)[a-z-]*|(?:left|right)\s*:|float\s*:\s*(?:left|right)|text-align\s*:\s*(?:left|right)|clear\s*:\s*(?:left|right))`)
	for _, m := range physical.FindAllStringSubmatch(string(css), -1) {
		t.Errorf("physical property %q; use the logical one (inline-start/end)", m[1])
	}
	for _, bad := range []string{"@import", "url(http", "url(//", "@font-face"} {
		if strings.Contains(string(css), bad) {
			t.Errorf("the stylesheet fetches from elsewhere: %s", bad)
		}
	}
}

// TestRightToLeft renders a page in a right-to-left language the content
// declares, and checks the direction reaches the document.
func TestRightToLeft(t *testing.T) {
	r := mustRenderer(t)
	// Pretend Spanish were written right to left; the renderer must take
	// the direction from the content's locale, not assume one.
	loc := r.bundle.Locale("es")
	saved := loc.Direction
	loc.Direction = "rtl"
	defer func() { loc.Direction = saved }()
	_, body := renderPage(t, page{"rtl", func(w http.ResponseWriter) error {
		return r.Home(w, HomePage{Page: Page{Lang: "es", User: staffUser}})
	}})
	if !strings.Contains(body, `<html lang="es" dir="rtl">`) {
		t.Error("dir=rtl did not reach <html>")
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// discern runs the command as a user would and returns its exit code and output.
func discern(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), append([]string{"discern"}, args...), func(string) string { return "" },
		strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestScreenFromAnswersFile(t *testing.T) {
	code, out, errOut := discern(t, "", "screen", "--answers", "testdata/answers.yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"Screening summary",
		"The answers given meet the elements of sex trafficking under England and Wales",
		// The short form does not settle the means; the report says so and
		// names the questions that would.
		"There is not enough information yet to say whether the answers meet the elements of trafficking under UN Palermo Protocol",
		"Questions that would settle what is unknown:\n  1. ",
		"Modern Slavery Act 2015 s.2(2)",
		"Rights and harm-reduction information",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, never := range []string{"is a victim", "not a victim", "prostitute"} {
		if strings.Contains(strings.ToLower(out), never) {
			t.Errorf("report says %q", never)
		}
	}
}

func TestScreenJSON(t *testing.T) {
	code, out, errOut := discern(t, "", "screen", "--answers", "testdata/answers.yaml", "--format", "json", "--jurisdiction", "all")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		ContentVersion string `json:"content_version"`
		ContentHash    string `json:"content_hash"`
		Results        []struct {
			Jurisdiction, Determination, Situation string
			Elements                               []struct{ ID, State string }
			Followups, Pathways, Alerts            json.RawMessage
			Citations                              []string
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.ContentVersion == "" || len(res.ContentHash) != 64 || len(res.Results) != 6 {
		t.Fatalf("version %q hash %q results %d", res.ContentVersion, res.ContentHash, len(res.Results))
	}
	for _, r := range res.Results {
		if r.Determination == "" || r.Situation == "" || len(r.Elements) != 3 || len(r.Citations) == 0 || r.Followups == nil || r.Pathways == nil || r.Alerts == nil {
			t.Errorf("%s: incomplete result %+v", r.Jurisdiction, r)
		}
	}
}

func TestScreenSpanish(t *testing.T) {
	code, out, errOut := discern(t, "", "screen", "--answers", "testdata/answers.yaml", "--lang", "es")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "Las respuestas dadas") {
		t.Errorf("Spanish report expected; got:\n%.400s", out)
	}
}

func TestBadInputExitsTwoWithAClearMessage(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("answers:\n  debt: perhaps\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"bad value", []string{"screen", "--answers", bad}, bad + ": answers.debt: expected one of yes, no"},
		{"missing file", []string{"screen", "--answers", filepath.Join(dir, "none.yaml")}, "cannot read answers file"},
		{"bad format", []string{"screen", "--answers", bad, "--format", "pdf"}, "--format must be text or json"},
		{"bad jurisdiction", []string{"screen", "--answers", "testdata/answers.yaml", "--jurisdiction", "narnia"}, `unknown jurisdiction "narnia"`},
		{"bad language", []string{"screen", "--lang", "xx"}, "--lang"},
		{"unknown flag", []string{"screen", "--nope"}, "flag provided but not defined"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"no command", nil, "no command given"},
		{"export format", []string{"content", "export", "--format", "xml"}, "--format must be json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := discern(t, "", tc.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr %q lacks %q", errOut, tc.want)
			}
		})
	}
}

func TestContentCheckAndExport(t *testing.T) {
	code, out, errOut := discern(t, "", "content", "check")
	if code != 0 || !strings.Contains(out, "is sound") {
		t.Fatalf("content check: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = discern(t, "", "content", "export", "--format", "json")
	if code != 0 {
		t.Fatalf("export: exit %d %s", code, errOut)
	}
	var cat map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &cat); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"indicators", "instruments", "jurisdictions", "pathways", "version", "hash"} {
		if len(cat[key]) < 3 {
			t.Errorf("catalogue lacks %s", key)
		}
	}
	var js []struct {
		ID       string
		Elements []struct {
			ID       string
			Rule     json.RawMessage
			Branches []struct{ Rule json.RawMessage }
		}
	}
	if err := json.Unmarshal(cat["jurisdictions"], &js); err != nil {
		t.Fatal(err)
	}
	if len(js) != 6 || !strings.Contains(string(js[0].Elements[0].Rule), "act.") {
		t.Errorf("jurisdiction rules not exported as expressions: %s", js[0].Elements[0].Rule)
	}
}

// TestInteractiveScreen answers the short form at the prompt, asks for the
// follow-ups, answers two and stops.
func TestInteractiveScreen(t *testing.T) {
	// safe_now no; age 24; age_doubt no; status citizen; exchange_sex yes;
	// others_involved yes; other_work none; money_share a share; work_directed yes;
	// travel_arranged yes (observed); housing no; free_to_leave: don't know;
	// violence: prefers not to say; documents: has them; debt no; legal: neither;
	// then follow-ups: yes, answer "no" twice, then q.
	input := "2\n24\n2\n1\n1\n1\n3\n2\n1\n1 2\n2\nu\np\n1\n2\n3\ny\n2\n2\nq\n"
	code, out, errOut := discern(t, input, "screen", "--jurisdiction", "palermo,canada")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Safety first", "How old are you?", "These questions would settle", "Screening summary", "Under UN Palermo Protocol"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// Invalid input is asked again, never crashes.
	code, out, _ = discern(t, "7\nbanana\n2\nq\n", "screen", "--jurisdiction", "eu")
	if code != 0 || !strings.Contains(out, "Please choose one of the numbers shown") {
		t.Errorf("invalid answers: exit %d\n%s", code, out)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := discern(t, "", "version")
	if code != 0 || !strings.Contains(out, "content 1.") {
		t.Errorf("version: %d %q", code, out)
	}
}

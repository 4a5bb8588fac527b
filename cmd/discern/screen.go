package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/discern-org/discern/internal/content"
	"github.com/discern-org/discern/internal/screening"
)

// cmdScreen runs a screening with nothing stored: from an answers file, or
// interactively in the terminal (the short form first, then the follow-ups
// the engine ranks).
func cmdScreen(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("screen", stderr)
	answers := fs.String("answers", "", "answers `FILE` (YAML or JSON); without it the interview runs in the terminal")
	format := fs.String("format", "text", "report format: text or json")
	lang := fs.String("lang", "", "language of the interview and report (en, es); default: the answers file's, or en")
	juris := fs.String("jurisdiction", "", "jurisdiction `ID`s, comma-separated, or all (default: the answers file's, or all)")
	instrument := fs.String("instrument", "short", "interactive form to start with: short or full")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return usagef("screen: --format must be text or json, not %q", *format)
	}
	b, err := content.Load(content.Embedded())
	if err != nil {
		return err
	}
	if *lang != "" && b.Locale(*lang) == nil {
		return usagef("screen: --lang %q: expected one of en, es", *lang)
	}
	var ev *screening.Evidence
	if *answers != "" {
		data, err := os.ReadFile(*answers)
		if err != nil {
			return usagef("screen: cannot read answers file: %v", err)
		}
		ev, err = screening.ParseAnswers(b, *answers, data)
		if err != nil {
			return usagef("%v", err)
		}
	} else {
		ev = &screening.Evidence{Instrument: *instrument, Language: b.DefaultLocale}
		if b.Instrument(*instrument) == nil {
			return usagef("screen: --instrument must be short or full")
		}
	}
	if *lang != "" {
		ev.Language = *lang
	}
	if *juris != "" {
		js, err := screening.ResolveJurisdictions(b, []string{*juris})
		if err != nil {
			return usagef("screen: --jurisdiction: %v", err)
		}
		ev.Jurisdictions = js
	}
	if len(ev.Jurisdictions) == 0 {
		ev.Jurisdictions = b.JurisdictionIDs()
	}
	eng := screening.New(b)
	if *answers == "" {
		if err := interview(ctx, eng, ev, stdin, stdout); err != nil {
			return err
		}
	}
	res, err := eng.Evaluate(ev)
	if err != nil {
		return usagef("%v", err)
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	return screening.WriteText(stdout, b, res)
}

// errStop ends the interview early at the interviewer's request; what was
// answered so far is still evaluated.
var errStop = errors.New("stop")

// interview asks the instrument's questions in the terminal, honouring skip
// logic, then offers the ranked follow-ups one at a time.
func interview(ctx context.Context, eng *screening.Engine, ev *screening.Evidence, stdin io.Reader, stdout io.Writer) error {
	b := eng.Bundle()
	t := func(k string) string { return b.Text(ev.Language, k) }
	in := bufio.NewScanner(stdin)
	fmt.Fprintln(stdout, t("screen.intro"))
	fmt.Fprintln(stdout, t("screen.provenance_prompt"))
	asked := map[string]bool{}
	for _, sec := range b.Instrument(ev.Instrument).Sections {
		fmt.Fprintf(stdout, "\n-- %s --\n", t("section."+sec.ID))
		for _, qid := range sec.Questions {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if skippedByLogic(b, ev, qid) {
				continue
			}
			asked[qid] = true
			if err := ask(b, ev, qid, in, stdout); err != nil {
				if errors.Is(err, errStop) {
					return nil
				}
				return err
			}
		}
	}
	res, err := eng.Evaluate(ev)
	if err != nil || len(res.Followups) == 0 {
		return err
	}
	fmt.Fprintf(stdout, "\n%s\n", t("screen.followups_intro"))
	for i, f := range res.Followups {
		if i == 5 {
			break
		}
		fmt.Fprintf(stdout, "  - %s\n", t("question."+f.Question+".text"))
	}
	fmt.Fprintf(stdout, "%s ", t("screen.more_prompt"))
	if !in.Scan() || !strings.HasPrefix(strings.ToLower(strings.TrimSpace(in.Text())), "y") {
		return nil
	}
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		res, err := eng.Evaluate(ev)
		if err != nil {
			return err
		}
		next := ""
		for _, f := range res.Followups {
			if !asked[f.Question] {
				next = f.Question
				break
			}
		}
		if next == "" {
			fmt.Fprintf(stdout, "\n%s\n\n", t("screen.done"))
			return nil
		}
		asked[next] = true
		if err := ask(b, ev, next, in, stdout); err != nil {
			if errors.Is(err, errStop) {
				return nil
			}
			return err
		}
	}
}

func skippedByLogic(b *content.Bundle, ev *screening.Evidence, qid string) bool {
	for _, rule := range b.Question(qid).SkipIf {
		a, ok := ev.Answer(rule.Question)
		if !ok {
			continue
		}
		chosen := a.Options
		if a.Value != "" {
			chosen = []string{a.Value}
		}
		all := len(chosen) > 0
		for _, c := range chosen {
			found := false
			for _, want := range rule.Answers {
				if c == want {
					found = true
				}
			}
			all = all && found
		}
		if all {
			return true
		}
	}
	return false
}

var provenanceKeys = map[string]string{"1": "self_report", "2": "observed", "3": "document", "4": "third_party"}

// ask asks one question until it gets a valid answer. An answer is a
// number (or numbers separated by commas for "choose all that apply"),
// u (don't know), p (prefers not to say), s (skip) or q (finish now),
// optionally followed by a space and a provenance number.
func ask(b *content.Bundle, ev *screening.Evidence, qid string, in *bufio.Scanner, out io.Writer) error {
	q := b.Question(qid)
	t := func(k string) string { return b.Text(ev.Language, k) }
	fmt.Fprintf(out, "\n%s\n  (%s)\n", t("question."+qid+".text"), t("question."+qid+".why"))
	opts := q.OptionIDs()
	for i, o := range opts {
		label := t("option." + qid + "." + o)
		if q.Type == "yesno" {
			label = t("answer." + o)
		}
		fmt.Fprintf(out, "  %d. %s\n", i+1, label)
	}
	for {
		if q.Type == "age" {
			fmt.Fprintf(out, "%s: ", t("screen.age_prompt"))
		} else {
			fmt.Fprintf(out, "%s: ", t("screen.choose_answer"))
		}
		if !in.Scan() {
			if err := in.Err(); err != nil {
				return err
			}
			return errStop // end of input: evaluate what we have
		}
		fields := strings.Fields(strings.ToLower(in.Text()))
		if len(fields) == 0 {
			continue
		}
		a := screening.Answer{Question: qid, Provenance: q.Provenance}
		if a.Provenance == "" {
			a.Provenance = "self_report"
		}
		if len(fields) > 1 {
			p, ok := provenanceKeys[fields[1]]
			if !ok {
				fmt.Fprintln(out, t("screen.invalid"))
				continue
			}
			a.Provenance = p
		}
		word := fields[0]
		var err error
		switch word {
		case "q":
			return errStop
		case "u":
			a.Value = "unknown"
		case "p":
			a.Value = "prefer_not"
		case "s":
			a.Value = "skipped"
		default:
			err = setNumbered(q, &a, word, opts)
		}
		if err != nil {
			fmt.Fprintf(out, "%s (%v)\n", t("screen.invalid"), err)
			continue
		}
		ev.Set(a)
		return nil
	}
}

func setNumbered(q *content.Question, a *screening.Answer, word string, opts []string) error {
	if q.Type == "age" {
		return screening.SetValue(q, a, word)
	}
	var chosen []string
	for _, part := range strings.Split(word, ",") {
		n, err := strconv.Atoi(part)
		if err != nil || n < 1 || n > len(opts) {
			return fmt.Errorf("%q is not one of 1-%d", part, len(opts))
		}
		chosen = append(chosen, opts[n-1])
	}
	if q.Type == "multi" {
		a.Options = nil
		for _, c := range chosen {
			a.Options = append(a.Options, c)
		}
		return nil
	}
	if len(chosen) != 1 {
		return fmt.Errorf("choose one")
	}
	return screening.SetValue(q, a, chosen[0])
}

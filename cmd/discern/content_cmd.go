package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/discern-org/discern/internal/content"
)

func cmdVersion(stdout io.Writer) error {
	b, err := content.Load(content.Embedded())
	if err != nil {
		return err
	}
	version := "(development build)"
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		version = info.Main.Version
	}
	fmt.Fprintf(stdout, "discern %s\ncontent %s sha256:%s\n", version, b.Version, b.Hash)
	return nil
}

func cmdContent(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("content: expected 'check' or 'export'")
	}
	switch args[0] {
	case "check":
		fs := newFlags("content check", stderr)
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		b, problems := content.Check(content.Embedded())
		errs := 0
		for _, p := range problems {
			fmt.Fprintln(stdout, p)
			if !p.Warning {
				errs++
			}
		}
		if errs > 0 {
			return fmt.Errorf("content check failed: %d error(s)", errs)
		}
		fmt.Fprintf(stdout, "content %s (sha256:%s) is sound: %d indicators, %d questions, %d jurisdictions, %d pathways, %d locales\n",
			b.Version, b.Hash, len(b.Indicators), len(b.Questions), len(b.Jurisdictions), len(b.Pathways), len(b.Locales))
		return nil
	case "export":
		fs := newFlags("content export", stderr)
		format := fs.String("format", "json", "output format (json)")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		if *format != "json" {
			return usagef("content export: --format must be json")
		}
		b, err := content.Load(content.Embedded())
		if err != nil {
			return err
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(content.Export(b))
	}
	return usagef("content: unknown subcommand %q; expected check or export", args[0])
}

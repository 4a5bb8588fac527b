package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/discern-org/discern/internal/app"
	"github.com/discern-org/discern/internal/directory"
)

// directoryFile is where the service directory lives in the data directory
// until it moves into the database.
const directoryFile = "directory.json"

func cmdDirectory(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("directory: expected 'import PATH' or 'export --format json|csv DIR'")
	}
	switch args[0] {
	case "import":
		return cmdDirectoryImport(args[1:], getenv, stdout, stderr)
	case "export":
		return cmdDirectoryExport(args[1:], getenv, stdout, stderr)
	}
	return usagef("directory: unknown subcommand %q; expected import or export", args[0])
}

func cmdDirectoryImport(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("directory import", stderr)
	shared := app.AddFlags(fs)
	src, err := parseOneArg(fs, args)
	if err != nil {
		return err
	}
	if src == "" {
		return usagef("directory import: give one PATH: an HSDS JSON file or a CSV data package folder")
	}
	cfg, err := shared.Config(getenv)
	if err != nil {
		return usagef("%v", err)
	}
	st, err := os.Stat(src)
	if err != nil {
		return usagef("directory import: %v", err)
	}
	var d *directory.Directory
	if st.IsDir() {
		fmt.Fprintf(stderr, "reading the CSV data package in %s\n", src)
		d, err = directory.ImportTabularProgress(os.DirFS(src), src, func(file string, rows int) {
			fmt.Fprintf(stderr, "  %s: %d rows valid\n", file, rows)
		})
	} else {
		fmt.Fprintf(stderr, "reading %s\n", src)
		var f *os.File
		f, err = os.Open(src)
		if err != nil {
			return usagef("directory import: %v", err)
		}
		defer f.Close()
		d, err = directory.ImportJSON(f, src)
	}
	var ie *directory.ImportError
	if errors.As(err, &ie) {
		return usagef("directory import: nothing imported: %v", err)
	}
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := directory.ExportJSON(&buf, d); err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(cfg.DataDir, directoryFile), buf.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "directory replaced: %d organizations, %d services, %d locations, %d service-at-locations, %d taxonomy terms\n",
		len(d.Organizations), len(d.Services), len(d.Locations), len(d.ServiceAtLocations), len(d.TaxonomyTerms))
	return nil
}

func cmdDirectoryExport(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("directory export", stderr)
	shared := app.AddFlags(fs)
	format := fs.String("format", "json", "output format: json (one file, directory.json) or csv (an HSDS CSV data package)")
	out, err := parseOneArg(fs, args)
	if err != nil {
		return err
	}
	if out == "" {
		return usagef("directory export: give one output DIR")
	}
	if *format != "json" && *format != "csv" {
		return usagef("directory export: --format must be json or csv")
	}
	cfg, err := shared.Config(getenv)
	if err != nil {
		return usagef("%v", err)
	}
	stored := filepath.Join(cfg.DataDir, directoryFile)
	f, err := os.Open(stored)
	if errors.Is(err, os.ErrNotExist) {
		return usagef("directory export: no directory in %s; run 'discern directory import PATH' first", cfg.DataDir)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	d, err := directory.ImportJSON(f, stored)
	if err != nil {
		return fmt.Errorf("the stored directory does not read back: %w", err)
	}
	if *format == "csv" {
		if err := directory.WriteTabular(out, d); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote an HSDS CSV data package to %s\n", out)
		return nil
	}
	var buf bytes.Buffer
	if err := directory.ExportJSON(&buf, d); err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o750); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, directoryFile), buf.Bytes(), 0o640); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(out, directoryFile))
	return nil
}

// parseOneArg parses flags given before or after one positional argument
// and returns it ("" when none was given).
func parseOneArg(fs *flag.FlagSet, args []string) (string, error) {
	if err := parseFlagsOnly(fs, args); err != nil {
		return "", err
	}
	if fs.NArg() == 0 {
		return "", nil
	}
	arg := fs.Arg(0)
	if err := parseFlags(fs, fs.Args()[1:]); err != nil {
		return "", err
	}
	return arg, nil
}

func parseFlagsOnly(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usagef("%v", err)
	}
	return nil
}

// writeFileAtomic replaces path with b, so that a crash leaves the old
// directory or the new one, never half of either.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".directory-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

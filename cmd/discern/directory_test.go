package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const hsdsExamples = "../../internal/directory/testdata/hsds-examples"

func TestDirectoryImportExport(t *testing.T) {
	for _, tc := range []struct {
		name, src string
	}{
		{"json file", hsdsExamples + "/service_full.json"},
		{"csv data package", hsdsExamples + "/csv"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := t.TempDir()
			code, out, errOut := discern(t, "", "directory", "import", "--data", data, tc.src)
			if code != 0 {
				t.Fatalf("import: exit %d: %s", code, errOut)
			}
			if !strings.Contains(out, "1 services") || !strings.Contains(errOut, "reading") {
				t.Fatalf("import output: %q / %q", out, errOut)
			}
			for _, format := range []string{"json", "csv"} {
				dir := filepath.Join(t.TempDir(), format)
				code, _, errOut = discern(t, "", "directory", "export", "--data", data, "--format", format, dir)
				if code != 0 {
					t.Fatalf("export %s: exit %d: %s", format, code, errOut)
				}
				if format == "csv" && tc.src == hsdsExamples+"/csv" {
					for _, f := range []string{"services.csv", "phones.csv", "schedules.csv"} {
						want, _ := os.ReadFile(filepath.Join(tc.src, f))
						got, err := os.ReadFile(filepath.Join(dir, f))
						if err != nil || !bytes.Equal(got, want) {
							t.Fatalf("%s: CSV → store → CSV changed the file (%v)", f, err)
						}
					}
				}
				// The export imports again.
				src := dir
				if format == "json" {
					src = filepath.Join(dir, "directory.json")
				}
				if code, _, errOut = discern(t, "", "directory", "import", "--data", t.TempDir(), src); code != 0 {
					t.Fatalf("re-import of %s export: exit %d: %s", format, code, errOut)
				}
			}
		})
	}
}

func TestDirectoryImportRefusesBadInput(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`[{"id":"s1","name":"n","status":"active","minimum_age":"ten"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"invalid record", []string{"directory", "import", "--data", data, bad}, "/0/minimum_age"},
		{"missing path", []string{"directory", "import", "--data", data, filepath.Join(data, "nope.json")}, "nope.json"},
		{"no path", []string{"directory", "import", "--data", data}, "give one PATH"},
		{"bad format", []string{"directory", "export", "--data", data, "--format", "xml", t.TempDir()}, "json or csv"},
		{"nothing stored", []string{"directory", "export", "--data", data, t.TempDir()}, "no directory"},
		{"unknown subcommand", []string{"directory", "merge"}, "unknown subcommand"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := discern(t, "", tc.args...)
			if code != 2 || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit 2 naming %q", code, errOut, tc.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(data, "directory.json")); !os.IsNotExist(err) {
		t.Fatalf("a refused import left a directory behind: %v", err)
	}
}

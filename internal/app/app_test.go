package app_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/discern-org/discern/internal/app"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/seal"
	"github.com/discern-org/discern/internal/sqldb"
)

func TestConfigFromFlagsAndEnvironment(t *testing.T) {
	const pg = "postgres://discern:s3cret@db.example:5432/discern?sslmode=require"
	cases := []struct {
		name    string
		args    []string
		env     map[string]string
		want    app.Config
		wantErr string // a fragment of the message, or "" for success
	}{
		{"defaults", nil, nil, app.Config{DataDir: app.DefaultDataDir}, ""},
		{"environment", nil, map[string]string{"DISCERN_DATA": "/srv/d", "DISCERN_DATABASE_URL": pg, "DISCERN_KEY_SCHEMA": "k",
			"DISCERN_MASTER_KEY": "index x"}, app.Config{DataDir: "/srv/d", Database: pg, KeySchema: "k", MasterKey: "index x"}, ""},
		{"flags win over the environment", []string{"--data", "/a", "--database", pg},
			map[string]string{"DISCERN_DATA": "/b", "DISCERN_DATABASE_URL": "postgres://other/db"},
			app.Config{DataDir: "/a", Database: pg}, ""},
		{"an empty flag is still given", []string{"--data", ""}, map[string]string{"DISCERN_DATA": "/b"}, app.Config{}, "--data must name a directory"},
		{"not postgres", []string{"--database", "mysql://db/x"}, nil, app.Config{}, "must be a postgres:// URL"},
		{"a SQLite path", []string{"--database", "/var/lib/discern.db"}, nil, app.Config{}, "SQLite data lives in --data"},
		{"key schema without postgres", []string{"--key-schema", "k"}, nil, app.Config{}, "PostgreSQL only"},
		{"bad key schema", []string{"--database", pg, "--key-schema", "Keys; DROP"}, nil, app.Config{}, "lower-case name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			f := app.AddFlags(fs)
			must(t, fs.Parse(tc.args))
			got, err := f.Config(func(k string) string { return tc.env[k] })
			if tc.wantErr != "" {
				if discern.KindOf(err) != discern.KindInvalid || !strings.Contains(discern.MessageOf(err), tc.wantErr) {
					t.Fatalf("error %v, want invalid with %q", err, tc.wantErr)
				}
				return
			}
			must(t, err)
			if got != tc.want {
				t.Fatalf("config %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestConfigStringHidesSecrets(t *testing.T) {
	c := app.Config{DataDir: "/d", Database: "postgres://u:hunter2@h/db", MasterKey: "index c2VjcmV0; master k1 c2VjcmV0"}
	for _, s := range []string{c.String(), fmt.Sprintf("%v %+v %#v", c, c, c)} {
		if strings.Contains(s, "hunter2") || strings.Contains(s, "c2VjcmV0") {
			t.Fatalf("secret in %q", s)
		}
	}
	if !strings.Contains(c.String(), "DISCERN_MASTER_KEY") || !strings.Contains(c.String(), "u:xxxxx@h") {
		t.Fatalf("String() = %q", c.String())
	}
}

func TestFirstRunCreatesTheKeyFileWithAWarning(t *testing.T) {
	cfg := sqliteConfig(t)
	var warn bytes.Buffer
	opt := options(&warn)
	opt.Create = true
	a := mustOpen(t, cfg, opt)
	if !a.KeyFileCreated || !strings.Contains(warn.String(), "BACK IT UP NOW") || !strings.Contains(warn.String(), cfg.KeyFile()) {
		t.Fatalf("created %v; warning:\n%s", a.KeyFileCreated, warn.String())
	}
	for path, want := range map[string]os.FileMode{cfg.DataDir: 0o700, cfg.KeyFile(): 0o600,
		filepath.Join(cfg.DataDir, sqldb.DBFile): 0o600, filepath.Join(cfg.DataDir, sqldb.KeyFile): 0o600} {
		fi, err := os.Stat(path)
		must(t, err)
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %#o, want %#o", path, got, want)
		}
	}
	a.Close()

	// The next run finds it and says nothing.
	warn.Reset()
	a = mustOpen(t, cfg, options(&warn))
	if a.KeyFileCreated || warn.Len() != 0 || a.Sealer == nil || a.Audit == nil || a.Engine == nil || a.Content == nil {
		t.Fatalf("second open: created %v, warnings %q", a.KeyFileCreated, warn.String())
	}
}

func TestOpenRefuses(t *testing.T) {
	ctx := context.Background()
	setUp := func(t *testing.T) app.Config {
		cfg := sqliteConfig(t)
		opt := options(nil)
		opt.Create = true
		a := mustOpen(t, cfg, opt)
		addPerson(t, a, newFixture(t, a), "Ana Example")
		a.Close()
		return cfg
	}
	cases := []struct {
		name   string
		prep   func(t *testing.T) app.Config
		create bool
		want   string
	}{
		{"no data directory", func(t *testing.T) app.Config { return sqliteConfig(t) }, false, "There is no data directory"},
		{"no database", func(t *testing.T) app.Config {
			cfg := sqliteConfig(t)
			must(t, os.MkdirAll(cfg.DataDir, 0o700))
			return cfg
		}, false, "There is no Discern database"},
		{"a key file others may read", func(t *testing.T) app.Config {
			cfg := setUp(t)
			must(t, os.Chmod(cfg.KeyFile(), 0o644))
			return cfg
		}, false, "chmod 600"},
		{"a lost key file", func(t *testing.T) app.Config {
			cfg := setUp(t)
			must(t, os.Remove(cfg.KeyFile()))
			return cfg
		}, false, "Restore the key file from its backup"},
		{"a lost key vault", func(t *testing.T) app.Config {
			cfg := setUp(t)
			must(t, os.Remove(filepath.Join(cfg.DataDir, sqldb.KeyFile)))
			return cfg
		}, true, "holds no keys, but the database holds people"},
		{"a new key for data that exists", func(t *testing.T) app.Config {
			cfg := setUp(t)
			must(t, os.Remove(cfg.KeyFile()))
			return cfg
		}, true, "already holds data"},
		{"a key in the environment and a key file", func(t *testing.T) app.Config {
			cfg := setUp(t)
			cfg.MasterKey = "index AAAA"
			return cfg
		}, false, "Use one"},
		{"a malformed key in the environment", func(t *testing.T) app.Config {
			cfg := sqliteConfig(t)
			cfg.MasterKey = "master k1 notbase64"
			return cfg
		}, true, "DISCERN_MASTER_KEY, entry 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.prep(t)
			opt := options(nil)
			opt.Create = tc.create
			a, err := app.Open(ctx, cfg, opt)
			if err == nil {
				a.Close()
				t.Fatal("Open succeeded")
			}
			if discern.KindOf(err) != discern.KindInvalid || !strings.Contains(discern.MessageOf(err), tc.want) {
				t.Fatalf("error %v, want invalid with %q", err, tc.want)
			}
			if _, err := os.Stat(cfg.KeyFile()); tc.name == "a new key for data that exists" && err == nil {
				t.Fatal("a key file was created for a database that has data")
			}
		})
	}
}

func TestMasterKeyFromTheEnvironment(t *testing.T) {
	kr, err := seal.NewKeyring(options(nil).Rand)
	must(t, err)
	text, _ := kr.MarshalText()
	cfg := sqliteConfig(t)
	cfg.MasterKey = strings.ReplaceAll(string(text), "\n", ";")
	opt := options(nil)
	opt.Create = true
	a := mustOpen(t, cfg, opt)
	if a.KeyFileCreated || a.Keys.ActiveKeyID() != kr.ActiveKeyID() {
		t.Fatalf("keys %v, created %v", a.Keys, a.KeyFileCreated)
	}
	if _, err := os.Stat(cfg.KeyFile()); err == nil {
		t.Fatal("a key file was written although the key is in the environment")
	}
	p := addPerson(t, a, newFixture(t, a), "Ana Example")
	if name, err := readName(t, a, p.OrgID, p.ID); err != nil || name != "Ana Example" {
		t.Fatalf("read back %q, %v", name, err)
	}
	_, err = a.RotateMasterKey(context.Background(), nil)
	if discern.KindOf(err) != discern.KindInvalid {
		t.Fatalf("rotating a key from the environment: %v", err)
	}
}

func TestExclusiveUse(t *testing.T) {
	ctx := context.Background()
	cfg := sqliteConfig(t)
	opt := options(nil)
	opt.Create = true
	server := mustOpen(t, cfg, opt)

	ex := options(nil)
	ex.Exclusive = true
	if _, err := app.Open(ctx, cfg, ex); discern.KindOf(err) != discern.KindConflict || !strings.Contains(discern.MessageOf(err), "Stop it") {
		t.Fatalf("exclusive open beside a server: %v", err)
	}
	if err := app.Restore(ctx, cfg, filepath.Join(t.TempDir(), "x"), nil); discern.KindOf(err) != discern.KindInvalid {
		t.Fatalf("restore of a missing file: %v", err)
	}
	// A second reader is fine beside the server.
	reader := mustOpen(t, cfg, options(nil))
	reader.Close()
	server.Close()

	a := mustOpen(t, cfg, ex)
	if _, err := app.Open(ctx, cfg, options(nil)); discern.KindOf(err) != discern.KindConflict || !strings.Contains(discern.MessageOf(err), "in progress") {
		t.Fatalf("open during an exclusive use: %v", err)
	}
	a.Close()
	mustOpen(t, cfg, options(nil))
}

func TestMigrateConcurrently(t *testing.T) {
	engines(t, func(t *testing.T, config func(testing.TB) app.Config) {
		cfg := config(t)
		const n = 4
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for range n {
			wg.Go(func() {
				opt := options(nil)
				opt.Create = true
				a, err := app.OpenDatabase(context.Background(), cfg, opt)
				if err != nil {
					errs <- err
					return
				}
				defer a.Close()
				from, to, err := a.Migrate(context.Background())
				if err == nil && (to < 1 || from > to) {
					err = fmt.Errorf("migrated from %d to %d", from, to)
				}
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		a, err := app.OpenDatabase(context.Background(), cfg, options(nil))
		must(t, err)
		defer a.Close()
		from, to, err := a.Migrate(context.Background())
		if err != nil || from != to {
			t.Fatalf("migrating again: %d → %d, %v", from, to, err)
		}
	})
}

func TestSealerOverTheStoreVault(t *testing.T) {
	engines(t, func(t *testing.T, config func(testing.TB) app.Config) {
		ctx := context.Background()
		cfg := config(t)
		opt := options(nil)
		opt.Create = true
		a := mustOpen(t, cfg, opt)
		f := newFixture(t, a)
		p := addPerson(t, a, f, "Ana Example")
		if name, err := readName(t, a, f.org.ID, p.ID); err != nil || name != "Ana Example" {
			t.Fatalf("read back %q, %v", name, err)
		}
		if _, err := a.Sealer.DecryptField(ctx, "01J0000000000000000000NONE", seal.Binding{Table: "people", Column: "name", RowID: "x"}, p.Name); !errors.Is(err, seal.ErrKeyNotFound) || !errors.Is(err, discern.ErrKeyNotFound) {
			t.Fatalf("a person without a key: %v", err)
		}
		must(t, a.Sealer.DestroyKey(ctx, p.ID))
		_, err := readName(t, a, f.org.ID, p.ID)
		if !errors.Is(err, seal.ErrKeyDestroyed) || !errors.Is(err, discern.ErrKeyDestroyed) || discern.KindOf(err) != discern.KindNotFound {
			t.Fatalf("after destroying the key: %v", err)
		}
		if _, err := a.Sealer.EncryptField(ctx, p.ID, seal.Binding{Table: "people", Column: "name", RowID: p.ID}, []byte("x")); !errors.Is(err, seal.ErrKeyDestroyed) {
			t.Fatalf("sealing for an erased person: %v", err)
		}
		// The audit chain verifies with the App's key.
		rep, err := a.Audit.Verify(ctx, a.DB)
		if err != nil || rep.Entries != 1 {
			t.Fatalf("verify: %+v %v", rep, err)
		}
	})
}

func TestRotateMasterKey(t *testing.T) {
	engines(t, func(t *testing.T, config func(testing.TB) app.Config) {
		ctx := context.Background()
		cfg := config(t)
		opt := options(nil)
		opt.Create = true
		a := mustOpen(t, cfg, opt)
		f := newFixture(t, a)
		// More people than one batch of the vault's rewrap (256), so that an
		// interruption can fall between committed batches.
		const n = 300
		people := make([]*discern.Person, n)
		for i := range people {
			people[i] = addPerson(t, a, f, fmt.Sprintf("Person %d", i))
		}
		erased := people[7]
		must(t, a.Sealer.DestroyKey(ctx, erased.ID))
		oldID := a.Keys.ActiveKeyID()
		a.Close()

		ex := options(nil)
		ex.Exclusive = true

		// Interrupted part-way: after the first batch committed.
		a = mustOpen(t, cfg, ex)
		cctx, cancel := context.WithCancel(ctx)
		var first app.Rotation
		r, err := a.RotateMasterKey(cctx, func(r app.Rotation) {
			if r.Rewrapped == 0 {
				first = r
			}
			if r.Rewrapped == 270 {
				cancel()
			}
		})
		cancel()
		if err == nil || first.NewKeyID == "" || first.NewKeyID == oldID || first.Resumed {
			t.Fatalf("interrupted rotation: %+v, first %+v, %v", r, first, err)
		}
		a.Close()
		kr, err := seal.LoadKeyFile(cfg.KeyFile())
		must(t, err)
		if ids := kr.KeyIDs(); len(ids) != 2 || kr.ActiveKeyID() != first.NewKeyID {
			t.Fatalf("key file after the interruption: %v", kr)
		}
		// Everything still reads meanwhile: the file holds both keys.
		a = mustOpen(t, cfg, options(nil))
		for _, i := range []int{0, 255, 256, 299} {
			if name, err := readName(t, a, f.org.ID, people[i].ID); err != nil || name != fmt.Sprintf("Person %d", i) {
				t.Fatalf("person %d mid-rotation: %q %v", i, name, err)
			}
		}
		a.Close()

		// Running it again finishes the job.
		a = mustOpen(t, cfg, ex)
		r, err = a.RotateMasterKey(ctx, nil)
		must(t, err)
		if !r.Resumed || r.NewKeyID != first.NewKeyID || r.Rewrapped == 0 || r.Rewrapped >= n ||
			len(r.Retired) != 1 || r.Retired[0] != oldID {
			t.Fatalf("resumed rotation: %+v", r)
		}
		a.Close()
		kr, err = seal.LoadKeyFile(cfg.KeyFile())
		must(t, err)
		if ids := kr.KeyIDs(); len(ids) != 1 || ids[0] != first.NewKeyID {
			t.Fatalf("key file after the rotation: %v", kr)
		}
		raw, err := os.ReadFile(cfg.KeyFile())
		must(t, err)
		if strings.Contains(string(raw), oldID) {
			t.Fatal("the retired key id is still in the key file")
		}

		// Data written before the rotation reads after it, with the old
		// key gone; the erased person stays erased; the audit chain, keyed
		// by the index secret, still verifies.
		a = mustOpen(t, cfg, options(nil))
		for i, p := range people {
			name, err := readName(t, a, f.org.ID, p.ID)
			if p == erased {
				if !errors.Is(err, seal.ErrKeyDestroyed) {
					t.Fatalf("erased person: %q %v", name, err)
				}
				continue
			}
			if err != nil || name != fmt.Sprintf("Person %d", i) {
				t.Fatalf("person %d after rotation: %q %v", i, name, err)
			}
		}
		if rep, err := a.Audit.Verify(ctx, a.DB); err != nil || rep.Entries != n {
			t.Fatalf("audit after rotation: %+v %v", rep, err)
		}
		a.Close()

		// A completed rotation run again starts a new one.
		a = mustOpen(t, cfg, ex)
		r, err = a.RotateMasterKey(ctx, nil)
		must(t, err)
		if r.Resumed || r.Rewrapped != n-1 || len(r.Retired) != 1 || r.Retired[0] != first.NewKeyID {
			t.Fatalf("second rotation: %+v", r)
		}
	})
}

func TestRotationNeedsExclusiveUseOnSQLite(t *testing.T) {
	cfg := sqliteConfig(t)
	opt := options(nil)
	opt.Create = true
	a := mustOpen(t, cfg, opt)
	if _, err := a.RotateMasterKey(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "Exclusive") {
		t.Fatalf("rotation without exclusive use: %v", err)
	}
	if kr, err := seal.LoadKeyFile(cfg.KeyFile()); err != nil || len(kr.KeyIDs()) != 1 {
		t.Fatalf("key file touched: %v %v", kr, err)
	}
}

func TestRotationStopsAtAKeyItCannotUnwrap(t *testing.T) {
	ctx := context.Background()
	cfg := sqliteConfig(t)
	opt := options(nil)
	opt.Create = true
	a := mustOpen(t, cfg, opt)
	f := newFixture(t, a)
	p := addPerson(t, a, f, "Ana Example")
	// A key from elsewhere: wrapped under a master key this key file lacks.
	other, err := seal.NewKeyring(options(nil).Rand)
	must(t, err)
	id, err := discern.NewID(a.Now(), a.Rand)
	must(t, err)
	_, wk, err := other.NewDataKey(a.Rand, id)
	must(t, err)
	b, err := wk.MarshalBinary()
	must(t, err)
	must(t, a.DB.PutKey(ctx, id, b))
	oldID := a.Keys.ActiveKeyID()
	a.Close()

	ex := options(nil)
	ex.Exclusive = true
	a = mustOpen(t, cfg, ex)
	_, err = a.RotateMasterKey(ctx, nil)
	if !errors.Is(err, seal.ErrUnknownMasterKey) || !strings.Contains(err.Error(), id) {
		t.Fatalf("rotation over a foreign key: %v", err)
	}
	a.Close()
	// Nothing was retired: the person recorded here still reads.
	kr, err := seal.LoadKeyFile(cfg.KeyFile())
	must(t, err)
	if !strings.Contains(kr.String(), oldID) {
		t.Fatalf("the old key was retired: %v", kr)
	}
	a = mustOpen(t, cfg, options(nil))
	if name, err := readName(t, a, f.org.ID, p.ID); err != nil || name != "Ana Example" {
		t.Fatalf("read back %q, %v", name, err)
	}
}

package app

import (
	"flag"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/seal"
	"github.com/discern-org/discern/internal/sqldb"
)

// The environment variables a Config falls back to when a flag is not given.
// The master key has no flag on purpose: a flag would show in the process
// list and in shell history.
const (
	EnvData        = "DISCERN_DATA"
	EnvDatabaseURL = "DISCERN_DATABASE_URL"
	EnvKeySchema   = "DISCERN_KEY_SCHEMA"
	EnvMasterKey   = seal.EnvMasterKey
)

// DefaultDataDir is where data lives when neither --data nor DISCERN_DATA
// says otherwise.
const DefaultDataDir = "discern-data"

// The files of a data directory, beside sqldb's discern.db and keys.db.
const (
	// KeyFileName is the key file: the master keys and the index secret.
	KeyFileName = "master.key"
	// lockFileName is locked shared by every process using the directory
	// and exclusively by the commands that must run alone (restore, key
	// rotation).
	lockFileName = "discern.lock"
	// migrateLockName serialises migrations of a SQLite database.
	migrateLockName = "migrate.lock"
)

// Config says where Discern's data and keys are. Every command builds it
// the same way (AddFlags, then Flags.Config), so that every command finds
// the same data. It holds the master key when it comes from the
// environment; String never shows it.
type Config struct {
	// DataDir holds the SQLite database, its key vault and the key file;
	// with PostgreSQL, only the key file (if the key is not in the
	// environment).
	DataDir string
	// Database is a postgres:// URL, or "" for SQLite in DataDir. To put
	// Discern in a schema of its own, add search_path to the URL
	// (postgres://…/db?search_path=discern) and give KeySchema a name of
	// its own too.
	Database string
	// KeySchema is the PostgreSQL schema of the key vault ("" means
	// sqldb.DefaultKeySchema). Backups must exclude it.
	KeySchema string
	// MasterKey is the value of DISCERN_MASTER_KEY, or "" to use the key
	// file DataDir/master.key.
	MasterKey string
}

// Postgres reports whether the data lives in PostgreSQL.
func (c Config) Postgres() bool { return c.Database != "" }

// KeyFile returns the path of the key file.
func (c Config) KeyFile() string { return filepath.Join(c.DataDir, KeyFileName) }

// VaultSchema returns the PostgreSQL schema of the key vault.
func (c Config) VaultSchema() string {
	if c.KeySchema == "" {
		return sqldb.DefaultKeySchema
	}
	return c.KeySchema
}

// dsn is what sqldb.Open is given.
func (c Config) dsn() string {
	if c.Postgres() {
		return c.Database
	}
	return filepath.Join(c.DataDir, sqldb.DBFile)
}

// String describes the configuration without secrets: the database URL's
// password is masked and the master key is never shown.
func (c Config) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "data directory %s, ", c.DataDir)
	if c.Postgres() {
		fmt.Fprintf(&b, "database %s (key vault in schema %s), ", RedactURL(c.Database), c.VaultSchema())
	} else {
		fmt.Fprintf(&b, "database %s (key vault %s), ", c.dsn(), filepath.Join(c.DataDir, sqldb.KeyFile))
	}
	if c.MasterKey != "" {
		b.WriteString("master key from " + EnvMasterKey)
	} else {
		b.WriteString("master key from " + c.KeyFile())
	}
	return b.String()
}

// GoString is String, so that %#v does not print the master key either.
func (c Config) GoString() string { return c.String() }

// Validate checks the configuration. Its errors are KindInvalid and name
// the flag to fix.
func (c Config) Validate() error {
	if strings.TrimSpace(c.DataDir) == "" {
		return discern.Invalid("data", "--data must name a directory.")
	}
	if strings.ContainsRune(c.DataDir, 0) {
		return discern.Invalid("data", "--data must not contain a NUL character.")
	}
	if c.Database != "" {
		if !strings.HasPrefix(c.Database, "postgres://") && !strings.HasPrefix(c.Database, "postgresql://") {
			return discern.Invalid("database", "--database (or %s) must be a postgres:// URL; SQLite data lives in --data.", EnvDatabaseURL)
		}
		if _, err := url.Parse(c.Database); err != nil {
			// The parse error can quote the URL, password included.
			return discern.Invalid("database", "--database (or %s) is not a valid URL.", EnvDatabaseURL)
		}
	}
	if c.KeySchema != "" {
		if c.Database == "" {
			return discern.Invalid("key-schema", "--key-schema applies to PostgreSQL only; SQLite keeps the vault in keys.db.")
		}
		if !validIdent(c.KeySchema) {
			return discern.Invalid("key-schema", "--key-schema must be a lower-case name of letters, digits and _, such as discern_keys.")
		}
	}
	return nil
}

// validIdent reports whether s is a plain lower-case PostgreSQL name.
func validIdent(s string) bool {
	if s == "" || len(s) > 63 || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// RedactURL returns a database URL fit to print: the password masked, and
// nothing at all if the URL does not parse (it might be all secret).
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// Flags are the flags every command shares: --data, --database and
// --key-schema, each falling back to its environment variable.
type Flags struct {
	fs        *flag.FlagSet
	data      *string
	database  *string
	keySchema *string
}

// AddFlags registers the shared flags on fs. Call Flags.Config after
// fs.Parse.
func AddFlags(fs *flag.FlagSet) *Flags {
	return &Flags{
		fs:       fs,
		data:     fs.String("data", DefaultDataDir, "the data `DIR`: the SQLite database, its key vault and the key file (env "+EnvData+")"),
		database: fs.String("database", "", "PostgreSQL `URL` (postgres://…); default: SQLite in --data (env "+EnvDatabaseURL+")"),
		keySchema: fs.String("key-schema", "", "PostgreSQL `schema` of the key vault (default "+sqldb.DefaultKeySchema+"; env "+
			EnvKeySchema+")"),
	}
}

// Config returns the configuration: each flag given on the command line,
// else its environment variable, else its default. The master key is read
// from DISCERN_MASTER_KEY only. The error is KindInvalid.
func (f *Flags) Config(getenv func(string) string) (Config, error) {
	set := map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	pick := func(name string, v *string, env string) string {
		if set[name] {
			return *v
		}
		if e := getenv(env); e != "" {
			return e
		}
		return *v
	}
	c := Config{
		DataDir:   pick("data", f.data, EnvData),
		Database:  pick("database", f.database, EnvDatabaseURL),
		KeySchema: pick("key-schema", f.keySchema, EnvKeySchema),
		MasterKey: getenv(EnvMasterKey),
	}
	return c, c.Validate()
}

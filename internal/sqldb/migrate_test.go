package sqldb_test

import (
	"context"
	"sync"
	"testing"

	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

func TestMigrateTwiceSQLite(t *testing.T) {
	db := openSQLite(t)
	must(t, db.Migrate(t.Context()))
	cur, latest, err := db.SchemaVersion(t.Context())
	must(t, err)
	if cur != latest || cur < 1 {
		t.Fatalf("schema version %d of %d", cur, latest)
	}
}

// TestConcurrentMigratePostgres starts four "replicas" on one empty schema
// at once, as several `discern serve` processes do when deployed together.
// The advisory lock must make them take turns: every one succeeds and the
// schema is whole.
func TestConcurrentMigratePostgres(t *testing.T) {
	dsn, keySchema := pgSchema(t)
	const replicas = 4
	dbs := make([]*sqldb.DB, replicas)
	for i := range dbs {
		opt := options()
		opt.KeySchema = keySchema
		db, err := sqldb.Open(t.Context(), dsn, opt)
		must(t, err)
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	// Reading the version creates goose's version table, so that the
	// replicas below race on the migrations themselves rather than on
	// creating that table (which goose retries a second later, long enough
	// for a winner to finish and hide the race).
	if cur, _, err := dbs[0].SchemaVersion(t.Context()); err != nil || cur != 0 {
		t.Fatalf("fresh schema at version %d, %v", cur, err)
	}
	var wg sync.WaitGroup
	errs := make([]error, replicas)
	start := make(chan struct{})
	for i, db := range dbs {
		wg.Go(func() {
			<-start
			errs[i] = db.Migrate(context.Background())
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}
	for i, db := range dbs {
		cur, latest, err := db.SchemaVersion(t.Context())
		must(t, err)
		if cur != latest {
			t.Errorf("replica %d sees version %d of %d", i, cur, latest)
		}
	}
	// The schema works from every replica, vault included.
	o := &discern.Organization{Name: "Concurrent (fictional)"}
	must(t, dbs[0].CreateOrganization(t.Context(), o))
	if _, err := dbs[3].FindOrganizationByID(t.Context(), o.ID); err != nil {
		t.Fatal(err)
	}
	id, _ := discern.NewID(o.CreatedAt, fixedReader(9))
	must(t, dbs[1].PutKey(t.Context(), id, []byte("wrapped")))
	if _, err := dbs[2].GetKey(t.Context(), id); err != nil {
		t.Fatal(err)
	}
}

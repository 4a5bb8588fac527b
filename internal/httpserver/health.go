package httpserver

import (
	"bytes"
	"net/http"

	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/metrics"
	"github.com/discern-org/discern/internal/sqldb"
)

// handleHealthz answers 200 while the process is up: for a liveness probe,
// which should restart the process only when it cannot answer at all.
func handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, statusBody{Status: "ok"})
	})
}

// handleReadyz answers 200 when the database answers and its schema is the
// one this build expects, and 503 otherwise: for a readiness probe, which
// keeps traffic away from a replica that cannot serve it (a database
// down, or a newer schema not yet migrated to).
func handleReadyz(db *sqldb.DB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		notReady := func(detail string, err error) {
			p := problemOf(ctx, &discern.Error{Kind: discern.KindInternal, Err: err})
			p.Status, p.Title, p.Detail = http.StatusServiceUnavailable, http.StatusText(http.StatusServiceUnavailable), detail
			writeProblemValue(w, p)
		}
		if err := db.Ping(ctx); err != nil {
			notReady("The database is not reachable.", err)
			return
		}
		cur, latest, err := db.SchemaVersion(ctx)
		if err != nil {
			notReady("The database schema version could not be read.", err)
			return
		}
		if cur != latest {
			notReady("The database schema is not at the version this server needs; run discern migrate.", nil)
			return
		}
		writeJSON(w, http.StatusOK, statusBody{Status: "ready"})
	})
}

// handleMetrics serves the registry in the Prometheus text format. Its
// labels are route patterns, status codes and outcomes, never request data.
func handleMetrics(reg *metrics.Registry) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b bytes.Buffer
		if err := reg.WriteText(&b); err != nil {
			writeProblem(w, r, &discern.Error{Kind: discern.KindInternal, Err: err})
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_, _ = w.Write(b.Bytes())
	})
}

// handleOpenAPI serves the OpenAPI 3.1 document of the API.
func handleOpenAPI(doc func() ([]byte, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := doc()
		if err != nil {
			writeProblem(w, r, &discern.Error{Kind: discern.KindInternal, Err: err})
			return
		}
		w.Header().Set("Content-Type", "application/vnd.oai.openapi+json;version=3.1")
		_, _ = w.Write(b)
	})
}

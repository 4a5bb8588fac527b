package httpserver

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/accounts"
	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/discern"
)

// screeningBenchBody is a full screening: every answer of the full form, as
// a screener would send it, complete so that the engine evaluates it.
var screeningBenchBody = []byte(`{"complete": true, "evidence": {"instrument": "full", "language": "en", "jurisdictions": "all", "answers": {
 "safe_now": "no", "other_at_risk": "no", "age": 29, "age_doubt": "no", "status": "visa_or_permit", "language_isolation": "no",
 "exchange_sex": "yes", "others_involved": "yes", "other_work": ["none"], "money_share": "a_share", "work_directed": "yes",
 "advertised": "yes", "forced_acts": "no", "sexual_content": "no", "hours_conditions": ["long_hours"], "servitude": "no",
 "criminal_acts": "no", "money_kept": "yes", "exit_penalty": "no", "debt": "yes",
 "how_started": ["ad_or_offer"], "told_truth_nature": "yes", "told_truth_conditions": "no", "situation_exploited": "no",
 "travelled": "other_country", "travel_arranged": "yes", "moved_between_places": "yes", "received_on_arrival": "no",
 "housing_controlled": "yes", "knows_address": "yes", "free_to_leave": "no", "violence": "no", "threat_violence": "no",
 "threat_family": "no", "threat_authorities": "yes", "threat_exposure": "yes", "documents": "someone_else_holds",
 "confined": "no", "monitored": "no", "brought_back": "no", "necessities_withheld": "no", "leverage": "no",
 "substances_given": "no", "told_what_to_say": "no", "housing_need": "no", "economic_need": "yes", "health": ["none"],
 "care_history": "no", "partner_violence": "no", "dependants": "yes", "legal_situation": ["neither"],
 "talk_to_authorities": {"answer": "not_now", "note": "Said she would decide after talking to a lawyer."}}}}`)

// BenchmarkCreateScreeningHTTP is POST /api/v1/screenings end to end over
// real HTTP on a real SQLite file (synchronous=FULL): API-token
// authentication, the policy, the engine, sealing with the person's key,
// the store and the audit entry in one transaction. Compare it with
// BenchmarkRawSQLiteTx (package app) run in the same command.
func BenchmarkCreateScreeningHTTP(b *testing.B) {
	b.Run("person", func(b *testing.B) { benchCreateScreening(b, true, 1) })
	b.Run("anonymous", func(b *testing.B) { benchCreateScreening(b, false, 1) })
	// Eight clients at once: the throughput a busy server reaches, with
	// engine, sealing and encoding of one request overlapping another's
	// commit (SQLite has one writer).
	b.Run("person-8-clients", func(b *testing.B) { benchCreateScreening(b, true, 8) })
}

// benchCreateScreening screens a known person (whose data key is cached)
// or anonymously (a new data key, kept in the vault, for every screening).
func benchCreateScreening(b *testing.B, withPerson bool, clients int) {
	s := newTestServer(b)
	org := s.org("Bench (fictional)")
	u := s.user(org.ID, "bench@bench.example", discern.RoleCaseworker, "")
	token, _, err := s.svc.Operator().CreateAPIToken(context.Background(), "bench", org.ID, u.ID, accounts.NewToken{
		Name: "bench", Scopes: []auth.TokenScope{auth.TokenScreeningsWrite, auth.TokenPeopleRead}, ExpiresAt: s.clock.Now().Add(24 * time.Hour)})
	if err != nil {
		b.Fatal(err)
	}
	client := s.srv.Client()
	body := screeningBenchBody
	if withPerson {
		p, err := s.cw.CreatePerson(context.Background(), casework.Actor{Principal: principalFor(u, true), RequestID: "bench"}, casework.PersonInput{})
		if err != nil {
			b.Fatal(err)
		}
		body = bytes.Replace(body, []byte(`{"complete": true,`), []byte(`{"person_id": "`+p.ID+`", "complete": true,`), 1)
	}
	b.SetBytes(int64(len(body)))
	post := func() error {
		req, _ := http.NewRequest("POST", s.srv.URL+"/api/v1/screenings", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
	b.ResetTimer()
	if clients == 1 {
		for b.Loop() {
			if err := post(); err != nil {
				b.Fatal(err)
			}
		}
		return
	}
	b.SetParallelism((clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := post(); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

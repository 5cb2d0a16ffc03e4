package apiload

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestRunTakesEveryPaymentByLink(t *testing.T) {
	for _, database := range []string{"sqlite", "postgres"} {
		t.Run("on "+database, func(t *testing.T) {
			cfg := Config{Database: database, Concurrency: 5, Payments: 10}
			if database == "postgres" {
				cfg.PostgresURL = reachablePostgres(t)
			}
			before := loadSchemas(t, cfg.PostgresURL)
			rep, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Succeeded != 10 || rep.Failed != 0 {
				t.Fatalf("%d payments succeeded and %d failed, want 10 and 0 (first error: %s)", rep.Succeeded, rep.Failed, rep.FirstError)
			}
			for _, name := range []string{StepCreate, StepLink, StepSubmit, StepGet, StepFlow} {
				checkStep(t, rep, name, 10)
			}
			checkPrinted(t, rep)
			if after := loadSchemas(t, cfg.PostgresURL); len(after) != len(before) {
				t.Errorf("the run left schemas behind: %d before, %d after", len(before), len(after))
			}
		})
	}
}

func TestRunStopsAfterItsDurationWithoutFailures(t *testing.T) {
	rep, err := Run(context.Background(), Config{Concurrency: 3, Duration: 300 * time.Millisecond, Think: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Succeeded == 0 || rep.Failed != 0 || rep.FirstError != "" {
		t.Errorf("%d succeeded, %d failed (%s): want some payments and no failure when the time is up",
			rep.Succeeded, rep.Failed, rep.FirstError)
	}
	if rep.Elapsed < 300*time.Millisecond {
		t.Errorf("the run lasted %s, less than its duration", rep.Elapsed)
	}
}

func checkStep(t *testing.T, rep *Report, name string, want int64) {
	t.Helper()
	s := rep.Step(name)
	switch {
	case s.Count != want || s.Errors != 0:
		t.Errorf("%s: %d requests and %d errors, want %d and 0", name, s.Count, s.Errors, want)
	case s.P50 <= 0 || s.P50 > s.P90 || s.P90 > s.P99 || s.P99 > s.Max:
		t.Errorf("%s: percentiles out of order: p50 %s p90 %s p99 %s max %s", name, s.P50, s.P90, s.P99, s.Max)
	case s.PerSecond <= 0:
		t.Errorf("%s: throughput %f", name, s.PerSecond)
	}
}

func checkPrinted(t *testing.T, rep *Report) {
	t.Helper()
	var out bytes.Buffer
	if _, err := rep.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"10 payments succeeded", "create", "submit", "p99 ms", "process CPU", "load average"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the printed report lacks %q:\n%s", want, out.String())
		}
	}
	if !rep.CPUKnown || rep.CPU <= 0 {
		t.Errorf("process CPU not measured: %s", rep.CPU)
	}
}

func TestWorkerCountsFailuresWithoutTheLinkToken(t *testing.T) {
	const token = "tok_must_not_appear_in_errors"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/v1/payments":
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte(`{"id":"pay_1","state":"created"}`))
		case strings.HasSuffix(r.URL.Path, "/link"):
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte(`{"url":"http://x/pay/` + token + `"}`))
		default:
			http.Error(w, "no", http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	c := newClient(srv.URL, "key", 1, time.Now())
	defer c.close()
	steps := newRecorders()
	w := newWorker(0, c, 0, steps)
	w.run(context.Background(), context.Background(), newTickets(3))
	rep := &Report{Elapsed: time.Second}
	rep.gather(steps, []*worker{w})
	if rep.Succeeded != 0 || rep.Failed != 3 {
		t.Errorf("%d succeeded, %d failed, want 0 and 3", rep.Succeeded, rep.Failed)
	}
	if s := rep.Step(StepSubmit); s.Errors != 3 || s.Count != 0 {
		t.Errorf("submit: %d ok, %d errors, want 0 and 3", s.Count, s.Errors)
	}
	if s := rep.Step(StepGet); s.Count+s.Errors != 0 {
		t.Errorf("get ran after a failed submit: %+v", s)
	}
	if !strings.Contains(rep.FirstError, "submit") || !strings.Contains(rep.FirstError, "status 500") || strings.Contains(rep.FirstError, token) {
		t.Errorf("first error %q: want the step and status, never the token", rep.FirstError)
	}
}

func TestStepRecorderPercentiles(t *testing.T) {
	rec := newStepRecorder()
	for ms := 1; ms <= 100; ms++ {
		rec.record(time.Duration(ms)*time.Millisecond, nil)
	}
	rec.record(time.Hour, nil) // above the histogram's range: clamped, still counted
	rec.record(time.Millisecond, errFake)
	got := rec.stats("x", 10*time.Second)
	tests := []struct {
		name      string
		got, want time.Duration
	}{
		{"p50 is the 51st value", got.P50, 51 * time.Millisecond},
		{"p90 is the 91st value", got.P90, 91 * time.Millisecond},
		{"p99 is the 100th value", got.P99, 100 * time.Millisecond},
		{"max is clamped to 2 minutes", got.Max, 2 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := tc.got - tc.want; diff < -tc.want/500 || diff > tc.want/500 {
				t.Errorf("got %s, want %s within 0.2%%", tc.got, tc.want)
			}
		})
	}
	if got.Count != 101 || got.Errors != 1 || got.PerSecond != 10.1 {
		t.Errorf("count %d errors %d rate %f, want 101, 1, 10.1", got.Count, got.Errors, got.PerSecond)
	}
}

func TestConfigRejectsBadSettings(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"an unknown database", Config{Database: "mysql"}},
		{"negative concurrency", Config{Concurrency: -1}},
		{"a negative duration", Config{Duration: -time.Second}},
		{"a negative pool", Config{PostgresPool: -2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Run(context.Background(), tc.cfg); err == nil {
				t.Error("Run accepted it")
			}
		})
	}
}

var errFake = os.ErrInvalid

// reachablePostgres returns the PostgreSQL server to test against; it skips the test when none
// answers, except in CI, where PostgreSQL is required.
func reachablePostgres(t *testing.T) string {
	t.Helper()
	base := os.Getenv("HUSHPAY_TEST_POSTGRES")
	if base == "" {
		base = DefaultPostgresURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required in CI (HUSHPAY_TEST_POSTGRES or %s): %v", DefaultPostgresURL, err)
		}
		t.Skipf("PostgreSQL not reachable (set HUSHPAY_TEST_POSTGRES, or run it at %s): %v", DefaultPostgresURL, err)
	}
	conn.Close(ctx)
	return base
}

// loadSchemas lists the schemas apiload makes on the server at base (none for SQLite).
func loadSchemas(t *testing.T, base string) []string {
	t.Helper()
	if base == "" {
		return nil
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'hushpay_apiload_%'`)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}

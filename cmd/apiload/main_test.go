package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRunPrintsTheReport(t *testing.T) {
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"--concurrency", "2", "--payments", "4"}, &out, &errs); err != nil {
		t.Fatalf("%v; stderr:\n%s", err, errs.String())
	}
	for _, want := range []string{"4 payments succeeded, 0 failed", "submit", "p99 ms"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--database", "mysql"}, {"--log-level", "loud"}, {"--concurrency", "many"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var out, errs bytes.Buffer
			if err := run(context.Background(), args, &out, &errs); err == nil {
				t.Errorf("accepted; printed:\n%s", out.String())
			}
		})
	}
}

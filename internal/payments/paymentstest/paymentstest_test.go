package paymentstest

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLogBufferConcurrentWriters(t *testing.T) {
	var b LogBuffer
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 100 {
				fmt.Fprintf(&b, "w%d\n", i)
				_ = b.String()
			}
		})
	}
	wg.Wait()
	if n := strings.Count(b.String(), "\n"); n != 800 {
		t.Fatalf("%d lines, want 800", n)
	}
	got := b.Bytes()
	got[0] = 'x'
	if b.String()[0] != 'w' {
		t.Fatal("Bytes returned the buffer itself, not a copy")
	}
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

func TestNewOptions(t *testing.T) {
	f := New(t)
	if f.Store == nil || f.Vault == nil || f.Processors == nil || f.Audit == nil {
		t.Fatalf("incomplete fixture: %+v", f)
	}
	f.Logger.Debug("hello")
	if !strings.Contains(f.Logs.String(), "level=DEBUG msg=hello") {
		t.Fatalf("text debug log missing: %q", f.Logs.String())
	}

	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	f = New(t, WithClock(fixedClock{at}), JSONLogs())
	if !f.Clock.Now().Equal(at) {
		t.Fatalf("Clock = %v, want the one passed", f.Clock.Now())
	}
	f.Logger.Debug("hello")
	var line map[string]any
	if err := json.Unmarshal(f.Logs.Bytes(), &line); err != nil || line["msg"] != "hello" {
		t.Fatalf("JSON debug log: %v %q", err, f.Logs.String())
	}
}

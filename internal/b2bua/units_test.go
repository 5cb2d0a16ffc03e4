package b2bua_test

import (
	"bytes"
	"log/slog"
	"net/netip"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/hushpay/hushpay/internal/b2bua"
)

func TestParseDTMFInfo(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		want                    byte
		ok                      bool
	}{
		{"dtmf-relay digit", "application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", '5', true},
		{"dtmf-relay with spaces and LF", "application/dtmf-relay", "Signal= 9\nDuration= 250\n", '9', true},
		{"dtmf-relay star as 10", "application/dtmf-relay", "Signal=10\r\nDuration=160", '*', true},
		{"dtmf-relay hash", "Application/DTMF-Relay; charset=utf-8", "Signal=#\r\n", '#', true},
		{"dtmf body is the key", "application/dtmf", "7\r\n", '7', true},
		{"letters A-D are not keypad symbols", "application/dtmf-relay", "Signal=A\r\n", 0, false},
		{"no signal line", "application/dtmf-relay", "Duration=160\r\n", 0, false},
		{"two keys in one dtmf body", "application/dtmf", "12", 0, false},
		{"another content type", "text/plain", "Signal=5", 0, false},
		{"empty body", "application/dtmf", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := b2bua.ParseDTMFInfo(tt.contentType, []byte(tt.body))
			if got != tt.want || ok != tt.ok {
				t.Errorf("ParseDTMFInfo = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// FuzzDTMFInfo checks that any body gives at most one keypad symbol and never panics.
func FuzzDTMFInfo(f *testing.F) {
	f.Add("application/dtmf-relay", []byte("Signal=5\r\nDuration=160\r\n"))
	f.Add("application/dtmf", []byte("#"))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		sym, ok := b2bua.ParseDTMFInfo(contentType, body)
		if ok && !strings.ContainsRune("0123456789*#", rune(sym)) {
			t.Fatalf("symbol %q is not a keypad symbol", sym)
		}
	})
}

func TestRouterLookup(t *testing.T) {
	sales, _ := b2bua.ParseTarget("sip:sales@192.0.2.20:5070")
	support, _ := b2bua.ParseTarget("sip:support@192.0.2.30;transport=tcp")
	partner, _ := b2bua.ParseTarget("sip:partner@192.0.2.40")
	r, err := b2bua.NewRouter("sip:agents@127.0.0.1:5070",
		b2bua.Route{User: "sales", Target: sales, Tenant: "acme"},
		b2bua.Route{User: "+18005550100", Target: support},
		b2bua.Route{Source: netip.MustParsePrefix("198.51.100.0/24"), Target: partner})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, uri, to, source, want string
	}{
		{"request-URI user", "sip:sales@hushpay", "sip:whoever@hushpay", "203.0.113.1", "sales"},
		{"To user when the request-URI user does not match", "sip:trunk@hushpay", "sip:+18005550100@hushpay", "203.0.113.1", "support"},
		{"source address", "sip:other@hushpay", "sip:other@hushpay", "198.51.100.7", "partner"},
		{"default route", "sip:other@hushpay", "sip:other@hushpay", "203.0.113.1", "agents"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := invite(t, tt.uri, tt.to)
			rt, ok := r.Lookup(req, netip.MustParseAddr(tt.source))
			if !ok || rt.Target.User != tt.want {
				t.Errorf("Lookup = %+v, %v; want target user %s", rt.Target, ok, tt.want)
			}
		})
	}
	empty, _ := b2bua.NewRouter("")
	if _, ok := empty.Lookup(invite(t, "sip:x@hushpay", "sip:x@hushpay"), netip.MustParseAddr("127.0.0.1")); ok {
		t.Error("a router without routes matched")
	}
}

func TestParseTargetRejects(t *testing.T) {
	for _, s := range []string{"", "agents@127.0.0.1", "http://127.0.0.1", "sip:"} {
		if _, err := b2bua.ParseTarget(s); err == nil {
			t.Errorf("ParseTarget(%q) accepted", s)
		}
	}
}

func invite(t *testing.T, uri, to string) *sip.Request {
	t.Helper()
	var u, tu sip.Uri
	if err := sip.ParseUri(uri, &u); err != nil {
		t.Fatal(err)
	}
	if err := sip.ParseUri(to, &tu); err != nil {
		t.Fatal(err)
	}
	req := sip.NewRequest(sip.INVITE, u)
	req.AppendHeader(&sip.ToHeader{Address: tu})
	return req
}

// TestLibraryLoggerDropsMessages checks that what sipgo logs never reaches hushpay's log with
// its attributes (where sipgo puts whole SIP messages) and that debug lines are dropped.
func TestLibraryLoggerDropsMessages(t *testing.T) {
	var buf bytes.Buffer
	log := b2bua.LibraryLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	lib := log.With("caller", "Transport<UDP>")
	lib.Error("failed to parse", "data", "INFO sip:x SIP/2.0\r\n\r\nSignal=4")
	lib.Debug("new message", "msg", "Signal=2")
	out := buf.String()
	if !strings.Contains(out, "failed to parse") {
		t.Errorf("error line lost: %q", out)
	}
	for _, leak := range []string{"Signal", "new message", "Transport<UDP>"} {
		if strings.Contains(out, leak) {
			t.Errorf("library log holds %q: %q", leak, out)
		}
	}
}

// TestUseLibraryLoggerFollowsTheLatestLogger checks that sipgo's package-wide logger, set once,
// writes to the logger of the latest UseLibraryLogger call, through LibraryLogger (no library
// attribute), and that switching it while sipgo's goroutines log is not a data race.
func TestUseLibraryLoggerFollowsTheLatestLogger(t *testing.T) {
	var first, second bytes.Buffer
	b2bua.UseLibraryLogger(slog.New(slog.NewTextHandler(&first, nil)))
	sip.DefaultLogger().Warn("to the first", "data", "Signal=4")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 100 {
			sip.DefaultLogger().Debug("background", "data", "Signal=5")
		}
	}()
	b2bua.UseLibraryLogger(slog.New(slog.NewTextHandler(&second, nil)))
	<-done
	sip.DefaultLogger().With("caller", "Transport<UDP>").Warn("to the second", "data", "Signal=6")
	if !strings.Contains(first.String(), "to the first") || strings.Contains(first.String(), "to the second") {
		t.Errorf("first logger: %q", first.String())
	}
	if !strings.Contains(second.String(), "to the second") || strings.Contains(second.String(), "to the first") {
		t.Errorf("second logger: %q", second.String())
	}
	for _, out := range []string{first.String(), second.String()} {
		for _, leak := range []string{"Signal", "Transport<UDP>", "background"} {
			if strings.Contains(out, leak) {
				t.Errorf("library log holds %q: %q", leak, out)
			}
		}
	}
}

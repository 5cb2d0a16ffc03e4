package notify_test

import (
	"context"
	"crypto/tls"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hushpay/hushpay/internal/notify"
	"github.com/hushpay/hushpay/internal/notify/notifytest"
	"github.com/hushpay/hushpay/internal/payments"
)

var link = payments.LinkMessage{URL: "https://pay.example.com/pay/abcDEF123", Merchant: "Acme Health", Amount: "12.50 USD"}

func fastRetry() notify.Retry { return notify.Retry{Attempts: 3, Wait: time.Millisecond} }

// parts returns the message's text/plain and text/html bodies, decoded.
func parts(t *testing.T, data []byte) map[string]string {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{"subject": m.Header.Get("Subject")}
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		typ, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		b, _ := io.ReadAll(p) // multipart decodes quoted-printable
		out[typ] = string(b)
	}
	return out
}

func TestSMTPDelivers(t *testing.T) {
	cert, pool := selfSigned(t)
	tests := []struct {
		name     string
		tls      *tls.Config
		starttls string
		failures int
	}{
		{"plain", nil, "auto", 0},
		{"STARTTLS", &tls.Config{Certificates: []tls.Certificate{cert}}, "required", 0},
		{"after two temporary failures", nil, "auto", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := notifytest.NewSMTPServer(t, tt.tls)
			srv.FailNext(tt.failures)
			s, err := notify.ParseSMTPURL("smtp://" + srv.Addr + "?from=pay@acme.test&starttls=" + tt.starttls)
			if err != nil {
				t.Fatal(err)
			}
			s.TLSConfig, s.Retry = &tls.Config{RootCAs: pool}, fastRetry()
			if err := s.Send(context.Background(), "caller@example.com", link); err != nil {
				t.Fatal(err)
			}
			got := <-srv.Inbox
			if got.From != "pay@acme.test" || len(got.To) != 1 || got.To[0] != "caller@example.com" {
				t.Fatalf("envelope %q → %q", got.From, got.To)
			}
			p := parts(t, got.Data)
			for _, typ := range []string{"text/plain", "text/html"} {
				if !strings.Contains(p[typ], link.URL) || !strings.Contains(p[typ], "12.50 USD") || !strings.Contains(p[typ], "Acme Health") {
					t.Errorf("%s part lacks the link, amount or merchant:\n%s", typ, p[typ])
				}
			}
			if !strings.Contains(p["subject"], "Acme Health") {
				t.Errorf("subject %q", p["subject"])
			}
		})
	}
}

func TestSMTPGivesUp(t *testing.T) {
	srv := notifytest.NewSMTPServer(t, nil)
	srv.FailNext(5)
	s, _ := notify.ParseSMTPURL("smtp://" + srv.Addr + "?from=pay@acme.test")
	s.Retry = fastRetry()
	err := s.Send(context.Background(), "caller@example.com", link)
	if err == nil || !notify.IsTemporary(err) || strings.Contains(err.Error(), "caller@example.com") {
		t.Fatalf("err = %v: want a temporary failure naming no recipient", err)
	}
	t.Run("STARTTLS required but not offered", func(t *testing.T) {
		s, _ := notify.ParseSMTPURL("smtp://" + srv.Addr + "?from=pay@acme.test&starttls=required")
		if err := s.Send(context.Background(), "caller@example.com", link); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestParseSMTPURL(t *testing.T) {
	tests := []struct {
		raw, wantAddr, wantTLS string
		ok                     bool
	}{
		{"smtp://mail.example.com?from=pay@example.com", "mail.example.com:587", "auto", true},
		{"smtp://u:p@mail.example.com:2525?from=pay@example.com", "mail.example.com:2525", "required", true},
		{"smtp://mail.example.com?from=pay@example.com&starttls=none", "mail.example.com:587", "none", true},
		{"smtp://mail.example.com", "", "", false},
		{"http://mail.example.com?from=pay@example.com", "", "", false},
		{"smtp://mail.example.com?from=a@b.c&starttls=maybe", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			s, err := notify.ParseSMTPURL(tt.raw)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v", err)
			}
			if err == nil && (s.Addr != tt.wantAddr || s.StartTLS != tt.wantTLS) {
				t.Fatalf("got %s %s", s.Addr, s.StartTLS)
			}
			if err != nil && strings.Contains(err.Error(), ":p@") {
				t.Fatalf("error echoes the password: %v", err)
			}
		})
	}
}

func TestTwilioSMS(t *testing.T) {
	var calls atomic.Int32
	var body, auth, path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable) // temporary: retried
			return
		}
		_ = r.ParseForm()
		user, pass, _ := r.BasicAuth()
		body, auth, path = r.PostForm.Get("Body")+"|"+r.PostForm.Get("To")+"|"+r.PostForm.Get("From"), user+":"+pass, r.URL.Path
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	tw, err := notify.ParseSMSURL(strings.Replace(srv.URL, "http://", "http://AC123:secret@", 1) + "?from=%2B15005550006")
	if err != nil {
		t.Fatal(err)
	}
	s := &notify.SMS{Provider: tw, Retry: fastRetry()}
	if err := s.Send(context.Background(), "+14155550100", link); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 || path != "/2010-04-01/Accounts/AC123/Messages.json" || auth != "AC123:secret" {
		t.Fatalf("calls %d path %s auth %s", calls.Load(), path, auth)
	}
	if !strings.Contains(body, link.URL) || !strings.Contains(body, "12.50 USD") || !strings.HasSuffix(body, "|+14155550100|+15005550006") {
		t.Fatalf("body %q", body)
	}
	t.Run("a refused message is not retried", func(t *testing.T) {
		var n atomic.Int32
		bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1); w.WriteHeader(400) }))
		defer bad.Close()
		tw, _ := notify.ParseSMSURL(strings.Replace(bad.URL, "http://", "http://AC1:tok@", 1) + "?from=x")
		err := (&notify.SMS{Provider: tw, Retry: fastRetry()}).Send(context.Background(), "+14155550100", link)
		if err == nil || notify.IsTemporary(err) || n.Load() != 1 {
			t.Fatalf("err %v after %d calls", err, n.Load())
		}
	})
}

package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/hushpay/hushpay/internal/config"
	"github.com/hushpay/hushpay/internal/payments/paymentstest"
)

// TestVoiceRoutesFromTheEnvironment builds serve's route table from HUSHPAY_SIP_ROUTES and
// HUSHPAY_SIP_ROUTE and looks calls up in it: by user, by source, first match first, the
// default last.
func TestVoiceRoutesFromTheEnvironment(t *testing.T) {
	cfg, err := config.Load("", func(k string) string {
		return map[string]string{
			"HUSHPAY_SIP_ROUTES": "user=support,target=sip:support@10.0.0.5:5070;transport=tcp,tenant=acme | " +
				"source=192.0.2.0/24,target=sips:sales@pbx.example.net,tenant=beta",
			"HUSHPAY_SIP_ROUTE": "sip:agents@10.0.0.9",
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	router, err := voiceRoutes(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ user, source, target, tenant string }{
		{"support", "198.51.100.1", "sip:support@10.0.0.5:5070;transport=tcp", "acme"},
		{"other", "192.0.2.77", "sips:sales@pbx.example.net", "beta"},
		{"support", "192.0.2.77", "sip:support@10.0.0.5:5070;transport=tcp", "acme"},
		{"other", "198.51.100.1", "sip:agents@10.0.0.9", ""},
	} {
		req := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: tc.user, Host: "hushpay.example.net"})
		req.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: tc.user, Host: "hushpay.example.net"}})
		rt, ok := router.Lookup(req, netip.MustParseAddr(tc.source))
		if !ok || rt.Target.String() != tc.target || rt.Tenant != tc.tenant {
			t.Errorf("call to %s from %s: route %v %s tenant %q, want %s tenant %q", tc.user, tc.source, ok,
				rt.Target.String(), rt.Tenant, tc.target, tc.tenant)
		}
	}
}

// TestVoiceRoutesNameTheBadEntry checks that a target the configuration lets through but the SIP
// parser refuses is reported with its entry and key.
func TestVoiceRoutesNameTheBadEntry(t *testing.T) {
	cfg := config.Default()
	cfg.SIPRoutes = []config.SIPRoute{{User: "a", Target: "sip:a@10.0.0.1"}, {User: "b", Target: "sip:b@[::1"}}
	_, err := voiceRoutes(cfg)
	if err == nil || !strings.Contains(err.Error(), "HUSHPAY_SIP_ROUTES): entry 2: target") {
		t.Fatalf("err = %v", err)
	}
}

// TestServeListensForSIPOverTLS starts serve with a certificate, HUSHPAY_SIP_TLS_ADDR and a route
// table, connects to the SIP TLS address trusting only that certificate, and gets 200 to OPTIONS.
func TestServeListensForSIPOverTLS(t *testing.T) {
	cert, key, pool := selfSignedFiles(t)
	sipTLS := freeAddr(t)
	t.Setenv("HUSHPAY_DATA_DIR", t.TempDir())
	t.Setenv("HUSHPAY_HTTP_ADDR", freeAddr(t))
	t.Setenv("HUSHPAY_SIP_ADDR", freeAddr(t))
	t.Setenv("HUSHPAY_TLS_CERT", cert)
	t.Setenv("HUSHPAY_TLS_KEY", key)
	t.Setenv("HUSHPAY_SIP_TLS_ADDR", sipTLS)
	t.Setenv("HUSHPAY_SIP_ROUTES", "user=support,target=sips:support@127.0.0.1:5999,tenant=acme")
	logs := &paymentstest.LogBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() { done <- run(ctx, []string{"serve"}, io.Discard, logs) }()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d; logs:\n%s", code, logs)
		}
	}()
	var conn *tls.Conn
	deadline := time.Now().Add(30 * time.Second)
	for {
		var err error
		conn, err = tls.Dial("tcp", sipTLS, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no SIP over TLS on %s: %v; logs:\n%s", sipTLS, err, logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "OPTIONS sip:hushpay@%s;transport=tls SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bK-tls-1;rport\r\n"+
		"Max-Forwards: 70\r\nFrom: <sip:test@127.0.0.1>;tag=t1\r\nTo: <sip:hushpay@127.0.0.1>\r\nCall-ID: tls-options-1\r\n"+
		"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n", sipTLS)
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	status, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(status, "SIP/2.0 200") {
		t.Fatalf("OPTIONS over TLS: %q, %v", status, err)
	}
}

// TestServeRefusesABadRoute checks that serve stops at start on a bad route entry, naming it.
func TestServeRefusesABadRoute(t *testing.T) {
	t.Setenv("HUSHPAY_DATA_DIR", t.TempDir())
	t.Setenv("HUSHPAY_HTTP_ADDR", freeAddr(t))
	t.Setenv("HUSHPAY_SIP_ADDR", freeAddr(t))
	t.Setenv("HUSHPAY_SIP_ROUTES", "user=a,target=sip:a@10.0.0.1 | source=10.0.0.0/40,target=sip:b@10.0.0.2")
	logs := &paymentstest.LogBuffer{}
	if code := run(context.Background(), []string{"serve"}, io.Discard, logs); code == 0 {
		t.Fatal("serve started with a bad route")
	}
	if !strings.Contains(logs.String(), "HUSHPAY_SIP_ROUTES): entry 2: source") {
		t.Errorf("serve's error does not name the entry and key:\n%s", logs)
	}
}

// selfSignedFiles writes a self-signed certificate for 127.0.0.1 and its key, and returns a pool
// that trusts it.
func selfSignedFiles(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hushpay test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	return certFile, keyFile, pool
}

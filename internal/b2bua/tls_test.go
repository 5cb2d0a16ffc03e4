package b2bua_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/b2bua"
)

// testTLS is a self-signed certificate for 127.0.0.1, made for one test: hushpay's, the TLS
// agent's and baresip's identity, and the one CA every side trusts.
type testTLS struct {
	certFile, keyFile string // PEM certificate (also the CA file), PEM private key
	bothFile          string // certificate and key in one PEM file (libre's sip_certificate)
	pool              *x509.CertPool
	cert              tls.Certificate
}

func newTestTLS(t testing.TB) *testTLS {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "hushpay test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	dir := t.TempDir()
	tt := &testTLS{certFile: filepath.Join(dir, "cert.pem"), keyFile: filepath.Join(dir, "key.pem"),
		bothFile: filepath.Join(dir, "both.pem"), pool: x509.NewCertPool()}
	for name, body := range map[string][]byte{tt.certFile: certPEM, tt.keyFile: keyPEM, tt.bothFile: append(append([]byte(nil), certPEM...), keyPEM...)} {
		if err := os.WriteFile(name, body, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if tt.cert, err = tls.X509KeyPair(certPEM, keyPEM); err != nil {
		t.Fatal(err)
	}
	tt.pool.AppendCertsFromPEM(certPEM)
	return tt
}

// client is a TLS client configuration that trusts only the test certificate.
func (tt *testTLS) client() *tls.Config {
	return &tls.Config{RootCAs: tt.pool, MinVersion: tls.VersionTLS12}
}

// listen binds a TLS listener with the test certificate on a free port of 127.0.0.1.
func (tt *testTLS) listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{tt.cert}, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// TestBaresipCallerOverTLS has baresip call hushpay over SIP over TLS (its sip_cafile trusting a
// certificate made by the test) and hushpay place the onward call to a sips: target, an in-process
// agent on TLS. The call connects, the caller's in-band card lands in the payment with no digit
// in the agent's audio, and the agent's BYE reaches baresip over TLS; no SIP message of the call
// travels over anything but TLS.
func TestBaresipCallerOverTLS(t *testing.T) {
	needTools(t, "baresip multimon-ng sox", "baresip", "multimon-ng", "sox")
	tt := newTestTLS(t)
	agentLn := tt.listen(t)
	target, err := b2bua.ParseTarget(fmt.Sprintf("sips:agents@127.0.0.1:%d", agentLn.Addr().(*net.TCPAddr).Port))
	if err != nil {
		t.Fatal(err)
	}
	h := startHarness(t, harnessConfig{tls: tt, routes: []b2bua.Route{{Target: target}}})
	agent := startSignallingAgentTLS(t, agentLn, tt)
	ua := startBaresipWith(t, callerWAV(t, pcapKeys), fmt.Sprintf("sip:agents@%s", h.b.TLSAddr()), tt)
	c := &pcapCall{h: h, agent: agent}
	waitFor(t, "baresip's call over TLS to be active", func() bool {
		for _, call := range h.calls(t) {
			if call.State == hushpay.CallActive {
				c.call = call
				return true
			}
		}
		return false
	})
	checkBaresipKeysCaptured(t, c, ua, false)
	agentHangsUp(t, h, agent)
	if tp := agent.session.InviteRequest.Transport(); tp != "TLS" {
		t.Errorf("the agent leg's INVITE came over %s, want TLS", tp)
	}
	waitFor(t, "baresip to see the BYE", func() bool { return strings.Contains(ua.out.String(), "BYE sip:") })
	trace := ua.out.String()
	for _, want := range []string{"INVITE sip:agents@", "SIP/2.0/TLS", "BYE sip:"} {
		if !strings.Contains(trace, want) {
			t.Errorf("baresip's SIP trace lacks %q", want)
		}
	}
	if strings.Contains(trace, "SIP/2.0/UDP") || strings.Contains(trace, "SIP/2.0/TCP") {
		t.Error("baresip's SIP trace holds a message over UDP or TCP, want TLS only")
	}
}

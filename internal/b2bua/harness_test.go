package b2bua_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/b2bua"
	"github.com/hushpay/hushpay/internal/dtmf/rfc4733"
	"github.com/hushpay/hushpay/internal/media"
	"github.com/hushpay/hushpay/internal/payments"
	"github.com/hushpay/hushpay/internal/payments/paymentstest"
	"github.com/hushpay/hushpay/internal/store/sqlite"
)

// harness is a B2BUA on loopback with a real SQLite store and payment service, routing every
// call to sip:agents@127.0.0.1:<agentPort>.
type harness struct {
	b         *b2bua.B2BUA
	store     *sqlite.Store
	payments  *payments.Service
	agentPort int
	logs      *paymentstest.LogBuffer
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	return startHarness(t, harnessConfig{route: true})
}

// newHarnessWithLoops is a harness whose calls' relays share n media loops, as serve runs them.
func newHarnessWithLoops(t testing.TB, n int) *harness {
	t.Helper()
	return startHarness(t, harnessConfig{route: true, loops: n})
}

// newHarnessWithoutRoute is a harness whose B2BUA has no route at all.
func newHarnessWithoutRoute(t testing.TB) *harness {
	t.Helper()
	return startHarness(t, harnessConfig{})
}

// newHarnessWithRoutes is a harness whose route table is routes, then the default route.
func newHarnessWithRoutes(t testing.TB, routes ...b2bua.Route) *harness {
	t.Helper()
	return startHarness(t, harnessConfig{route: true, routes: routes})
}

// harnessConfig is how a harness differs from the plain one.
type harnessConfig struct {
	route  bool          // route every call to sip:agents@127.0.0.1:<agentPort> last
	loops  int           // media loops shared by the calls' relays (0: none)
	routes []b2bua.Route // tried before that default route
	tls    *testTLS      // when set, SIP over TLS listens on a free port with its certificate
	// advertise, when set, is the address written in SDP (Config.AdvertiseIP).
	advertise netip.Addr
	// contactHost, when set, is the host of hushpay's Contact (Config.ContactHost).
	contactHost string
	// addr is the SIP listen address; empty: 127.0.0.1:0.
	addr string
	// securePoll is Config.SecurePoll; zero: 20 ms.
	securePoll time.Duration
}

func startHarness(t testing.TB, hc harnessConfig) *harness {
	t.Helper()
	f := paymentstest.New(t)
	svc, err := payments.New(payments.Config{Store: f.Store, Vault: f.Vault, Processors: f.Processors, Audit: f.Audit, Logger: f.Logger})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{store: f.Store, payments: svc, agentPort: freePort(t), logs: f.Logs}
	target := ""
	if hc.route {
		target = fmt.Sprintf("sip:agents@127.0.0.1:%d", h.agentPort)
	}
	router, err := b2bua.NewRouter(target, hc.routes...)
	if err != nil {
		t.Fatal(err)
	}
	ports, err := media.NewPortAllocator(30200, 30999) // below the ephemeral range, and no other test binary's
	if err != nil {
		t.Fatal(err)
	}
	var mediaLoops []*media.Loop
	for range hc.loops {
		l, err := media.NewLoop()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		mediaLoops = append(mediaLoops, l)
	}
	if hc.addr == "" {
		hc.addr = "127.0.0.1:0"
	}
	if hc.securePoll == 0 {
		hc.securePoll = 20 * time.Millisecond
	}
	cfg := b2bua.Config{Addr: hc.addr, Routes: router, Ports: ports, Loops: mediaLoops, Calls: f.Store, Payments: svc,
		Logger: f.Logger, SecurePoll: hc.securePoll, AnswerTimeout: 2 * time.Second}
	cfg.AdvertiseIP, cfg.ContactHost = hc.advertise, hc.contactHost
	if hc.tls != nil {
		cfg.TLSCert, cfg.TLSKey, cfg.TLSCA, cfg.TLSAddr = hc.tls.certFile, hc.tls.keyFile, hc.tls.certFile, "127.0.0.1:0"
	}
	h.b, err = b2bua.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.b.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		h.b.Close()
		svc.Close()
		if t.Failed() {
			t.Logf("hushpay log:\n%s", f.Logs.String())
		}
	})
	return h
}

// freePort returns a port on 127.0.0.1 that was free a moment ago for UDP and TCP, with the next
// port free for TCP as well (baresip listens for SIP over TLS on its SIP port + 1). It picks from
// 10000-19999, below Linux's ephemeral range (32768-60999) and away from every media port range the
// tests give hushpay (the default 20000-29999 and the ranges above 30000), so an outgoing
// connection elsewhere in the test binary cannot be handed the port between this check and the
// peer (sipp, baresip) binding it.
func freePort(t testing.TB) int {
	t.Helper()
	for range 200 {
		p := 10000 + rand.IntN(9999)
		if portFree("udp", p) && portFree("tcp", p) && portFree("tcp", p+1) {
			return p
		}
	}
	t.Fatal("no free port in 10000-19999")
	return 0
}

// portFree reports whether port p on 127.0.0.1 can be bound for network ("udp" or "tcp").
func portFree(network string, p int) bool {
	addr := fmt.Sprintf("127.0.0.1:%d", p)
	if network == "udp" {
		c, err := net.ListenPacket(network, addr)
		if err != nil {
			return false
		}
		return c.Close() == nil
	}
	l, err := net.Listen(network, addr)
	if err != nil {
		return false
	}
	return l.Close() == nil
}

// waitBound waits until something (a sipp started by the test) has bound UDP port on 127.0.0.1.
func waitBound(t testing.TB, port int) {
	t.Helper()
	waitFor(t, "sipp to bind its port", func() bool {
		c, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			return true
		}
		c.Close()
		return false
	})
}

// calls returns the tenant's stored calls.
func (h *harness) calls(t testing.TB) []*hushpay.Call {
	t.Helper()
	page, err := h.store.ListCalls(context.Background(), "default", hushpay.CallFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return page.Data
}

// waitFor polls cond until it holds or the deadline passes (a bound on a wait, not a timing
// assertion).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// needSipp skips without sipp, except in CI where it fails.
func needSipp(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("sipp")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("sipp not installed (Debian package sip-tester); CI must have it")
		}
		t.Skip("sipp not installed (apt-get install sip-tester): skipping the SIP tests with a real peer")
	}
	return path
}

// sipp is one running sipp process.
type sipp struct {
	name string
	cmd  *exec.Cmd
	out  bytes.Buffer // read only once done is closed
	dir  string
	done chan struct{} // closed when the process has exited and err is set
	err  error
}

// startSipp runs a scenario from testdata/sipp on 127.0.0.1:port; remote, when set, is the
// address it calls. Without remote, sipp is the agent side: startSipp returns once it listens,
// and starts it again on another media port if it exits first (sipp binds its media port and the
// port 2 above it, which another test's peer may have taken since they were checked).
func startSipp(t testing.TB, bin, scenario string, port int, remote string, extra ...string) *sipp {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "sipp", scenario))
	if err != nil {
		t.Fatal(err)
	}
	for attempt := 1; ; attempt++ {
		s := &sipp{name: scenario, dir: t.TempDir()}
		if err := os.WriteFile(filepath.Join(s.dir, scenario), data, 0o600); err != nil {
			t.Fatal(err)
		}
		args := []string{"-sf", scenario, "-i", "127.0.0.1", "-mi", "127.0.0.1", "-p", strconv.Itoa(port),
			"-mp", strconv.Itoa(freeMediaPort(t)), "-m", "1", "-l", "1", "-timeout", "20s", "-timeout_error",
			"-nostdin", "-trace_err", "-trace_msg"}
		args = append(args, extra...)
		if remote != "" {
			args = append(args, "-s", "agents", remote)
		}
		s.run(t, bin, args)
		if remote != "" || s.listening(port) {
			return s
		}
		_ = s.cmd.Process.Kill()
		<-s.done
		if attempt == 3 {
			t.Fatalf("sipp %s exited before it listened on port %d, three times:\n%s", scenario, port, s.traces())
		}
		t.Logf("sipp %s exited before it listened on port %d; starting it again:\n%s", scenario, port, s.traces())
	}
}

// listening waits until sipp has bound UDP port on 127.0.0.1, and reports false if it exited
// first.
func (s *sipp) listening(port int) bool {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return false
		default:
		}
		if !portFree("udp", port) {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// run starts sipp with args in the scenario's directory; the test's cleanup kills it if it is
// still running.
func (s *sipp) run(t testing.TB, bin string, args []string) {
	t.Helper()
	s.cmd = exec.Command(bin, args...)
	s.cmd.Dir = s.dir
	s.cmd.Stdout, s.cmd.Stderr = &s.out, &s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.done = make(chan struct{})
	go func() {
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	})
}

// wait waits for the scenario to end and fails the test, with sipp's message trace, unless it
// passed.
func (s *sipp) wait(t testing.TB) {
	t.Helper()
	<-s.done
	if s.err != nil {
		t.Errorf("sipp %s: %v\n%s", s.name, s.err, s.traces())
	}
}

// traces returns sipp's output and its error and message logs.
func (s *sipp) traces() string {
	var b strings.Builder
	b.WriteString(s.out.String())
	files, _ := filepath.Glob(filepath.Join(s.dir, "*.log"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		fmt.Fprintf(&b, "--- %s\n%s\n", filepath.Base(f), data)
	}
	return b.String()
}

// activeCall waits for the one stored call to be active and returns it.
func activeCall(t testing.TB, h *harness) *hushpay.Call {
	t.Helper()
	var call *hushpay.Call
	waitFor(t, "the call to be active", func() bool {
		calls := h.calls(t)
		if len(calls) == 1 && calls[0].State == hushpay.CallActive {
			call = calls[0]
			return true
		}
		return false
	})
	return call
}

// sendKeyEvents sends each key as one RFC 4733 press (100 ms, on payload type pt, from SSRC ssrc,
// starting at RTP timestamp ts) to hushpay's media address to, 2 ms between packets.
func sendKeyEvents(t testing.TB, conn net.PacketConn, to net.Addr, pt uint8, ssrc, ts uint32, keys string) {
	t.Helper()
	sender := rfc4733.NewSender(rfc4733.SenderConfig{PayloadType: pt, SSRC: ssrc}, 100)
	for _, key := range []byte(keys) {
		packets, err := sender.AppendPress(nil, key, ts, 800)
		if err != nil {
			t.Fatal(err)
		}
		for _, pkt := range packets {
			if _, err := conn.WriteTo(pkt, to); err != nil {
				t.Fatal(err)
			}
			time.Sleep(2 * time.Millisecond)
		}
		ts += 1600
	}
}

// waitForDigits waits until the payment's card number field holds n digits.
func waitForDigits(t testing.TB, h *harness, pr hushpay.Principal, paymentID string, n int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d keys in the card number field", n), func() bool {
		got, err := h.payments.Get(context.Background(), pr, paymentID)
		return err == nil && got.Fields[hushpay.FieldCardNumber].Length == n
	})
}

package b2bua_test

import (
	"context"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/pion/rtp"

	"github.com/hushpay/hushpay/internal/g711"
)

// needTools skips without the named programs, except in CI where it fails.
func needTools(t testing.TB, debianPackages string, names ...string) {
	t.Helper()
	for _, name := range names {
		if _, err := exec.LookPath(name); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required under CI (Debian packages %s)", name, debianPackages)
			}
			t.Skipf("%s not installed (apt-get install -y %s)", name, debianPackages)
		}
	}
}

// signallingAgent is an in-process agent side that answers PCMA with telephone-event on PT 101,
// records the RTP it receives, and can send INFO to the caller through hushpay (a start or stop
// signal for a scripted caller).
type signallingAgent struct {
	audio    *recording
	sessions chan *sipgo.DialogServerSession
	session  *sipgo.DialogServerSession
}

func startSignallingAgent(t testing.TB, h *harness) *signallingAgent {
	t.Helper()
	conn, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", h.agentPort))
	if err != nil {
		t.Fatal(err)
	}
	return startSignallingAgentOn(t, conn, nil, nil)
}

// startSignallingAgentTLS is a signalling agent on SIP over TLS: it listens on ln (its Contact has
// transport=tls) and trusts the test certificate when it connects to hushpay.
func startSignallingAgentTLS(t testing.TB, ln net.Listener, tt *testTLS) *signallingAgent {
	t.Helper()
	return startSignallingAgentOn(t, nil, ln, tt)
}

// startSignallingAgentOn runs the agent on a UDP socket, or on a TLS listener with tt's trust.
func startSignallingAgentOn(t testing.TB, conn net.PacketConn, ln net.Listener, tt *testTLS) *signallingAgent {
	t.Helper()
	uaOpts := []sipgo.UserAgentOption{sipgo.WithUserAgent("agent")}
	contact := sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "agent", Host: "127.0.0.1"}}
	if ln != nil {
		uaOpts = append(uaOpts, sipgo.WithUserAgenTLSConfig(tt.client()))
		contact.Address.Port = ln.Addr().(*net.TCPAddr).Port
		contact.Address.UriParams = sip.NewParams()
		contact.Address.UriParams.Add("transport", "tls")
	} else {
		contact.Address.Port = conn.LocalAddr().(*net.UDPAddr).Port
	}
	ua, err := sipgo.NewUA(uaOpts...)
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := sipgo.NewServer(ua)
	cli, _ := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"))
	dialogs := sipgo.NewDialogServerCache(cli, contact)
	rtpConn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rtpPort := rtpConn.LocalAddr().(*net.UDPAddr).Port
	a := &signallingAgent{audio: &recording{}, sessions: make(chan *sipgo.DialogServerSession, 1)}
	go func() {
		buf := make([]byte, 1500)
		for {
			n, _, err := rtpConn.ReadFrom(buf)
			if err != nil {
				return
			}
			a.audio.add(buf[:n])
		}
	}()
	srv.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
		ds, err := dialogs.ReadInvite(req, tx)
		if err != nil {
			return
		}
		_ = ds.Respond(sip.StatusRinging, "Ringing", nil)
		if err := ds.RespondSDP(agentSDP(rtpPort)); err != nil {
			return
		}
		select {
		case a.sessions <- ds:
		default:
		}
	})
	srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) { _ = dialogs.ReadAck(req, tx) })
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) { _ = dialogs.ReadBye(req, tx) })
	if ln != nil {
		go func() { _ = srv.ServeTLS(ln) }()
		t.Cleanup(func() { ln.Close(); rtpConn.Close(); ua.Close() })
		return a
	}
	go func() { _ = srv.ServeUDP(conn) }()
	t.Cleanup(func() { conn.Close(); rtpConn.Close(); ua.Close() })
	return a
}

// signal sends the caller an INFO (text/plain) through hushpay and requires a 200.
func (a *signallingAgent) signal(t testing.TB, what string) {
	t.Helper()
	if a.session == nil {
		select {
		case a.session = <-a.sessions:
		case <-time.After(10 * time.Second):
			t.Fatal("gave up waiting for the agent leg's INVITE")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	info := sip.NewRequest(sip.INFO, a.session.InviteRequest.Contact().Address)
	info.AppendHeader(sip.NewHeader("Content-Type", "text/plain"))
	info.SetBody([]byte(what))
	res, err := a.session.Do(ctx, info)
	if err != nil {
		t.Fatalf("INFO %s to the caller: %v", what, err)
	}
	if res.StatusCode != sip.StatusOK {
		t.Fatalf("INFO %s to the caller: %d %s", what, res.StatusCode, res.Reason)
	}
}

// frames decodes the agent's PCMA packets into 20 ms frames in arrival order, and counts the
// telephone-event (PT 101) packets for each event code.
func (a *signallingAgent) frames() (frames [][]int16, events map[byte]int) {
	events = map[byte]int{}
	var p rtp.Packet
	for _, b := range a.audio.all() {
		if err := p.Unmarshal(b); err != nil {
			continue
		}
		switch {
		case p.PayloadType == 8:
			pcm := make([]int16, len(p.Payload))
			g711.DecodeALawTo(pcm, p.Payload)
			frames = append(frames, pcm)
		case p.PayloadType == 101 && len(p.Payload) >= 4:
			events[p.Payload[0]]++
		}
	}
	return frames, events
}

// toneRuns returns the lengths, in frames, of the stretches of 440 Hz tone the frames hold: frames
// whose energy is mostly at 440 Hz, where a gap of fewer than 20 other frames (a start-up glitch, a
// lost packet) does not split a stretch, but the caller's keys between two tones do.
func toneRuns(frames [][]int16) []int {
	const maxGap = 20
	var runs []int
	start, last := -1, -1
	for i, f := range frames {
		if !is440(f) {
			continue
		}
		if start >= 0 && i-last > maxGap {
			runs = append(runs, last-start+1)
			start = -1
		}
		if start < 0 {
			start = i
		}
		last = i
	}
	if start >= 0 {
		runs = append(runs, last-start+1)
	}
	return runs
}

// is440 reports whether at least half of the frame's energy is at 440 Hz (Goertzel) and the frame
// is not silence.
func is440(frame []int16) bool {
	var total float64
	for _, s := range frame {
		total += float64(s) * float64(s)
	}
	if total/float64(len(frame)) < 1e5 { // below about -45 dBm0: silence
		return false
	}
	coeff := 2 * math.Cos(2*math.Pi*440/8000)
	var s1, s2 float64
	for _, s := range frame {
		s0 := float64(s) + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	power := s1*s1 + s2*s2 - coeff*s1*s2
	// A pure sine's Goertzel power over N samples is total*N/2.
	return power >= 0.5*total*float64(len(frame))/2
}

// startPcapCaller runs caller_pcap.xml with pcap as its caller.pcap, offering one G.711 codec
// and telephone-event on payload type 96.
func startPcapCaller(t testing.TB, bin string, h *harness, pcap []byte, codecPT uint8) *sipp {
	t.Helper()
	const scenario = "caller_pcap.xml"
	s := &sipp{name: scenario, dir: t.TempDir()}
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "sipp", scenario))
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string][]byte{scenario: data, "caller.pcap": pcap} {
		if err := os.WriteFile(filepath.Join(s.dir, name), body, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	codec := "PCMU"
	if codecPT == 8 {
		codec = "PCMA"
	}
	args := []string{"-sf", scenario, "-i", "127.0.0.1", "-mi", "127.0.0.1", "-p", strconv.Itoa(freePort(t)),
		"-mp", strconv.Itoa(freeMediaPort(t)), "-m", "1", "-l", "1", "-timeout", "25s", "-timeout_error",
		"-nostdin", "-trace_err", "-trace_msg",
		"-key", "codec_pt", strconv.Itoa(int(codecPT)), "-key", "codec_name", codec,
		"-s", "agents", h.b.Addr().String()}
	s.run(t, bin, args)
	return s
}

// freeMediaPort returns an even UDP port on 127.0.0.1 whose odd twin was also free a moment ago
// (sipp binds media port and port+2 for video; RTP wants an even port).
func freeMediaPort(t testing.TB) int {
	t.Helper()
	for range 50 {
		p := freePort(t)
		if p%2 != 0 || p+3 > 65535 {
			continue
		}
		ok := true
		for _, q := range []int{p + 1, p + 2, p + 3} {
			c, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", q))
			if err != nil {
				ok = false
				break
			}
			c.Close()
		}
		if ok {
			return p
		}
	}
	t.Fatal("no free even media port")
	return 0
}

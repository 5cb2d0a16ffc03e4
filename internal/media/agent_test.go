package media

import (
	"bytes"
	"context"
	"errors"
	"math"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/hushpay/hushpay/internal/dtmf"
	"github.com/hushpay/hushpay/internal/dtmf/rfc4733"
	"github.com/hushpay/hushpay/internal/multimon"
	"github.com/pion/rtp"
)

// peer is a fake phone on a loopback UDP socket that records every packet it receives.
type peer struct {
	conn    *net.UDPConn
	mu      sync.Mutex
	packets []rtp.Packet
	wg      sync.WaitGroup
}

func newPeer(t testing.TB, ip string) *peer {
	t.Helper()
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort(ip+":0")))
	if err != nil {
		t.Fatal(err)
	}
	return startPeer(t, conn)
}

// startPeer makes a peer of a bound socket.
func startPeer(t testing.TB, conn *net.UDPConn) *peer {
	p := &peer{conn: conn}
	p.wg.Add(1)
	go p.read()
	t.Cleanup(p.close)
	return p
}

func (p *peer) addr() netip.AddrPort { return p.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

func (p *peer) read() {
	defer p.wg.Done()
	buf := make([]byte, 2048)
	for {
		n, _, err := p.conn.ReadFromUDPAddrPort(buf)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		var pkt rtp.Packet
		if err != nil || pkt.Unmarshal(bytes.Clone(buf[:n])) != nil {
			continue
		}
		p.mu.Lock()
		p.packets = append(p.packets, pkt)
		p.mu.Unlock()
	}
}

func (p *peer) close() {
	_ = p.conn.Close()
	p.wg.Wait()
}

func (p *peer) received() []rtp.Packet {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]rtp.Packet(nil), p.packets...)
}

func (p *peer) sendTo(t testing.TB, to netip.AddrPort, pkt []byte) {
	t.Helper()
	if _, err := p.conn.WriteToUDPAddrPort(pkt, to); err != nil {
		t.Fatal(err)
	}
}

// audioOf assembles the audio packets of pt on their timestamps (gaps are silence) and returns
// the samples with the timestamp of the first.
func audioOf(packets []rtp.Packet, pt uint8, c Codec) ([]int16, uint32) {
	var base uint32
	var out []int16
	found := false
	for _, p := range packets {
		if p.PayloadType != pt {
			continue
		}
		if !found {
			base, found = p.Timestamp, true
		}
		at := int(int32(p.Timestamp - base))
		if at < 0 {
			continue
		}
		if need := at + len(p.Payload); need > len(out) {
			out = append(out, make([]int16, need-len(out))...)
		}
		decode(c, out[at:at+len(p.Payload)], p.Payload)
	}
	return out, base
}

// eventKeys returns the keys of the telephone events of pt in packets, once per press.
func eventKeys(packets []rtp.Packet, pt uint8) string {
	var keys strings.Builder
	seen := map[uint32]bool{}
	for _, p := range packets {
		var ev rfc4733.Payload
		if p.PayloadType != pt || seen[p.Timestamp] || ev.Unmarshal(p.Payload) != nil {
			continue
		}
		seen[p.Timestamp] = true
		if k, ok := rfc4733.KeyOf(ev.Event); ok {
			keys.WriteByte(k)
		}
	}
	return keys.String()
}

// hushpayDigits runs hushpay's own detector over samples.
func hushpayDigits(samples []int16) string {
	var keys strings.Builder
	d := dtmf.NewDetector()
	fn := func(e dtmf.Event) {
		if e.Kind == dtmf.KeyDown {
			keys.WriteByte(e.Press.Key)
		}
	}
	d.Process(samples, fn)
	d.Flush(fn)
	return keys.String()
}

// requirePeer skips the test when a program it needs is missing, except under CI=true.
func requirePeer(t *testing.T, names ...string) {
	t.Helper()
	for _, name := range names {
		if _, err := exec.LookPath(name); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required under CI (Debian package multimon-ng / sox)", name)
			}
			t.Skipf("%s not installed: apt-get install -y multimon-ng sox", name)
		}
	}
}

// multimonDigits decodes samples with multimon-ng, an independent DTMF decoder.
func multimonDigits(t *testing.T, samples []int16) string {
	t.Helper()
	keys, err := multimon.Keys(context.Background(), samples)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// dtmfPairLevel returns the level, in dBm0, of the strongest DTMF pair in a window: the weaker
// of the strongest low-group and the strongest high-group tone (Goertzel at the 8 frequencies).
func dtmfPairLevel(window []int16) float64 {
	var best [2]float64
	for i, f := range []float64{697, 770, 852, 941, 1209, 1336, 1477, 1633} {
		w := 2 * math.Pi * f / dtmf.SampleRate
		c := 2 * math.Cos(w)
		var s1, s2 float64
		for _, x := range window {
			s1, s2 = float64(x)+c*s1-s2, s1
		}
		mag := math.Sqrt(s1*s1 + s2*s2 - c*s1*s2)
		amp := 2 * mag / float64(len(window)) // the amplitude of a sine at f
		best[i/4] = max(best[i/4], amp)
	}
	weaker := min(best[0], best[1])
	if weaker == 0 {
		return math.Inf(-1)
	}
	return 20 * math.Log10(weaker/dtmf.Amplitude(0))
}

package b2bua_test

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// callerSDP is the offer of the in-process caller: PCMU, PCMA and telephone-event on PT 96.
func callerSDP(port int) []byte {
	return fmt.Appendf(nil, "v=0\r\no=caller 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"+
		"m=audio %d RTP/AVP 0 8 96\r\na=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-16\r\n", port)
}

// agentSDP is the in-process agent's answer: PCMA and telephone-event on PT 101.
func agentSDP(port int) []byte {
	return fmt.Appendf(nil, "v=0\r\no=agent 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"+
		"m=audio %d RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\n", port)
}

// startAgent runs an in-process SIP agent on h.agentPort that answers every INVITE with
// agentSDP, and returns the INVITEs it received.
func startAgent(t testing.TB, h *harness) <-chan *sip.Request {
	t.Helper()
	a := startAgentWithInfo(t, h)
	return a.invites
}

// agentPeer is what the in-process agent saw: INVITEs, INFOs, and whether RTP reached it.
type agentPeer struct {
	invites, infos <-chan *sip.Request
	byes           <-chan *sip.Request // the BYEs it received (the first few)
	media          <-chan struct{}     // closed at the first RTP packet the agent receives
	audio          *recording          // every RTP packet the agent receives
}

// recording keeps RTP packets as they arrive.
type recording struct {
	mu      sync.Mutex
	packets [][]byte
}

func (r *recording) add(p []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.packets = append(r.packets, append([]byte(nil), p...))
}

func (r *recording) all() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.packets...)
}

// startAgentWithInfo is startAgent that also answers INFO 200, and reports the INFOs and the
// first RTP packet it receives.
func startAgentWithInfo(t testing.TB, h *harness) agentPeer {
	t.Helper()
	return startAgentOn(t, h.agentPort)
}

// startAgentOn is startAgentWithInfo listening on 127.0.0.1:port.
func startAgentOn(t testing.TB, port int) agentPeer {
	t.Helper()
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("agent"))
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := sipgo.NewServer(ua)
	cli, _ := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"))
	contact := sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "agent", Host: "127.0.0.1", Port: port}}
	dialogs := sipgo.NewDialogServerCache(cli, contact)
	inviteCh, infoCh := make(chan *sip.Request, 8), make(chan *sip.Request, 32)
	rtpConn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rtpPort := rtpConn.LocalAddr().(*net.UDPAddr).Port
	media, audio := make(chan struct{}), &recording{}
	go func() {
		buf := make([]byte, 1500)
		for first := true; ; first = false {
			n, _, err := rtpConn.ReadFrom(buf)
			if err != nil {
				return
			}
			audio.add(buf[:n])
			if first {
				close(media)
			}
		}
	}()
	srv.OnInfo(func(req *sip.Request, tx sip.ServerTransaction) {
		select {
		case infoCh <- req:
		default:
		}
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	})
	srv.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
		select { // keep the first few; never block the agent on a reader
		case inviteCh <- req:
		default:
		}
		ds, err := dialogs.ReadInvite(req, tx)
		if err != nil {
			return
		}
		_ = ds.Respond(sip.StatusRinging, "Ringing", nil)
		_ = ds.RespondSDP(agentSDP(rtpPort))
	})
	srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) { _ = dialogs.ReadAck(req, tx) })
	byeCh := make(chan *sip.Request, 8)
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		select {
		case byeCh <- req:
		default:
		}
		_ = dialogs.ReadBye(req, tx)
	})
	conn, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.ServeUDP(conn) }()
	t.Cleanup(func() { conn.Close(); rtpConn.Close(); ua.Close() })
	return agentPeer{invites: inviteCh, infos: infoCh, byes: byeCh, media: media, audio: audio}
}

// caller is an in-process SIP caller.
type caller struct {
	dialogs *sipgo.DialogUA
	target  sip.Uri
}

func newCaller(t testing.TB, h *harness) *caller {
	t.Helper()
	return newCallerFrom(t, h, "127.0.0.1", "agents")
}

// newCallerFrom is a caller that sends from ip (a loopback address) and calls user at hushpay.
func newCallerFrom(t testing.TB, h *harness, ip, user string) *caller {
	t.Helper()
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("caller"))
	if err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	opts := []sipgo.ClientOption{sipgo.WithClientHostname(ip)}
	if ip != "127.0.0.1" {
		opts = append(opts, sipgo.WithClientConnectionAddr(fmt.Sprintf("%s:%d", ip, port)))
	}
	cli, _ := sipgo.NewClient(ua, opts...)
	t.Cleanup(func() { ua.Close() })
	contact := sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "caller", Host: ip, Port: port}}
	addr := h.b.Addr()
	return &caller{dialogs: &sipgo.DialogUA{Client: cli, ContactHDR: contact},
		target: sip.Uri{Scheme: "sip", User: user, Host: addr.Addr().String(), Port: int(addr.Port())}}
}

// call places a call with body as the offer and waits for the final answer.
func (c *caller) call(t testing.TB, body []byte) (*sipgo.DialogClientSession, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ct := sip.ContentTypeHeader("application/sdp")
	sess, err := c.dialogs.Invite(ctx, c.target, body, &ct)
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		return sess, err
	}
	if err := sess.Ack(ctx); err != nil {
		t.Fatal(err)
	}
	return sess, nil
}

// options sends OPTIONS to the B2BUA and returns the status code.
func (c *caller) options(t testing.TB) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := c.dialogs.Client.Do(ctx, sip.NewRequest(sip.OPTIONS, c.target))
	if err != nil {
		t.Fatalf("OPTIONS: %v", err)
	}
	return res.StatusCode
}

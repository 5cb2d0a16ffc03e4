package demo

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// agentPhone is the simulated agent phone: a SIP user agent that answers the call hushpay places
// towards the contact center, talks back (a low two-pitch voice), and records every RTP packet it
// receives, which is exactly what the agent would hear.
type agentPhone struct {
	ua       *sipgo.UserAgent
	sipConn  net.PacketConn
	rtpConn  net.PacketConn
	heard    recording
	callIDs  chan string   // the X-Hushpay-Call-Id of each INVITE
	hungUp   chan struct{} // closed at the first BYE
	byeOnce  sync.Once
	ctx      context.Context // ends when the phone closes
	stopTalk context.CancelFunc
	mu       sync.Mutex // guards talking.Go against Close
	closed   bool
	talking  sync.WaitGroup
	log      *slog.Logger
}

// startAgentPhone listens for SIP and RTP on free loopback ports.
func startAgentPhone(log *slog.Logger) (*agentPhone, error) {
	a := &agentPhone{callIDs: make(chan string, 1), hungUp: make(chan struct{}), log: log}
	a.ctx, a.stopTalk = context.WithCancel(context.Background())
	var err error
	if a.rtpConn, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
		return nil, err
	}
	if a.sipConn, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
		a.rtpConn.Close()
		return nil, err
	}
	if a.ua, err = sipgo.NewUA(sipgo.WithUserAgent("hushpay-demo-agent-phone")); err != nil {
		a.rtpConn.Close()
		a.sipConn.Close()
		return nil, err
	}
	srv, _ := sipgo.NewServer(a.ua)
	cli, _ := sipgo.NewClient(a.ua, sipgo.WithClientHostname("127.0.0.1"))
	contact := sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "agent", Host: "127.0.0.1", Port: a.sipPort()}}
	dialogs := sipgo.NewDialogServerCache(cli, contact)
	srv.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) { a.answer(dialogs, req, tx) })
	srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) { _ = dialogs.ReadAck(req, tx) })
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = dialogs.ReadBye(req, tx)
		a.byeOnce.Do(func() { close(a.hungUp) })
	})
	go a.heard.receive(a.rtpConn)
	go func() { _ = srv.ServeUDP(a.sipConn) }()
	return a, nil
}

// sipPort is the UDP port the phone takes calls on.
func (a *agentPhone) sipPort() int { return a.sipConn.LocalAddr().(*net.UDPAddr).Port }

// answer rings, answers with PCMU, and starts talking to the media address of hushpay's offer.
func (a *agentPhone) answer(dialogs *sipgo.DialogServerCache, req *sip.Request, tx sip.ServerTransaction) {
	target, _, err := mediaTarget(req.Body())
	if err != nil {
		a.log.Warn("agent phone: unusable offer", "err", err)
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusNotAcceptableHere, "Not Acceptable Here", nil))
		return
	}
	ds, err := dialogs.ReadInvite(req, tx)
	if err != nil {
		return
	}
	id := ""
	if h := req.GetHeader("X-Hushpay-Call-Id"); h != nil {
		id = h.Value()
	}
	select {
	case a.callIDs <- id:
	default:
	}
	_ = ds.Respond(sip.StatusRinging, "Ringing", nil)
	if err := ds.RespondSDP(offerSDP("agent", a.rtpConn.LocalAddr().(*net.UDPAddr).Port)); err != nil {
		a.log.Warn("agent phone: answer failed", "err", err)
		return
	}
	out := newRTPOut(a.rtpConn, target, 0xA6E27)
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.closed {
		a.talking.Go(func() { talk(a.ctx, out, newVoice(300, 380), nil) })
	}
}

// Close stops talking and closes the phone's sockets.
func (a *agentPhone) Close() {
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	a.stopTalk()
	a.talking.Wait()
	a.rtpConn.Close()
	a.sipConn.Close()
	a.ua.Close()
}

// talk sends a 20 ms frame of v every 20 ms until ctx ends; when keys is not nil, queued key
// presses take the place of the voice while they last.
func talk(ctx context.Context, out *rtpOut, v *voice, keys *keypad) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	frame := make([]int16, frameSamples)
	var ts uint32
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if keys == nil || !keys.next(out, ts) {
			v.fill(frame)
			_ = out.sendAudio(frame, ts)
		}
		ts += frameSamples
	}
}

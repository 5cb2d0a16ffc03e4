package demo

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sync"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// callerPhone is the simulated caller: a SIP user agent that calls hushpay as a carrier would,
// talks (a 440/660 Hz voice), keys digits on request, records what it hears, and hangs up.
type callerPhone struct {
	ua      *sipgo.UserAgent
	dialogs *sipgo.DialogUA
	sipConn net.PacketConn
	rtpConn net.PacketConn
	sess    *sipgo.DialogClientSession
	keys    *keypad
	heard   recording
	stop    context.CancelFunc
	talking sync.WaitGroup
}

// startCallerPhone opens the caller's SIP and RTP sockets on free loopback ports.
func startCallerPhone() (*callerPhone, error) {
	c := &callerPhone{stop: func() {}}
	var err error
	if c.rtpConn, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
		return nil, err
	}
	if c.sipConn, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
		c.rtpConn.Close()
		return nil, err
	}
	if c.ua, err = sipgo.NewUA(sipgo.WithUserAgent("hushpay-demo-caller")); err != nil {
		c.rtpConn.Close()
		c.sipConn.Close()
		return nil, err
	}
	srv, _ := sipgo.NewServer(c.ua)
	cli, _ := sipgo.NewClient(c.ua, sipgo.WithClientHostname("127.0.0.1"))
	port := c.sipConn.LocalAddr().(*net.UDPAddr).Port
	c.dialogs = &sipgo.DialogUA{Client: cli,
		ContactHDR: sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "caller", Host: "127.0.0.1", Port: port}}}
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	})
	go func() { _ = srv.ServeUDP(c.sipConn) }()
	go c.heard.receive(c.rtpConn)
	return c, nil
}

// call places the call to hushpay, waits for the answer, acknowledges it and starts talking to
// the media address of hushpay's answer.
func (c *callerPhone) call(ctx context.Context, hushpayAddr netip.AddrPort) error {
	target := sip.Uri{Scheme: "sip", User: "agents", Host: hushpayAddr.Addr().String(), Port: int(hushpayAddr.Port())}
	ct := sip.ContentTypeHeader("application/sdp")
	sess, err := c.dialogs.Invite(ctx, target, offerSDP("caller", c.rtpConn.LocalAddr().(*net.UDPAddr).Port), &ct)
	if err != nil {
		return fmt.Errorf("INVITE: %w", err)
	}
	c.sess = sess
	if err := sess.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		return fmt.Errorf("waiting for the answer: %w", err)
	}
	if err := sess.Ack(ctx); err != nil {
		return fmt.Errorf("ACK: %w", err)
	}
	to, eventPT, err := mediaTarget(sess.InviteResponse.Body())
	if err != nil {
		return fmt.Errorf("hushpay's answer: %w", err)
	}
	if eventPT == 0 {
		return fmt.Errorf("hushpay's answer has no telephone-event")
	}
	const ssrc = 0xCA11E7
	c.keys = newKeypad(eventPT, ssrc)
	talkCtx, stop := context.WithCancel(context.Background())
	c.stop = stop
	out := newRTPOut(c.rtpConn, to, ssrc)
	c.talking.Go(func() { talk(talkCtx, out, newVoice(440, 660), c.keys) })
	return nil
}

// press keys the steps and returns when they have been sent.
func (c *callerPhone) press(ctx context.Context, steps []step) error {
	return c.keys.press(ctx, steps)
}

// hangUp stops talking and sends BYE.
func (c *callerPhone) hangUp(ctx context.Context) error {
	c.stop()
	c.talking.Wait()
	if err := c.sess.Bye(ctx); err != nil {
		return fmt.Errorf("BYE: %w", err)
	}
	return nil
}

// Close stops talking and closes the phone's sockets.
func (c *callerPhone) Close() {
	c.stop()
	c.talking.Wait()
	if c.sess != nil {
		_ = c.sess.Close()
	}
	c.rtpConn.Close()
	c.sipConn.Close()
	c.ua.Close()
}

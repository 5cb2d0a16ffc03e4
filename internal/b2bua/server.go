package b2bua

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/hushpay/hushpay/internal/media"
)

// B2BUA is hushpay's SIP back-to-back user agent. Create it with New, Start it, and Close it.
type B2BUA struct {
	cfg Config
	log *slog.Logger

	ua        *sipgo.UserAgent
	srv       *sipgo.Server
	udpDialog *sipgo.DialogUA // sends from the UDP listening socket
	tcpDialog *sipgo.DialogUA // opens its own TCP connections
	tlsDialog *sipgo.DialogUA // opens its own TLS connections; its Contact is the TLS listener (nil without TLS)
	addr      netip.AddrPort  // where UDP and TCP listen
	tlsAddr   netip.AddrPort  // where TLS listens (zero without TLS)
	mediaIP   netip.Addr      // the relay binds it
	sdpIP     netip.Addr      // written in SDP: AdvertiseIP, else mediaIP

	calls *registry
	turn  atomic.Uint64 // the next media loop, round-robin

	listeners []net.Listener
	udp       net.PacketConn
	wg        sync.WaitGroup // listener loops and calls' goroutines, started by spawn
	spawnMu   sync.Mutex     // orders spawn's wg.Add before Close's wg.Wait
	closing   bool           // Close has begun: spawn starts nothing more
	ctx       context.Context
	cancel    context.CancelFunc
}

// New checks the configuration and builds the B2BUA; Start binds its sockets.
func New(cfg Config) (*B2BUA, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	b := &B2BUA{cfg: cfg, log: cfg.Logger.With("component", "b2bua"), calls: newRegistry()}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	b.followPayments()
	return b, nil
}

// nextLoop returns the media loop for a new call, or nil when the relays read on their own.
func (b *B2BUA) nextLoop() *media.Loop {
	if len(b.cfg.Loops) == 0 {
		return nil
	}
	return b.cfg.Loops[(b.turn.Add(1)-1)%uint64(len(b.cfg.Loops))]
}

// Addr returns the address the UDP and TCP listeners are bound to (after Start).
func (b *B2BUA) Addr() netip.AddrPort { return b.addr }

// Start binds UDP and TCP on cfg.Addr (and TLS when configured) and serves until Close.
func (b *B2BUA) Start() error {
	udp, tcp, err := listenPair(b.cfg.Addr)
	if err != nil {
		return err
	}
	b.udp = udp
	b.addr = udp.LocalAddr().(*net.UDPAddr).AddrPort()
	b.addr = netip.AddrPortFrom(b.addr.Addr().Unmap(), b.addr.Port())
	b.listeners = append(b.listeners, tcp)
	b.mediaIP = b.cfg.MediaIP
	if !b.mediaIP.IsValid() {
		b.mediaIP = b.addr.Addr()
		if b.mediaIP.IsUnspecified() {
			b.mediaIP = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		}
	}
	b.sdpIP = b.mediaIP
	if b.cfg.AdvertiseIP.IsValid() {
		b.sdpIP = b.cfg.AdvertiseIP.Unmap()
	}
	var tlsLn net.Listener
	if b.cfg.TLSCert != "" && b.cfg.TLSKey != "" {
		if tlsLn, err = b.listenTLS(); err != nil {
			b.closeListeners()
			return err
		}
		b.listeners = append(b.listeners, tlsLn)
	}
	if err := b.build(); err != nil {
		b.closeListeners()
		return err
	}
	b.serve(func() error { return b.srv.ServeUDP(udp) })
	b.serve(func() error { return b.srv.ServeTCP(tcp) })
	if tlsLn != nil {
		b.serve(func() error { return b.srv.ServeTLS(tlsLn) })
	}
	tlsAddr := "off"
	if b.tlsAddr.IsValid() {
		tlsAddr = b.tlsAddr.String()
	}
	b.log.Info("SIP listening", "addr", b.addr.String(), "media_ip", b.mediaIP.String(), "sdp_ip", b.sdpIP.String(), "tls", tlsAddr)
	return nil
}

// TLSAddr returns the address the SIP over TLS listener is bound to (after Start), or the zero
// value without TLS.
func (b *B2BUA) TLSAddr() netip.AddrPort { return b.tlsAddr }

// pairAttempts is how often listenPair tries a free port when the address asks for port 0.
const pairAttempts = 10

// listenPair binds UDP and TCP on the same address. With port 0 it takes a free UDP port and
// tries again when its TCP twin is taken.
func listenPair(addr string) (net.PacketConn, net.Listener, error) {
	_, port, _ := net.SplitHostPort(addr)
	var lastErr error
	for range pairAttempts {
		udp, err := net.ListenPacket("udp", addr)
		if err != nil {
			return nil, nil, fmt.Errorf("b2bua: listen udp: %w", err)
		}
		tcp, err := net.Listen("tcp", udp.LocalAddr().String())
		if err == nil {
			return udp, tcp, nil
		}
		udp.Close()
		lastErr = err
		if port != "0" {
			break
		}
	}
	return nil, nil, fmt.Errorf("b2bua: listen tcp: %w", lastErr)
}

// build creates the sipgo user agent, server, clients and handlers.
func (b *B2BUA) build() error {
	host := b.addr.Addr().String()
	libLog := LibraryLogger(b.cfg.Logger)
	clientTLS, err := b.clientTLS()
	if err != nil {
		return err
	}
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("hushpay"), sipgo.WithUserAgentHostname(host), sipgo.WithUserAgenTLSConfig(clientTLS),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(libLog)),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(libLog)))
	if err != nil {
		return fmt.Errorf("b2bua: %w", err)
	}
	b.ua = ua
	if b.srv, err = sipgo.NewServer(ua, sipgo.WithServerLogger(libLog)); err != nil {
		return fmt.Errorf("b2bua: %w", err)
	}
	udpClient, err := sipgo.NewClient(ua, sipgo.WithClientLogger(libLog), sipgo.WithClientHostname(host),
		sipgo.WithClientConnectionAddr(b.addr.String()))
	if err != nil {
		return fmt.Errorf("b2bua: %w", err)
	}
	tcpClient, err := sipgo.NewClient(ua, sipgo.WithClientLogger(libLog), sipgo.WithClientHostname(host))
	if err != nil {
		return fmt.Errorf("b2bua: %w", err)
	}
	contactHost := host
	if b.cfg.ContactHost != "" {
		contactHost = b.cfg.ContactHost
	}
	contact := sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "hushpay", Host: contactHost, Port: int(b.addr.Port())}}
	b.udpDialog = &sipgo.DialogUA{Client: udpClient, ContactHDR: contact}
	b.tcpDialog = &sipgo.DialogUA{Client: tcpClient, ContactHDR: contact}
	if b.tlsAddr.IsValid() {
		tlsContact := sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "hushpay", Host: contactHost, Port: int(b.tlsAddr.Port()),
			UriParams: sip.NewParams()}}
		tlsContact.Address.UriParams.Add("transport", "tls")
		b.tlsDialog = &sipgo.DialogUA{Client: tcpClient, ContactHDR: tlsContact}
	}
	b.srv.OnInvite(b.checked(b.onInvite))
	b.srv.OnAck(b.checked(b.onAck))
	b.srv.OnBye(b.checked(b.onBye))
	b.srv.OnUpdate(b.checked(b.onUpdate))
	b.srv.OnInfo(b.checked(b.onInfo))
	b.srv.OnOptions(b.checked(b.onOptions))
	b.srv.OnCancel(b.checked(b.onCancel))
	b.srv.OnNoRoute(b.checked(b.onUnsupported))
	return nil
}

// listenTLS binds the SIP over TLS listener (TLSAddr, default port 5061 of the SIP host).
func (b *B2BUA) listenTLS() (net.Listener, error) {
	cert, err := tls.LoadX509KeyPair(b.cfg.TLSCert, b.cfg.TLSKey)
	if err != nil {
		return nil, fmt.Errorf("b2bua: tls: %w", err)
	}
	addr := b.cfg.TLSAddr
	if addr == "" {
		addr = net.JoinHostPort(b.addr.Addr().String(), "5061")
	}
	ln, err := tls.Listen("tcp", addr, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	if err != nil {
		return nil, fmt.Errorf("b2bua: listen tls: %w", err)
	}
	ap := ln.Addr().(*net.TCPAddr).AddrPort()
	b.tlsAddr = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	return ln, nil
}

// clientTLS is the TLS configuration of onward connections: the system's roots, or the CA
// certificates of TLSCA when set.
func (b *B2BUA) clientTLS() (*tls.Config, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	if b.cfg.TLSCA == "" {
		return conf, nil
	}
	pem, err := os.ReadFile(b.cfg.TLSCA)
	if err != nil {
		return nil, fmt.Errorf("b2bua: tls ca: %w", err)
	}
	conf.RootCAs = x509.NewCertPool()
	if !conf.RootCAs.AppendCertsFromPEM(pem) {
		return nil, errors.New("b2bua: tls ca: no PEM certificate in the file")
	}
	return conf, nil
}

func (b *B2BUA) serve(run func() error) {
	b.spawn(func() {
		if err := run(); err != nil && !errors.Is(err, net.ErrClosed) && b.ctx.Err() == nil {
			b.log.Error("SIP listener stopped", "err", err)
		}
	})
}

// spawn runs fn in a goroutine that Close waits for. Once Close has begun it starts nothing and
// reports false: a SIP handler still placing a call when Close runs would otherwise add to the
// WaitGroup while Close waits on it.
func (b *B2BUA) spawn(fn func()) bool {
	b.spawnMu.Lock()
	defer b.spawnMu.Unlock()
	if b.closing {
		return false
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		fn()
	}()
	return true
}

// Close hangs up every call (BYE on both legs), stops the listeners and waits.
func (b *B2BUA) Close() error {
	b.cancel()
	b.spawnMu.Lock()
	b.closing = true
	b.spawnMu.Unlock()
	var hangups sync.WaitGroup
	for _, c := range b.calls.all() {
		hangups.Go(func() { c.hangup(context.Background(), "shutdown") })
	}
	hangups.Wait()
	b.closeListeners()
	if b.ua != nil {
		b.ua.Close()
	}
	b.wg.Wait()
	return nil
}

func (b *B2BUA) closeListeners() {
	if b.udp != nil {
		b.udp.Close()
	}
	for _, l := range b.listeners {
		l.Close()
	}
}

// dialogUA returns the dialog user agent that reaches a target over its transport.
func (b *B2BUA) dialogUA(transport string) *sipgo.DialogUA {
	switch sip.NetworkToLower(transport) {
	case "", "udp":
		return b.udpDialog
	case "tls":
		if b.tlsDialog != nil {
			return b.tlsDialog
		}
	}
	return b.tcpDialog
}

// onOptions answers keep-alives (in or out of a dialog) with 200 and what hushpay allows.
func (b *B2BUA) onOptions(req *sip.Request, tx sip.ServerTransaction) {
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	res.AppendHeader(sip.NewHeader("Allow", allowed))
	res.AppendHeader(sip.NewHeader("Accept", "application/sdp"))
	res.AppendHeader(sip.NewHeader("Supported", "timer"))
	b.respond(tx, res)
}

// allowed is the Allow header value: the methods hushpay handles.
const allowed = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE"

// onUnsupported answers methods hushpay does not handle (REGISTER, SUBSCRIBE, REFER, …) with 405.
func (b *B2BUA) onUnsupported(req *sip.Request, tx sip.ServerTransaction) {
	if req.IsAck() || tx == nil {
		return
	}
	res := sip.NewResponseFromRequest(req, sip.StatusMethodNotAllowed, "Method Not Allowed", nil)
	res.AppendHeader(sip.NewHeader("Allow", allowed))
	b.respond(tx, res)
}

// respond sends a response on a server transaction and logs a failure.
func (b *B2BUA) respond(tx sip.ServerTransaction, res *sip.Response) {
	if err := tx.Respond(res); err != nil {
		b.log.Debug("response not sent", "status", res.StatusCode, "err", err)
	}
}

// reply answers a request with a status and no body.
func (b *B2BUA) reply(req *sip.Request, tx sip.ServerTransaction, code int, reason string) {
	b.respond(tx, sip.NewResponseFromRequest(req, code, reason, nil))
}

// wellFormed reports whether a request has the headers every handler relies on (sipgo parses
// requests that lack some of them).
func wellFormed(req *sip.Request) bool {
	if req.CallID() == nil || req.From() == nil || req.To() == nil || req.CSeq() == nil {
		return false
	}
	return !req.IsInvite() || req.Contact() != nil
}

// checked wraps a handler so that requests missing a required header get 400, and requests
// that require an extension hushpay does not do get 420, and go no further.
func (b *B2BUA) checked(h sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		if !wellFormed(req) {
			if tx != nil && !req.IsAck() {
				b.reply(req, tx, sip.StatusBadRequest, "Missing Required Header")
			}
			return
		}
		if unknown := unsupported(req); len(unknown) > 0 && tx != nil {
			res := sip.NewResponseFromRequest(req, sip.StatusBadExtension, "Bad Extension", nil)
			res.AppendHeader(sip.NewHeader("Unsupported", strings.Join(unknown, ", ")))
			b.respond(tx, res)
			return
		}
		h(req, tx)
	}
}

// extensions are the option tags hushpay does: session timers (RFC 4028). A caller that requires
// reliable provisional responses (100rel) or anything else gets 420 naming it (RFC 3261 8.2.2.3)
// and can retry without it, as carriers do.
var extensions = map[string]bool{"timer": true}

// unsupported returns the option tags of the request's Require headers that hushpay does not do.
// ACK and CANCEL are exempt: RFC 3261 8.2.2.3 has them processed whatever they require.
func unsupported(req *sip.Request) []string {
	if req.IsAck() || req.IsCancel() {
		return nil
	}
	var unknown []string
	for _, hdr := range req.GetHeaders("Require") {
		for tag := range strings.SplitSeq(hdr.Value(), ",") {
			if tag = strings.ToLower(strings.TrimSpace(tag)); tag != "" && !extensions[tag] {
				unknown = append(unknown, tag)
			}
		}
	}
	return unknown
}

// sourceAddr returns the address a request came from.
func sourceAddr(req *sip.Request) netip.Addr {
	host, _, err := net.SplitHostPort(req.Source())
	if err != nil {
		return netip.Addr{}
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

// headerInt reads a numeric header value (up to its first ';'), or 0.
func headerInt(req sip.Message, name string) int {
	hs := req.GetHeaders(name)
	if len(hs) == 0 {
		return 0
	}
	v := strings.TrimSpace(hs[0].Value())
	for i, c := range v {
		if c < '0' || c > '9' {
			v = v[:i]
			break
		}
	}
	n, _ := strconv.Atoi(v)
	return n
}

package main

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"runtime"

	"github.com/hushpay/hushpay/internal/b2bua"
	"github.com/hushpay/hushpay/internal/config"
	"github.com/hushpay/hushpay/internal/media"
)

// startVoice builds the SIP B2BUA and its media relay from the configuration (HUSHPAY_SIP_ADDR,
// HUSHPAY_SIP_ROUTES, HUSHPAY_SIP_ROUTE, HUSHPAY_SIP_CONTACT_HOST, HUSHPAY_RTP_PORTS,
// HUSHPAY_MEDIA_ADDR, HUSHPAY_MASK_MODE, HUSHPAY_MASK_SCOPE, the TLS certificate for SIP over TLS and HUSHPAY_SIP_TLS_CA for onward
// TLS) and starts it. stop hangs up every call and closes the sockets.
func startVoice(_ context.Context, a *app) (stop func(), err error) {
	low, high, err := a.cfg.RTPPortRange()
	if err != nil {
		return nil, fmt.Errorf("invalid setting rtp_ports (HUSHPAY_RTP_PORTS): %w", err)
	}
	ports, err := media.NewPortAllocator(low, high)
	if err != nil {
		return nil, fmt.Errorf("invalid setting rtp_ports (HUSHPAY_RTP_PORTS): %w", err)
	}
	mode, err := media.ParseMaskMode(a.cfg.MaskMode)
	if err != nil {
		return nil, fmt.Errorf("invalid setting mask_mode (HUSHPAY_MASK_MODE): %w", err)
	}
	scope, err := media.ParseMaskScope(a.cfg.MaskScope)
	if err != nil {
		return nil, fmt.Errorf("invalid setting mask_scope (HUSHPAY_MASK_SCOPE): %w", err)
	}
	routes, err := voiceRoutes(a.cfg)
	if err != nil {
		return nil, err
	}
	var advertise netip.Addr
	if a.cfg.MediaAddr != "" {
		if advertise, err = netip.ParseAddr(a.cfg.MediaAddr); err != nil {
			return nil, fmt.Errorf("invalid setting media_addr (HUSHPAY_MEDIA_ADDR): %w", err)
		}
	}
	loops := mediaLoops(a)
	closeLoops := func() {
		for _, l := range loops {
			_ = l.Close()
		}
	}
	b2bua.UseLibraryLogger(a.log) // sipgo's own lines: messages only, never a SIP message
	b, err := b2bua.New(b2bua.Config{Addr: a.cfg.SIPAddr, TLSCert: a.cfg.TLSCert, TLSKey: a.cfg.TLSKey,
		TLSAddr: a.cfg.SIPTLSAddr, TLSCA: a.cfg.SIPTLSCA, AdvertiseIP: advertise, ContactHost: a.cfg.SIPContact,
		Routes: routes, Ports: ports, Loops: loops, Mode: mode, Scope: scope, Calls: a.store, Payments: a.payments,
		Node: a.node, Logger: a.log})
	if err != nil {
		closeLoops()
		return nil, err
	}
	if err := b.Start(); err != nil {
		closeLoops()
		return nil, err
	}
	if a.cfg.SIPRoute == "" && len(a.cfg.SIPRoutes) == 0 {
		a.log.Warn("no sip_route (HUSHPAY_SIP_ROUTE) set: inbound calls are answered 404 until one is")
	}
	return func() { _ = b.Close(); closeLoops() }, nil
}

// voiceRoutes builds the route table: the sip_routes entries in order, then sip_route as the
// catch-all of tenant "default".
func voiceRoutes(cfg config.Config) (*b2bua.Router, error) {
	routes := make([]b2bua.Route, 0, len(cfg.SIPRoutes))
	for i, r := range cfg.SIPRoutes {
		bad := func(key string, err error) error {
			return fmt.Errorf("invalid setting sip_routes (HUSHPAY_SIP_ROUTES): entry %d: %s: %w", i+1, key, err)
		}
		src, err := r.SourcePrefix()
		if err != nil {
			return nil, bad("source", errors.New("want a CIDR or a single IP address"))
		}
		target, err := b2bua.ParseTarget(r.Target)
		if err != nil {
			return nil, bad("target", err)
		}
		routes = append(routes, b2bua.Route{User: r.User, Source: src, Target: target, Tenant: r.Tenant})
	}
	router, err := b2bua.NewRouter(cfg.SIPRoute, routes...)
	if err != nil {
		return nil, fmt.Errorf("invalid setting sip_route (HUSHPAY_SIP_ROUTE): %w", err)
	}
	return router, nil
}

// mediaLoops returns the media loops (epoll + batched I/O, Linux) that media_loops asks for (auto:
// one per CPU but one), or none where loops are not available, in which case each call's relay
// reads its own sockets.
func mediaLoops(a *app) []*media.Loop {
	n, _ := a.cfg.MediaLoopCount(runtime.NumCPU()) // validated at load
	var loops []*media.Loop
	for range n {
		l, err := media.NewLoop()
		if err != nil {
			a.log.Info("media loops unavailable: each call's relay reads its own sockets", "err", err)
			for _, l := range loops {
				_ = l.Close()
			}
			return nil
		}
		loops = append(loops, l)
	}
	a.log.Info("media relay", "loops", len(loops))
	return loops
}

package payments

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/audit"
	"github.com/hushpay/hushpay/internal/capture"
	"github.com/hushpay/hushpay/internal/processor"
	"github.com/hushpay/hushpay/internal/vault"
)

// Config wires the service to its dependencies.
type Config struct {
	Store       hushpay.Store
	Vault       *vault.Vault
	Processors  *processor.Registry // the configured connectors and the default one
	Audit       *audit.Log
	Clock       hushpay.Clock
	Logger      *slog.Logger
	PaymentTTL  time.Duration         // default 15 minutes
	LinkTTL     time.Duration         // default 15 minutes
	Retention   time.Duration         // final payments older than this are purged; 0 disables
	PublicURL   string                // base of link URLs
	Merchant    string                // shown on the hosted page
	Senders     map[string]LinkSender // "email", "sms"; a missing one makes that channel unavailable
	MaxAttempts int                   // invalid entries per field before too_many_attempts (default 3)
	IdleAdvance time.Duration         // keypad: multi-length card numbers move on this long after the last key (default 3 s)
}

// LinkSender delivers a secure link to a caller. The message holds only the link, the merchant and
// the amount.
type LinkSender interface {
	Send(ctx context.Context, to string, msg LinkMessage) error
}

// LinkMessage is what a LinkSender delivers.
type LinkMessage struct {
	URL      string
	Merchant string
	Amount   string // formatted, e.g. "12.34 USD"
}

// Service is the payment service. It is safe for concurrent use.
type Service struct {
	cfg    Config
	log    *slog.Logger
	events *broker
	calls  callWatchers // in-process listeners to calls' secure flag (the voice path)

	clusterLink atomic.Pointer[cluster] // set while RunCluster runs

	mu       sync.Mutex
	payments map[string]*live // by payment ID: the per-payment lock and in-memory capture session

	wg      sync.WaitGroup // background work that Close waits for, started by spawn
	spawnMu sync.Mutex     // orders spawn's wg.Add before Close's wg.Wait
	closed  atomic.Bool    // set by Close: timers that fire later do nothing, spawn starts nothing
}

// live is what this node holds for one payment. Its mutex serializes every change to the payment on
// this node; the store's version check serializes across nodes.
type live struct {
	mu      sync.Mutex
	refs    int
	session *capture.Session // nil until capture starts on this node
	timer   *time.Timer      // the capture session's next deadline
}

// New returns a service; it fills defaults for the zero fields of cfg.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Vault == nil || cfg.Audit == nil || cfg.Processors == nil {
		return nil, errors.New("payments: store, vault, audit and processors are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = hushpay.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.PaymentTTL == 0 {
		cfg.PaymentTTL = 15 * time.Minute
	}
	if cfg.LinkTTL == 0 {
		cfg.LinkTTL = 15 * time.Minute
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 3
	}
	if cfg.IdleAdvance == 0 {
		cfg.IdleAdvance = 3 * time.Second
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	return &Service{cfg: cfg, log: cfg.Logger, events: newBroker(), payments: map[string]*live{}}, nil
}

// Close stops the service's timers, waits for background submissions and wipes every capture
// session held in memory.
func (s *Service) Close() {
	s.mu.Lock()
	all := make([]*live, 0, len(s.payments))
	for _, l := range s.payments {
		all = append(all, l)
	}
	s.mu.Unlock()
	s.spawnMu.Lock()
	s.closed.Store(true)
	s.spawnMu.Unlock()
	s.wg.Wait()
	for _, l := range all {
		l.mu.Lock()
		l.dropSession()
		l.mu.Unlock()
	}
	s.events.closeAll()
}

// spawn runs fn in a goroutine that Close waits for, unless Close has begun (then it starts
// nothing and reports false): checking closed and then adding to the WaitGroup as two steps could
// add while Close waits.
func (s *Service) spawn(fn func()) bool {
	s.spawnMu.Lock()
	defer s.spawnMu.Unlock()
	if s.closed.Load() {
		return false
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		fn()
	}()
	return true
}

// acquire locks the payment's live entry, creating it if needed; release with s.release.
func (s *Service) acquire(id string) *live {
	s.mu.Lock()
	l := s.payments[id]
	if l == nil {
		l = &live{}
		s.payments[id] = l
	}
	l.refs++
	s.mu.Unlock()
	l.mu.Lock()
	return l
}

// release unlocks the entry and forgets it when nobody holds it and it has no session.
func (s *Service) release(id string, l *live) {
	keep := l.session != nil
	l.mu.Unlock()
	s.mu.Lock()
	l.refs--
	if l.refs == 0 && !keep {
		delete(s.payments, id)
	}
	s.mu.Unlock()
}

// dropSession wipes and forgets the capture session. Caller holds l.mu.
func (l *live) dropSession() {
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
	if l.session != nil {
		l.session.Wipe()
		l.session = nil
	}
}

// newSession starts a capture session for the payment. Caller holds l.mu.
func (s *Service) newSession(l *live, p *hushpay.Payment) {
	brands, _ := parseBrands(p.AcceptedBrands) // validated at create
	l.session = capture.New(capture.Config{
		Method:         p.Method,
		Fields:         p.Capture,
		AcceptedBrands: brands,
		MaxAttempts:    s.cfg.MaxAttempts,
		IdleAdvance:    s.cfg.IdleAdvance,
	}, s.now())
}

func (s *Service) now() time.Time { return s.cfg.Clock.Now().UTC() }

// loadForUpdate reads the payment of the principal's tenant.
func (s *Service) load(ctx context.Context, tenant, id string) (*hushpay.Payment, error) {
	if !validID(id, "pay_") {
		return nil, hushpay.NotFound("payment")
	}
	return s.cfg.Store.GetPayment(ctx, tenant, id)
}

// save persists p (bumping UpdatedAt and Version) and publishes an event of type t.
func (s *Service) save(ctx context.Context, p *hushpay.Payment, t hushpay.EventType) error {
	p.UpdatedAt = s.now()
	if err := s.cfg.Store.UpdatePayment(ctx, p); err != nil {
		return err
	}
	s.publish(p, t)
	return nil
}

func (s *Service) publish(p *hushpay.Payment, t hushpay.EventType) {
	s.events.publish(hushpay.Event{ID: newID("evt_"), Type: t, Time: s.now(), Tenant: p.Tenant, Payment: p.Clone()})
}

// record appends to the audit trail; a failure is logged (without data) and returned.
func (s *Service) record(ctx context.Context, pr hushpay.Principal, action, objType, objID string, details map[string]string) {
	if err := s.cfg.Audit.Record(ctx, pr.Tenant, pr.Actor, action, objType, objID, details); err != nil {
		s.log.Error("audit append failed", "action", action, "object", objID, "err", err)
	}
}

func require(p hushpay.Principal, perm hushpay.Permission) error {
	if p.Tenant == "" || !p.Role.Can(perm) {
		return &hushpay.Error{Kind: hushpay.KindForbidden, Code: "forbidden", Message: "your role does not allow this action"}
	}
	return nil
}

var idEncoding = base32.NewEncoding("abcdefghijkmnpqrstuvwxyz23456789").WithPadding(base32.NoPadding)

// newID returns prefix + 26 characters of 128-bit randomness (never a digit-only string).
func newID(prefix string) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("hushpay: no randomness: " + err.Error())
	}
	return prefix + idEncoding.EncodeToString(b[:])
}

// validID reports whether id looks like one of ours, so garbage never reaches the database.
func validID(id, prefix string) bool {
	rest, ok := strings.CutPrefix(id, prefix)
	if !ok || len(rest) != 26 {
		return false
	}
	for _, c := range rest {
		if !strings.ContainsRune("abcdefghijkmnpqrstuvwxyz23456789", c) {
			return false
		}
	}
	return true
}

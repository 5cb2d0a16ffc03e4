package users

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/audit"
)

// The account rules.
const (
	MaxFailures     = 5                // failed sign-ins in a row before the account locks
	LockoutDuration = 15 * time.Minute // how long a locked account stays locked
	IdleTimeout     = 15 * time.Minute // a session unused this long ends (PCI DSS 8.2.8)
	EnrolTTL        = 72 * time.Hour   // an enrolment link works this long
	MinPassword     = 12               // characters
	issuer          = "hushpay"
)

// Config wires a Manager.
type Config struct {
	Store  Store
	Audit  *audit.Log
	Clock  hushpay.Clock
	Logger *slog.Logger
	Argon2 Argon2Params // zero means DefaultArgon2
	// Sealer seals the TOTP secrets at rest (the vault); required.
	Sealer SecretSealer
}

// Manager creates users, enrols them, signs them in and keeps their sessions.
type Manager struct {
	cfg Config
	// dummyHash is verified against when the email is unknown, so a wrong address costs as much
	// time as a wrong password.
	dummyHash string
}

// New returns a Manager.
func New(cfg Config) (*Manager, error) {
	if cfg.Store == nil || cfg.Audit == nil || cfg.Sealer == nil {
		return nil, errors.New("users: store, audit and a secret sealer are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = hushpay.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Argon2 == (Argon2Params{}) {
		cfg.Argon2 = DefaultArgon2
	}
	dummy, err := HashPassword("not a password", cfg.Argon2)
	if err != nil {
		return nil, err
	}
	return &Manager{cfg: cfg, dummyHash: dummy}, nil
}

// Create adds a user who is not enrolled yet and returns the one-time enrolment token to put in
// the link the user opens to choose a password and set up the second factor.
func (m *Manager) Create(ctx context.Context, email, tenant string, role hushpay.Role) (*User, string, error) {
	email, err := normalizeEmail(email)
	if err != nil {
		return nil, "", err
	}
	if !role.Valid() {
		return nil, "", hushpay.FieldError("role", "invalid_role", "role must be agent, supervisor, admin or auditor")
	}
	if tenant == "" {
		tenant = hushpay.DefaultTenant
	}
	secret, err := NewTOTPSecret(issuer, email)
	if err != nil {
		return nil, "", err
	}
	token := randomToken()
	now := m.now()
	u := &User{ID: "usr_" + randomToken()[:22], Email: email, Tenant: tenant, Role: role, TOTPSecret: secret,
		EnrolHash: HashToken(token), EnrolExpires: now.Add(EnrolTTL), CreatedAt: now}
	stored, err := m.forStore(u)
	if err != nil {
		return nil, "", err
	}
	if err := m.cfg.Store.CreateUser(ctx, stored); err != nil {
		return nil, "", err
	}
	u.TOTPSealed = stored.TOTPSealed
	m.record(ctx, u, "user.created", map[string]string{"role": string(role)})
	return u, token, nil
}

// Enrolment returns the user an enrolment token belongs to, if it is still usable.
func (m *Manager) Enrolment(ctx context.Context, token string) (*User, error) {
	u, err := m.opened(m.cfg.Store.UserByEnrolHash(ctx, HashToken(token)))
	if err != nil {
		return nil, err
	}
	if u.Enrolled() || !m.now().Before(u.EnrolExpires) {
		return nil, &hushpay.Error{Kind: hushpay.KindGone, Code: "enrolment_expired", Message: "this enrolment link can no longer be used"}
	}
	return u, nil
}

// Enrol sets the user's password once the TOTP code proves the authenticator app is set up, and
// uses up the enrolment token.
func (m *Manager) Enrol(ctx context.Context, token, password, code string) (*User, error) {
	u, err := m.Enrolment(ctx, token)
	if err != nil {
		return nil, err
	}
	if len([]rune(password)) < MinPassword {
		return nil, hushpay.FieldError("password", "password_too_short", "choose a password of at least "+strconv.Itoa(MinPassword)+" characters")
	}
	step, ok := checkTOTP(u.TOTPSecret, code, m.now(), u.TOTPLastStep)
	if !ok {
		return nil, hushpay.FieldError("code", "wrong_code", "the code from the authenticator app is not right; try the next one")
	}
	if u.PasswordHash, err = HashPassword(password, m.cfg.Argon2); err != nil {
		return nil, err
	}
	u.TOTPLastStep = step // the enrolment hash stays, so a reused link says "already used"
	if err := m.update(ctx, u); err != nil {
		return nil, err
	}
	m.record(ctx, u, "user.enrolled", nil)
	return u, nil
}

// ErrSignIn is the one answer to a failed sign-in, whatever failed, so that nothing tells an
// attacker which part was wrong.
var ErrSignIn = &hushpay.Error{Kind: hushpay.KindUnauthenticated, Code: "sign_in_failed",
	Message: "the email, password or code is not right"}

// ErrLocked is the answer while an account is locked.
var ErrLocked = &hushpay.Error{Kind: hushpay.KindRateLimited, Code: "account_locked",
	Message: "too many failed sign-ins: the account is locked for 15 minutes"}

// SignIn checks the password and the TOTP code and starts a session; it returns the session's
// cookie token. Failures count towards the lockout; a locked account refuses even the right answer.
func (m *Manager) SignIn(ctx context.Context, email, password, code string) (*User, *Session, string, error) {
	email, _ = normalizeEmail(email)
	u, err := m.opened(m.cfg.Store.UserByEmail(ctx, email))
	if hushpay.KindOf(err) == hushpay.KindNotFound {
		_, _ = VerifyPassword(password, m.dummyHash)
		m.recordAnonymous(ctx, "user.sign_in_failed", map[string]string{"reason": "unknown_user"})
		return nil, nil, "", ErrSignIn
	}
	if err != nil {
		return nil, nil, "", err
	}
	now := m.now()
	if now.Before(u.LockedUntil) {
		m.record(ctx, u, "user.sign_in_failed", map[string]string{"reason": "locked"})
		return nil, nil, "", ErrLocked
	}
	if reason := m.check(u, password, code, now); reason != "" {
		return nil, nil, "", m.fail(ctx, u, reason, now)
	}
	u.Failures, u.LockedUntil = 0, time.Time{}
	if err := m.update(ctx, u); err != nil {
		return nil, nil, "", err
	}
	token := randomToken()
	s := &Session{IDHash: HashToken(token), UserID: u.ID, CSRF: randomToken(), CreatedAt: now, LastSeen: now}
	if err := m.cfg.Store.CreateSession(ctx, s); err != nil {
		return nil, nil, "", err
	}
	m.record(ctx, u, "user.signed_in", nil)
	if _, err := m.Prune(ctx); err != nil { // keep the session table to the live ones
		m.cfg.Logger.Warn("pruning idle sessions failed", "err", err)
	}
	return u, s, token, nil
}

// check returns why the answer is wrong ("" when it is right) and takes the TOTP step on success.
func (m *Manager) check(u *User, password, code string, now time.Time) string {
	if !u.Enrolled() {
		return "not_enrolled"
	}
	ok, err := VerifyPassword(password, u.PasswordHash)
	if err != nil || !ok {
		return "password"
	}
	step, ok := checkTOTP(u.TOTPSecret, strings.TrimSpace(code), now, u.TOTPLastStep)
	if !ok {
		return "totp"
	}
	u.TOTPLastStep = step
	return ""
}

func (m *Manager) fail(ctx context.Context, u *User, reason string, now time.Time) error {
	u.Failures++
	locked := u.Failures >= MaxFailures
	if locked {
		u.Failures, u.LockedUntil = 0, now.Add(LockoutDuration)
	}
	if err := m.update(ctx, u); err != nil {
		return err
	}
	m.record(ctx, u, "user.sign_in_failed", map[string]string{"reason": reason})
	if locked {
		m.record(ctx, u, "user.locked", map[string]string{"until": u.LockedUntil.Format(time.RFC3339)})
		return ErrLocked
	}
	return ErrSignIn
}

// ErrSessionExpired is returned for a session unused for longer than IdleTimeout.
var ErrSessionExpired = &hushpay.Error{Kind: hushpay.KindUnauthenticated, Code: "session_expired",
	Message: "your session ended after 15 minutes without activity"}

// Session returns the session and user of a cookie token. With touch, the session's idle clock
// restarts (page loads and actions touch; background polling does not).
func (m *Manager) Session(ctx context.Context, token string, touch bool) (*Session, *User, error) {
	if token == "" {
		return nil, nil, hushpay.NotFound("session")
	}
	hash := HashToken(token)
	s, err := m.cfg.Store.SessionByHash(ctx, hash)
	if err != nil {
		return nil, nil, err
	}
	now := m.now()
	if now.Sub(s.LastSeen) > IdleTimeout {
		_ = m.cfg.Store.DeleteSession(ctx, hash)
		return nil, nil, ErrSessionExpired
	}
	u, err := m.opened(m.cfg.Store.UserByID(ctx, s.UserID))
	if err != nil {
		return nil, nil, err
	}
	if touch && now.Sub(s.LastSeen) > 10*time.Second {
		if err := m.cfg.Store.TouchSession(ctx, hash, now); err != nil {
			return nil, nil, err
		}
		s.LastSeen = now
	}
	return s, u, nil
}

// SignOut ends the session of a cookie token.
func (m *Manager) SignOut(ctx context.Context, token string) error {
	s, u, err := m.Session(ctx, token, false)
	if err != nil {
		return nil // nothing to end
	}
	if err := m.cfg.Store.DeleteSession(ctx, s.IDHash); err != nil {
		return err
	}
	m.record(ctx, u, "user.signed_out", nil)
	return nil
}

// Prune deletes sessions idle for longer than IdleTimeout.
func (m *Manager) Prune(ctx context.Context) (int, error) {
	return m.cfg.Store.DeleteSessionsBefore(ctx, m.now().Add(-IdleTimeout))
}

func (m *Manager) now() time.Time { return m.cfg.Clock.Now().UTC() }

func (m *Manager) record(ctx context.Context, u *User, action string, details map[string]string) {
	if err := m.cfg.Audit.Record(ctx, u.Tenant, "user:"+u.Email, action, "user", u.ID, details); err != nil {
		m.cfg.Logger.Error("audit append failed", "action", action, "err", err)
	}
}

func (m *Manager) recordAnonymous(ctx context.Context, action string, details map[string]string) {
	if err := m.cfg.Audit.Record(ctx, hushpay.DefaultTenant, "web:unknown", action, "user", "", details); err != nil {
		m.cfg.Logger.Error("audit append failed", "action", action, "err", err)
	}
}

// HashToken returns the hex SHA-256 of a token: what the store keeps instead of the token.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// randomToken returns 256 bits of randomness, URL-safe.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("hushpay: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func normalizeEmail(email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > 254 {
		return "", hushpay.FieldError("email", "invalid_email", "email must be a plain address like name@example.com")
	}
	return email, nil
}

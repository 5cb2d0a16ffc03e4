package users

import (
	"context"
	"time"

	"github.com/hushpay/hushpay"
)

// User is one person who may sign in. PasswordHash is an argon2id PHC string. TOTPSecret is the
// base32 secret of the second factor, in memory only: the Manager gives the Store the user with
// TOTPSealed set (the secret sealed by the SecretSealer for this user's id) and TOTPSecret empty.
// Neither the hash nor the secret ever leaves this package but to the Store (or to the enrolment
// page, which shows the secret once).
type User struct {
	ID           string
	Email        string // lower case, unique
	Tenant       string
	Role         hushpay.Role
	PasswordHash string // empty until enrolled
	TOTPSecret   string // clear; never written to the Store (a row from before sealing may bring it back)
	TOTPSealed   []byte // the secret sealed for ("totp", ID): all the Store keeps
	TOTPLastStep int64  // the last accepted TOTP time step: a code is never accepted twice
	Failures     int    // consecutive failed sign-ins
	LockedUntil  time.Time
	EnrolHash    string // hex SHA-256 of the one-time enrolment token (used up once enrolled)
	EnrolExpires time.Time
	CreatedAt    time.Time
}

// Enrolled reports whether the user has set a password and proved the second factor.
func (u *User) Enrolled() bool { return u.PasswordHash != "" }

// Principal returns who the user acts as in the payment service.
func (u *User) Principal() hushpay.Principal {
	return hushpay.Principal{Tenant: u.Tenant, Role: u.Role, Actor: "user:" + u.Email}
}

// Session is one signed-in browser. Only the hash of its cookie token is stored.
type Session struct {
	IDHash    string // hex SHA-256 of the cookie token
	UserID    string
	CSRF      string // the token every form and state-changing request must carry
	CreatedAt time.Time
	LastSeen  time.Time
}

// SecretSealer seals secrets at rest and opens them again (the vault implements it). A value
// sealed for a purpose and id opens only with the same purpose and id, so a sealed secret copied
// to another user's row does not open.
type SecretSealer interface {
	SealSecret(purpose, id string, plain []byte) ([]byte, error)
	OpenSecret(purpose, id string, sealed []byte) ([]byte, error)
}

// Store keeps users and sessions. Lookups of a missing row return a KindNotFound hushpay.Error;
// CreateUser with an email already taken returns KindConflict. The Store writes a user's
// TOTPSealed, never its TOTPSecret, and refuses a user without TOTPSealed; a row written in clear
// before secrets were sealed reads back with TOTPSecret set and TOTPSealed empty.
type Store interface {
	CreateUser(ctx context.Context, u *User) error
	UpdateUser(ctx context.Context, u *User) error
	UserByID(ctx context.Context, id string) (*User, error)
	UserByEmail(ctx context.Context, email string) (*User, error)
	UserByEnrolHash(ctx context.Context, hash string) (*User, error)
	CreateSession(ctx context.Context, s *Session) error
	SessionByHash(ctx context.Context, hash string) (*Session, error)
	TouchSession(ctx context.Context, hash string, t time.Time) error
	DeleteSession(ctx context.Context, hash string) error
	// DeleteSessionsBefore deletes sessions last seen before t and returns how many.
	DeleteSessionsBefore(ctx context.Context, t time.Time) (int, error)
}

package users

import (
	"context"
	"errors"
	"fmt"
)

// totpPurpose is the purpose the TOTP secrets are sealed for, with the user's id.
const totpPurpose = "totp"

// forStore returns a copy of u for the Store: the TOTP secret sealed (afresh, so under the
// sealer's current key) for u's id, and no clear secret.
func (m *Manager) forStore(u *User) (*User, error) {
	if u.TOTPSecret == "" {
		return nil, errors.New("users: a user without a TOTP secret")
	}
	plain := []byte(u.TOTPSecret)
	defer clear(plain)
	sealed, err := m.cfg.Sealer.SealSecret(totpPurpose, u.ID, plain)
	if err != nil {
		return nil, fmt.Errorf("users: sealing the TOTP secret: %w", err)
	}
	c := *u
	c.TOTPSecret, c.TOTPSealed = "", sealed
	return &c, nil
}

// update writes u, its TOTP secret sealed. A secret read in clear from a row written before
// secrets were sealed is sealed now.
func (m *Manager) update(ctx context.Context, u *User) error {
	stored, err := m.forStore(u)
	if err != nil {
		return err
	}
	if err := m.cfg.Store.UpdateUser(ctx, stored); err != nil {
		return err
	}
	if len(u.TOTPSealed) == 0 {
		m.cfg.Logger.Info("sealed a TOTP secret that was stored in clear", "user", u.ID)
	}
	u.TOTPSealed = stored.TOTPSealed
	return nil
}

// opened opens the TOTP secret of a user read from the Store (a lookup's result and error).
func (m *Manager) opened(u *User, err error) (*User, error) {
	if err != nil {
		return nil, err
	}
	if len(u.TOTPSealed) == 0 {
		if u.TOTPSecret == "" {
			return nil, fmt.Errorf("users: user %s has no TOTP secret", u.ID)
		}
		return u, nil // stored in clear before sealing: the next write seals it
	}
	plain, err := m.cfg.Sealer.OpenSecret(totpPurpose, u.ID, u.TOTPSealed)
	if err != nil {
		return nil, fmt.Errorf("users: opening the TOTP secret of user %s: %w", u.ID, err)
	}
	u.TOTPSecret = string(plain)
	clear(plain)
	return u, nil
}

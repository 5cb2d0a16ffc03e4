package capture

import (
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/card"
)

// Session captures the fields of one payment. It is not safe for concurrent use: the payment service
// serializes access.
type Session struct {
	cfg       Config
	fields    []field
	cur       int // index of the field capturing, -1 when every field is complete
	deadline  time.Time
	exhausted bool
	wiped     bool
}

// Update tells the caller what one input did. It never holds digits.
type Update struct {
	Field    hushpay.FieldName // the field the input applied to; "" when none
	Changed  bool              // the masked view (Fields or Current) changed
	Advanced bool              // capture moved off Field (to the next field, or finished)
	Err      error             // why the input was refused; the session is then unchanged
}

// New starts a session that captures the configured fields, the first one at once. Fields the method
// cannot capture and repeated fields are left out (Config.Validate reports them).
func New(cfg Config, now time.Time) *Session {
	cfg = cfg.withDefaults()
	names := cfg.capturable()
	size := 0
	for _, name := range names {
		size += capacity(name)
	}
	backing := make([]byte, size)
	s := &Session{cfg: cfg, fields: make([]field, len(names)), cur: -1}
	for i, name := range names {
		c := capacity(name)
		s.fields[i] = field{name: name, buf: backing[:c:c], state: hushpay.FieldEmpty}
		backing = backing[c:]
	}
	if len(s.fields) > 0 {
		s.cur = 0
	}
	return s
}

// Key applies one keypad symbol pressed at the given time: '0'-'9', '*' or '#'. Anything else, a key
// after every field is complete, or a key on an exhausted or wiped session returns an Update whose Err
// says why, and changes nothing.
func (s *Session) Key(sym byte, at time.Time) Update {
	if err := s.refuse(); err != nil {
		return Update{Err: err}
	}
	if !isSymbol(sym) {
		return Update{Err: ErrSymbol}
	}
	if s.cur < 0 {
		if sym == '#' {
			return Update{} // the caller's habitual '#' after the last field
		}
		return Update{Err: ErrNoField}
	}
	s.deadline = time.Time{}
	f := &s.fields[s.cur]
	u := Update{Field: f.name}
	switch sym {
	case '*':
		u.Changed = f.state != hushpay.FieldEmpty
		f.startEntry()
	case '#':
		s.endKey(f, at, &u)
	default:
		s.digit(f, sym, at, &u)
	}
	return u
}

func isSymbol(b byte) bool { return b >= '0' && b <= '9' || b == '*' || b == '#' }

func (s *Session) refuse() error {
	switch {
	case s.wiped:
		return ErrWiped
	case s.exhausted:
		return ErrExhausted
	}
	return nil
}

// endKey applies '#'.
func (s *Session) endKey(f *field, at time.Time, u *Update) {
	switch {
	case f.ignoring:
		f.ignoring = false // the end of the mistaken entry
	case f.state == hushpay.FieldPartial:
		s.finish(f, at, u)
	case f.state == hushpay.FieldComplete:
		s.advance(u) // the caller confirms a field capture was moved back to
	}
	// An empty field, or an entry that already ended invalid: absorbed.
}

// digit applies '0'-'9'.
func (s *Session) digit(f *field, d byte, at time.Time, u *Update) {
	if f.ignoring {
		return
	}
	if f.state == hushpay.FieldComplete || f.state == hushpay.FieldInvalid || f.text {
		f.startEntry()
	}
	u.Changed = true
	if f.n == len(f.buf) {
		s.reject(f, hushpay.ErrLength, true, u)
		return
	}
	f.buf[f.n] = d
	f.n++
	f.state = hushpay.FieldPartial
	s.progress(f, at, u)
}

// progress ends the field when its length is unambiguous, rejects a card whose brand is not
// accepted, and arms the idle deadline for a value that is valid but could still grow.
func (s *Session) progress(f *field, at time.Time, u *Update) {
	switch f.name {
	case hushpay.FieldCardNumber:
		s.progressCard(f, at, u)
	case hushpay.FieldSecurityCode:
		switch want := s.securityCodeLen(); {
		case want > 0 && f.n == want, f.n == 4:
			s.finish(f, at, u)
		case want == 0 && f.n == 3:
			s.deadline = at.Add(s.cfg.IdleAdvance)
		}
	case hushpay.FieldExpiry, hushpay.FieldRoutingNumber, hushpay.FieldAccountType:
		if f.n == len(f.buf) {
			s.finish(f, at, u)
		}
	case hushpay.FieldPostalCode:
		if f.n == 9 {
			s.finish(f, at, u)
		}
	}
}

func (s *Session) progressCard(f *field, at time.Time, u *Update) {
	f.brand, _ = card.BrandOf(f.digits())
	switch {
	case f.brand != "" && !card.Accepts(s.cfg.AcceptedBrands, f.brand):
		s.reject(f, hushpay.ErrBrandNotAccepted, true, u)
	case f.n == f.brand.MaxLength():
		s.finish(f, at, u)
	default:
		if _, code := card.CheckPAN(f.digits(), s.cfg.AcceptedBrands); code == "" {
			s.deadline = at.Add(s.cfg.IdleAdvance)
		}
	}
}

// finish ends the entry: complete and move on, or invalid and stay.
func (s *Session) finish(f *field, now time.Time, u *Update) {
	u.Changed = true
	if code := s.check(f, now); code != "" {
		s.reject(f, code, false, u)
		return
	}
	f.complete()
	if f.name == hushpay.FieldCardNumber {
		s.recheckSecurityCode()
	}
	if s.cur >= 0 && &s.fields[s.cur] == f {
		s.advance(u)
	}
}

// reject ends the entry invalid and counts the attempt; ignoreRest keeps the caller's remaining
// digits of this entry from starting another one.
func (s *Session) reject(f *field, code hushpay.FieldErrorCode, ignoreRest bool, u *Update) {
	u.Changed = true
	f.wipeDigits()
	f.state = hushpay.FieldInvalid
	f.code = code
	f.ignoring = ignoreRest
	f.attempts++
	s.deadline = time.Time{}
	if f.attempts >= s.cfg.MaxAttempts {
		f.code = hushpay.ErrTooManyAttempts
		s.exhausted = true
	}
}

// advance moves capture to the next field that is not complete, after the current one and wrapping
// around, or ends capture when every field is complete.
func (s *Session) advance(u *Update) {
	s.deadline = time.Time{}
	u.Advanced, u.Changed = true, true
	from := s.cur
	s.cur = -1
	for i := 1; i <= len(s.fields); i++ {
		j := (from + i) % len(s.fields)
		if s.fields[j].state != hushpay.FieldComplete {
			s.cur = j
			return
		}
	}
}

// Tick applies the idle auto-advance when its deadline has passed; call it at NextDeadline.
func (s *Session) Tick(now time.Time) Update {
	if s.deadline.IsZero() || now.Before(s.deadline) || s.refuse() != nil || s.cur < 0 {
		return Update{}
	}
	f := &s.fields[s.cur]
	u := Update{Field: f.name}
	s.finish(f, now, &u)
	return u
}

// NextDeadline returns when Tick has work to do, if it has.
func (s *Session) NextDeadline() (time.Time, bool) { return s.deadline, !s.deadline.IsZero() }

// MoveTo moves capture to a field (the agent's choice). A partial entry left behind stays as typed.
func (s *Session) MoveTo(f hushpay.FieldName) error {
	i, err := s.lookup("capture.move", f)
	if err != nil {
		return err
	}
	s.moveTo(i)
	return nil
}

// Reset clears a field without counting an attempt and moves capture to it.
func (s *Session) Reset(f hushpay.FieldName) error {
	i, err := s.lookup("capture.reset", f)
	if err != nil {
		return err
	}
	s.fields[i].startEntry()
	s.moveTo(i)
	return nil
}

func (s *Session) lookup(op string, name hushpay.FieldName) (int, error) {
	if err := s.refuse(); err != nil {
		return -1, closed(op, err)
	}
	for i := range s.fields {
		if s.fields[i].name == name {
			return i, nil
		}
	}
	return -1, notCaptured(op, name)
}

func (s *Session) moveTo(i int) {
	if s.cur >= 0 {
		s.fields[s.cur].ignoring = false
	}
	s.deadline = time.Time{}
	s.cur = i
}

// Current returns the field capturing keypad digits, "" when every field is complete.
func (s *Session) Current() hushpay.FieldName {
	if s.cur < 0 {
		return ""
	}
	return s.fields[s.cur].name
}

// Exhausted reports whether a field reached the attempt limit: the payment fails with
// too_many_attempts.
func (s *Session) Exhausted() bool { return s.exhausted }

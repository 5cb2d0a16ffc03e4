package hushpay

import (
	"errors"
	"fmt"
)

// Kind classifies an error so that the API layer can map it to a status in one place.
type Kind int

// The error kinds. KindOther is the zero value and maps to an internal error.
const (
	KindOther           Kind = iota // unclassified; reported as an internal error
	KindInvalid                     // the request is malformed or fails validation
	KindNotFound                    // the object does not exist (or belongs to another tenant)
	KindConflict                    // the object's state does not allow the operation, or a duplicate
	KindForbidden                   // the caller's role does not allow the operation
	KindUnauthenticated             // no or bad credentials
	KindGone                        // the object existed but can no longer be used (used or expired link)
	KindTooLarge                    // the request body is too large
	KindRateLimited                 // too many requests
	KindUnavailable                 // a dependency (database, processor) is not available
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case KindInvalid:
		return "invalid"
	case KindNotFound:
		return "not_found"
	case KindConflict:
		return "conflict"
	case KindForbidden:
		return "forbidden"
	case KindUnauthenticated:
		return "unauthenticated"
	case KindGone:
		return "gone"
	case KindTooLarge:
		return "too_large"
	case KindRateLimited:
		return "rate_limited"
	case KindUnavailable:
		return "unavailable"
	}
	return "internal"
}

// Error is hushpay's error: the operation that failed, its kind, a stable machine-readable code, the
// field it concerns (if any) and a human message. Neither Message nor Err may ever hold card data or
// echo raw input: name the field, never repeat its value.
type Error struct {
	Op      string // operation, e.g. "payments.create"
	Kind    Kind
	Code    string // stable code for API clients, e.g. "invalid_currency"
	Field   string // the request field concerned, if any
	Message string // safe to show to an API client
	Err     error  // the underlying error, for logs; must not hold card data either
}

// Error renders the error for logs.
func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = e.Code
	}
	if e.Op != "" {
		msg = e.Op + ": " + msg
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind and code with a formatted message.
func Errorf(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an invalid-input *Error naming a request field.
func FieldError(field, code, message string) *Error {
	return &Error{Kind: KindInvalid, Code: code, Field: field, Message: message}
}

// NotFound returns a KindNotFound error for the named kind of object ("payment", "call", …).
func NotFound(object string) *Error {
	return &Error{Kind: KindNotFound, Code: "not_found", Message: object + " not found"}
}

// WithOp returns a copy of err with the operation set, or err unchanged if it is not an *Error.
func WithOp(op string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		c := *e
		if c.Op == "" {
			c.Op = op
		}
		return &c
	}
	return err
}

// KindOf returns the kind of the first *Error in err's chain, or KindOther.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindOther
}

// IsNotFound reports whether err is a KindNotFound error.
func IsNotFound(err error) bool { return KindOf(err) == KindNotFound }

// IsConflict reports whether err is a KindConflict error.
func IsConflict(err error) bool { return KindOf(err) == KindConflict }

package notifytest

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// Mail is one message the server accepted.
type Mail struct {
	From string
	To   []string
	Data []byte
}

// SMTPServer is a loopback SMTP server that keeps what it receives.
type SMTPServer struct {
	Addr     string
	Inbox    chan Mail
	mu       sync.Mutex
	failNext int
}

// NewSMTPServer starts a server that is closed when the test ends. With tlsConfig, it offers
// STARTTLS.
func NewSMTPServer(t testing.TB, tlsConfig *tls.Config) *SMTPServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &SMTPServer{Addr: ln.Addr().String(), Inbox: make(chan Mail, 16)}
	srv := smtp.NewServer(backend{s})
	srv.Domain = "mail.test"
	srv.TLSConfig = tlsConfig
	srv.AllowInsecureAuth = true
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	t.Cleanup(func() { srv.Close() })
	return s
}

// FailNext makes the next n messages fail with a temporary 451 reply to RCPT TO.
func (s *SMTPServer) FailNext(n int) {
	s.mu.Lock()
	s.failNext = n
	s.mu.Unlock()
}

func (s *SMTPServer) takeFailure() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failNext > 0 {
		s.failNext--
		return true
	}
	return false
}

type backend struct{ s *SMTPServer }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s    *SMTPServer
	mail Mail
}

func (x *session) Reset()        { x.mail = Mail{} }
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.mail.From = from
	return nil
}

// Rcpt fails as FailNext asks, with a reply that repeats the address (as many servers do).
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if x.s.takeFailure() {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 2, 0}, Message: "mailbox <" + to + "> busy, try again later"}
	}
	x.mail.To = append(x.mail.To, to)
	return nil
}
func (x *session) Data(r io.Reader) error {
	var b bytes.Buffer
	if _, err := io.Copy(&b, r); err != nil {
		return err
	}
	x.mail.Data = b.Bytes()
	select {
	case x.s.Inbox <- x.mail:
		return nil
	default:
		return errors.New("inbox full")
	}
}

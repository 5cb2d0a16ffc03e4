package notify

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html/template"
	"mime"
	"mime/quotedprintable"
	"net/textproto"
	"strings"
	"time"

	"github.com/hushpay/hushpay/internal/payments"
)

// htmlBody is the HTML part: the same words as the text part and one button.
var htmlBody = template.Must(template.New("mail").Parse(`<!doctype html>
<html lang="en"><body style="font-family:sans-serif;max-width:32rem">
<p>{{.Merchant}} has asked you to pay <strong>{{.Amount}}</strong>.</p>
<p><a href="{{.URL}}" style="display:inline-block;padding:.7rem 1.2rem;background:#2457c5;color:#fff;text-decoration:none;border-radius:.3rem">Pay {{.Amount}} securely</a></p>
<p>Or open this link: {{.URL}}</p>
<p style="color:#666;font-size:.9rem">The link works once and expires soon. Nobody from {{.Merchant}} will ask you to read your card number aloud.</p>
</body></html>`))

func textBody(m payments.LinkMessage) string {
	return fmt.Sprintf("%s has asked you to pay %s.\r\n\r\nPay securely here:\r\n%s\r\n\r\n"+
		"The link works once and expires soon. Nobody from %s will ask you to read your card number aloud.\r\n",
		m.Merchant, m.Amount, m.URL, m.Merchant)
}

// buildMail returns an RFC 5322 message with a text/plain and a text/html alternative.
func buildMail(from, to string, m payments.LinkMessage, now time.Time) ([]byte, error) {
	var htmlPart bytes.Buffer
	if err := htmlBody.Execute(&htmlPart, m); err != nil {
		return nil, fmt.Errorf("notify: email body: %w", err)
	}
	boundary := randomBoundary()
	var b bytes.Buffer
	hdr := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	hdr("From", from)
	hdr("To", to)
	hdr("Subject", mime.QEncoding.Encode("utf-8", "Your secure payment link from "+m.Merchant))
	hdr("Date", now.Format(time.RFC1123Z))
	hdr("Message-ID", "<"+boundary+"@hushpay>")
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", `multipart/alternative; boundary="`+boundary+`"`)
	b.WriteString("\r\n")
	for _, part := range []struct{ typ, body string }{{"text/plain", textBody(m)}, {"text/html", htmlPart.String()}} {
		b.WriteString("--" + boundary + "\r\n")
		h := textproto.MIMEHeader{}
		h.Set("Content-Type", part.typ+"; charset=utf-8")
		h.Set("Content-Transfer-Encoding", "quoted-printable")
		for k, v := range h {
			hdr(k, v[0])
		}
		b.WriteString("\r\n")
		qp := quotedprintable.NewWriter(&b)
		qp.Write([]byte(strings.ReplaceAll(part.body, "\r\n", "\n")))
		qp.Close()
		b.WriteString("\r\n")
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.Bytes(), nil
}

func randomBoundary() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "hp-" + hex.EncodeToString(b)
}

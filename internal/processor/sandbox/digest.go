package sandbox

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"strconv"

	"github.com/hushpay/hushpay/internal/processor"
)

const digestSize = sha256.Size

// digester computes keyed digests of requests, so that idempotency can tell "the same request"
// from "another request with the same key" without keeping card data. The key is random per
// sandbox, so a digest is worthless outside the process.
type digester struct {
	key [32]byte
}

func newDigester() digester {
	var d digester
	_, _ = rand.Read(d.key[:]) // crypto/rand.Read never fails (it panics instead)
	return d
}

func (d digester) authorize(req *processor.AuthorizeRequest) [digestSize]byte {
	w := d.writer()
	w.strings(req.Tenant, req.PaymentID, req.Reference, req.Currency, strconv.FormatBool(req.MOTO), req.Saved)
	w.int(req.Amount)
	w.card(req.Card)
	w.bank(req.Bank)
	return w.sum()
}

func (d digester) refund(req *processor.RefundRequest) [digestSize]byte {
	w := d.writer()
	w.strings(req.Reference, req.Currency)
	w.int(req.Amount)
	return w.sum()
}

func (d digester) save(req *processor.SaveRequest) [digestSize]byte {
	w := d.writer()
	w.strings(req.Tenant)
	w.card(req.Card)
	w.bank(req.Bank)
	return w.sum()
}

func (d digester) writer() digestWriter {
	return digestWriter{hmac.New(sha256.New, d.key[:])}
}

// digestWriter feeds length-prefixed values to an HMAC, so that no two requests encode alike.
type digestWriter struct{ h hash.Hash }

func (w digestWriter) strings(values ...string) {
	for _, v := range values {
		w.int(int64(len(v)))
		_, _ = w.h.Write([]byte(v))
	}
}

func (w digestWriter) int(v int64) {
	_, _ = w.h.Write(binary.BigEndian.AppendUint64(nil, uint64(v)))
}

func (w digestWriter) card(c *processor.Card) {
	if c == nil {
		w.strings("no card")
		return
	}
	w.strings("card", c.PAN.Reveal(), string(c.Brand), c.SecurityCode.Reveal(), c.PostalCode)
	w.int(int64(c.ExpMonth))
	w.int(int64(c.ExpYear))
}

func (w digestWriter) bank(b *processor.Bank) {
	if b == nil {
		w.strings("no bank")
		return
	}
	w.strings("bank", b.RoutingNumber, b.Account.Reveal(), b.AccountType)
}

func (w digestWriter) sum() [digestSize]byte {
	var out [digestSize]byte
	w.h.Sum(out[:0])
	return out
}

package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
)

const time1h = time.Hour

func sampleEntry() *hushpay.AuditEntry {
	return &hushpay.AuditEntry{
		Tenant: "acme", Seq: 7, Time: testTime, Actor: "apikey:hpk_1", Action: "payment.created",
		ObjectType: "payment", ObjectID: "pay_1", Details: map[string]string{"amount": "100", "currency": "EUR"},
		PrevHash: bytes.Repeat([]byte{0xab}, 32),
	}
}

// TestHashCoversEveryField changes one field at a time and expects another hash.
func TestHashCoversEveryField(t *testing.T) {
	tests := map[string]func(e *hushpay.AuditEntry){
		"tenant":       func(e *hushpay.AuditEntry) { e.Tenant = "globex" },
		"seq":          func(e *hushpay.AuditEntry) { e.Seq++ },
		"time":         func(e *hushpay.AuditEntry) { e.Time = e.Time.Add(time.Microsecond) },
		"actor":        func(e *hushpay.AuditEntry) { e.Actor = "system" },
		"action":       func(e *hushpay.AuditEntry) { e.Action = "payment.cancelled" },
		"object type":  func(e *hushpay.AuditEntry) { e.ObjectType = "token" },
		"object id":    func(e *hushpay.AuditEntry) { e.ObjectID = "pay_2" },
		"detail value": func(e *hushpay.AuditEntry) { e.Details["amount"] = "101" },
		"detail key":   func(e *hushpay.AuditEntry) { e.Details["amount2"] = e.Details["amount"]; delete(e.Details, "amount") },
		"extra detail": func(e *hushpay.AuditEntry) { e.Details["x"] = "" },
		"prev hash":    func(e *hushpay.AuditEntry) { e.PrevHash[0] ^= 1 },
		"field boundary": func(e *hushpay.AuditEntry) {
			e.ObjectType, e.ObjectID = "paymentp", "ay_1"
		},
		"detail boundary": func(e *hushpay.AuditEntry) {
			e.Details = map[string]string{"amount1": "00", "currency": "EUR"}
		},
	}
	base := Hash(sampleEntry())
	for name, change := range tests {
		t.Run(name, func(t *testing.T) {
			e := sampleEntry()
			change(e)
			if bytes.Equal(Hash(e), base) {
				t.Errorf("changing the %s left the hash unchanged", name)
			}
		})
	}
}

func TestHashIgnoresZoneAndMapOrder(t *testing.T) {
	e := sampleEntry()
	e.Time = testTime.In(time.FixedZone("CET", 3600))
	e.Details = map[string]string{"currency": "EUR", "amount": "100"}
	if !bytes.Equal(Hash(e), Hash(sampleEntry())) {
		t.Error("the same instant in another zone, or the same details, hash differently")
	}
}

// TestHashFollowsDocumentedEncoding rebuilds the documented encoding by hand: a change to Hash's
// encoding would make every stored chain fail to verify, so it must be deliberate.
func TestHashFollowsDocumentedEncoding(t *testing.T) {
	str := func(s string) []byte {
		return append(binary.BigEndian.AppendUint64(nil, uint64(len(s))), s...)
	}
	e := sampleEntry()
	var b []byte
	b = append(b, "hushpay.audit.v1"...)
	b = append(b, str("acme")...)
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 7)
	b = binary.BigEndian.AppendUint64(b, uint64(testTime.UnixNano()))
	b = append(b, str("apikey:hpk_1")...)
	b = append(b, str("payment.created")...)
	b = append(b, str("payment")...)
	b = append(b, str("pay_1")...)
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 2)
	b = append(b, str("amount")...)
	b = append(b, str("100")...)
	b = append(b, str("currency")...)
	b = append(b, str("EUR")...)
	b = append(b, str(string(e.PrevHash))...)
	want := sha256.Sum256(b)
	if got := Hash(e); !bytes.Equal(got, want[:]) {
		t.Errorf("Hash = %x, want %x", got, want)
	}
}

func TestSealFirstAndNext(t *testing.T) {
	first := sampleEntry()
	if err := Seal(nil, first); err != nil {
		t.Fatal(err)
	}
	if first.Seq != 1 || len(first.PrevHash) != 0 || !bytes.Equal(first.Hash, Hash(first)) {
		t.Errorf("first entry sealed as seq %d prev %x", first.Seq, first.PrevHash)
	}
	next := sampleEntry()
	if err := Seal(first, next); err != nil {
		t.Fatal(err)
	}
	if next.Seq != 2 || !bytes.Equal(next.PrevHash, first.Hash) || !bytes.Equal(next.Hash, Hash(next)) {
		t.Errorf("second entry sealed as seq %d prev %x", next.Seq, next.PrevHash)
	}
}

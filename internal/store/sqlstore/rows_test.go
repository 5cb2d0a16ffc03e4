package sqlstore

import (
	"errors"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
)

func TestTimeScansEitherStoredForm(t *testing.T) {
	at := time.Date(2026, 11, 26, 1, 2, 3, 456789000, time.UTC)
	tests := []struct {
		name string
		src  any
		want Time
	}{
		{"microseconds (SQLite)", at.UnixMicro(), Time{Time: at, Valid: true}},
		{"a time (PostgreSQL)", at.In(time.FixedZone("x", 3600)), Time{Time: at, Valid: true}},
		{"NULL", nil, Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Time{Time: time.Now(), Valid: true}
			if err := got.Scan(tt.src); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Scan(%v) = %+v, want %+v", tt.src, got, tt.want)
			}
		})
	}
	if err := new(Time).Scan("2026-11-26"); err == nil {
		t.Error("Scan accepted a string")
	}
	if (Time{}).Ptr() != nil {
		t.Error("a NULL time is not nil")
	}
}

func TestDialectError(t *testing.T) {
	driverErr := errors.New("driver says no")
	tests := []struct {
		fault Fault
		kind  hushpay.Kind
		code  string
	}{
		{FaultOther, hushpay.KindOther, "database_error"},
		{FaultDuplicate, hushpay.KindConflict, "duplicate"},
		{FaultBusy, hushpay.KindUnavailable, "database_busy"},
		{FaultUnavailable, hushpay.KindUnavailable, "database_unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			d := Dialect{Name: "test", Classify: func(error) (Fault, error) { return tt.fault, driverErr }}
			var he *hushpay.Error
			if err := d.Error("op", errors.New("raw")); !errors.As(err, &he) {
				t.Fatalf("Error = %v, not a *hushpay.Error", err)
			}
			if he.Op != "test.op" || he.Kind != tt.kind || he.Code != tt.code || he.Err != driverErr {
				t.Errorf("Error = %+v", he)
			}
		})
	}
	d := Dialect{Name: "test", Classify: func(error) (Fault, error) { t.Fatal("classified a hushpay error"); return 0, nil }}
	if err := d.Error("op", hushpay.NotFound("thing")); hushpay.KindOf(err) != hushpay.KindNotFound || err.Error() != "test.op: thing not found" {
		t.Errorf("a hushpay error became %v", err)
	}
	if d.Error("op", nil) != nil {
		t.Error("a nil error became an error")
	}
}

package sqlstore

import (
	"strings"
	"testing"

	"github.com/hushpay/hushpay"
)

func TestLimit(t *testing.T) {
	tests := []struct {
		name string
		in   int
		want int
	}{
		{"zero means the default", 0, DefaultLimit},
		{"negative means the default", -5, DefaultLimit},
		{"a small limit is kept", 7, 7},
		{"the maximum is kept", MaxLimit, MaxLimit},
		{"more than the maximum is capped", MaxLimit + 1, MaxLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Limit(tt.in); got != tt.want {
				t.Errorf("Limit(%d) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestCursorRoundTrip(t *testing.T) {
	tests := []Cursor{
		{CreatedMicros: 1764099726123456, ID: "pay_01"},
		{CreatedMicros: 0, ID: "x"},
		{CreatedMicros: -1, ID: "id:with:colons"},
	}
	for _, c := range tests {
		t.Run(c.ID, func(t *testing.T) {
			got, ok, err := DecodeCursor(c.Encode())
			if err != nil || !ok {
				t.Fatalf("DecodeCursor(Encode()) = %v, %v", ok, err)
			}
			if got != c {
				t.Errorf("round trip = %+v, want %+v", got, c)
			}
		})
	}
}

func TestDecodeCursorRejects(t *testing.T) {
	tests := map[string]string{
		"not base64":   "%%%",
		"no separator": "MTIz",
		"no id":        Cursor{CreatedMicros: 5}.Encode(),
		"no number":    "OmFi", // ":ab"
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			_, _, err := DecodeCursor(in)
			if hushpay.KindOf(err) != hushpay.KindInvalid {
				t.Fatalf("DecodeCursor = %v, want a KindInvalid error", err)
			}
			if strings.Contains(err.Error(), in) {
				t.Errorf("error %q echoes the input", err)
			}
		})
	}
}

func TestDecodeEmptyCursorIsFirstPage(t *testing.T) {
	if _, ok, err := DecodeCursor(""); ok || err != nil {
		t.Errorf("DecodeCursor(\"\") = %v, %v; want the first page", ok, err)
	}
}

func TestFinalStatesSQLMatchesDomain(t *testing.T) {
	quoted := make([]string, 0)
	for _, s := range FinalStates() {
		quoted = append(quoted, "'"+s+"'")
	}
	if want := "(" + strings.Join(quoted, ", ") + ")"; FinalStatesSQL != want {
		t.Errorf("FinalStatesSQL = %s, want %s", FinalStatesSQL, want)
	}
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(Cursor{CreatedMicros: 1764099726123456, ID: "pay_01"}.Encode())
	f.Add("")
	f.Add("MTIz")
	f.Fuzz(func(t *testing.T, s string) {
		c, ok, err := DecodeCursor(s)
		if err != nil || !ok {
			return
		}
		back, _, err := DecodeCursor(c.Encode())
		if err != nil || back != c {
			t.Fatalf("re-encoding %+v gave %+v, %v", c, back, err)
		}
	})
}

func TestBatch(t *testing.T) {
	tests := []struct {
		name string
		in   int
		want int
	}{
		{"zero means the default", 0, DefaultBatch},
		{"a large batch is kept", 500, 500},
		{"more than the maximum is capped", MaxBatch + 1, MaxBatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Batch(tt.in); got != tt.want {
				t.Errorf("Batch(%d) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

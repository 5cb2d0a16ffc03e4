package processor_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/card"
	"github.com/hushpay/hushpay/internal/processor"
)

type namedProcessor string

func (n namedProcessor) Name() string { return string(n) }
func (namedProcessor) Authorize(context.Context, *processor.AuthorizeRequest) (*processor.Result, error) {
	return nil, errors.New("not used")
}

func TestRegistry(t *testing.T) {
	r, err := processor.NewRegistry("sandbox", namedProcessor("sandbox"), namedProcessor("stripe"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, ask, want string
	}{
		{"the default for an empty name", "", "sandbox"},
		{"a named processor", "stripe", "stripe"},
		{"the default by name", "sandbox", "sandbox"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := r.Get(tc.ask)
			if err != nil || p.Name() != tc.want {
				t.Fatalf("Get(%q) = %v, %v; want %q", tc.ask, p, err, tc.want)
			}
		})
	}
	t.Run("an unknown name is invalid", func(t *testing.T) {
		_, err := r.Get("paypal")
		if hushpay.KindOf(err) != hushpay.KindInvalid {
			t.Fatalf("Get(unknown) error %v, want KindInvalid", err)
		}
	})
	if got := r.Names(); !slices.Equal(got, []string{"sandbox", "stripe"}) {
		t.Errorf("Names() = %v", got)
	}
}

func TestNewRegistryRejectsBadTables(t *testing.T) {
	cases := []struct {
		name string
		def  string
		ps   []processor.Processor
	}{
		{"a duplicate name", "sandbox", []processor.Processor{namedProcessor("sandbox"), namedProcessor("sandbox")}},
		{"a missing default", "stripe", []processor.Processor{namedProcessor("sandbox")}},
		{"no processors", "sandbox", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := processor.NewRegistry(tc.def, tc.ps...); err == nil {
				t.Fatal("NewRegistry succeeded")
			}
		})
	}
}

func TestCodeOf(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"a processor error", processor.Rejected(processor.CodeAmountTooLarge, "too much"), processor.CodeAmountTooLarge},
		{"a wrapped processor error", fmt.Errorf("refund: %w", processor.Invalid("amount", "bad")), processor.CodeInvalidRequest},
		{"any other error", errors.New("boom"), processor.CodeProcessingError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := processor.CodeOf(tc.err); got != tc.want {
				t.Errorf("CodeOf = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestProcessingWrapsItsCause(t *testing.T) {
	err := processor.Processing("gateway timeout", context.DeadlineExceeded)
	if !errors.Is(err, processor.ErrProcessing) || !errors.Is(err, context.DeadlineExceeded) || !err.Temporary {
		t.Fatalf("Processing error %v does not wrap ErrProcessing and its cause, or is not temporary", err)
	}
}

func TestValidateNeverEchoesCardData(t *testing.T) {
	const pan = "4242424242424242"
	cases := []struct {
		name string
		c    processor.Card
	}{
		{"a bad month", processor.Card{PAN: card.NewPAN(pan), ExpMonth: 0, ExpYear: 2030}},
		{"a bad security code", processor.Card{PAN: card.NewPAN(pan), ExpMonth: 1, ExpYear: 2030, SecurityCode: card.NewSecurityCode("98x")}},
		{"a number with a letter", processor.Card{PAN: card.NewPAN(pan + "x"), ExpMonth: 1, ExpYear: 2030}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.Validate()
			if err == nil {
				t.Fatal("Validate succeeded")
			}
			if msg := err.Error(); strings.Contains(msg, pan) || strings.Contains(msg, "98x") {
				t.Errorf("error %q shows the input", msg)
			}
		})
	}
}

func TestValidateBank(t *testing.T) {
	good := processor.Bank{RoutingNumber: "110000000", Account: card.NewAccountNumber("000123456789"), AccountType: "checking"}
	cases := []struct {
		name   string
		modify func(b *processor.Bank)
		field  string
	}{
		{"a good account", func(*processor.Bank) {}, ""},
		{"a savings account", func(b *processor.Bank) { b.AccountType = "savings" }, ""},
		{"an eight-digit routing number", func(b *processor.Bank) { b.RoutingNumber = "11000000" }, "routing_number"},
		{"a three-digit account", func(b *processor.Bank) { b.Account = card.NewAccountNumber("123") }, "account_number"},
		{"an 18-digit account", func(b *processor.Bank) { b.Account = card.NewAccountNumber("123456789012345678") }, "account_number"},
		{"an unknown account type", func(b *processor.Bank) { b.AccountType = "brokerage" }, "account_type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := good
			tc.modify(&b)
			err := b.Validate()
			var perr *processor.Error
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tc.field != "" && (!errors.As(err, &perr) || perr.Field != tc.field):
				t.Fatalf("Validate error %v, want one naming %q", err, tc.field)
			}
		})
	}
}

func TestHushpayError(t *testing.T) {
	cases := []struct {
		name      string
		err       error
		wantKind  hushpay.Kind
		wantCode  string
		wantField string
	}{
		{"an invalid request", processor.Invalid("amount", "bad"), hushpay.KindInvalid, processor.CodeInvalidRequest, "amount"},
		{"a rejection", processor.Rejected(processor.CodeAmountTooLarge, "too much"), hushpay.KindConflict, processor.CodeAmountTooLarge, ""},
		{"a processing error", processor.Processing("timeout", nil), hushpay.KindUnavailable, processor.CodeProcessingError, ""},
		{"any other error", errors.New("connection reset"), hushpay.KindUnavailable, processor.CodeProcessingError, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := processor.HushpayError("payments.refund", tc.err)
			if got.Kind != tc.wantKind || got.Code != tc.wantCode || got.Field != tc.wantField || got.Op != "payments.refund" {
				t.Errorf("got kind %v code %q field %q op %q", got.Kind, got.Code, got.Field, got.Op)
			}
			if !errors.Is(got, tc.err) {
				t.Error("the converted error does not wrap the original")
			}
		})
	}
}

package card

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/hushpay/hushpay"
)

func TestBrandOfTestCards(t *testing.T) {
	for _, c := range stripeCards {
		t.Run(string(c.brand)+"_"+c.number[:6], func(t *testing.T) {
			got, ok := BrandOf(c.number)
			if !ok || got != c.brand {
				t.Errorf("BrandOf = %q, %v; want %q, true", got, ok, c.brand)
			}
		})
	}
}

func TestBrandOfPrefixAsTyped(t *testing.T) {
	const undecided = Brand("?")
	for _, tc := range []struct {
		prefix string
		want   Brand // undecided: not known yet, "": in no range
	}{
		{"", undecided},
		{"4", Visa},
		{"5", undecided},
		{"51", Mastercard},
		{"55", Mastercard},
		{"2", undecided},
		{"222", undecided},
		{"2220", ""},
		{"2221", Mastercard},
		{"2720", Mastercard},
		{"2721", ""},
		{"3", undecided},
		{"34", Amex},
		{"37", Amex},
		{"30", undecided},
		{"300", Diners},
		{"305", Diners},
		{"306", ""},
		{"36", Diners},
		{"38", Diners},
		{"39", Diners},
		{"35", undecided},
		{"3527", ""},
		{"3528", JCB},
		{"3589", JCB},
		{"3590", ""},
		{"6", undecided},
		{"60", undecided},
		{"601", undecided},
		{"6011", Discover},
		{"6012", Maestro},
		{"62", undecided},
		{"620", UnionPay},
		{"6221", undecided},
		{"622125", UnionPay},
		{"622126", Discover},
		{"622925", Discover},
		{"622926", UnionPay},
		{"64", undecided},
		{"643", ""},
		{"644", Discover},
		{"649", Discover},
		{"65", Discover},
		{"50", Maestro},
		{"56", Maestro},
		{"58", Maestro},
		{"59", ""},
		{"63", Maestro},
		{"67", Maestro},
		{"1", ""},
		{"9", ""},
		{"4a", undecided},
	} {
		t.Run(tc.prefix+"→"+string(tc.want), func(t *testing.T) {
			got, ok := BrandOf(tc.prefix)
			switch {
			case tc.want == undecided || tc.want == "":
				if ok {
					t.Errorf("BrandOf(%q) = %q, want not decided", tc.prefix, got)
				}
			case !ok || got != tc.want:
				t.Errorf("BrandOf(%q) = %q, %v; want %q", tc.prefix, got, ok, tc.want)
			}
		})
	}
}

func TestBrandDecisionNeverChangesAsDigitsArrive(t *testing.T) {
	for _, c := range stripeCards {
		for n := 1; n <= len(c.number); n++ {
			if b, ok := BrandOf(c.number[:n]); ok && b != c.brand {
				t.Errorf("%s…: after %d digits brand %q, full number %q", c.number[:6], n, b, c.brand)
			}
		}
	}
}

func TestBrandInfo(t *testing.T) {
	for _, tc := range []struct {
		brand   Brand
		lengths []int
		cvv     int
		single  bool
	}{
		{Visa, []int{13, 16, 19}, 3, false},
		{Mastercard, []int{16}, 3, true},
		{Amex, []int{15}, 4, true},
		{Discover, []int{16, 17, 18, 19}, 3, false},
		{Diners, []int{14, 15, 16, 17, 18, 19}, 3, false},
		{JCB, []int{16, 17, 18, 19}, 3, false},
		{UnionPay, []int{16, 17, 18, 19}, 3, false},
		{Maestro, []int{12, 13, 14, 15, 16, 17, 18, 19}, 3, false},
		{"", []int{12, 13, 14, 15, 16, 17, 18, 19}, 0, false},
	} {
		t.Run(string(tc.brand), func(t *testing.T) {
			info := tc.brand.Info()
			if !slices.Equal(info.Lengths, tc.lengths) {
				t.Errorf("Lengths = %v, want %v", info.Lengths, tc.lengths)
			}
			if info.SecurityCodeLen != tc.cvv {
				t.Errorf("SecurityCodeLen = %d, want %d", info.SecurityCodeLen, tc.cvv)
			}
			if got := tc.brand.SingleLength(); got != tc.single {
				t.Errorf("SingleLength = %v, want %v", got, tc.single)
			}
			if got, want := tc.brand.MaxLength(), tc.lengths[len(tc.lengths)-1]; got != want {
				t.Errorf("MaxLength = %d, want %d", got, want)
			}
			for n := 0; n <= 40; n++ {
				if got := tc.brand.ValidLength(n); got != slices.Contains(tc.lengths, n) {
					t.Errorf("ValidLength(%d) = %v", n, got)
				}
			}
		})
	}
}

func TestDetectBrand(t *testing.T) {
	info, ok := DetectBrand("3782")
	if !ok || info.Brand != Amex || info.SecurityCodeLen != 4 || !slices.Equal(info.Lengths, []int{15}) {
		t.Errorf("DetectBrand(3782) = %+v, %v", info, ok)
	}
	if info, ok := DetectBrand("5"); ok || info.Brand != "" {
		t.Errorf("DetectBrand(5) = %+v, %v; want undecided", info, ok)
	}
}

func TestParseBrands(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    []string
		want  []Brand
		inMsg string // the error message must contain this; "" means no error
	}{
		{"none means all", nil, nil, ""},
		{"names", []string{"visa", "mastercard"}, []Brand{Visa, Mastercard}, ""},
		{"any case and spaces", []string{" VISA ", "Amex"}, []Brand{Visa, Amex}, ""},
		{"aliases", []string{"american_express", "Diners Club"}, []Brand{Amex, Diners}, ""},
		{"duplicates kept once", []string{"visa", "Visa"}, []Brand{Visa}, ""},
		{"every brand", []string{"visa", "mastercard", "amex", "discover", "diners", "jcb", "unionpay", "maestro"}, Brands(), ""},
		{"unknown name is named", []string{"visa", "bitcoin"}, nil, `"bitcoin"`},
		{"empty name", []string{""}, nil, `""`},
		{"digits are never echoed", []string{"4242424242424242"}, nil, "accepted_brands[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseBrands(tc.in)
			if tc.inMsg == "" {
				if err != nil || !slices.Equal(got, tc.want) {
					t.Errorf("ParseBrands = %v, %v; want %v", got, err, tc.want)
				}
				return
			}
			var he *hushpay.Error
			if !errors.As(err, &he) || he.Kind != hushpay.KindInvalid || he.Field != "accepted_brands" {
				t.Fatalf("err = %#v, want an invalid accepted_brands *hushpay.Error", err)
			}
			if !strings.Contains(err.Error(), tc.inMsg) || strings.Contains(err.Error(), "4242") {
				t.Errorf("err = %q, want it to contain %s and no digits", err, tc.inMsg)
			}
		})
	}
}

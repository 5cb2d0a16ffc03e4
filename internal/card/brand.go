package card

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"unicode"

	"github.com/hushpay/hushpay"
)

// Brand is a card network. The empty Brand means "not recognized".
type Brand string

// The recognized brands.
const (
	Visa       Brand = "visa"
	Mastercard Brand = "mastercard"
	Amex       Brand = "amex"
	Discover   Brand = "discover"
	Diners     Brand = "diners"
	JCB        Brand = "jcb"
	UnionPay   Brand = "unionpay"
	Maestro    Brand = "maestro"
)

// Brands returns every recognized brand.
func Brands() []Brand {
	return []Brand{Visa, Mastercard, Amex, Discover, Diners, JCB, UnionPay, Maestro}
}

// Known reports whether b is one of the recognized brands.
func (b Brand) Known() bool {
	switch b {
	case Visa, Mastercard, Amex, Discover, Diners, JCB, UnionPay, Maestro:
		return true
	}
	return false
}

// unknownLengths is the ISO/IEC 7812 range of PAN lengths, 12 to 19 digits, used for unrecognized numbers.
const unknownLengths = 0xff << 12

// lengthMask has bit n set when the brand issues n-digit numbers.
func (b Brand) lengthMask() uint32 {
	switch b {
	case Visa:
		return 1<<13 | 1<<16 | 1<<19
	case Mastercard:
		return 1 << 16
	case Amex:
		return 1 << 15
	case Discover, JCB, UnionPay:
		return 0xf << 16 // 16-19
	case Diners:
		return 0x3f << 14 // 14-19: 36xx is 14 digits, 300-305 and 38-39 16 to 19
	}
	return unknownLengths // Maestro and unrecognized numbers: 12-19
}

// ValidLength reports whether the brand issues numbers of n digits (12 to 19 for an unrecognized brand).
func (b Brand) ValidLength(n int) bool { return n >= 0 && n < 32 && b.lengthMask()&(1<<n) != 0 }

// MaxLength returns the longest number the brand issues.
func (b Brand) MaxLength() int { return 31 - bits.LeadingZeros32(b.lengthMask()) }

// SingleLength reports whether the brand issues numbers of one length only (Mastercard 16, Amex 15).
func (b Brand) SingleLength() bool { return bits.OnesCount32(b.lengthMask()) == 1 }

// Lengths returns the lengths the brand issues, shortest first.
func (b Brand) Lengths() []int {
	var out []int
	for m := b.lengthMask(); m != 0; m &= m - 1 {
		out = append(out, bits.TrailingZeros32(m))
	}
	return out
}

// SecurityCodeLen returns the length of the brand's security code: 4 for the Amex CID, 3 for the other
// recognized brands, 0 when the brand is not recognized (3 or 4 is then accepted).
func (b Brand) SecurityCodeLen() int {
	switch {
	case b == Amex:
		return 4
	case b.Known():
		return 3
	}
	return 0
}

// BrandInfo describes a brand's numbers.
type BrandInfo struct {
	Brand           Brand
	Lengths         []int // the card number lengths the brand issues
	SecurityCodeLen int   // 0 when the brand is not recognized
}

// Info returns the brand's description.
func (b Brand) Info() BrandInfo {
	return BrandInfo{Brand: b, Lengths: b.Lengths(), SecurityCodeLen: b.SecurityCodeLen()}
}

// iinRange is a range of issuer identification numbers: every number whose first `digits` digits,
// read as an integer, lie in [lo, hi].
type iinRange struct {
	digits int
	lo, hi int
	brand  Brand
}

// BrandOf returns the brand of a card number, or of the prefix typed so far. It reports false while
// the prefix is too short to tell (e.g. "5" may become Mastercard or Maestro) and for numbers in no
// known range.
//
// Overlapping ranges resolve to the most specific one: 622126-622925 is Discover inside UnionPay's
// 62, 6011/644-649/65 are Discover inside the Maestro 6 ranges. So "62" is not decided yet (it may
// become 6221 26), while "620" is UnionPay. Maestro holds 50, 56-58, 60, 63 and 67 (the ranges of the
// published Maestro BINs: 5018, 5020, 5038, 5893, 6304, 6759, 6761-6763); other numbers starting
// with 6 that fall in no range are not recognized. UnionPay numbers are held to the Luhn check like
// every other brand.
func BrandOf[D Digits](prefix D) (Brand, bool) {
	if !allDigits(prefix) {
		return "", false
	}
	ranges := [...]iinRange{
		{1, 4, 4, Visa},
		{2, 51, 55, Mastercard},
		{4, 2221, 2720, Mastercard},
		{2, 34, 34, Amex},
		{2, 37, 37, Amex},
		{4, 6011, 6011, Discover},
		{3, 644, 649, Discover},
		{2, 65, 65, Discover},
		{6, 622126, 622925, Discover},
		{3, 300, 305, Diners},
		{2, 36, 36, Diners},
		{2, 38, 39, Diners},
		{4, 3528, 3589, JCB},
		{2, 62, 62, UnionPay},
		{2, 50, 50, Maestro},
		{2, 56, 58, Maestro},
		{2, 60, 60, Maestro},
		{2, 63, 63, Maestro},
		{2, 67, 67, Maestro},
	}
	best := -1
	for i, r := range ranges {
		if inRange(r, prefix) && (best < 0 || r.digits > ranges[best].digits) {
			best = i
		}
	}
	if best < 0 {
		return "", false
	}
	for _, r := range ranges {
		if r.digits > ranges[best].digits && r.brand != ranges[best].brand && mayReach(r, prefix) {
			return "", false // a more specific range of another brand may still match
		}
	}
	return ranges[best].brand, true
}

// inRange reports whether the prefix is long enough to decide and lies in the range.
func inRange[D Digits](r iinRange, p D) bool {
	if len(p) < r.digits {
		return false
	}
	v := prefixValue(p, r.digits)
	return r.lo <= v && v <= r.hi
}

// mayReach reports whether some number starting with the prefix lies in the range: always true when
// the prefix is already long enough and in it, and for a shorter prefix when the numbers it can
// still become overlap the range.
func mayReach[D Digits](r iinRange, p D) bool {
	if len(p) >= r.digits {
		return inRange(r, p)
	}
	scale := 1
	for i := len(p); i < r.digits; i++ {
		scale *= 10
	}
	lo := prefixValue(p, len(p)) * scale
	hi := lo + scale - 1
	return lo <= r.hi && r.lo <= hi
}

// DetectBrand returns the brand of a card number or of the prefix typed so far (see BrandOf). While it
// reports false the info is that of an unrecognized number: 12 to 19 digits, a 3- or 4-digit code.
func DetectBrand(digits string) (BrandInfo, bool) {
	b, ok := BrandOf(digits)
	if !ok {
		return Brand("").Info(), false
	}
	return b.Info(), true
}

// ParseBrands turns the accepted_brands of an API request into brands: names in any case, with the
// aliases "american_express", "american express" and "diners_club". An empty list means every brand.
// An unknown name is a KindInvalid *hushpay.Error naming it (only when it looks like a brand name, so
// a card number pasted by mistake is never echoed).
func ParseBrands(names []string) ([]Brand, error) {
	var out []Brand
	for i, name := range names {
		b, ok := parseBrand(name)
		if !ok {
			return nil, hushpay.FieldError("accepted_brands", "unknown_brand", unknownBrandMessage(i, name))
		}
		if !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	return out, nil
}

func parseBrand(name string) (Brand, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	switch n {
	case "american_express", "american express", "american-express":
		return Amex, true
	case "diners_club", "diners club", "diners-club":
		return Diners, true
	}
	b := Brand(n)
	return b, slices.Contains(Brands(), b)
}

func unknownBrandMessage(i int, name string) string {
	if len(name) <= 20 && strings.IndexFunc(name, func(r rune) bool {
		return !unicode.IsLetter(r) && r != ' ' && r != '_' && r != '-'
	}) < 0 {
		return fmt.Sprintf("accepted_brands: unknown card brand %q (known: visa, mastercard, amex, discover, diners, jcb, unionpay, maestro)", name)
	}
	return fmt.Sprintf("accepted_brands[%d] is not a card brand name", i)
}

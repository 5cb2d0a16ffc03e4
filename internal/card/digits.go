package card

// Digits is the set of types the digit checks accept: a string (an API or form value) or a byte slice
// (a capture buffer that is wiped afterwards, so the digits never need to become an immutable string).
type Digits interface{ ~string | ~[]byte }

// allDigits reports whether d is non-empty and holds only the ASCII digits 0-9.
func allDigits[D Digits](d D) bool {
	if len(d) == 0 {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	return true
}

// Luhn reports whether digits (at least two, only 0-9) end in a valid ISO/IEC 7812 check digit.
func Luhn[D Digits](digits D) bool {
	if len(digits) < 2 || !allDigits(digits) {
		return false
	}
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		v := int(digits[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

// prefixValue returns the integer value of the first n digits of d (n ≤ len(d)).
func prefixValue[D Digits](d D, n int) int {
	v := 0
	for i := 0; i < n; i++ {
		v = v*10 + int(d[i]-'0')
	}
	return v
}

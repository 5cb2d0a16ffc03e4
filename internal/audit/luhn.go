package audit

// looksLikeCardNumber reports whether s holds a run of 13 to 19 digits, optionally separated by
// single spaces or dashes, that passes the Luhn check. The run is maximal: digits right before or
// after it belong to it, so a longer number is judged as a whole.
func looksLikeCardNumber(s string) bool {
	digits := make([]byte, 0, 24)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			digits = append(digits, c)
			continue
		case (c == ' ' || c == '-') && len(digits) > 0 && i+1 < len(s) && isDigit(s[i+1]):
			continue // a separator inside a run
		}
		if cardLike(digits) {
			return true
		}
		digits = digits[:0]
	}
	return cardLike(digits)
}

func cardLike(digits []byte) bool {
	return len(digits) >= 13 && len(digits) <= 19 && luhnValid(digits)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// luhnValid reports whether the ASCII digits pass the Luhn (mod 10) check. It is written here
// rather than taken from internal/card so that the audit trail depends on nothing but the root
// package.
func luhnValid(digits []byte) bool {
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

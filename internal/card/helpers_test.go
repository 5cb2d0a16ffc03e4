package card

import "strings"

// withCheckDigit completes a test number: it appends the digit that makes prefix+digit Luhn-valid.
// It is written independently of Luhn (from the ISO/IEC 7812 definition) so that the tests of Luhn
// do not check the code against itself.
func withCheckDigit(prefix string) string {
	sum := 0
	for i := range len(prefix) {
		d := int(prefix[len(prefix)-1-i] - '0')
		if i%2 == 0 { // these positions are doubled once the check digit is appended
			d = d*2%10 + d*2/10
		}
		sum += d
	}
	return prefix + string(rune('0'+(10-sum%10)%10))
}

// withBadCheckDigit returns the number with its last digit changed so the check fails.
func withBadCheckDigit(valid string) string {
	last := valid[len(valid)-1]
	return valid[:len(valid)-1] + string(rune('0'+(last-'0'+1)%10))
}

// padTo pads a prefix with zeros to n-1 digits and appends the check digit.
func padTo(prefix string, n int) string {
	return withCheckDigit(prefix + strings.Repeat("0", n-1-len(prefix)))
}

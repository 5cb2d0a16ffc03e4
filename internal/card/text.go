package card

// ContainsPAN reports whether s holds something that may be a card number: a run of 13 to 19
// digits, with single spaces or dashes allowed between them, that passes the Luhn check. The run is
// maximal — digits right before or after it belong to it — so a longer number is judged whole. No
// brand check: free text that is refused for holding card data is refused conservatively.
func ContainsPAN(s string) bool {
	var run [19]byte
	n := 0
	long := false // the run has more than 19 digits: not a card number as a whole
	end := func() bool {
		found := !long && n >= 13 && Luhn(run[:n])
		n, long = 0, false
		return found
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if n == len(run) {
				long = true
			} else {
				run[n] = c
				n++
			}
		case (c == ' ' || c == '-') && n > 0 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			// a separator inside a run
		default:
			if end() {
				return true
			}
		}
	}
	return end()
}

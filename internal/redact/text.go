package redact

import (
	"bufio"
	"errors"
	"io"

	"github.com/hushpay/hushpay/internal/card"
)

// Text finds card numbers, and with All other account data, in text and masks them.
//
// A card number is 13 to 19 digits, written together or in groups separated by spaces or dashes
// (at most three separator characters between two groups), whose check digit is valid (Luhn).
// With All, the redactor also masks 9-digit ABA routing numbers with a valid check digit and any
// other run of 10 or more digits written together (bank account numbers, which have no check digit
// to recognize them by; phone numbers written without separators are masked too).
//
// Every digit of a masked number but the last four becomes '*'; separators stay, so the text keeps
// its shape. Text works line by line: a number broken across two lines is not recognized.
type Text struct {
	All bool
}

// Card-number lengths (ISO/IEC 7812) and the other thresholds.
const (
	minCardDigits    = 13
	maxCardDigits    = 19
	minAccountDigits = 10
	keepDigits       = 4
	maxSeparator     = 3
)

// TextStats counts what Copy masked.
type TextStats struct {
	Cards    int // card numbers masked
	Accounts int // routing and account numbers masked (only with All)
}

// Copy reads src line by line and writes it to dst with the numbers masked.
func (t Text) Copy(dst io.Writer, src io.Reader) (TextStats, error) {
	var stats TextStats
	r := bufio.NewReader(src)
	w := bufio.NewWriter(dst)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			stats = stats.add(t.Mask(line))
			if _, werr := w.Write(line); werr != nil {
				return stats, werr
			}
		}
		if errors.Is(err, io.EOF) {
			return stats, w.Flush()
		}
		if err != nil {
			_ = w.Flush()
			return stats, err
		}
	}
}

func (s TextStats) add(o TextStats) TextStats {
	return TextStats{Cards: s.Cards + o.Cards, Accounts: s.Accounts + o.Accounts}
}

// Redact returns s with the numbers masked.
func (t Text) Redact(s string) string {
	b := []byte(s)
	t.Mask(b)
	return string(b)
}

// Mask masks the numbers in line in place.
func (t Text) Mask(line []byte) TextStats {
	var stats TextStats
	for i := 0; i < len(line); {
		if !isDigit(line[i]) {
			i++
			continue
		}
		groups := scanGroups(line, i)
		stats = stats.add(t.maskGroups(line, groups))
		i = groups[len(groups)-1].end
	}
	return stats
}

// group is a run of digits line[start:end].
type group struct{ start, end int }

func (g group) len() int { return g.end - g.start }

// scanGroups returns the digit groups starting at line[i] that are joined by short separators.
func scanGroups(line []byte, i int) []group {
	var gs []group
	for {
		g := group{start: i}
		for i < len(line) && isDigit(line[i]) {
			i++
		}
		g.end = i
		gs = append(gs, g)
		j := i
		for j < len(line) && j-i < maxSeparator && (line[j] == ' ' || line[j] == '-') {
			j++
		}
		if j == i || j >= len(line) || !isDigit(line[j]) {
			return gs
		}
		i = j
	}
}

// maskGroups masks the card numbers in a run of groups, and with All the account numbers.
func (t Text) maskGroups(line []byte, gs []group) TextStats {
	var stats TextStats
	for i := 0; i < len(gs); {
		if j, ok := cardAt(line, gs, i); ok {
			maskDigits(line, gs[i:j+1])
			stats.Cards++
			i = j + 1
			continue
		}
		if t.All && isAccount(line, gs[i]) {
			maskDigits(line, gs[i:i+1])
			stats.Accounts++
		}
		i++
	}
	return stats
}

// cardAt finds the longest run of groups starting at gs[i] that is a card number and returns the
// index of its last group.
func cardAt(line []byte, gs []group, i int) (int, bool) {
	digits := make([]byte, 0, 2*maxCardDigits)
	best := -1
	for j := i; j < len(gs); j++ {
		digits = append(digits, line[gs[j].start:gs[j].end]...)
		if len(digits) > maxCardDigits {
			break
		}
		if len(digits) >= minCardDigits && card.Luhn(digits) {
			best = j
		}
	}
	clear(digits)
	return best, best >= 0
}

// isAccount reports whether one group is a routing number or a long account-like run.
func isAccount(line []byte, g group) bool {
	d := line[g.start:g.end]
	if len(d) == card.RoutingNumberLen {
		return card.ValidateRoutingNumber(d) == ""
	}
	return len(d) >= minAccountDigits
}

// maskDigits replaces every digit of the groups with '*' except the last four.
func maskDigits(line []byte, gs []group) {
	keep := keepDigits
	for k := len(gs) - 1; k >= 0; k-- {
		for p := gs[k].end - 1; p >= gs[k].start; p-- {
			if keep > 0 {
				keep--
				continue
			}
			line[p] = '*'
		}
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

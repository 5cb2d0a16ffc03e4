package dtmf

import "math"

// SampleRate is the sample rate, in Hz, of all audio the package reads and writes.
const SampleRate = 8000

// groupFreq returns the frequency, in Hz, of filter i of the detector's bank: 0-3 are the low
// group (keypad rows), 4-7 the high group (columns), as ITU-T Q.23 sets them.
func groupFreq(i int) float64 {
	return [8]float64{697, 770, 852, 941, 1209, 1336, 1477, 1633}[i]
}

// keypad gives the key at row (low group) r and column (high group) c.
const keypad = "123A456B789C*0#D"

// keyAt returns the key of a low-group row and a high-group column.
func keyAt(row, col int) byte { return keypad[row*4+col] }

// keyPosition returns the row and column of key and whether key is a DTMF key.
func keyPosition(key byte) (row, col int, ok bool) {
	for i := range len(keypad) {
		if keypad[i] == key {
			return i / 4, i % 4, true
		}
	}
	return 0, 0, false
}

// IsKey reports whether key is one of the sixteen DTMF keys: '0'-'9', '*', '#', 'A'-'D'.
func IsKey(key byte) bool {
	_, _, ok := keyPosition(key)
	return ok
}

// Frequencies returns the low-group and high-group frequencies, in Hz, of key, and whether key
// is a DTMF key.
func Frequencies(key byte) (low, high float64, ok bool) {
	r, c, ok := keyPosition(key)
	if !ok {
		return 0, 0, false
	}
	return groupFreq(r), groupFreq(4 + c), true
}

// zeroDBm0 is the amplitude, in linear PCM16 units, of a sine at 0 dBm0: 3.14 dB below full
// scale, 32767·10^(-3.14/20).
const zeroDBm0 = 22826.36098786756

// Amplitude returns the peak amplitude, in linear PCM16 units, of a sine at level dBm0.
func Amplitude(level float64) float64 { return zeroDBm0 * math.Pow(10, level/20) }

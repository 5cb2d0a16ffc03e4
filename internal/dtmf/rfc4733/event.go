package rfc4733

// The event codes of RFC 4733 section 3.2 that map to keypad keys: 0-9 are the digits, then *, #,
// A, B, C, D. Code 16 is a hook flash, which has no key.
const (
	EventStar  uint8 = 10 // the * key
	EventPound uint8 = 11 // the # key
	EventA     uint8 = 12 // the A key (the fourth column of a full keypad)
	EventD     uint8 = 15 // the D key
	EventFlash uint8 = 16 // a hook flash
)

const keypad = "0123456789*#ABCD"

// KeyOf returns the keypad key ('0'-'9', '*', '#', 'A'-'D') of an event code, and false for codes
// that are not keypad keys (a flash, modem and line tones).
func KeyOf(event uint8) (byte, bool) {
	if int(event) >= len(keypad) {
		return 0, false
	}
	return keypad[event], true
}

// EventOf returns the event code of a keypad key, accepting 'a'-'d' as well as 'A'-'D'.
func EventOf(key byte) (uint8, bool) {
	if key >= 'a' && key <= 'd' {
		key -= 'a' - 'A'
	}
	for i := 0; i < len(keypad); i++ {
		if keypad[i] == key {
			return uint8(i), true
		}
	}
	return 0, false
}

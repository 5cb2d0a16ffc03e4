package dtmf

import (
	"testing"
)

// minTalkDown is the share of keys that must be found under speech as loud as the tones, and
// minTalkDownAllKeys the same for every key under three other voices. Speech that loud fills the
// filters around the tones and sometimes sounds like a voice's harmonic next to the pair, so a
// press occasionally goes unrecognized; docs/dtmf.md gives the figures.
const (
	minTalkDown        = 0.93
	minTalkDownAllKeys = 0.89
)

func hushpayKeys(s []int16) string { return keysOf(detectAll(s)) }

// judge runs every case of c through every codec and returns one tally per codec, in codecs()
// order.
func judge(c category, detect func([]int16) string) []tally {
	var out []tally
	for _, cd := range codecs() {
		var tl tally
		for _, cs := range c.cases {
			tl.add(cs.want, detect(cd.apply(cs.samples)))
		}
		out = append(out, tl)
	}
	return out
}

// checkCategory runs c through every codec and fails on any missed or false key (or, with
// minFound below 1, on too many missed keys).
func checkCategory(t *testing.T, c category, minFound float64) {
	t.Helper()
	for _, cd := range codecs() {
		t.Run(cd.name, func(t *testing.T) {
			var tl tally
			for _, cs := range c.cases {
				got := hushpayKeys(cd.apply(cs.samples))
				tl.add(cs.want, got)
				found, extra := score(cs.want, got)
				if extra > 0 || (minFound == 1 && found < len(cs.want)) {
					t.Errorf("%s: found %q, want %q", cs.name, got, cs.want)
				}
			}
			if tl.want > 0 && float64(tl.found) < minFound*float64(tl.want) {
				t.Errorf("found %s, want at least %.0f%%", tl, 100*minFound)
			}
			t.Logf("%s", tl)
		})
	}
}

func TestSyntheticCorpus(t *testing.T) {
	for _, c := range syntheticCategories() {
		t.Run(c.name, func(t *testing.T) { checkCategory(t, c, 1) })
	}
}

func TestSpeechGivesNoKeys(t *testing.T) {
	checkCategory(t, speechCategory(t), 1)
}

func TestMusicGivesNoKeys(t *testing.T) {
	checkCategory(t, musicCategory(t), 1)
}

func TestKeysUnderSpeechAreFound(t *testing.T) {
	checkCategory(t, talkDownCategory(t), minTalkDown)
}

func TestEveryKeyUnderSpeechIsFound(t *testing.T) {
	checkCategory(t, talkDownAllKeysCategory(t), minTalkDownAllKeys)
}

// TestCorpusCanFail makes sure the judging itself catches a detector that reports too much or
// too little.
func TestCorpusCanFail(t *testing.T) {
	tests := []struct {
		name      string
		want, got string
		found     int
		extra     int
	}{
		{"all found", "1234", "1234", 4, 0},
		{"one missed", "1234", "124", 3, 0},
		{"one false", "", "7", 0, 1},
		{"one wrong", "1234", "1284", 3, 1},
		{"out of order", "12", "21", 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			found, extra := score(tt.want, tt.got)
			if found != tt.found || extra != tt.extra {
				t.Errorf("score(%q, %q) = %d, %d; want %d, %d", tt.want, tt.got, found, extra, tt.found, tt.extra)
			}
		})
	}
}

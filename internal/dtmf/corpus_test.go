package dtmf

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hushpay/hushpay/internal/g711"
)

// allKeys is every key once, in keypad order.
const allKeys = "123A456B789C*0#D"

// corpusCase is one recording of the corpus and the keys a perfect detector finds in it.
type corpusCase struct {
	name    string
	samples []int16
	want    string
}

// category is a group of cases judged together: a positive category wants every key found and
// nothing else, a negative one (all wants empty) wants nothing at all.
type category struct {
	name  string
	cases []corpusCase
}

// codec is a channel the corpus passes through before detection.
type codec struct {
	name  string
	apply func([]int16) []int16
}

func codecs() []codec {
	return []codec{
		{"PCM", func(s []int16) []int16 { return s }},
		{"PCMU", func(s []int16) []int16 {
			b := make([]byte, len(s))
			g711.EncodeULawTo(b, s)
			out := make([]int16, len(s))
			g711.DecodeULawTo(out, b)
			return out
		}},
		{"PCMA", func(s []int16) []int16 {
			b := make([]byte, len(s))
			g711.EncodeALawTo(b, s)
			out := make([]int16, len(s))
			g711.DecodeALawTo(out, b)
			return out
		}},
	}
}

// detectAll runs a fresh detector over samples in 20 ms frames and returns the ended presses.
func detectAll(samples []int16) []Press {
	var presses []Press
	d := NewDetector()
	collect := func(e Event) {
		if e.Kind == KeyUp {
			presses = append(presses, e.Press)
		}
	}
	for len(samples) > 0 {
		n := min(160, len(samples))
		d.Process(samples[:n], collect)
		samples = samples[n:]
	}
	d.Flush(collect)
	return presses
}

func keysOf(presses []Press) string {
	var b strings.Builder
	for _, p := range presses {
		b.WriteByte(p.Key)
	}
	return b.String()
}

// score compares detected keys with the wanted ones: found counts wanted keys detected in order
// (longest common subsequence), extra counts detected keys beyond those.
func score(want, got string) (found, extra int) {
	prev := make([]int, len(got)+1)
	cur := make([]int, len(got)+1)
	for i := 1; i <= len(want); i++ {
		for j := 1; j <= len(got); j++ {
			switch {
			case want[i-1] == got[j-1]:
				cur[j] = prev[j-1] + 1
			case prev[j] >= cur[j-1]:
				cur[j] = prev[j]
			default:
				cur[j] = cur[j-1]
			}
		}
		prev, cur = cur, prev
	}
	found = prev[len(got)]
	return found, len(got) - found
}

// tally is a detector's result over one category and codec.
type tally struct{ want, found, extra int }

func (t *tally) add(want, got string) {
	f, x := score(want, got)
	t.want += len(want)
	t.found += f
	t.extra += x
}

func (t tally) String() string {
	if t.want == 0 {
		return fmt.Sprintf("%d false", t.extra)
	}
	return fmt.Sprintf("%d/%d (%.1f%%), %d false", t.found, t.want, 100*float64(t.found)/float64(t.want), t.extra)
}

// tone describes one sine of a synthetic pair.
type tone struct {
	hz    float64
	level float64 // dBm0
}

// appendPair appends n samples of the sum of tones to dst.
func appendPair(dst []int16, n int, tones ...tone) []int16 {
	for i := range n {
		var v float64
		for _, t := range tones {
			v += Amplitude(t.level) * math.Sin(2*math.Pi*t.hz/SampleRate*float64(i))
		}
		dst = append(dst, clamp16(v))
	}
	return dst
}

// pairShape gives the two tones of a key.
type pairShape func(key byte) (low, high tone)

// keySequence renders keys with shape, on and off samples each, after lead samples of silence.
func keySequence(keys string, shape pairShape, lead, on, off int) []int16 {
	out := make([]int16, lead)
	for i := range len(keys) {
		lo, hi := shape(keys[i])
		out = appendPair(out, on, lo, hi)
		out = append(out, make([]int16, off)...)
	}
	return out
}

// shaped returns the pair shape with both tones' frequencies scaled and levels set.
func shaped(lowScale, highScale, lowLevel, highLevel float64) pairShape {
	return func(key byte) (tone, tone) {
		l, h, _ := Frequencies(key)
		return tone{l * lowScale, lowLevel}, tone{h * highScale, highLevel}
	}
}

func flat(level float64) pairShape { return shaped(1, 1, level, level) }

// addNoise adds white Gaussian noise of the given mean power (PCM16 units squared) to s.
func addNoise(s []int16, power float64, seed uint64) []int16 {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	sd := math.Sqrt(power)
	out := make([]int16, len(s))
	for i, v := range s {
		out[i] = clamp16(float64(v) + sd*r.NormFloat64())
	}
	return out
}

// tonePower is the mean power of a sine at level dBm0, in PCM16 units squared.
func tonePower(level float64) float64 { a := Amplitude(level); return a * a / 2 }

const ms = SampleRate / 1000 // samples per millisecond

func levelsCategory() category {
	c := category{name: "levels -3..-36 dBm0"}
	for lv := -3.0; lv >= -36; lv -= 3 {
		c.cases = append(c.cases, corpusCase{fmt.Sprintf("%g dBm0", lv), keySequence(allKeys, flat(lv), 0, 60*ms, 60*ms), allKeys})
	}
	return c
}

// offsetCases shifts the low tone, the high tone or both by frac at a few levels.
func offsetCases(frac float64, want string) []corpusCase {
	var cases []corpusCase
	for _, lv := range []float64{-6, -20, -33} {
		for _, sign := range []float64{1, -1} {
			f := 1 + sign*frac
			for _, s := range []struct {
				which  string
				lo, hi float64
			}{{"low", f, 1}, {"high", 1, f}, {"both", f, f}, {"opposite", f, 2 - f}} {
				name := fmt.Sprintf("%s %+.1f%% at %g dBm0", s.which, 100*sign*frac, lv)
				cases = append(cases, corpusCase{name, keySequence(allKeys, shaped(s.lo, s.hi, lv, lv), 0, 60*ms, 60*ms), want})
			}
		}
	}
	return cases
}

func twistCategory() category {
	c := category{name: "twist +4/-8 dB"}
	for _, lv := range []float64{-4, -12, -20, -28, -32} {
		for _, tw := range []float64{4, -8} {
			// Level is the pair's mean, and separately the louder tone at lv.
			mean := shaped(1, 1, lv-tw/2, lv+tw/2)
			c.cases = append(c.cases, corpusCase{fmt.Sprintf("%+g dB around %g dBm0", tw, lv), keySequence(allKeys, mean, 0, 60*ms, 60*ms), allKeys})
			loud := shaped(1, 1, lv-max(tw, 0), lv+min(tw, 0))
			c.cases = append(c.cases, corpusCase{fmt.Sprintf("%+g dB, louder tone at %g dBm0", tw, lv), keySequence(allKeys, loud, 0, 60*ms, 60*ms), allKeys})
		}
	}
	// The limits combined with the worst accepted offsets.
	for _, tw := range []float64{4, -8} {
		for _, f := range []float64{0.985, 1.015} {
			c.cases = append(c.cases, corpusCase{fmt.Sprintf("%+g dB, offset %+.1f%%", tw, 100*(f-1)), keySequence(allKeys, shaped(f, f, -16-tw/2, -16+tw/2), 0, 60*ms, 60*ms), allKeys})
		}
	}
	return c
}

func durationCategory(on int, want func(string) string) category {
	c := category{name: fmt.Sprintf("%d ms tones", on/ms)}
	for _, lead := range []int{0, 13, 26, 39, 50} {
		for _, lv := range []float64{-8, -30} {
			c.cases = append(c.cases, corpusCase{fmt.Sprintf("lead %d at %g dBm0", lead, lv), keySequence(allKeys, flat(lv), lead, on, 60*ms), want(allKeys)})
		}
	}
	return c
}

func repeatCategory() category {
	c := category{name: "repeats, 40 ms pauses"}
	for _, k := range allKeys {
		for _, on := range []int{40 * ms, 80 * ms} {
			keys := strings.Repeat(string(k), 4)
			c.cases = append(c.cases, corpusCase{fmt.Sprintf("%c on %d ms", k, on/ms), keySequence(keys, flat(-15), 17, on, 40*ms), keys})
		}
	}
	return c
}

func noiseCategory() category {
	c := category{name: "white noise, 12 dB S/N"}
	for i, lv := range []float64{-6, -15, -24, -30, -36} {
		for _, tw := range []float64{0, 4, -8} {
			clean := keySequence(allKeys, shaped(1, 1, lv-tw/2, lv+tw/2), 40*ms, 60*ms, 60*ms)
			noise := (tonePower(lv-tw/2) + tonePower(lv+tw/2)) / math.Pow(10, 12.0/10)
			c.cases = append(c.cases, corpusCase{fmt.Sprintf("%g dBm0 twist %+g", lv, tw), addNoise(clean, noise, uint64(i*10+int(tw)+100)), allKeys})
		}
	}
	return c
}

func noiseOnlyCategory() category {
	c := category{name: "white noise alone"}
	for i, lv := range []float64{-60, -45, -36, -25, -15, -6, 0} {
		c.cases = append(c.cases, corpusCase{fmt.Sprintf("%g dBm0", lv), addNoise(make([]int16, 3*SampleRate), tonePower(lv), uint64(i)), ""})
	}
	return c
}

// randomPair appends n samples of the pair lo+hi, each tone starting at a random phase.
func randomPair(dst []int16, n int, lo, hi tone, r *rand.Rand) []int16 {
	pl, ph := 2*math.Pi*r.Float64(), 2*math.Pi*r.Float64()
	for i := range n {
		t := float64(i) / SampleRate
		dst = append(dst, clamp16(Amplitude(lo.level)*math.Sin(2*math.Pi*lo.hz*t+pl)+Amplitude(hi.level)*math.Sin(2*math.Pi*hi.hz*t+ph)))
	}
	return dst
}

// randomSpread draws a pair's level, twist and frequency offsets within the given bounds.
type randomSpread struct {
	minLevel, maxLevel float64 // dBm0, the pair's mean
	minTwist, maxTwist float64 // dB
	offset             float64 // each tone within ±offset
}

// randomCategory renders every key count times, on and off samples each, each press with tones at
// random phases, at a random onset within the first half-block of its slot, with level, twist and
// offsets drawn from spread; want is what a perfect detector finds in one sequence of allKeys.
func randomCategory(name string, seed uint64, count, on, off int, spread randomSpread, want func(string) string) category {
	r := rand.New(rand.NewPCG(seed, 0xd7))
	c := category{name: name}
	for i := range count {
		out := make([]int16, r.IntN(51))
		for k := range len(allKeys) {
			l, h, _ := Frequencies(allKeys[k])
			lv := spread.minLevel + (spread.maxLevel-spread.minLevel)*r.Float64()
			tw := spread.minTwist + (spread.maxTwist-spread.minTwist)*r.Float64()
			lo := tone{l * (1 + spread.offset*(2*r.Float64()-1)), lv - tw/2}
			hi := tone{h * (1 + spread.offset*(2*r.Float64()-1)), lv + tw/2}
			out = randomPair(out, on, lo, hi, r)
			out = append(out, make([]int16, off+r.IntN(51))...)
		}
		c.cases = append(c.cases, corpusCase{fmt.Sprintf("sequence %d", i), out, want(allKeys)})
	}
	return c
}

// dyadCategory sounds the two-note chords of equal temperament (A4 = 440 Hz) that hold a note of
// G5 (784.0 Hz, 1.8% above 770) with E6, F#6 or G#6, near keys 5, 6 and B, as sines, with
// harmonics and decaying, for half a second. A detector must find nothing. (F5 or A#5 with E6 or
// F#6 are within 1.5% of keys 2, 3, 0 and #: those dyads are key presses to any detector. G#6 is
// 1.7% above 1633 Hz, within 0.05% of the detector's bound, so its dyads are not asserted.)
func dyadCategory() category {
	notes := map[string]float64{"G5": 783.99, "E6": 1318.51, "F#6": 1479.98, "G#6": 1661.22}
	dyads := [][2]string{{"G5", "E6"}, {"G5", "F#6"}, {"G5", "G#6"}}
	c := category{name: "equal-tempered dyads with G5, 1.8% off a pair"}
	for _, dy := range dyads {
		lo, hi := notes[dy[0]], notes[dy[1]]
		for _, timbre := range []string{"sine", "harmonics", "decaying"} {
			s := make([]int16, 0, 5000)
			for i := range 4000 {
				t := float64(i) / SampleRate
				env := 1.0
				if timbre == "decaying" {
					env = math.Exp(-3 * t)
				}
				v := math.Sin(2*math.Pi*lo*t) + math.Sin(2*math.Pi*hi*t)
				if timbre == "harmonics" {
					v += 0.5*math.Sin(4*math.Pi*lo*t) + 0.5*math.Sin(4*math.Pi*hi*t) + 0.3*math.Sin(6*math.Pi*lo*t)
				}
				s = append(s, clamp16(Amplitude(-12)*env*v))
			}
			c.cases = append(c.cases, corpusCase{fmt.Sprintf("%s+%s %s", dy[0], dy[1], timbre), append(s, make([]int16, 800)...), ""})
		}
	}
	return c
}

func syntheticCategories() []category {
	return []category{
		levelsCategory(),
		{name: "offset ±1.5%", cases: offsetCases(0.015, allKeys)},
		{name: "offset ±3.5%", cases: offsetCases(0.035, "")},
		twistCategory(),
		durationCategory(40*ms, func(k string) string { return k }),
		durationCategory(20*ms, func(string) string { return "" }),
		durationCategory(15*ms, func(string) string { return "" }),
		repeatCategory(),
		noiseCategory(),
		noiseOnlyCategory(),
		// The same limits at random phases and onsets: a tone whose phases fall badly looks
		// different to a 51-sample filter at its edges, which a phase-0 corpus never shows.
		randomCategory("20 ms tones, random phases", 20, 400, 20*ms, 60*ms,
			randomSpread{-36, -3, -8, 4, 0.015}, func(string) string { return "" }),
		randomCategory("40 ms tones, 40 ms pauses, random phases", 40, 40, 40*ms, 40*ms,
			randomSpread{-36, -3, 0, 0, 0}, func(k string) string { return k }),
		randomCategory("twist at the limits, random phases", 41, 20, 60*ms, 60*ms,
			randomSpread{-32, -4, -8, -8, 0}, func(k string) string { return k }),
		randomCategory("twist +4, random phases", 42, 20, 60*ms, 60*ms,
			randomSpread{-32, -4, 4, 4, 0}, func(k string) string { return k }),
		randomCategory("offset within ±1.5%, random phases", 43, 40, 60*ms, 60*ms,
			randomSpread{-33, -6, 0, 0, 0.015}, func(k string) string { return k }),
		dyadCategory(),
	}
}

// requirePeer skips the test when a program the corpus needs is missing, unless CI=true.
func requirePeer(t testing.TB, names ...string) {
	t.Helper()
	for _, name := range names {
		if _, err := exec.LookPath(name); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required under CI (Debian package %s)", name, name)
			}
			t.Skipf("%s not installed (Debian package %s)", name, name)
		}
	}
}

// runTool runs a command and returns its standard output.
func runTool(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}

// to8kHz converts any audio file sox reads to 8 kHz mono PCM16 samples.
func to8kHz(path string) ([]int16, error) {
	raw, err := runTool("sox", "-V1", path, "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "raw", "-L", "-")
	if err != nil {
		return nil, err
	}
	return samplesOfBytes(raw), nil
}

// scaleTo scales s so its mean power over non-silent samples is that of a sine at level dBm0.
func scaleTo(s []int16, level float64) []int16 {
	var sum float64
	var n int
	for _, v := range s {
		if v > 64 || v < -64 {
			sum += float64(v) * float64(v)
			n++
		}
	}
	out := make([]int16, len(s))
	if n == 0 {
		return out
	}
	g := math.Sqrt(tonePower(level) / (sum / float64(n)))
	for i, v := range s {
		out[i] = clamp16(float64(v) * g)
	}
	return out
}

// peakTo scales s so its largest sample is at fraction of full scale.
func peakTo(s []int16, fraction float64) []int16 {
	var p float64
	for _, v := range s {
		p = max(p, math.Abs(float64(v)))
	}
	out := make([]int16, len(s))
	if p == 0 {
		return out
	}
	for i, v := range s {
		out[i] = clamp16(float64(v) * fraction * 32767 / p)
	}
	return out
}

// speechTexts are read by espeak-ng: ordinary sentences crowded with spoken numbers.
var speechTexts = map[string]string{
	"en":    "My card number is 4 2 4 2, 4 2 4 2, 1 2 3 4, 5 6 7 8, it expires 09 28, and the code is 7 3 1. Call me back on 0 7 9 4 6 1 1 2 3 5 8 after nine thirty, or at extension 4 0 4.",
	"fr":    "Mon numéro est le 06 12 34 56 78, la facture 2024 porte le montant de 1 999 euros et 95 centimes; rappelez-moi au 01 45 67 89 00.",
	"de":    "Meine Kundennummer lautet 8 8 3 1 9 0 2 7, die Bestellung vom 14. März 2023 kostet 249 Euro 90; rufen Sie 0 1 7 6 5 5 4 3 2 1 an.",
	"es":    "El número de la tarjeta es 5 5 5 5 4 4 4 4 3 3 3 3 2 2 2 2, vence en diciembre de 2027, y mi teléfono es 6 1 2 3 4 5 6 7 8.",
	"it":    "Il codice cliente è 3 9 0 6 4 5 7 8 1 2, la rata di 315 euro scade il 21 giugno; chiamate il numero 3 3 8 1 2 4 5 6 7 9.",
	"pt":    "O meu número de contribuinte é 2 1 8 7 6 5 4 3 0, e o telefone 9 1 2 3 4 5 6 7 8; paguei 1 250 euros em 2022.",
	"nl":    "Mijn rekeningnummer is 4 7 1 1 0 8 1 5, het bedrag is 89 euro 50 en mijn telefoonnummer is 0 6 1 2 3 4 5 6 7 8.",
	"pl":    "Mój numer telefonu to 6 0 1 2 3 4 5 6 7, numer zamówienia 9 8 7 6 5 4, kwota 1 299 złotych i 99 groszy.",
	"ru":    "Мой номер карты 2 2 0 0 7 0 0 1 2 3 4 5 6 7 8 9, срок действия 11 26, телефон 8 9 1 6 1 2 3 4 5 6 7.",
	"en-us": "Please read back the confirmation code: 8 0 0, 5 5 5, 0 1 9 9. The total is 1,482 dollars and 16 cents, account 3 1 4 1 5 9 2 6 5 3.",
	"sv":    "Mitt personnummer är 19 85 03 14 ett två tre fyra, och telefon 0 7 0 1 2 3 4 5 6 7.",
	"cmn":   "我的电话号码是 1 3 8 0 0 1 3 8 0 0 0, 金额是 2 5 8 元。",
}

// speechVoices are the voice variants and prosody the corpus reads each text with.
var speechVoices = []struct{ variant, pitch, speed string }{
	{"", "50", "160"},
	{"+f3", "70", "140"},
	{"+m3", "25", "200"},
	{"+f5", "90", "175"},
}

// corpusRecording returns the 8 kHz samples of the recording that render writes (as any audio
// file sox reads) to the path it is given. Recordings are kept, as 8 kHz raw PCM named by a hash
// of key, in a cache directory shared by test runs, so the corpus is made once per machine.
func corpusRecording(t testing.TB, key string, render func(path string) error) []int16 {
	t.Helper()
	dir := filepath.Join(os.TempDir(), "hushpay-dtmf-corpus")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(key))
	cache := filepath.Join(dir, hex.EncodeToString(sum[:12])+".raw")
	if raw, err := os.ReadFile(cache); err == nil {
		return samplesOfBytes(raw)
	}
	tmp := t.TempDir()
	wav := filepath.Join(tmp, "render.wav")
	if err := render(wav); err != nil {
		t.Fatal(err)
	}
	s, err := to8kHz(wav)
	if err != nil {
		t.Fatal(err)
	}
	part := filepath.Join(tmp, "part.raw")
	if err := os.WriteFile(part, pcmBytes(s), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(part, cache); err != nil {
		t.Logf("corpus cache not kept: %v", err)
	}
	return s
}

func samplesOfBytes(raw []byte) []int16 {
	s := make([]int16, len(raw)/2)
	for i := range s {
		s[i] = int16(binary.LittleEndian.Uint16(raw[2*i:]))
	}
	return s
}

func speechCategory(t testing.TB) category {
	t.Helper()
	requirePeer(t, "espeak-ng", "sox")
	c := category{name: "speech (espeak-ng)"}
	add := func(name string, s []int16, quiet float64) {
		c.cases = append(c.cases,
			corpusCase{name + " loud", peakTo(s, 0.98), ""},
			corpusCase{fmt.Sprintf("%s %g dBm0", name, quiet), scaleTo(s, quiet), ""})
	}
	langs := slices.Sorted(maps.Keys(speechTexts))
	for _, lang := range langs {
		for i, v := range speechVoices {
			add(lang+v.variant, speak(t, lang+v.variant, v.pitch, v.speed, speechTexts[lang]), -20-4*float64(i))
		}
	}
	// Every voice variant espeak-ng has, each reading another language at another pitch and speed.
	for i, v := range voiceVariants(t) {
		lang := langs[i%len(langs)]
		pitch, speed := fmt.Sprint(i*37%100), fmt.Sprint(120+i*29%120)
		add(fmt.Sprintf("%s+%s p%s s%s", lang, v, pitch, speed), speak(t, lang+"+"+v, pitch, speed, speechTexts[lang]), -25)
	}
	return c
}

// voiceVariants lists espeak-ng's voice variants (the names that follow "+" in a voice).
func voiceVariants(t testing.TB) []string {
	t.Helper()
	out, err := runTool("espeak-ng", "--voices=variant")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, line := range strings.Split(string(out), "\n")[1:] {
		if f := strings.Fields(line); len(f) >= 5 {
			names = append(names, strings.TrimPrefix(f[4], "!v/"))
		}
	}
	if len(names) < 10 {
		t.Fatalf("espeak-ng lists only %d voice variants", len(names))
	}
	return names
}

// speak returns text read by espeak-ng with voice, pitch and speed, at 8 kHz.
func speak(t testing.TB, voice, pitch, speed, text string) []int16 {
	t.Helper()
	key := strings.Join([]string{"espeak-ng", voice, pitch, speed, text}, "\x00")
	return corpusRecording(t, key, func(wav string) error {
		_, err := runTool("espeak-ng", "-v", voice, "-p", pitch, "-s", speed, "-w", wav, text)
		return err
	})
}

// musicScores are sox synth effects: chords, melodies, sweeps, harmonic-rich timbres.
var musicScores = []struct {
	name string
	args []string
}{
	{"C major chord, pluck", []string{"synth", "3", "pluck", "C4", "pluck", "E4", "pluck", "G4", "pluck", "C5"}},
	{"F major 7 chord, sine", []string{"synth", "3", "sine", "F5", "sine", "A5", "sine", "C6", "sine", "E6"}},
	{"D minor chord, square", []string{"synth", "3", "square", "D4", "square", "F4", "square", "A4"}},
	{"G7 chord, sawtooth", []string{"synth", "3", "sawtooth", "G3", "sawtooth", "B3", "sawtooth", "D4", "sawtooth", "F4"}},
	{"A minor chord, triangle", []string{"synth", "3", "triangle", "A4", "triangle", "C5", "triangle", "E5"}},
	{"sine sweep 300-3400 Hz", []string{"synth", "6", "sine", "300:3400"}},
	{"square sweep 100-1700 Hz", []string{"synth", "6", "square", "100:1700"}},
	{"sawtooth sweep 60-1000 Hz", []string{"synth", "6", "sawtooth", "60:1000"}},
	{"two sine sweeps", []string{"synth", "6", "sine", "600:1000", "sine", "1100:1800"}},
	{"exponential sweep", []string{"synth", "6", "sine", "200-3000"}},
	{"pluck melody", melody("pluck", "C5 D5 E5 F5 G5 A5 B5 C6 D6 E6 F6 G6 F6 E6 D6 C6")},
	{"square melody", melody("square", "E4 G4 A4 C5 D5 E5 G5 A5 G5 E5 D5 C5")},
	{"sine melody", melody("sine", "F5 F#6 G5 E6 A5 F6 A#5 D#6 B5 G6")},
	{"trapezium melody", melody("trapezium", "A4 B4 C#5 D5 E5 F#5 G#5 A5")},
	{"tremolo chord", []string{"synth", "4", "sine", "E5", "sine", "B5", "sine", "G#5", "tremolo", "6", "60"}},
}

// melody is a synth effect playing notes one after another, 0.25 s each.
func melody(timbre, notes string) []string {
	args := []string{"synth"}
	for _, n := range strings.Fields(notes) {
		args = append(args, "0.25", timbre, n, ":")
		args = append(args, "synth")
	}
	return args[:len(args)-2]
}

func musicCategory(t testing.TB) category {
	t.Helper()
	requirePeer(t, "sox")
	c := category{name: "music (sox)"}
	for _, m := range musicScores {
		s := corpusRecording(t, "sox\x00"+strings.Join(m.args, "\x00"), func(wav string) error {
			args := append([]string{"-V1", "-n", "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", wav}, m.args...)
			_, err := runTool("sox", append(args, "remix", "-")...)
			return err
		})
		c.cases = append(c.cases,
			corpusCase{m.name + " loud", peakTo(s, 0.9), ""},
			corpusCase{m.name + " -25 dBm0", scaleTo(s, -25), ""})
	}
	return c
}

// talkDownCategory lays keyed digits under continuous speech whose power equals the tones'.
func talkDownCategory(t testing.TB) category {
	t.Helper()
	requirePeer(t, "espeak-ng", "sox")
	c := category{name: "talk-down (speech as loud as the tones)"}
	keys := "4242424242424242"
	for lang, text := range sortedMap(speechTexts) {
		speech := speak(t, lang, "50", "160", text)
		for _, lv := range []float64{-10, -22} {
			tones := keySequence(keys, flat(lv), 4000, 70*ms, 70*ms)
			c.cases = append(c.cases, corpusCase{fmt.Sprintf("%s under %g dBm0 tones", lang, lv), mixAtEqualPower(tones, speech, 2*tonePower(lv)), keys})
		}
	}
	return c
}

// talkDownAllKeysCategory lays every key, twice, under the three other voices of the speech
// corpus (+f3, +m3, +f5) reading each language's text, the speech as loud as the tones. The
// first talk-down category keys only 4 and 2; each key's pair meets speech differently (the
// third-order products and the harmonics between the tones move with the pair).
func talkDownAllKeysCategory(t testing.TB) category {
	t.Helper()
	requirePeer(t, "espeak-ng", "sox")
	c := category{name: "talk-down, all keys, three other voices"}
	keys := allKeys + allKeys
	for li, lang := range slices.Sorted(maps.Keys(speechTexts)) {
		for j, v := range speechVoices[1:] {
			speech := speak(t, lang+v.variant, v.pitch, v.speed, speechTexts[lang])
			tones := keySequence(keys, flat(-16), 3000+li*333+j*77, 70*ms, 70*ms)
			c.cases = append(c.cases, corpusCase{lang + v.variant, mixAtEqualPower(tones, speech, 2*tonePower(-16)), keys})
		}
	}
	return c
}

// mixAtEqualPower adds speech, looped and scaled to power, to tones.
func mixAtEqualPower(tones, speech []int16, power float64) []int16 {
	scaled := scaleTo(speech, 10*math.Log10(power/tonePower(0)))
	out := make([]int16, len(tones))
	for i := range tones {
		out[i] = clamp16(float64(tones[i]) + float64(scaled[i%len(scaled)]))
	}
	return out
}

// sortedMap iterates m in key order, so the corpus is the same on every run.
func sortedMap(m map[string]string) func(func(string, string) bool) {
	return func(yield func(string, string) bool) {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if !yield(k, m[k]) {
				return
			}
		}
	}
}

package dtmf

import (
	"fmt"
	"strings"
	"testing"
)

// moreSpeechTexts are read by espeak-ng for a second talk-off corpus: fifteen languages that the
// first corpus does not have, with other numbers. A rule tuned on the first corpus must not give
// false keys here either (the lead found one this way: a rule that let a run bridge a refused
// block reported an "A" in the nb+RicishayMax voice at pitch 55, speed 108).
var moreSpeechTexts = []struct{ lang, text string }{
	{"hu", "Az azonosítóm 7 3 9 1 4 4 8 2, a telefonszámom 0 6 2 0 1 2 3 4 5 6 7."},
	{"cs", "Moje číslo je 6 0 2 1 2 3 4 5 6, platba 4 5 9 9 korun dne 12. května."},
	{"da", "Mit nummer er 2 0 4 8 1 6 3 2, beløbet er 1 2 9 9 kroner og 5 0 øre."},
	{"nb", "Nummeret mitt er 9 1 2 3 4 5 6 7, og kontoen er 1 5 0 3 2 2 4 6 8 9 0."},
	{"ro", "Numărul meu este 0 7 2 1 3 4 5 6 7 8, suma este 3 5 0 de lei."},
	{"id", "Nomor saya 0 8 1 2 3 4 5 6 7 8 9, jumlahnya 2 5 0 0 0 0 rupiah."},
	{"vi", "Số điện thoại của tôi là 0 9 1 2 3 4 5 6 7 8, số tiền là 5 0 0 nghìn."},
	{"tr", "Numaram 0 5 3 2 1 2 3 4 5 6 7, tutar 1 4 9 9 lira 9 9 kuruş."},
	{"fi", "Numeroni on 0 4 0 1 2 3 4 5 6 7, summa 2 3 9 euroa ja 5 0 senttiä."},
	{"el", "Ο αριθμός μου είναι 6 9 4 1 2 3 4 5 6 7, ποσό 1 2 0 ευρώ."},
	{"hi", "मेरा नंबर 9 8 7 6 5 4 3 2 1 0 है, राशि 1 5 0 0 रुपये है।"},
	{"ar", "رقمي هو 0 5 0 1 2 3 4 5 6 7 والمبلغ 3 5 0 درهم"},
	{"ta", "என் எண் 9 8 4 1 2 3 4 5 6 7, தொகை 2 0 0 ரூபாய்."},
	{"ko", "제 번호는 0 1 0 1 2 3 4 5 6 7 8 이고 금액은 5 만 원입니다."},
	{"ja", "私の番号は 0 9 0 1 2 3 4 5 6 7 8 です、金額は 3 0 0 0 円です。"},
}

// moreSpeechCategory is every espeak-ng voice variant reading one of moreSpeechTexts at a pitch
// and speed of its own (other than the first corpus's), loud and at −25 dBm0.
func moreSpeechCategory(t testing.TB) category {
	t.Helper()
	requirePeer(t, "espeak-ng", "sox")
	c := category{name: "speech, second corpus (espeak-ng, 15 more languages)"}
	for i, v := range voiceVariants(t) {
		tx := moreSpeechTexts[i%len(moreSpeechTexts)]
		pitch, speed := fmt.Sprint((i*53+11)%100), fmt.Sprint(100+(i*71)%200)
		s := speak(t, tx.lang+"+"+v, pitch, speed, tx.text)
		name := fmt.Sprintf("%s+%s p%s s%s", tx.lang, v, pitch, speed)
		c.cases = append(c.cases,
			corpusCase{name + " loud", peakTo(s, 0.98), ""},
			corpusCase{name + " -25 dBm0", scaleTo(s, -25), ""})
	}
	return c
}

// thirdCorpusLangs are twenty more languages for the third corpus, each voice variant reading
// thirdCorpusText at yet other pitches and speeds.
var thirdCorpusLangs = []string{"bg", "ca", "hr", "sk", "sl", "sr", "uk", "lt", "lv", "et", "is", "cy", "eu", "af", "sw", "ms", "bn", "ur", "fa", "he"}

// thirdCorpusText is English digits and words, read with each language's rules.
const thirdCorpusText = "one two three four five six seven eight nine zero, 4 4 4 4, 7 7 7, 2 5 8 0, 9 6 3 1, " +
	"extension 1 4 7 2, total 3 6 9 dollars 1 2 3 4 5 6 7 8 9 0 1 9 8 4 2 0 2 6"

// thirdSpeechCategory is a third talk-off corpus: every voice variant in one of twenty more
// languages (high voices among them: ca+Alex at pitch 96 gave six false 0s before), and speech
// changed by sox the way a phone line or a room may change it: pitch shifts, reverb, chorus,
// overdrive (clipping), tremolo.
func thirdSpeechCategory(t testing.TB) category {
	t.Helper()
	requirePeer(t, "espeak-ng", "sox")
	c := category{name: "speech, third corpus (20 more languages, sox effects)"}
	for i, v := range voiceVariants(t) {
		lang := thirdCorpusLangs[i%len(thirdCorpusLangs)]
		pitch, speed := fmt.Sprint((i*29+67)%100), fmt.Sprint(130+(i*43)%230)
		s := speak(t, lang+"+"+v, pitch, speed, thirdCorpusText)
		c.cases = append(c.cases, corpusCase{fmt.Sprintf("%s+%s p%s s%s loud", lang, v, pitch, speed), peakTo(s, 0.94), ""})
	}
	for _, lang := range []string{"en", "de", "ru", "es"} {
		for _, fx := range [][]string{{"pitch", "400"}, {"pitch", "-500"}, {"pitch", "800"}, {"reverb", "60"},
			{"chorus", "0.7", "0.9", "55", "0.4", "0.25", "2", "-t"}, {"overdrive", "20"}, {"tremolo", "6", "60"},
			{"pitch", "250", "reverb", "40"}} {
			key := strings.Join(append([]string{"espeak-ng+sox", lang, thirdCorpusText}, fx...), "\x00")
			s := corpusRecording(t, key, func(path string) error {
				raw := path + ".speech.wav"
				if _, err := runTool("espeak-ng", "-v", lang, "-w", raw, thirdCorpusText); err != nil {
					return err
				}
				_, err := runTool("sox", append([]string{raw, path}, fx...)...)
				return err
			})
			c.cases = append(c.cases, corpusCase{fmt.Sprintf("%s %s loud", lang, strings.Join(fx, " ")), peakTo(s, 0.94), ""})
		}
	}
	return c
}

// TestNoFalseKeysOnMoreVoices: zero false keys on the second and third speech corpora, through
// PCM, PCMU and PCMA.
func TestNoFalseKeysOnMoreVoices(t *testing.T) {
	for _, c := range []category{moreSpeechCategory(t), thirdSpeechCategory(t)} {
		t.Run(c.name, func(t *testing.T) { checkCategory(t, c, 1) })
	}
}

package g711

import zaf "github.com/zaf/g711"

// DecodeULaw returns the linear value of a μ-law (PCMU) code.
func DecodeULaw(b byte) int16 { return zaf.DecodeUlawFrame(b) }

// EncodeULaw returns the μ-law (PCMU) code of a linear sample.
func EncodeULaw(s int16) byte { return zaf.EncodeUlawFrame(s) }

// DecodeALaw returns the linear value of an A-law (PCMA) code.
func DecodeALaw(b byte) int16 { return zaf.DecodeAlawFrame(b) }

// EncodeALaw returns the A-law (PCMA) code of a linear sample.
func EncodeALaw(s int16) byte { return zaf.EncodeAlawFrame(s) }

// DecodeULawTo decodes the μ-law codes of src into dst. It converts min(len(dst), len(src)) samples.
func DecodeULawTo(dst []int16, src []byte) {
	n := min(len(dst), len(src))
	dst, src = dst[:n], src[:n]
	for i, b := range src {
		dst[i] = zaf.DecodeUlawFrame(b)
	}
}

// EncodeULawTo encodes the linear samples of src as μ-law codes into dst. It converts
// min(len(dst), len(src)) samples.
func EncodeULawTo(dst []byte, src []int16) {
	n := min(len(dst), len(src))
	dst, src = dst[:n], src[:n]
	for i, s := range src {
		dst[i] = zaf.EncodeUlawFrame(s)
	}
}

// DecodeALawTo decodes the A-law codes of src into dst. It converts min(len(dst), len(src)) samples.
func DecodeALawTo(dst []int16, src []byte) {
	n := min(len(dst), len(src))
	dst, src = dst[:n], src[:n]
	for i, b := range src {
		dst[i] = zaf.DecodeAlawFrame(b)
	}
}

// EncodeALawTo encodes the linear samples of src as A-law codes into dst. It converts
// min(len(dst), len(src)) samples.
func EncodeALawTo(dst []byte, src []int16) {
	n := min(len(dst), len(src))
	dst, src = dst[:n], src[:n]
	for i, s := range src {
		dst[i] = zaf.EncodeAlawFrame(s)
	}
}

package b2bua

import (
	"errors"
	"net/netip"
	"strings"

	"github.com/hushpay/hushpay/internal/b2bua/sdp"
	"github.com/hushpay/hushpay/internal/media"
)

// Offer/answer errors, answered 488 Not Acceptable Here to the sender.
var (
	errNoAudio = errors.New("b2bua: SDP has no active audio stream")
	errNoG711  = errors.New("b2bua: SDP offers no PCMU or PCMA")
)

// relayOffer rewrites an offer received on one leg into the offer for the other leg: audio
// narrowed to G.711 and telephone-event (the relay must read the audio to capture and mask key
// presses at any moment of the call, and it decodes only G.711), other media disabled (port 0:
// the relay carries audio only), media anchored on local (the relay socket facing the other
// leg), telephone-event on eventPT when that leg already uses one (0: as offered). Unknown
// attributes stay as they were.
func relayOffer(offer *sdp.Session, local netip.AddrPort, origin sdp.Origin, eventPT uint8) (*sdp.Session, error) {
	out := offer.Clone()
	audio := out.Audio()
	if audio == nil {
		return nil, errNoAudio
	}
	if !audio.NarrowToG711() {
		return nil, errNoG711
	}
	if te, ok := audio.TelephoneEvent(); ok && eventPT != 0 {
		audio.Renumber(te.PT, eventPT)
	}
	disableOthers(out, audio)
	out.Anchor(local.Addr(), origin, func(int) int { return int(local.Port()) })
	return out, nil
}

// relayAnswer answers offer (received on one leg) with what the other leg answered: the same
// G.711 codec when the offer has it (else the offer's first G.711; the relay transcodes), the
// offer's own telephone-event payload type, and the other leg's direction; anchored on local.
func relayAnswer(offer, answer *sdp.Session, local netip.AddrPort, origin sdp.Origin) (*sdp.Session, error) {
	theirs := answer.Audio()
	if theirs == nil {
		return nil, errNoAudio
	}
	chosen, ok := theirs.G711()
	if !ok {
		return nil, errNoG711
	}
	out := offer.Clone()
	audio := out.Audio()
	if audio == nil {
		return nil, errNoAudio
	}
	pt, ok := matchCodec(audio, chosen.Name)
	if !ok {
		return nil, errNoG711
	}
	var event uint8
	if te, ok := audio.TelephoneEvent(); ok {
		event = te.PT
	}
	audio.Select(pt, event)
	disableOthers(out, audio)
	out.SetDirection(audio, answer.Direction(theirs))
	out.Anchor(local.Addr(), origin, func(int) int { return int(local.Port()) })
	return out, nil
}

// eventPT returns the telephone-event payload type of s's audio, or 0.
func eventPT(s *sdp.Session) uint8 {
	if s == nil || s.Audio() == nil {
		return 0
	}
	te, _ := s.Audio().TelephoneEvent()
	return te.PT
}

// matchCodec returns the payload type of the section's G.711 codec named name, or else of its
// first G.711 codec.
func matchCodec(m *sdp.Media, name string) (uint8, bool) {
	for _, c := range m.Codecs() {
		if c.IsG711() && strings.EqualFold(c.Name, name) {
			return c.PT, true
		}
	}
	c, ok := m.G711()
	return c.PT, ok
}

// disableOthers sets the port of every section but keep to 0.
func disableOthers(s *sdp.Session, keep *sdp.Media) {
	for _, m := range s.Media {
		if m != keep {
			m.Port = 0
		}
	}
}

// mediaLeg tells the relay what one leg negotiated: where the leg's peer receives (from the
// peer's own SDP) and the codec and telephone-event payload types of the negotiated answer.
func mediaLeg(peer, negotiated *sdp.Session) (media.Leg, error) {
	pm, nm := peer.Audio(), negotiated.Audio()
	if pm == nil || nm == nil {
		return media.Leg{}, errNoAudio
	}
	addr, err := peer.Connection(pm)
	if err != nil {
		return media.Leg{}, err
	}
	codec, ok := nm.G711()
	if !ok {
		return media.Leg{}, errNoG711
	}
	leg := media.Leg{Remote: netip.AddrPortFrom(addr.Unmap(), uint16(pm.Port)), Codec: media.PCMU, AudioPT: codec.PT}
	if strings.EqualFold(codec.Name, "PCMA") {
		leg.Codec = media.PCMA
	}
	if te, ok := nm.TelephoneEvent(); ok && te.PT >= 96 && te.PT <= 127 && te.PT != codec.PT {
		leg.EventPT = te.PT
	}
	return leg, nil
}

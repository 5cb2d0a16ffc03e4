package vault

import (
	"bytes"
	"crypto/cipher"
	"encoding/binary"
	"errors"

	"github.com/hushpay/hushpay/internal/card"
)

// Token ciphertext layout:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                 data key version (uint32, BE)                 |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                     nonce (12 bytes) ...                      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     AES-256-GCM(instrument) ... with its 16-byte tag          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The additional data is tokenAAD(tenant, token id).
const (
	versionSize = 4
	nonceSize   = 12
	tagSize     = 16
	headerSize  = versionSize + nonceSize
)

const tokenAADPrefix = "hushpay/token/v1|"

// tokenAAD returns the additional data that binds a ciphertext to its row: the token id has no
// '|', so the last '|' separates it from the tenant unambiguously.
func tokenAAD(tenant, id string) []byte {
	aad := make([]byte, 0, len(tokenAADPrefix)+len(tenant)+1+len(id))
	aad = append(aad, tokenAADPrefix...)
	aad = append(aad, tenant...)
	aad = append(aad, '|')
	return append(aad, id...)
}

// seal encrypts plaintext under the data key of that version, with nonce random.
func seal(aead cipher.AEAD, version int, nonce, plaintext, aad []byte) []byte {
	out := make([]byte, versionSize, headerSize+len(plaintext)+tagSize)
	binary.BigEndian.PutUint32(out, uint32(version))
	out = append(out, nonce...)
	return aead.Seal(out, nonce, plaintext, aad)
}

// ciphertextVersion reads a ciphertext's data key version.
func ciphertextVersion(ciphertext []byte) (int, error) {
	if len(ciphertext) < headerSize+tagSize {
		return 0, errors.New("ciphertext too short")
	}
	return int(binary.BigEndian.Uint32(ciphertext)), nil
}

// unseal decrypts a ciphertext whose version the caller has read.
func unseal(aead cipher.AEAD, ciphertext, aad []byte) ([]byte, error) {
	nonce := ciphertext[versionSize:headerSize]
	return aead.Open(nil, nonce, ciphertext[headerSize:], aad)
}

// Instrument plaintext encoding, format 1:
//
//	format (1 byte, = 1) | kind (1 byte, 'c' card or 'b' bank) | exp month (1) | exp year (uint16 BE)
//	then five fields, each a 1-byte length and the bytes: card number, brand, routing number,
//	account number, account type.
const (
	plaintextFormat = 1
	kindCard        = 'c'
	kindBank        = 'b'
)

// encodeInstrument appends in's encoding to dst. The caller wipes the result.
func encodeInstrument(dst []byte, in *Instrument) []byte {
	kind := byte(kindCard)
	if in.Account.Len() > 0 {
		kind = kindBank
	}
	dst = append(dst, plaintextFormat, kind, byte(in.ExpMonth))
	dst = binary.BigEndian.AppendUint16(dst, uint16(in.ExpYear))
	for _, field := range []string{in.PAN.Reveal(), string(in.Brand), in.RoutingNumber, in.Account.Reveal(), in.AccountType} {
		dst = append(dst, byte(len(field)))
		dst = append(dst, field...)
	}
	return dst
}

var errPlaintext = errors.New("instrument encoding is malformed")

// decodeInstrument parses an encoding made by encodeInstrument. The secrets get copies of the
// digits, so the caller can wipe b.
func decodeInstrument(b []byte) (Instrument, error) {
	const fixed = 5
	if len(b) < fixed || b[0] != plaintextFormat || (b[1] != kindCard && b[1] != kindBank) {
		return Instrument{}, errPlaintext
	}
	in := Instrument{ExpMonth: int(b[2]), ExpYear: int(binary.BigEndian.Uint16(b[3:5]))}
	var fields [5][]byte
	rest := b[fixed:]
	for i := range fields {
		if len(rest) < 1 || len(rest) < 1+int(rest[0]) {
			return Instrument{}, errPlaintext
		}
		fields[i], rest = rest[1:1+int(rest[0])], rest[1+int(rest[0]):]
	}
	if len(rest) != 0 {
		return Instrument{}, errPlaintext
	}
	if len(fields[0]) > 0 {
		in.PAN = card.PANFromBytes(bytes.Clone(fields[0]))
	}
	in.Brand = card.Brand(fields[1])
	in.RoutingNumber = string(fields[2])
	if len(fields[3]) > 0 {
		in.Account = card.AccountNumberFromBytes(bytes.Clone(fields[3]))
	}
	in.AccountType = string(fields[4])
	return in, nil
}

package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
)

// envelopeDomain separates wrapped data keys from ordinary values: a
// wrapped data key is bound to this prefix as well as to the caller's
// associated data, so Decrypt with the caller's ad alone cannot unwrap it.
const envelopeDomain = "apisec/crypto envelope data key v1"

const maxEnvelopeHeader = 2 + MaxKeyIDLen + 24 + KeySize + tagSize

// SealEnvelope encrypts a large value under a fresh random data key
// (AES-256-GCM) and stores that key wrapped under the keyring's primary
// key, in the envelope format described in the package documentation. The
// value itself is never re-encrypted by [Keyring.RotateEnvelope]. ad binds
// both the value and its wrapped key to the record.
func (kr *Keyring) SealEnvelope(plaintext, ad []byte) ([]byte, error) {
	if err := kr.checkSeal(len(plaintext), ad); err != nil {
		return nil, err
	}
	var dek [KeySize]byte
	_, _ = rand.Read(dek[:])
	defer clear(dek[:])
	wrapped := kr.seal(kr.primary, dek[:], envelopeAD(ad))
	aead := dataAEAD(dek[:])
	out := make([]byte, 0, 3+len(wrapped)+12+len(plaintext)+tagSize)
	out = append(out, versionEn)
	out = binary.BigEndian.AppendUint16(out, uint16(len(wrapped)))
	out = append(out, wrapped...)
	nonceAt := len(out)
	out = out[:nonceAt+12]
	_, _ = rand.Read(out[nonceAt:])
	return aead.Seal(out, out[nonceAt:], plaintext, ad), nil
}

// OpenEnvelope authenticates and decrypts an envelope made by
// [Keyring.SealEnvelope], with the same ad.
func (kr *Keyring) OpenEnvelope(envelope, ad []byte) ([]byte, error) {
	wrapped, body, err := splitEnvelope(envelope)
	if err != nil {
		kr.logFail(err, nil)
		return nil, err
	}
	dek, err := kr.Decrypt(wrapped, envelopeAD(ad))
	if err != nil {
		return nil, err
	}
	defer clear(dek)
	if len(dek) != KeySize {
		return nil, ErrMalformed
	}
	out, err := dataAEAD(dek).Open(nil, body[:12], body[12:], ad)
	if err != nil {
		kr.logFail(ErrAuthentication, wrapped)
		return nil, ErrAuthentication
	}
	return out, nil
}

// RotateEnvelope re-wraps the data key of an envelope under the primary
// key, leaving the encrypted value untouched; the cost does not depend on
// the size of the value. The wrapped data key is authenticated first; the
// value is not read at all, and stays authenticated under its data key, so
// a tampered value still fails [Keyring.OpenEnvelope] after rotation.
// rotated is false (and envelope returned as is) when the data key
// is already wrapped under the primary key.
func (kr *Keyring) RotateEnvelope(envelope, ad []byte) (out []byte, rotated bool, err error) {
	wrapped, body, err := splitEnvelope(envelope)
	if err != nil {
		kr.logFail(err, nil)
		return nil, false, err
	}
	newWrapped, rotated, err := kr.Rotate(wrapped, envelopeAD(ad))
	if err != nil || !rotated {
		return envelope, false, err
	}
	out = make([]byte, 0, 3+len(newWrapped)+len(body))
	out = append(out, versionEn)
	out = binary.BigEndian.AppendUint16(out, uint16(len(newWrapped)))
	out = append(out, newWrapped...)
	out = append(out, body...)
	return out, true, nil
}

// splitEnvelope returns the wrapped key and nonce‖ciphertext‖tag.
func splitEnvelope(env []byte) (wrapped, body []byte, err error) {
	if len(env) < 3 || env[0] != versionEn {
		return nil, nil, ErrMalformed
	}
	n := int(binary.BigEndian.Uint16(env[1:3]))
	if n > maxEnvelopeHeader || len(env) < 3+n+12+tagSize || len(env)-3-n-12-tagSize > MaxPlaintextLen {
		return nil, nil, ErrMalformed
	}
	return env[3 : 3+n], env[3+n:], nil
}

func envelopeAD(ad []byte) []byte {
	out := make([]byte, 0, len(envelopeDomain)+1+len(ad))
	out = append(out, envelopeDomain...)
	out = append(out, 0)
	return append(out, ad...)
}

func dataAEAD(dek []byte) cipher.AEAD {
	block, err := aes.NewCipher(dek)
	if err != nil {
		panic("crypto: data key of wrong size") // unreachable: dek is always KeySize
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic("crypto: cannot build GCM") // unreachable for AES
	}
	return aead
}

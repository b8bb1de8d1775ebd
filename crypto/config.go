package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"log/slog"

	"golang.org/x/crypto/chacha20poly1305"
)

// Config configures a [Keyring]. The zero value is invalid: at least one
// key is required. [New] copies everything it needs, so mutating the
// Config or its key slices afterwards has no effect on the keyring.
type Config struct {
	_ [0]func()

	// Keys are the keys the keyring decrypts with, usually from
	// [ParseKeys]. Each secret is [KeySize] bytes; ids and secrets are
	// unique. Required.
	Keys []Key

	// Primary is the id of the key new values are encrypted under. Empty
	// means the first of Keys, so rotation is "prepend the new key".
	Primary string

	// InsecureAllowNoAssociatedData lets Encrypt, EncryptString and
	// SealEnvelope run with empty associated data. By default they refuse
	// with [ErrNoAssociatedData]: without it a ciphertext decrypts on any
	// row it is copied to (see [AssociatedData]). Values that belong to no
	// record, such as a blob in a cache keyed by its hash, may set it.
	InsecureAllowNoAssociatedData bool

	// Logger receives a "crypt_decrypt_fail" event (OWASP Application
	// Logging Vocabulary, level WARN) with the reason and key id on every
	// failed decryption. Never the plaintext, the ciphertext or a key.
	// Nil means no logging.
	Logger *slog.Logger
}

type ringKey struct {
	id     string
	header []byte // version ‖ len(id) ‖ id
	cipher Cipher
	aead   cipher.AEAD
}

func compile(cfg Config) (*Keyring, error) {
	var errs []error
	if len(cfg.Keys) == 0 {
		errs = append(errs, &ConfigError{Field: "Keys", Reason: "at least one key is required; keys are never generated"})
	}
	errs = append(errs, CheckKeys("Keys", cfg.Keys, KeySize, KeySize)...)
	for i, k := range cfg.Keys {
		if !k.Cipher.valid() {
			errs = append(errs, &ConfigError{Field: "Keys[" + itoa(i) + "].Cipher", Reason: "unknown cipher " + k.Cipher.String()})
		}
	}
	primary := -1
	if cfg.Primary == "" {
		if len(cfg.Keys) > 0 {
			primary = 0
		}
	} else {
		for i, k := range cfg.Keys {
			if k.ID == cfg.Primary {
				primary = i
				break
			}
		}
		if primary < 0 {
			errs = append(errs, &ConfigError{Field: "Primary", Reason: "no key with this id in Keys"})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	kr := &Keyring{byID: make(map[string]*ringKey, len(cfg.Keys)), logger: cfg.Logger, allowNoAD: cfg.InsecureAllowNoAssociatedData}
	for i, k := range cfg.Keys {
		secret := append([]byte(nil), k.Secret...)
		var aead cipher.AEAD
		var err error
		switch k.Cipher {
		case AES256GCM:
			var block cipher.Block
			if block, err = aes.NewCipher(secret); err == nil {
				aead, err = cipher.NewGCM(block)
			}
		case XChaCha20Poly1305:
			aead, err = chacha20poly1305.NewX(secret)
		}
		if err != nil { // unreachable after the checks above
			return nil, &ConfigError{Field: "Keys[" + itoa(i) + "]", Reason: "cannot build cipher"}
		}
		header := make([]byte, 0, 2+len(k.ID))
		header = append(header, version1, byte(len(k.ID)))
		header = append(header, k.ID...)
		rk := &ringKey{id: k.ID, header: header, cipher: k.Cipher, aead: aead}
		kr.byID[k.ID] = rk
		kr.ids = append(kr.ids, k.ID)
		if i == primary {
			kr.primary = rk
		}
	}
	return kr, nil
}

// Package crypto encrypts sensitive values at rest with rotating keys.
//
// A [Keyring] holds named AEAD keys (AES-256-GCM or XChaCha20-Poly1305).
// It encrypts with its primary key and decrypts with any key it holds, so
// keys rotate without downtime: add the new key as primary, keep the old
// ones until [Keyring.Rotate] has re-encrypted the stored values, then drop
// them. Sibling packages cover the rest of the practice:
// [github.com/apisec-go/apisec/crypto/password] (argon2id password hashing),
// [github.com/apisec-go/apisec/crypto/token] (random tokens and keyed MACs)
// and [github.com/apisec-go/apisec/crypto/fernet] (reading the Fernet tokens
// of a Python stack being migrated).
//
// # Threat model
//
// The keyring protects the confidentiality and integrity of values stored
// in a database or cache an attacker can read, and possibly write. It
// defends against:
//
//   - disclosure of a stolen dump: values are encrypted under keys that live
//     only in configuration (an environment variable or a secret manager);
//   - tampering: every ciphertext is authenticated, a flipped bit fails;
//   - swapping: associated data ([AssociatedData]) binds a ciphertext to its
//     table, column and row, so copying the encrypted e-mail of one user onto
//     another user's row does not decrypt. Encrypting without associated
//     data is refused ([ErrNoAssociatedData]) unless the configuration says
//     [Config.InsecureAllowNoAssociatedData];
//   - key leakage through logs: [Key] and [Secret] redact themselves when
//     formatted with package fmt, logged with log/slog or marshalled to JSON,
//     and printing or logging a type that holds keys ([Keyring], the token
//     Signer, the password Hasher, the fernet Codec) never shows them;
//   - a silently generated key: a missing or malformed key is an error from
//     [New], never replaced by a random one. [NewEphemeral] exists for demos
//     and tests and says so in its name; it never prints the key.
//
// It does not hide the length of a value, and it does not protect against
// an attacker who can read the process memory or the configuration.
//
// # Ciphertext format
//
// The format is stable; every future change gets a new version byte.
//
//	version (1 byte, 0x01)
//	key id length n (1 byte, 1..32)
//	key id (n bytes, [A-Za-z0-9._-])
//	nonce (12 bytes for AES-256-GCM, 24 for XChaCha20-Poly1305)
//	ciphertext (as long as the plaintext)
//	tag (16 bytes)
//
// The cipher is a property of the key, never read from the ciphertext, so a
// forged header cannot downgrade the algorithm (the lesson of RFC 8725 §3.1
// for JWTs). The header is authenticated implicitly: changing the key id
// selects another key and the tag no longer verifies, and [New] refuses two
// ids sharing a secret. The string helpers ([Keyring.EncryptString]) encode
// the same bytes as unpadded base64url (RFC 4648 §5).
//
// Envelopes ([Keyring.SealEnvelope]) are for large values: the value is
// encrypted once under a fresh data key, and only the 32-byte data key is
// encrypted under the keyring, so rotating the key-encryption key
// ([Keyring.RotateEnvelope]) rewrites a few dozen bytes, not the value:
//
//	version (1 byte, 0x02)
//	wrapped data key length (2 bytes, big endian)
//	wrapped data key (a version 0x01 ciphertext of the 32-byte data key)
//	nonce (12 bytes)
//	AES-256-GCM ciphertext and tag of the value under the data key
//
// # Where it goes
//
// The keyring is not middleware: handlers and repositories call it when
// they read or write a sensitive column. Build one keyring at start-up from
// configuration ([ParseKeys]) and share it; it is safe for concurrent use.
//
// AES-256-GCM with random 96-bit nonces must not encrypt more than 2^32
// values under one key (NIST SP 800-38D §8.3); rotate well before that, or
// use XChaCha20-Poly1305, whose 192-bit nonces have no practical limit.
//
// Standards followed: NIST SP 800-38D (GCM), RFC 8439 and
// draft-irtf-cfrg-xchacha (XChaCha20-Poly1305), the OWASP Cryptographic
// Storage Cheat Sheet, and the Tink key-id ciphertext layout.
package crypto

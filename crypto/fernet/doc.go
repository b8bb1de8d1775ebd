// Package fernet reads (and, when allowed, writes) Fernet tokens, the
// authenticated encryption format of Python's cryptography package, so
// that a service migrating from a Python stack can decrypt the values it
// stored.
//
// Format (https://github.com/fernet/spec), base64url with padding:
//
//	0x80 ‖ timestamp (8 bytes, big-endian Unix seconds) ‖ IV (16 bytes) ‖
//	AES-128-CBC ciphertext, PKCS#7 padded ‖ HMAC-SHA256 (32 bytes)
//
// A key is 32 bytes, base64url: a 16-byte signing key then a 16-byte
// encryption key ([ParseKey] reads what Fernet.generate_key() prints).
//
// The HMAC is checked, in constant time, before anything is decrypted, and
// the padding only after that, so there is no padding oracle. Tokens are
// bounded in size before decoding ([Config.MaxTokenBytes]). Unlike
// Python's default (ttl=None), the TTL is checked unless explicitly turned
// off with [Config.InsecureSkipTTL] (for values at rest that never
// expire), and a token stamped more than 60 seconds in the future is
// refused, as Python does.
//
// New data should be encrypted with
// [github.com/apisec-go/apisec/crypto.Keyring] (AES-256-GCM with key ids
// and associated data, which Fernet lacks): decrypt with this package,
// re-encrypt with the keyring. Creating Fernet tokens therefore needs
// [Config.AllowEncrypt], for the transition period when Python services
// still read what Go writes.
package fernet

package crypto_test

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/apisec-go/apisec/crypto"
	"github.com/apisec-go/apisec/internal/testenv"
)

// python runs a script with the system Python and the Debian package
// python3-cryptography (skipped when missing, except in CI).
func python(t *testing.T, script string, args ...string) string {
	t.Helper()
	return testenv.Python(t, "cryptography.hazmat.primitives.ciphers.aead", "python3-cryptography", script, args...)
}

// TestFormatInteropWithPythonAESGCM checks the documented ciphertext
// format against an independent AES-GCM implementation (OpenSSL through
// Python's cryptography): Python parses and decrypts what we write, and
// writes what we decrypt, from the package documentation alone.
func TestFormatInteropWithPythonAESGCM(t *testing.T) {
	key := testSecret(0x10)
	kr := mustRing(t, crypto.Config{Keys: []crypto.Key{{ID: "py-1", Secret: key}}})
	ad := crypto.AssociatedData("users", "email", "42")
	ct, _ := kr.Encrypt([]byte("alice@example.com"), ad)
	const script = `
import sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
key, ad = bytes.fromhex(sys.argv[1]), bytes.fromhex(sys.argv[2])
ct = bytes.fromhex(sys.argv[3])
assert ct[0] == 1
n = ct[1]
kid = ct[2:2+n].decode()
nonce, body = ct[2+n:2+n+12], ct[2+n+12:]
pt = AESGCM(key).decrypt(nonce, body, ad)
import os
nonce2 = os.urandom(12)
out = bytes([1, n]) + kid.encode() + nonce2 + AESGCM(key).encrypt(nonce2, b"from python", ad)
print(kid, pt.decode(), out.hex())
`
	fields := strings.Fields(python(t, script, hex.EncodeToString(key), hex.EncodeToString(ad), hex.EncodeToString(ct)))
	if len(fields) != 3 || fields[0] != "py-1" || fields[1] != "alice@example.com" {
		t.Fatalf("python read %q", fields)
	}
	fromPy, _ := hex.DecodeString(fields[2])
	pt, err := kr.Decrypt(fromPy, ad)
	if err != nil || !bytes.Equal(pt, []byte("from python")) {
		t.Fatalf("Decrypt(python ciphertext) = %q, %v", pt, err)
	}
}

package crypto_test

import (
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/apisec-go/apisec/crypto"
)

// The usual wiring: keys from an environment variable, the e-mail column
// encrypted and bound to its row.
func Example() {
	// In production: os.Getenv("APP_DATA_KEYS"), e.g. "2026-11:<base64>,2026-05:<base64>".
	os.Setenv("APP_DATA_KEYS", "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	keys, err := crypto.ParseKeys(os.Getenv("APP_DATA_KEYS"))
	if err != nil {
		log.Fatal(err)
	}
	kr, err := crypto.New(crypto.Config{Keys: keys})
	if err != nil {
		log.Fatal(err)
	}
	ad := crypto.AssociatedData("users", "email", "42") // table, column, row id
	stored, err := kr.EncryptString("alice@example.com", ad)
	if err != nil {
		log.Fatal(err)
	}
	email, err := kr.DecryptString(stored, ad)
	fmt.Println(email, err)

	// The same ciphertext copied onto user 43 does not decrypt.
	_, err = kr.DecryptString(stored, crypto.AssociatedData("users", "email", "43"))
	fmt.Println(err)
	// Output:
	// alice@example.com <nil>
	// crypto: message authentication failed
}

// A bad configuration is reported in full, and never quotes the key.
func ExampleNew_configError() {
	keys := []crypto.Key{
		{ID: "old", Secret: make([]byte, 32)},       // all zeros: a placeholder
		{ID: "new", Secret: []byte("short-secret")}, // 12 bytes
	}
	_, err := crypto.New(crypto.Config{Keys: keys, Primary: "newest"})
	fmt.Println(err)
	// Output:
	// crypto: Keys[0].Secret: is one byte repeated (a placeholder, not a key)
	// crypto: Keys[1].Secret: is 12 bytes, want 32
	// crypto: Primary: no key with this id in Keys
}

// The most common mistake is to encrypt without associated data: the
// value would then decrypt on whatever row it is pasted. The keyring
// refuses; bind the value to its record instead.
func ExampleKeyring_Encrypt_withoutAssociatedData() {
	kr, _ := crypto.NewEphemeral()
	_, err := kr.Encrypt([]byte("555-0100"), nil) // mistake: no ad
	fmt.Println(err)

	ct, _ := kr.Encrypt([]byte("555-0100"), crypto.AssociatedData("users", "phone", "42"))
	_, err = kr.Decrypt(ct, crypto.AssociatedData("users", "phone", "7"))
	fmt.Println("other row:", errors.Is(err, crypto.ErrAuthentication))
	// Output:
	// crypto: associated data required (see AssociatedData)
	// other row: true
}

// Rotation: prepend the new key, keep the old one while a job re-encrypts.
func ExampleKeyring_Rotate() {
	oldKeys, _ := crypto.ParseKeys("2026-05:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	old, _ := crypto.New(crypto.Config{Keys: oldKeys})
	ad := crypto.AssociatedData("users", "email", "42")
	stored, _ := old.Encrypt([]byte("alice@example.com"), ad)

	keys, _ := crypto.ParseKeys("2026-11:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=,2026-05:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	kr, _ := crypto.New(crypto.Config{Keys: keys})
	stored, rotated, err := kr.Rotate(stored, ad)
	id, _ := kr.KeyID(stored)
	fmt.Println(rotated, err, id)
	// Output: true <nil> 2026-11
}

package password_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"

	"github.com/apisec-go/apisec/crypto/password"
)

// Sign-up and login, with a rehash when the policy has moved on and a
// dummy verification for unknown users.
func Example() {
	ctx := context.Background()
	h, err := password.New(password.Config{}) // argon2id, m=19456 KiB, t=2, p=1
	if err != nil {
		log.Fatal(err)
	}
	users := map[string]string{} // user -> stored hash

	stored, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		log.Fatal(err)
	}
	users["alice"] = stored
	fmt.Println(strings.HasPrefix(stored, "$argon2id$v=19$m=19456,t=2,p=1$"))

	login := func(user, pw string) bool {
		hash, ok := users[user]
		if !ok {
			_ = h.VerifyDummy(ctx, pw) // same cost as a real check: no user enumeration by timing
			return false
		}
		if err := h.Verify(ctx, hash, pw); err != nil {
			return false // ErrMismatch, ErrBusy, ErrMalformedHash...: all deny
		}
		if h.NeedsRehash(hash) {
			if fresh, err := h.Hash(ctx, pw); err == nil {
				users[user] = fresh
			}
		}
		return true
	}
	fmt.Println(login("alice", "correct horse battery staple"), login("alice", "guess"), login("mallory", "guess"))
	// Output:
	// true
	// true false false
}

// Lowering the parameters below OWASP's minimum is a configuration error,
// reported together with every other problem.
func ExampleNew_configError() {
	_, err := password.New(password.Config{MemoryKiB: 4096, Iterations: 1, MaxPasswordBytes: 16})
	fmt.Println(err)
	// Output:
	// password: MemoryKiB: below the OWASP minimum of 19456 KiB
	// password: Iterations: below the OWASP minimum of 2
	// password: MaxPasswordBytes: below 64 (NIST SP 800-63B)
}

// The most common mistake is returning early for an unknown user, which
// answers in microseconds where a real check takes milliseconds and so
// reveals which accounts exist. VerifyDummy closes that gap; it never
// succeeds.
func ExampleHasher_VerifyDummy() {
	h, _ := password.New(password.Config{})
	err := h.VerifyDummy(context.Background(), "any password")
	fmt.Println(errors.Is(err, password.ErrMismatch))
	// Output: true
}

// Legacy bcrypt hashes (here from `htpasswd -nbB alice 'correct horse'`)
// verify, and are flagged for a rehash to argon2id.
func ExampleHasher_Verify_bcrypt() {
	h, _ := password.New(password.Config{})
	const legacy = "$2y$05$kK4vYFBTWsNAXLZA/qST2OghRHECmC1Y8EkokJXpd4XFkDIxWz5Ua"
	fmt.Println(h.Verify(context.Background(), legacy, "correct horse"), h.NeedsRehash(legacy))
	// Output: <nil> true
}

package token_test

import (
	"fmt"
	"log"

	"github.com/apisec-go/apisec/crypto"
	"github.com/apisec-go/apisec/crypto/token"
)

// A password-reset link: a random token stored server-side, compared in
// constant time.
func Example() {
	issued := token.Random() // store it (hashed) with the user and an expiry
	presented := issued      // what comes back in the link
	fmt.Println(len(issued), token.Equal(presented, issued))
	// Output: 43 true
}

// A signed, stateless value bound to one purpose.
func ExampleSigner() {
	keys, err := crypto.ParseKeys("2026-11:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	if err != nil {
		log.Fatal(err)
	}
	s, err := token.New(token.Config{Keys: keys, Purpose: "email-verify"})
	if err != nil {
		log.Fatal(err)
	}
	msg := []byte("user=42&exp=1767225600")
	tag := s.Sign(msg)
	fmt.Println(s.Verify(msg, tag))
	fmt.Println(s.Verify([]byte("user=43&exp=1767225600"), tag))
	// Output:
	// <nil>
	// token: invalid signature
}

func ExampleNew_configError() {
	_, err := token.New(token.Config{Keys: []crypto.Key{{ID: "k1", Secret: []byte("hunter2")}}})
	fmt.Println(err)
	// Output: crypto: Keys[0].Secret: is 7 bytes, want 32 to 64
}

// The most common mistake: comparing tokens with ==, which returns as soon
// as a byte differs and so leaks, through timing, how much of a guess was
// right. Use Equal.
func ExampleEqual() {
	stored, presented := "Zm9vYmFyYmF6", "Zm9vYmFyYmF6"
	fmt.Println(token.Equal(stored, presented)) // not stored == presented
	// Output: true
}

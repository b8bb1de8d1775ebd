package fernet_test

import (
	"fmt"
	"log"
	"time"

	"github.com/apisec-go/apisec/crypto/fernet"
)

// Reading a value written by the Python service, then re-encrypting it
// with the keyring (not shown) on the way.
func Example() {
	key, err := fernet.ParseKey("cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=") // from the Python service's config
	if err != nil {
		log.Fatal(err)
	}
	c, err := fernet.New(fernet.Config{
		Keys: []fernet.Key{key},
		TTL:  time.Minute,
		Now:  func() time.Time { return time.Unix(499162801, 0) }, // a fixed clock for the example
	})
	if err != nil {
		log.Fatal(err)
	}
	pt, err := c.Decrypt("gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==")
	fmt.Printf("%s %v\n", pt, err)
	// Output: hello <nil>
}

// The most common mistake is to port Python's decrypt(token) with no TTL,
// accepting tokens of any age. Here the TTL is required; values at rest
// that never expire must say so with InsecureSkipTTL.
func ExampleNew_missingTTL() {
	key, _ := fernet.ParseKey("cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=")
	_, err := fernet.New(fernet.Config{Keys: []fernet.Key{key}})
	fmt.Println(err)
	_, err = fernet.New(fernet.Config{Keys: []fernet.Key{key}, InsecureSkipTTL: true})
	fmt.Println(err)
	// Output:
	// fernet: TTL: required (or set InsecureSkipTTL for data at rest)
	// <nil>
}

func ExampleParseKey_invalid() {
	_, err := fernet.ParseKey("not-a-key")
	fmt.Println(err)
	// Output: fernet: key must be 32 bytes of base64url
}

// Command crypto: a sign-up/login API with e-mails encrypted and bound to the
// user id, argon2id hashes, a dummy check for unknown users, random tokens.
//
//	APP_DATA_KEYS="k1:$(openssl rand -base64 32)" go run ./examples/crypto
//	curl -d 'email=a@example.com&password=correct horse battery' 127.0.0.1:8089/signup   (then /login)
package main

import (
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"sync"

	"github.com/apisec-go/apisec/crypto"
	"github.com/apisec-go/apisec/crypto/password"
	"github.com/apisec-go/apisec/crypto/token"
)

type user struct{ id, hash, sealedEmail string }

// keyring reads APP_DATA_KEYS ("id:base64key,..."); errors never print a key.
func keyring() (*crypto.Keyring, error) {
	spec := os.Getenv("APP_DATA_KEYS")
	if spec == "" {
		log.Print("APP_DATA_KEYS unset: ephemeral key, data is lost on exit")
		return crypto.NewEphemeral()
	}
	keys, err := crypto.ParseKeys(spec)
	if err != nil {
		return nil, err
	}
	return crypto.New(crypto.Config{Keys: keys}) // primary: the first key
}

func main() {
	kr, err := keyring()
	hasher, herr := password.New(password.Config{}) // argon2id, OWASP parameters
	if err = errors.Join(err, herr); err != nil {
		log.Fatal(err)
	}
	var users sync.Map // e-mail -> *user; a real app would store a blind index

	http.HandleFunc("POST /signup", func(w http.ResponseWriter, r *http.Request) {
		email, pw := r.PostFormValue("email"), r.PostFormValue("password")
		hash, err := hasher.Hash(r.Context(), pw)
		if err != nil {
			http.Error(w, "invalid password", http.StatusBadRequest)
			return
		}
		id := token.Random() // unguessable, unlike a counter
		sealed, _ := kr.EncryptString(email, crypto.AssociatedData("users", "email", id))
		if _, taken := users.LoadOrStore(email, &user{id: id, hash: hash, sealedEmail: sealed}); taken {
			http.Error(w, "e-mail already registered", http.StatusConflict) // never replace an account
			return
		}
		fmt.Fprintf(w, "user %s, stored e-mail %s…\n", id, sealed[:16])
	})
	http.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		email, pw := r.PostFormValue("email"), r.PostFormValue("password")
		v, ok := users.Load(email)
		if !ok {
			_ = hasher.VerifyDummy(r.Context(), pw) // same time as a wrong password
		}
		if !ok || hasher.Verify(r.Context(), v.(*user).hash, pw) != nil {
			http.Error(w, "invalid credentials", http.StatusUnauthorized)
			return
		}
		u := v.(*user)
		if plain, err := kr.DecryptString(u.sealedEmail, crypto.AssociatedData("users", "email", u.id)); err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
		} else {
			fmt.Fprintf(w, "welcome %s, session %s\n", plain, token.Random())
		}
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:8089", nil))
}

package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestUserStoreKeepsNoPlaintext registers users through the server's own
// wiring and inspects what the store keeps: the email only encrypted,
// bound to its record's id (a ciphertext moved to another record does not
// decrypt), the blind index not the address either, and the password as an
// argon2id PHC string.
func TestUserStoreKeepsNoPlaintext(t *testing.T) {
	cfg, err := loadConfig(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ops := slog.New(slog.DiscardHandler)
	app, err := build(t.Context(), cfg, io.Discard, ops)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	register := func(email, name string) user {
		t.Helper()
		body := `{"email":"` + email + `","password":"` + alicePassword + `","name":"` + name + `","age":30}`
		req := httptest.NewRequest("POST", "/api/users", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		app.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			t.Fatalf("register %s: %d %s", email, rec.Code, rec.Body)
		}
		u, ok := app.api.users.byIndex(app.api.users.index(email))
		if !ok {
			t.Fatalf("%s not found by its index", email)
		}
		return u
	}
	const aliceEmail, bobEmail = "alice.store@example.com", "bob.store@example.com"
	alice := register(aliceEmail, "Alice")
	bob := register(bobEmail, "Bobby")
	store, ring := app.api.users, app.api.users.ring

	t.Run("the email is stored encrypted", func(t *testing.T) {
		for _, f := range []string{alice.EmailSealed, alice.EmailIndex} {
			if f == "" || strings.Contains(strings.ToLower(f), "alice") {
				t.Errorf("stored field %q holds the address", f)
			}
		}
		got, err := ring.DecryptString(alice.EmailSealed, emailAD(alice.ID))
		if err != nil || got != aliceEmail {
			t.Fatalf("decrypt with its own id: %q, %v", got, err)
		}
	})

	t.Run("the ciphertext is bound to its user id", func(t *testing.T) {
		if _, err := ring.DecryptString(alice.EmailSealed, emailAD(bob.ID)); err == nil {
			t.Fatal("alice's email decrypts with bob's id as associated data")
		}
		moved := bob
		moved.EmailSealed = alice.EmailSealed
		if got, err := store.email(moved); err == nil {
			t.Fatalf("a ciphertext moved to another record decrypts: %q", got)
		}
	})

	t.Run("the password is an argon2id PHC string", func(t *testing.T) {
		for _, u := range []user{alice, bob} {
			if !strings.HasPrefix(u.PasswordHash, "$argon2id$v=19$m=") || strings.Count(u.PasswordHash, "$") != 5 {
				t.Errorf("password hash %q is not an argon2id PHC string", u.PasswordHash)
			}
			if strings.Contains(u.PasswordHash, alicePassword) {
				t.Error("the hash holds the password")
			}
		}
		if alice.PasswordHash == bob.PasswordHash {
			t.Error("one password, two users, one hash: no salt")
		}
		if err := app.api.hasher.Verify(t.Context(), alice.PasswordHash, alicePassword); err != nil {
			t.Errorf("the stored hash does not verify the password: %v", err)
		}
	})
}

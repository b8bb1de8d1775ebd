package main

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"sync"

	apicrypto "github.com/apisec-go/apisec/crypto"
)

// user is one stored account. The email is kept only encrypted, bound to
// the user's id so that a ciphertext copied onto another record fails to
// decrypt; lookups by email go through a keyed blind index.
type user struct {
	ID           string
	EmailSealed  string // crypto.Keyring ciphertext, associated data "users", "email", ID
	EmailIndex   string // keyed blind index of the email, for lookups
	Name         string
	Age          int
	PasswordHash string // argon2id PHC string
	Roles        []string
}

var errDuplicate = errors.New("user already exists")

// userStore keeps users in memory. It is safe for concurrent use.
type userStore struct {
	ring     *apicrypto.Keyring
	indexKey []byte // HMAC key of the email blind index

	mu      sync.RWMutex
	byID    map[string]*user
	byEmail map[string]string // blind index -> id
}

func newUserStore(ring *apicrypto.Keyring) (*userStore, error) {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	return &userStore{ring: ring, indexKey: k, byID: map[string]*user{}, byEmail: map[string]string{}}, nil
}

func emailAD(id string) []byte { return apicrypto.AssociatedData("users", "email", id) }

func (s *userStore) index(email string) string {
	m := hmac.New(sha256.New, s.indexKey)
	m.Write([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(m.Sum(nil))
}

// create stores a new user with a fresh random id.
func (s *userStore) create(email, name string, age int, hash string, roles []string) (user, error) {
	idb := make([]byte, 16)
	if _, err := rand.Read(idb); err != nil {
		return user{}, err
	}
	id := hex.EncodeToString(idb)
	sealed, err := s.ring.EncryptString(strings.TrimSpace(email), emailAD(id))
	if err != nil {
		return user{}, err
	}
	ix := s.index(email)
	u := user{ID: id, EmailSealed: sealed, EmailIndex: ix, Name: name, Age: age, PasswordHash: hash, Roles: roles}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.byEmail[ix]; dup {
		return user{}, errDuplicate
	}
	s.byEmail[ix] = id
	s.byID[id] = &u
	return u, nil
}

// byIndex and get return copies, so callers never race with setHash.
// byIndex takes the blind index of the email (see index).
func (s *userStore) byIndex(ix string) (user, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.byEmail[ix]
	if !ok {
		return user{}, false
	}
	return *s.byID[id], true
}

func (s *userStore) get(id string) (user, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.byID[id]
	if !ok {
		return user{}, false
	}
	return *u, true
}

func (s *userStore) delete(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.byID[id]
	if !ok {
		return false
	}
	delete(s.byID, id)
	delete(s.byEmail, u.EmailIndex)
	return true
}

func (s *userStore) list() []user {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]user, 0, len(s.byID))
	for _, u := range s.byID {
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b user) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func (s *userStore) setHash(id, hash string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.byID[id]; ok {
		u.PasswordHash = hash
	}
}

// email decrypts a user's email for a response.
func (s *userStore) email(u user) (string, error) {
	return s.ring.DecryptString(u.EmailSealed, emailAD(u.ID))
}

package auth

import (
	"context"
	"errors"
	"sync"
	"time"
)

// TokenInfo identifies a token for revocation; get it from
// [Claims.TokenInfo].
type TokenInfo struct {
	Issuer    string
	Subject   string
	ID        string // jti
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// RevocationList records revoked tokens. The Authenticator calls IsRevoked
// after a token's signature and claims are verified, so entries never
// come from forged tokens. Implementations must be safe for concurrent
// use; the revocationtest package checks one against this contract.
type RevocationList interface {
	// IsRevoked reports whether t was revoked by ID or by subject.
	IsRevoked(ctx context.Context, t TokenInfo) (bool, error)
	// Revoke revokes the token t.ID of issuer t.Issuer until
	// t.ExpiresAt + MaxLeeway: an Authenticator accepts a token until its
	// exp plus its leeway, so an entry that expired with the token would
	// let it back in for that long. Revoking a token within MaxLeeway
	// after its exp still records it. Pass t as the Authenticator reports
	// it ([Claims.TokenInfo]): implementations may key entries by subject
	// as well. t.ID must not be empty; ErrNoTokenID otherwise.
	Revoke(ctx context.Context, t TokenInfo) error
	// RevokeSubject revokes every token of subject from issuer issued at
	// or before before. The entry is kept for ttl + MaxLeeway; ttl should
	// be the longest token lifetime the issuer grants.
	RevokeSubject(ctx context.Context, issuer, subject string, before time.Time, ttl time.Duration) error
}

// ErrRevocationListFull is returned by [MemoryRevocationList] when it holds
// MaxEntries live entries.
var ErrRevocationListFull = errors.New("auth: revocation list full")

// ErrNoTokenID is returned when revoking a token that has no jti.
var ErrNoTokenID = errors.New("auth: token has no ID (jti) to revoke")

// MemoryRevocationList is an in-process [RevocationList] whose entries
// expire with the tokens they revoke. It is safe for concurrent use. Use
// the Redis implementation in auth/redisrevoke when several processes
// must agree.
type MemoryRevocationList struct {
	now func() time.Time
	max int

	mu       sync.RWMutex
	ids      map[[2]string]time.Time    // (iss, jti) -> exp + MaxLeeway
	subjects map[[2]string]subjectEntry // (iss, sub)
}

type subjectEntry struct{ before, expires time.Time }

// MemoryRevocationConfig configures [NewMemoryRevocationList]; its zero
// value is ready to use.
type MemoryRevocationConfig struct {
	_ [0]func()
	// MaxEntries bounds the live entries; zero means 1,000,000.
	MaxEntries int
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// NewMemoryRevocationList returns an empty list.
func NewMemoryRevocationList(cfg MemoryRevocationConfig) (*MemoryRevocationList, error) {
	if cfg.MaxEntries < 0 {
		return nil, &ConfigError{Field: "MaxEntries", Reason: "negative"}
	}
	m := &MemoryRevocationList{now: cfg.Now, max: cfg.MaxEntries,
		ids: map[[2]string]time.Time{}, subjects: map[[2]string]subjectEntry{}}
	if m.now == nil {
		m.now = time.Now
	}
	if m.max == 0 {
		m.max = 1_000_000
	}
	return m, nil
}

// IsRevoked implements [RevocationList].
func (m *MemoryRevocationList) IsRevoked(_ context.Context, t TokenInfo) (bool, error) {
	now := m.now()
	m.mu.RLock()
	defer m.mu.RUnlock()
	if t.ID != "" {
		if exp, ok := m.ids[[2]string{t.Issuer, t.ID}]; ok && now.Before(exp) {
			return true, nil
		}
	}
	if e, ok := m.subjects[[2]string{t.Issuer, t.Subject}]; ok && now.Before(e.expires) && !t.IssuedAt.After(e.before) {
		return true, nil
	}
	return false, nil
}

// Revoke implements [RevocationList].
func (m *MemoryRevocationList) Revoke(_ context.Context, t TokenInfo) error {
	if t.ID == "" {
		return ErrNoTokenID
	}
	now, until := m.now(), t.ExpiresAt.Add(MaxLeeway)
	if !now.Before(until) {
		return nil // no Authenticator accepts it any more: nothing to remember
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.room(now); err != nil {
		return err
	}
	k := [2]string{t.Issuer, t.ID}
	if until.After(m.ids[k]) {
		m.ids[k] = until
	}
	return nil
}

// RevokeSubject implements [RevocationList].
func (m *MemoryRevocationList) RevokeSubject(_ context.Context, issuer, subject string, before time.Time, ttl time.Duration) error {
	if ttl <= 0 {
		return nil
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.room(now); err != nil {
		return err
	}
	k := [2]string{issuer, subject}
	e := m.subjects[k]
	if before.After(e.before) {
		e.before = before
	}
	if exp := now.Add(ttl + MaxLeeway); exp.After(e.expires) {
		e.expires = exp
	}
	m.subjects[k] = e
	return nil
}

// room purges expired entries when the list is full. Called with mu held.
func (m *MemoryRevocationList) room(now time.Time) error {
	if len(m.ids)+len(m.subjects) < m.max {
		return nil
	}
	for k, exp := range m.ids {
		if !now.Before(exp) {
			delete(m.ids, k)
		}
	}
	for k, e := range m.subjects {
		if !now.Before(e.expires) {
			delete(m.subjects, k)
		}
	}
	if len(m.ids)+len(m.subjects) >= m.max {
		return ErrRevocationListFull
	}
	return nil
}

// Len returns the number of entries held, expired or not.
func (m *MemoryRevocationList) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.ids) + len(m.subjects)
}

package revocationtest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/apisec-go/apisec/auth"
)

// Run tests the list returned by newList, which must be empty and use the
// real clock. Each subtest gets its own list.
func Run(t *testing.T, newList func(t *testing.T) auth.RevocationList) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().Truncate(time.Millisecond)
	tok := func(iss, sub, id string, iat time.Time) auth.TokenInfo {
		return auth.TokenInfo{Issuer: iss, Subject: sub, ID: id, IssuedAt: iat, ExpiresAt: now.Add(time.Hour)}
	}
	revoked := func(t *testing.T, l auth.RevocationList, ti auth.TokenInfo) bool {
		t.Helper()
		r, err := l.IsRevoked(ctx, ti)
		if err != nil {
			t.Fatalf("IsRevoked: %v", err)
		}
		return r
	}
	mustOK := func(t *testing.T, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	iat := now.Add(-time.Minute)

	t.Run("empty list revokes nothing", func(t *testing.T) {
		l := newList(t)
		if revoked(t, l, tok("iss", "sub", "a", iat)) {
			t.Fatal("revoked")
		}
	})
	t.Run("revoke by jti", func(t *testing.T) {
		l := newList(t)
		mustOK(t, l.Revoke(ctx, tok("iss", "sub", "a", iat)))
		if !revoked(t, l, tok("iss", "sub", "a", iat)) {
			t.Fatal("token not revoked")
		}
		if revoked(t, l, tok("iss", "sub", "b", iat)) {
			t.Fatal("another jti revoked")
		}
		if revoked(t, l, tok("other-iss", "sub", "a", iat)) {
			t.Fatal("same jti of another issuer revoked")
		}
	})
	t.Run("revoke requires a jti", func(t *testing.T) {
		if err := newList(t).Revoke(ctx, tok("iss", "sub", "", iat)); !errors.Is(err, auth.ErrNoTokenID) {
			t.Fatalf("err %v, want ErrNoTokenID", err)
		}
	})
	// An Authenticator accepts a token until exp + its leeway (at most
	// auth.MaxLeeway), so the entry must outlive exp by that much.
	t.Run("a token past exp but within MaxLeeway stays revoked", func(t *testing.T) {
		l := newList(t)
		ti := tok("iss", "sub", "late", iat)
		ti.ExpiresAt = now.Add(-time.Second)
		mustOK(t, l.Revoke(ctx, ti))
		if !revoked(t, l, ti) {
			t.Fatal("a token an Authenticator may still accept (leeway) is not revoked")
		}
		ti.ExpiresAt = now.Add(-auth.MaxLeeway + 2*time.Second)
		ti.ID = "later"
		mustOK(t, l.Revoke(ctx, ti))
		if !revoked(t, l, ti) {
			t.Fatal("a token 2 s short of exp + MaxLeeway is not revoked")
		}
	})
	t.Run("revoking a token past exp + MaxLeeway is a no-op", func(t *testing.T) {
		l := newList(t)
		ti := tok("iss", "sub", "old", iat)
		ti.ExpiresAt = now.Add(-auth.MaxLeeway - time.Second)
		mustOK(t, l.Revoke(ctx, ti))
		if revoked(t, l, ti) {
			t.Fatal("expired entry reported")
		}
	})
	t.Run("revoke by subject and issue time", func(t *testing.T) {
		l := newList(t)
		mustOK(t, l.RevokeSubject(ctx, "iss", "sub", now, time.Hour))
		if !revoked(t, l, tok("iss", "sub", "a", iat)) || !revoked(t, l, tok("iss", "sub", "", now)) {
			t.Fatal("token issued at or before the cut-off not revoked")
		}
		if revoked(t, l, tok("iss", "sub", "b", now.Add(time.Second))) {
			t.Fatal("token issued after the cut-off revoked")
		}
		if revoked(t, l, tok("iss", "other", "a", iat)) || revoked(t, l, tok("other", "sub", "a", iat)) {
			t.Fatal("another subject or issuer revoked")
		}
	})
	t.Run("an earlier cut-off does not weaken a later one", func(t *testing.T) {
		l := newList(t)
		mustOK(t, l.RevokeSubject(ctx, "iss", "sub", now, time.Hour))
		mustOK(t, l.RevokeSubject(ctx, "iss", "sub", now.Add(-time.Hour), time.Minute))
		if !revoked(t, l, tok("iss", "sub", "a", iat)) {
			t.Fatal("cut-off moved back")
		}
	})
	t.Run("separators in names do not collide", func(t *testing.T) {
		l := newList(t)
		mustOK(t, l.Revoke(ctx, tok("a:b", "c", "j}{", iat)))
		mustOK(t, l.RevokeSubject(ctx, "x", "y:z", now, time.Hour))
		if revoked(t, l, tok("a", "b:c", "j}{", iat)) || revoked(t, l, tok("x:y", "z", "q", iat)) {
			t.Fatal("collision")
		}
		if !revoked(t, l, tok("a:b", "c", "j}{", iat)) || !revoked(t, l, tok("x", "y:z", "q", iat)) {
			t.Fatal("entries lost")
		}
	})
	t.Run("concurrent use", func(t *testing.T) {
		l := newList(t)
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				id := string(rune('a' + i))
				if err := l.Revoke(ctx, tok("iss", "sub", id, iat)); err != nil {
					t.Error(err)
				}
				if r, err := l.IsRevoked(ctx, tok("iss", "sub", id, iat)); err != nil || !r {
					t.Error("not revoked", err)
				}
			})
		}
		wg.Wait()
	})
}

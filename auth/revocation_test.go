package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/apisec-go/apisec/auth"
	"github.com/apisec-go/apisec/auth/revocationtest"
)

func TestMemoryRevocationListConformance(t *testing.T) {
	revocationtest.Run(t, func(t *testing.T) auth.RevocationList {
		l, err := auth.NewMemoryRevocationList(auth.MemoryRevocationConfig{})
		if err != nil {
			t.Fatal(err)
		}
		return l
	})
}

func TestMemoryRevocationListExpiry(t *testing.T) {
	clk := newFakeClock()
	l, _ := auth.NewMemoryRevocationList(auth.MemoryRevocationConfig{Now: clk.Now, MaxEntries: 2})
	ctx := context.Background()
	ti := auth.TokenInfo{Issuer: "i", Subject: "s", ID: "a", IssuedAt: clk.Now(), ExpiresAt: clk.Now().Add(time.Minute)}
	if err := l.Revoke(ctx, ti); err != nil {
		t.Fatal(err)
	}
	if err := l.RevokeSubject(ctx, "i", "s2", clk.Now(), 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	ti2 := ti
	ti2.ID = "b"
	if err := l.Revoke(ctx, ti2); err != auth.ErrRevocationListFull {
		t.Fatalf("err %v, want ErrRevocationListFull", err)
	}
	// The entries outlive exp (and the subject's ttl) by MaxLeeway, the
	// longest an Authenticator may still accept the token: ti's until
	// +6m, s2's until +7m.
	sub := auth.TokenInfo{Issuer: "i", Subject: "s2", ID: "z", IssuedAt: ti.IssuedAt, ExpiresAt: ti.ExpiresAt}
	clk.Add(time.Minute + auth.MaxLeeway - time.Second)
	if r, _ := l.IsRevoked(ctx, ti); !r {
		t.Fatal("entry dropped while an Authenticator may still accept the token")
	}
	clk.Add(time.Second)
	if r, _ := l.IsRevoked(ctx, ti); r {
		t.Fatal("entry outlived exp + MaxLeeway")
	}
	if r, _ := l.IsRevoked(ctx, sub); !r {
		t.Fatal("subject entry dropped before ttl + MaxLeeway")
	}
	// The expired entry is purged to make room; the live one stays.
	ti2.ExpiresAt = clk.Now().Add(time.Minute)
	if err := l.Revoke(ctx, ti2); err != nil {
		t.Fatal(err)
	}
	if l.Len() != 2 {
		t.Fatalf("len %d", l.Len())
	}
	clk.Add(time.Minute)
	if r, _ := l.IsRevoked(ctx, sub); r {
		t.Fatal("subject entry outlived ttl + MaxLeeway")
	}
	if _, err := auth.NewMemoryRevocationList(auth.MemoryRevocationConfig{MaxEntries: -1}); err == nil {
		t.Fatal("negative MaxEntries accepted")
	}
}

package principal_test

import (
	"context"
	"testing"
	"time"

	"github.com/apisec-go/apisec/principal"
)

func TestFromContext(t *testing.T) {
	p := &principal.Principal{Subject: "alice"}
	tests := []struct {
		name   string
		ctx    context.Context
		want   *principal.Principal
		wantOK bool
	}{
		{"empty context", context.Background(), nil, false},
		{"stored principal", principal.NewContext(context.Background(), p), p, true},
		{"nil principal is absent", principal.NewContext(context.Background(), nil), nil, false},
		{"inner value shadows outer", principal.NewContext(principal.NewContext(context.Background(), &principal.Principal{Subject: "x"}), p), p, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := principal.FromContext(tt.ctx)
			if got != tt.want || ok != tt.wantOK {
				t.Fatalf("FromContext = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// TestForeignKeyCannotImpersonate defends the unexported key: a value stored
// under any other key, even one of the same underlying type name, is never
// returned as the principal.
func TestForeignKeyCannotImpersonate(t *testing.T) {
	type key struct{}
	type name string
	ctx := context.WithValue(context.Background(), key{}, &principal.Principal{Subject: "mallory"})
	ctx = context.WithValue(ctx, name("principal"), &principal.Principal{Subject: "mallory"})
	if p, ok := principal.FromContext(ctx); ok || p != nil {
		t.Fatalf("FromContext returned %v from a foreign key", p)
	}
}

func TestRolesAndScopes(t *testing.T) {
	p := &principal.Principal{Roles: []string{"user", "admin"}, Scopes: []string{"read", "write"}}
	var nilP *principal.Principal
	zero := &principal.Principal{}
	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"HasRole present", p.HasRole("admin"), true},
		{"HasRole absent", p.HasRole("root"), false},
		{"HasRole is case-sensitive", p.HasRole("Admin"), false},
		{"HasRole empty string", p.HasRole(""), false},
		{"HasRole nil", nilP.HasRole("admin"), false},
		{"HasRole zero", zero.HasRole("admin"), false},
		{"HasAnyRole one matches", p.HasAnyRole("root", "user"), true},
		{"HasAnyRole none match", p.HasAnyRole("root", "ops"), false},
		{"HasAnyRole empty list", p.HasAnyRole(), false},
		{"HasAnyRole nil", nilP.HasAnyRole("user"), false},
		{"HasAllRoles all", p.HasAllRoles("user", "admin"), true},
		{"HasAllRoles missing one", p.HasAllRoles("user", "root"), false},
		{"HasAllRoles empty list", p.HasAllRoles(), true},
		{"HasAllRoles nil", nilP.HasAllRoles(), false},
		{"HasScope present", p.HasScope("read"), true},
		{"HasScope absent", p.HasScope("delete"), false},
		{"HasScope prefix is not a match", p.HasScope("rea"), false},
		{"HasScope nil", nilP.HasScope("read"), false},
		{"HasAllScopes all", p.HasAllScopes("read", "write"), true},
		{"HasAllScopes missing one", p.HasAllScopes("read", "delete"), false},
		{"HasAllScopes empty list", p.HasAllScopes(), true},
		{"HasAllScopes nil", nilP.HasAllScopes("read"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Fatalf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestExpired(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	var nilP *principal.Principal
	tests := []struct {
		name string
		p    *principal.Principal
		want bool
	}{
		{"nil", nilP, false},
		{"no expiry", &principal.Principal{}, false},
		{"future", &principal.Principal{ExpiresAt: now.Add(time.Second)}, false},
		{"exactly now", &principal.Principal{ExpiresAt: now}, true},
		{"past", &principal.Principal{ExpiresAt: now.Add(-time.Second)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.Expired(now); got != tt.want {
				t.Fatalf("Expired = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFromContextAllocs(t *testing.T) {
	ctx := principal.NewContext(context.Background(), &principal.Principal{Subject: "a"})
	if n := testing.AllocsPerRun(100, func() { principal.FromContext(ctx) }); n != 0 {
		t.Fatalf("FromContext allocates %v times, want 0", n)
	}
}

func BenchmarkFromContext(b *testing.B) {
	ctx := principal.NewContext(context.Background(), &principal.Principal{Subject: "a", Roles: []string{"user"}})
	b.ReportAllocs()
	for b.Loop() {
		p, _ := principal.FromContext(ctx)
		_ = p.HasRole("user")
	}
}

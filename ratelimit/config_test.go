package ratelimit_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/apisec-go/apisec/ratelimit"
)

func TestNewConfigErrors(t *testing.T) {
	match := func(*http.Request) bool { return true }
	ok := []ratelimit.Policy{{Limit: 10, Window: time.Second}}
	tests := []struct {
		name string
		cfg  ratelimit.Config
		want []string
	}{
		{"no policies", ratelimit.Config{}, []string{
			"ratelimit: Policies: at least one policy is required",
		}},
		{"too many policies", ratelimit.Config{Policies: make([]ratelimit.Policy, 5)}, []string{
			"ratelimit: Policies: at most 4 policies, got 5",
		}},
		{"zero policy", ratelimit.Config{Policies: []ratelimit.Policy{{}}}, []string{
			"ratelimit: Policies[0].Limit: must be between 1 and 1000000000, got 0",
			"ratelimit: Policies[0].Window: must be between 1s and 8784h0m0s, got 0s",
		}},
		{"names", ratelimit.Config{Policies: []ratelimit.Policy{
			{Limit: 1, Window: time.Second},
			{Name: "a b", Limit: 1, Window: time.Second},
			{Name: "x", Limit: 1, Window: time.Second},
			{Name: "x", Limit: 1, Window: time.Second},
		}}, []string{
			"ratelimit: Policies[0].Name: required when there is more than one policy",
			`ratelimit: Policies[1].Name: "a b": use 1 to 64 characters from A-Z a-z 0-9 _ . -`,
			`ratelimit: Policies[3].Name: "x" is used twice`,
		}},
		{"quote in name", ratelimit.Config{Policies: []ratelimit.Policy{
			{Name: `q"`, Limit: 1, Window: time.Second},
		}}, []string{
			`ratelimit: Policies[0].Name: "q\"": use 1 to 64 characters from A-Z a-z 0-9 _ . -`,
		}},
		{"window and limit ranges", ratelimit.Config{Policies: []ratelimit.Policy{
			{Name: "a", Limit: -1, Window: 500 * time.Millisecond},
			{Name: "b", Limit: 1_000_000_001, Window: 1500 * time.Millisecond},
			{Name: "c", Limit: 1, Window: 367 * 24 * time.Hour},
		}}, []string{
			"ratelimit: Policies[0].Limit: must be between 1 and 1000000000, got -1",
			"ratelimit: Policies[0].Window: must be between 1s and 8784h0m0s, got 500ms",
			"ratelimit: Policies[1].Limit: must be between 1 and 1000000000, got 1000000001",
			"ratelimit: Policies[1].Window: must be a whole number of seconds (it is advertised in seconds), got 1.5s",
			"ratelimit: Policies[2].Window: must be between 1s and 8784h0m0s, got 8808h0m0s",
		}},
		{"sliding window limits", ratelimit.Config{Policies: []ratelimit.Policy{
			{Limit: 10_001, Window: time.Second, Algorithm: ratelimit.SlidingWindow, Burst: 3},
		}}, []string{
			"ratelimit: Policies[0].Limit: a sliding window counts at most 10000, got 10001; use GCRA for larger quotas",
			"ratelimit: Policies[0].Burst: applies to GCRA only; leave it 0 for a sliding window",
		}},
		{"burst and algorithm", ratelimit.Config{Policies: []ratelimit.Policy{
			{Name: "a", Limit: 1, Window: time.Second, Burst: -1},
			{Name: "b", Limit: 1, Window: 366 * 24 * time.Hour, Burst: 11},
			{Name: "c", Limit: 1, Window: time.Second, Algorithm: 7},
		}}, []string{
			"ratelimit: Policies[0].Burst: must be between 0 and 1000000000, got -1",
			"ratelimit: Policies[1].Burst: Burst × Window/Limit exceeds ten years",
			"ratelimit: Policies[2].Algorithm: unknown Algorithm(7)",
		}},
		{"failure policy", ratelimit.Config{Policies: ok, OnStoreError: 9, FallbackPolicies: ok,
			BreakerThreshold: -1, BreakerCooldown: 2 * time.Hour}, []string{
			"ratelimit: OnStoreError: unknown FailurePolicy(9)",
			"ratelimit: BreakerThreshold: must be between 0 and 1000, got -1",
			"ratelimit: BreakerCooldown: must be between 0 and 1h, got 2h0m0s",
		}},
		{"fallback without FailLocal", ratelimit.Config{Policies: ok, FallbackPolicies: ok}, []string{
			"ratelimit: FallbackPolicies: only used with OnStoreError: FailLocal",
		}},
		{"invalid fallback", ratelimit.Config{Policies: ok, OnStoreError: ratelimit.FailLocal, FallbackPolicies: []ratelimit.Policy{}}, []string{
			"ratelimit: FallbackPolicies: at least one policy is required",
		}},
		{"ipv6 bits", ratelimit.Config{Policies: ok, IPv6PrefixBits: 129}, []string{
			"ratelimit: IPv6PrefixBits: must be between 0 and 128, got 129",
		}},
		{"ipv6 bits with custom key", ratelimit.Config{Policies: ok, IPv6PrefixBits: 56, Key: ratelimit.KeyByIP(56)}, []string{
			"ratelimit: IPv6PrefixBits: only applies to the default key; pass the bits to KeyByIP instead",
		}},
		{"routes", ratelimit.Config{Policies: ok, Routes: []ratelimit.Route{
			{Name: "login", Match: match, Policies: ok},
			{Name: "login", Policies: nil},
			{Name: "", Match: match, Policies: []ratelimit.Policy{{Limit: 0, Window: time.Second}}},
		}}, []string{
			`ratelimit: Routes[1].Name: "login" is used twice`,
			"ratelimit: Routes[1].Match: required",
			"ratelimit: Routes[1].Policies: at least one policy is required",
			`ratelimit: Routes[2].Name: "": use 1 to 64 characters from A-Z a-z 0-9 _ . -`,
			"ratelimit: Routes[2].Policies[0].Limit: must be between 1 and 1000000000, got 0",
		}},
		{"exempt paths", ratelimit.Config{Policies: ok, ExemptPaths: []string{"/healthz", "", "healthz"}}, []string{
			`ratelimit: ExemptPaths[1]: "": must be an absolute path starting with /`,
			`ratelimit: ExemptPaths[2]: "healthz": must be an absolute path starting with /`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := ratelimit.New(tt.cfg)
			if l != nil {
				t.Error("New returned a Limiter with an error")
			}
			assertConfigErrors(t, err, tt.want)
		})
	}
}

func TestNewAcceptsValidConfigs(t *testing.T) {
	for _, s := range []string{"10/s", "100/m", "5/15m", "1000/h", "1/d"} {
		p, err := ratelimit.ParseRate(s)
		if err != nil {
			t.Fatal(err)
		}
		l, err := ratelimit.New(ratelimit.Config{Policies: []ratelimit.Policy{p}})
		if err != nil {
			t.Errorf("%s: %v", s, err)
			continue
		}
		_ = l.Close()
	}
}

func TestMustNewPanicsOnBadConfig(t *testing.T) {
	defer func() {
		if r := recover(); r == nil {
			t.Error("MustNew did not panic")
		} else if err, ok := r.(error); !ok || !errors.As(err, new(*ratelimit.ConfigError)) {
			t.Errorf("panic value %v is not the config error", r)
		}
	}()
	ratelimit.MustNew(ratelimit.Config{})
}

// Mutating the Config after New must have no effect.
func TestConfigIsCopied(t *testing.T) {
	ps := []ratelimit.Policy{{Name: "p", Limit: 2, Window: time.Hour}}
	paths := []string{"/healthz"}
	l, err := ratelimit.New(ratelimit.Config{Policies: ps, ExemptPaths: paths})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ps[0].Limit = 1000
	paths[0] = "/"
	n := 0
	for range 5 {
		if r, _ := l.Allow(t.Context(), "k"); r.Allowed {
			n++
		}
	}
	if n != 2 {
		t.Errorf("admitted %d after mutating the config's policies, want 2", n)
	}
}

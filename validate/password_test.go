package validate_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/apisec-go/apisec/validate"
)

func TestPasswordPolicyDefaults(t *testing.T) {
	p := validate.MustNewPasswordPolicy(validate.PasswordConfig{})
	tests := []struct {
		name     string
		password string
		context  []string
		want     string
	}{
		{"passphrase", "mauve-tractor-lagoon-1897", nil, ""},
		{"exactly 15", "gx7-rimbo-telqa", nil, ""},
		{"14 is too short", "gx7-rimbo-telq", nil, "password_too_short"},
		{"length counts code points", "ğüşçöı-ğüşçö", nil, "password_too_short"},
		{"15 code points of multibyte", "ğüşçöıxğüşçöıxq", nil, ""},
		{"emoji passphrase", "🐢🌵🎺 lagoon tractor", nil, ""},
		{"128 allowed", noise(128), nil, ""},
		{"64 allowed", noise(64), nil, ""},
		{"129 too long", noise(129), nil, "password_too_long"},
		{"no composition rules", "all lowercase words here", nil, ""},
		{"whitespace only", strings.Repeat(" ", 20), nil, "password_whitespace"},
		{"tabs and ideographic spaces only", strings.Repeat("\u3000", 20), nil, "password_whitespace"},
		{"control character", "mauve-tractor-lagoon\x00", nil, "password_invalid"},
		{"common doubled", "passwordpassword", nil, "password_common"},
		{"common with spaces", "correct horse battery staple", nil, "password_common"},
		{"common ignores case", "CorrectHorseBatteryStaple", nil, "password_common"},
		{"common with padding", "dragon2024!!!!!!!!!", nil, "password_common"},
		{"common with leet", "P@ssw0rdP@ssw0rd", nil, "password_common"},
		{"common digits", "123456789012345", nil, "password_common"},
		{"keyboard walk", "qwertyuiopqwertyuiop", nil, "password_common"},
		{"contains email local part", "adalovelace-rocks-99", []string{"adalovelace@example.com"}, "password_context"},
		{"contains name", "my name is Lovelace, ok?", []string{"Ada Lovelace"}, "password_context"},
		{"short name parts ignored", "ada-swims-in-lagoons", []string{"Ada Li"}, ""},
		{"email domain ignored", "example-tractor-lagoon", []string{"zed@example.com"}, ""},
		{"repeated unit", "zq9zq9zq9zq9zq9zq9", nil, "password_repetitive"},
		{"repeated character run", "mauve-tractor-aaaaa", nil, "password_repetitive"},
		{"run of four allowed", "mauve-tractor-aaaa", nil, ""},
		{"ascending run", "mauve-tractor-abcde", nil, "password_sequential"},
		{"descending run", "mauve-tractor-98765", nil, "password_sequential"},
		{"run of four allowed seq", "mauve-tractor-6789", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := code(t, p.Check(t.Context(), tt.password, tt.context...)); got != tt.want {
				t.Fatalf("code = %q, want %q", got, tt.want)
			}
		})
	}
}

// noise returns n deterministic characters with no long runs and no
// repeated unit.
func noise(n int) string {
	const alphabet = "kq7#Zm2@xR9!pL4%vT8&"
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = alphabet[x%uint32(len(alphabet))]
	}
	return string(b)
}

func TestPasswordPolicyOptions(t *testing.T) {
	tests := []struct {
		name     string
		cfg      validate.PasswordConfig
		password string
		want     string
	}{
		{"mfa allows 8", validate.PasswordConfig{MinLength: 8, MultiFactor: true}, "gx7-rimb", ""},
		{"mfa 7 too short", validate.PasswordConfig{MinLength: 8, MultiFactor: true}, "gx7-rim", "password_too_short"},
		{"mfa common 8", validate.PasswordConfig{MinLength: 8, MultiFactor: true}, "password", "password_common"},
		{"mfa common padded", validate.PasswordConfig{MinLength: 8, MultiFactor: true}, "Monkey12345", "password_common"},
		{"max 64", validate.PasswordConfig{MaxLength: 64}, noise(65), "password_too_long"},
		{"max 1024", validate.PasswordConfig{MaxLength: 1024}, noise(1024), ""},
		{"seed composition ok", validate.PasswordConfig{RequireUpper: true, RequireLower: true, RequireDigit: true}, "Mauve-tractor-1897", ""},
		{"seed composition no digit", validate.PasswordConfig{RequireUpper: true, RequireLower: true, RequireDigit: true}, "Mauve-tractor-lagoon", "password_composition"},
		{"seed composition no upper", validate.PasswordConfig{RequireUpper: true, RequireLower: true, RequireDigit: true}, "mauve-tractor-1897", "password_composition"},
		{"symbol required", validate.PasswordConfig{RequireSymbol: true}, "mauvetractorlagoon", "password_composition"},
		{"extra blocklist", validate.PasswordConfig{Blocklist: []string{"Acme Corp Rocks 2026"}}, "acmecorprocks2026", "password_common"},
		{"service context word", validate.PasswordConfig{ContextWords: []string{"Acme"}}, "i-love-acme-so-much", "password_context"},
		{"longer runs allowed", validate.PasswordConfig{MaxRun: 6}, "mauve-tractor-abcdef", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := validate.NewPasswordPolicy(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got := code(t, p.Check(t.Context(), tt.password)); got != tt.want {
				t.Fatalf("code = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPasswordConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  validate.PasswordConfig
		want []string
	}{
		{"eight without mfa", validate.PasswordConfig{MinLength: 8}, []string{
			"validate: MinLength: below 15 requires MultiFactor (NIST SP 800-63B: 15 for password-only authentication), got 8"}},
		{"seven", validate.PasswordConfig{MinLength: 7, MultiFactor: true}, []string{
			"validate: MinLength: must be at least 8 (NIST SP 800-63B), got 7"}},
		{"max below 64", validate.PasswordConfig{MaxLength: 32}, []string{
			"validate: MaxLength: must allow at least 64 characters (NIST SP 800-63B), got 32"}},
		{"max huge", validate.PasswordConfig{MaxLength: 5000}, []string{
			"validate: MaxLength: must be at most 1024, got 5000"}},
		{"max below min", validate.PasswordConfig{MinLength: 100, MaxLength: 64}, []string{
			"validate: MaxLength: must be at least MinLength (100), got 64"}},
		{"run", validate.PasswordConfig{MaxRun: 2}, []string{
			"validate: MaxRun: must be between 3 and 64, got 2"}},
		{"empty blocklist entry", validate.PasswordConfig{Blocklist: []string{"ok", " "}}, []string{
			"validate: Blocklist[1]: empty entry"}},
		{"short context word", validate.PasswordConfig{ContextWords: []string{"abc"}}, []string{
			"validate: ContextWords[0]: needs at least 4 letters or digits to be useful"}},
		{"fail open without checker", validate.PasswordConfig{InsecureBreachFailOpen: true}, []string{
			"validate: InsecureBreachFailOpen: set without a Breach checker"}},
		{"all at once", validate.PasswordConfig{MinLength: -1, MaxLength: -1, MaxRun: -1}, []string{
			"validate: MinLength: must be at least 8 (NIST SP 800-63B), got -1",
			"validate: MaxLength: must allow at least 64 characters (NIST SP 800-63B), got -1",
			"validate: MaxRun: must be between 3 and 64, got -1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := validate.NewPasswordPolicy(tt.cfg)
			if got := configErrors(t, err); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("errors = %q\nwant     %q", got, tt.want)
			}
			if p != nil {
				t.Fatal("policy returned with errors")
			}
		})
	}
}

type fakeBreach struct {
	breached bool
	err      error
	calls    int
}

func (f *fakeBreach) Breached(context.Context, string) (bool, error) {
	f.calls++
	return f.breached, f.err
}

func TestPasswordBreachCheck(t *testing.T) {
	const pw = "mauve-tractor-lagoon-1897"
	t.Run("breached", func(t *testing.T) {
		p := validate.MustNewPasswordPolicy(validate.PasswordConfig{Breach: &fakeBreach{breached: true}})
		if got := code(t, p.Check(t.Context(), pw)); got != "password_breached" {
			t.Fatalf("code = %q", got)
		}
	})
	t.Run("not asked for a rejected password", func(t *testing.T) {
		f := &fakeBreach{}
		p := validate.MustNewPasswordPolicy(validate.PasswordConfig{Breach: f})
		_ = p.Check(t.Context(), "short")
		if f.calls != 0 {
			t.Fatal("breach service asked about a password already refused")
		}
	})
	t.Run("failure is unavailable", func(t *testing.T) {
		p := validate.MustNewPasswordPolicy(validate.PasswordConfig{Breach: &fakeBreach{err: errors.New("down")}})
		if err := p.Check(t.Context(), pw); !errors.Is(err, validate.ErrUnavailable) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("fail open", func(t *testing.T) {
		p := validate.MustNewPasswordPolicy(validate.PasswordConfig{Breach: &fakeBreach{err: errors.New("down")}, InsecureBreachFailOpen: true})
		if err := p.Check(t.Context(), pw); err != nil {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestBlocklistIsHonest(t *testing.T) {
	p := validate.MustNewPasswordPolicy(validate.PasswordConfig{MinLength: 8, MultiFactor: true})
	// The embedded list is composed from patterns, not a breach corpus; it
	// must still hold the classics.
	for _, pw := range []string{"password", "12345678", "qwertyuiop", "iloveyou", "trustno1", "letmein1", "football", "1q2w3e4r"} {
		if got := code(t, p.Check(t.Context(), pw)); got != "password_common" {
			t.Errorf("%q: code = %q", pw, got)
		}
	}
}

// TestBlocklistCatchesWalksAndNames: keyboard column walks, letters
// interleaved with digits, keypad walks and common first names are among
// the most used passwords; the generated list must cover them.
func TestBlocklistCatchesWalksAndNames(t *testing.T) {
	def := validate.MustNewPasswordPolicy(validate.PasswordConfig{})
	mfa := validate.MustNewPasswordPolicy(validate.PasswordConfig{MinLength: 8, MultiFactor: true})
	for _, tc := range []struct {
		p  *validate.PasswordPolicy
		pw string
	}{
		{def, "1qaz2wsx3edc4rfv"}, {def, "qazwsxedcrfvtgb"}, {def, "zaq1xsw2cde3vfr4"}, {def, "1q2w3e4r5t6y7u8i"},
		{mfa, "samantha"}, {mfa, "147258369"}, {mfa, "q1w2e3r4t5"}, {mfa, "a1b2c3d4"}, {mfa, "1q2w3e4r5t6y"},
		{mfa, "741852963"}, {mfa, "789456123"}, {mfa, "12369874"}, {mfa, "963852741"}, {mfa, "Samantha1990"},
		{mfa, "ilovejessica"}, {mfa, "mybrandon"}, {mfa, "1qaz!QAZ"},
	} {
		if got := code(t, tc.p.Check(t.Context(), tc.pw)); got != "password_common" {
			t.Errorf("%q: code = %q, want password_common", tc.pw, got)
		}
	}
}

// pwnedServer answers range queries for the given passwords with counts,
// plus padding entries with count 0, and records every request in full.
func pwnedServer(t *testing.T, counts map[string]int, padding []string) (*httptest.Server, *[]string) {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dump, _ := httputil.DumpRequest(r, true)
		mu.Lock()
		seen = append(seen, string(dump))
		mu.Unlock()
		prefix, ok := strings.CutPrefix(r.URL.Path, "/range/")
		if !ok || len(prefix) != 5 || r.Header.Get("Add-Padding") != "true" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		var b strings.Builder
		for pw, n := range counts {
			h := sha1Hex(pw)
			if h[:5] == prefix {
				fmt.Fprintf(&b, "%s:%d\r\n", h[5:], n)
			}
		}
		for _, pw := range padding {
			h := sha1Hex(pw)
			fmt.Fprintf(&b, "%s:0\r\n", h[5:])
		}
		fmt.Fprintf(&b, "0000000000000000000000000000000000A:3")
		_, _ = w.Write([]byte(b.String()))
	}))
	t.Cleanup(srv.Close)
	mu.Lock()
	defer mu.Unlock()
	return srv, &seen
}

func sha1Hex(s string) string {
	sum := sha1.Sum([]byte(s))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// TestPwnedPasswordsSendsOnlyThePrefix: k-anonymity means the service sees
// the first five hex characters of the SHA-1 and nothing else.
func TestPwnedPasswordsSendsOnlyThePrefix(t *testing.T) {
	const pw = "mauve-tractor-lagoon-1897"
	srv, seen := pwnedServer(t, map[string]int{pw: 42}, nil)
	c := &validate.PwnedPasswords{Client: srv.Client(), BaseURL: srv.URL}
	breached, err := c.Breached(t.Context(), pw)
	if err != nil || !breached {
		t.Fatalf("breached = %v, err = %v", breached, err)
	}
	if len(*seen) != 1 {
		t.Fatalf("%d requests", len(*seen))
	}
	req := (*seen)[0]
	h := sha1Hex(pw)
	if !strings.HasPrefix(req, "GET /range/"+h[:5]+" HTTP/1.1\r\n") {
		t.Fatalf("request line: %q", req)
	}
	for _, leak := range []string{h[5:], strings.ToLower(h[5:]), h[5:10], pw} {
		if strings.Contains(strings.ToUpper(req), strings.ToUpper(leak)) {
			t.Fatalf("request leaks %q:\n%s", leak, req)
		}
	}
	if !strings.Contains(req, "User-Agent: apisec-validate") {
		t.Fatalf("no User-Agent:\n%s", req)
	}
}

func TestPwnedPasswordsResponses(t *testing.T) {
	const pw = "mauve-tractor-lagoon-1897"
	tests := []struct {
		name     string
		counts   map[string]int
		padding  []string
		minCount int
		want     bool
	}{
		{"absent", map[string]int{"other": 5}, nil, 0, false},
		{"present", map[string]int{pw: 1}, nil, 0, true},
		{"padding entry for the same suffix is not a hit", nil, []string{pw}, 0, false},
		{"below MinCount", map[string]int{pw: 3}, nil, 10, false},
		{"at MinCount", map[string]int{pw: 10}, nil, 10, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := pwnedServer(t, tt.counts, tt.padding)
			c := &validate.PwnedPasswords{Client: srv.Client(), BaseURL: srv.URL, MinCount: tt.minCount}
			got, err := c.Breached(t.Context(), pw)
			if err != nil || got != tt.want {
				t.Fatalf("breached = %v, err = %v, want %v", got, err, tt.want)
			}
		})
	}
}

func TestPwnedPasswordsFailures(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"status 500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", 500) }},
		{"status 429", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(429) }},
		{"malformed line", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("nope\r\n")) }},
		{"bad count", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(strings.Repeat("A", 35) + ":x\r\n"))
		}},
		{"line too long", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(strings.Repeat("A", 1000))) }},
		{"huge body", func(w http.ResponseWriter, r *http.Request) {
			line := []byte(strings.Repeat("A", 35) + ":1\r\n")
			for range (2 << 20) / len(line) {
				if _, err := w.Write(line); err != nil {
					return
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			c := &validate.PwnedPasswords{Client: srv.Client(), BaseURL: srv.URL}
			got, err := c.Breached(t.Context(), "mauve-tractor-lagoon-1897")
			if err == nil || got {
				t.Fatalf("breached = %v, err = %v; want an error", got, err)
			}
		})
	}
	t.Run("unreachable", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		c := &validate.PwnedPasswords{BaseURL: url}
		if _, err := c.Breached(t.Context(), "x"); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("policy maps failure to unavailable", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
		defer srv.Close()
		p := validate.MustNewPasswordPolicy(validate.PasswordConfig{Breach: &validate.PwnedPasswords{Client: srv.Client(), BaseURL: srv.URL}})
		err := p.Check(t.Context(), "mauve-tractor-lagoon-1897")
		if !errors.Is(err, validate.ErrUnavailable) {
			t.Fatalf("err = %v", err)
		}
		if strings.Contains(err.Error(), "mauve") {
			t.Fatalf("error leaks the password: %v", err)
		}
	})
}

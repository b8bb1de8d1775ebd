package auth

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var maxAgeCases = []struct {
	name string
	in   string
	want time.Duration
	ok   bool
}{
	{"absent", "", 0, false},
	{"plain", "max-age=300", 300 * time.Second, true},
	{"among others", "public, max-age=60, must-revalidate", time.Minute, true},
	{"case and spaces", " Public ,MAX-AGE=5 ", 5 * time.Second, true},
	{"quoted", `max-age="10"`, 10 * time.Second, true},
	{"no-store", "no-store", 0, true},
	{"no-cache before max-age", "no-cache, max-age=600", 0, true},
	{"negative", "max-age=-1", 0, false},
	{"garbage", "max-age=ten", 0, false},
	{"capped at a year", "max-age=99999999999", 365 * 24 * time.Hour, true},
	{"overflow", "max-age=999999999999999999999", 0, false},
}

func TestMaxAge(t *testing.T) {
	for _, tc := range maxAgeCases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := maxAge(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("maxAge(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func FuzzMaxAge(f *testing.F) {
	for _, tc := range maxAgeCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, ok := maxAge(in)
		if d < 0 || d > 365*24*time.Hour || (!ok && d != 0) {
			t.Fatalf("maxAge(%q) = %v, %v", in, d, ok)
		}
	})
}

func TestHasDuplicateKeys(t *testing.T) {
	many := func(n int, extra string) string {
		s := "{"
		for i := range n {
			s += `"k` + string(rune('A'+i%26)) + string(rune('a'+i/26)) + `":1,`
		}
		return s + extra + `"end":0}`
	}
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"none", `{"a":1,"b":{"a":2},"c":[{"a":3}]}`, false},
		{"plain", `{"a":1,"b":2,"a":3}`, true},
		{"escaped", `{"a":1,"\u0061":2}`, true},
		{"nested duplicates are not top-level", `{"o":{"x":1,"x":2}}`, false},
		{"many distinct", many(40, ""), false},
		{"duplicate beyond 32 keys", many(40, `"kAb":2,`), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := hasDuplicateKeys(tc.in); got != tc.want {
				t.Fatalf("got %v", got)
			}
		})
	}
}

// unescapeName must read every member name encoding/json reads, the same
// way: the scanner only sees names of objects json.Valid accepted, and a
// name decoded differently would reopen the claim-name differential.
var escapedNameSeeds = []string{
	`plain`, `\u0065xp`, `\"\\\/\b\f\n\r\t`, `\uD83D\uDE00`, `\uD83D`, `\uDE00x`, `\uD83D\u0041`,
	`\u212Aid`, `\u017Fub`, `\u00e9`, `é`, `\u00`, `\x`, "\x01", `\uZZZZ`, `\`,
	strings.Repeat(`\u0041`, 200), strings.Repeat("a", maxName) + `\n`, strings.Repeat("a", maxName-1) + `\u00e9`,
}

func TestUnescapeNameMatchesEncodingJSON(t *testing.T) {
	for _, k := range escapedNameSeeds {
		checkUnescapeName(t, k)
	}
}

func FuzzUnescapeName(f *testing.F) {
	for _, k := range escapedNameSeeds {
		f.Add(k)
	}
	f.Fuzz(checkUnescapeName)
}

func checkUnescapeName(t *testing.T, key string) {
	var buf [maxName]byte
	name, long, ok := unescapeName(&buf, key)
	var want string
	if !utf8.ValidString(key) || json.Unmarshal([]byte(`"`+key+`"`), &want) != nil {
		return // never reaches the scanner (header and payload are valid UTF-8 JSON); only must not panic
	}
	switch {
	case !ok:
		t.Fatalf("unescapeName(%q) rejected a name encoding/json reads as %q", key, want)
	case len(want) > maxName:
		if !long {
			t.Fatalf("unescapeName(%q) = %q, want long (%d bytes)", key, name, len(want))
		}
	case long:
		t.Fatalf("unescapeName(%q) = long, want %q", key, want)
	case name != want:
		t.Fatalf("unescapeName(%q) = %q, want %q", key, name, want)
	}
}

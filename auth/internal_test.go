package auth

import (
	"testing"
	"time"
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

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

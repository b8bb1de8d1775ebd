package validate

import (
	"strings"
	"testing"
)

// FuzzParseRange: a hostile or broken range response never panics and
// never reports a hit that is not in it.
func FuzzParseRange(f *testing.F) {
	const suffix = "0018A45C4D1DEF81644B54AB7F969B88D65"
	f.Add(suffix + ":3\r\n00D4F6E8FA6EECAD2A3AA415EEC418D38EC:2\r\n")
	f.Add(suffix + ":0\r\n")
	f.Add("garbage")
	f.Add("")
	f.Fuzz(func(t *testing.T, body string) {
		found, err := parseRange(strings.NewReader(body), suffix, 1)
		if found && (err != nil || !strings.Contains(strings.ToUpper(body), suffix)) {
			t.Fatalf("found = %v, err = %v for %q", found, err, body)
		}
	})
}

package httpsyntax

import (
	"strings"
	"testing"
)

// TestTokenCharsAreRFC9110 checks the table against the grammar: VCHAR
// (0x21-0x7E) minus the delimiters DQUOTE and "(),/:;<=>?@[\]{}".
func TestTokenCharsAreRFC9110(t *testing.T) {
	for c := 0; c < 256; c++ {
		want := c > 0x20 && c < 0x7f && !strings.ContainsRune(`"(),/:;<=>?@[\]{}`, rune(c))
		if got := IsTokenChar(byte(c)); got != want {
			t.Errorf("IsTokenChar(%#x) = %v, want %v", c, got, want)
		}
	}
}

func TestIsToken(t *testing.T) {
	for s, want := range map[string]bool{
		"": false, "GET": true, "X-Custom_1.2": true, "a b": false, "a,b": false,
		"é": false, "a\x00": false, "!#$%&'*+-.^_`|~": true, "a/b": false,
	} {
		if got := IsToken(s); got != want {
			t.Errorf("IsToken(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestTrimOWS(t *testing.T) {
	for in, want := range map[string]string{
		"": "", " \t ": "", "a": "a", " a\t": "a", "\ta b ": "a b",
		"a\f": "a\f", "\va": "\va", "a\r\n": "a\r\n", "a\u0085": "a\u0085",
	} {
		if got := TrimOWS(in); got != want {
			t.Errorf("TrimOWS(%q) = %q, want %q", in, got, want)
		}
	}
}

package validate

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultPwnedPasswordsURL is the Pwned Passwords range API.
const DefaultPwnedPasswordsURL = "https://api.pwnedpasswords.com"

// maxRangeBody caps a range response. Real ones are around 30 KiB, padded
// ones a little more.
const maxRangeBody = 1 << 20

// PwnedPasswords is a [BreachChecker] using the Pwned Passwords range API
// with k-anonymity: it sends only the first 5 hex characters of the
// password's SHA-1, asks for a padded response (so the response size does
// not reveal the prefix either), and compares the suffixes locally. The
// password and its full hash never leave the process.
//
// The zero value queries the public API with a 5-second timeout. It is safe
// for concurrent use; do not change its fields while it is in use.
type PwnedPasswords struct {
	// Client sends the requests. Nil means a client with a 5 s timeout.
	Client *http.Client
	// BaseURL is the API root, without a trailing slash. Empty means
	// DefaultPwnedPasswordsURL.
	BaseURL string
	// UserAgent identifies the caller, as the API requires. Empty means
	// "apisec-validate".
	UserAgent string
	// MinCount is how many breach occurrences make a password breached.
	// Zero means 1.
	MinCount int
}

var defaultPwnedClient = &http.Client{Timeout: 5 * time.Second}

// Breached reports whether password appears in the corpus at least MinCount
// times. Errors (network, non-200, oversized or malformed responses) mean
// "unknown", never "not breached".
func (p *PwnedPasswords) Breached(ctx context.Context, password string) (bool, error) {
	sum := sha1.Sum([]byte(password))
	var hexSum [40]byte
	hex.Encode(hexSum[:], sum[:])
	upper := strings.ToUpper(string(hexSum[:]))
	prefix, suffix := upper[:5], upper[5:]

	base := p.BaseURL
	if base == "" {
		base = DefaultPwnedPasswordsURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/range/"+prefix, nil)
	if err != nil {
		return false, errors.New("pwned passwords: bad BaseURL")
	}
	ua := p.UserAgent
	if ua == "" {
		ua = "apisec-validate"
	}
	req.Header.Set("User-Agent", ua)
	req.Header.Set("Add-Padding", "true")
	client := p.Client
	if client == nil {
		client = defaultPwnedClient
	}
	res, err := client.Do(req)
	if err != nil {
		return false, errors.New("pwned passwords: request failed")
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return false, errors.New("pwned passwords: status " + strconv.Itoa(res.StatusCode))
	}
	return parseRange(res.Body, suffix, max(p.MinCount, 1))
}

// parseRange reads a range response ("SUFFIX:COUNT" lines) and reports
// whether suffix appears with at least minCount occurrences.
func parseRange(r io.Reader, suffix string, minCount int) (bool, error) {
	sc := bufio.NewScanner(io.LimitReader(r, maxRangeBody+1))
	sc.Buffer(make([]byte, 0, 256), 256)
	read := 0
	found := false
	for sc.Scan() {
		line := sc.Bytes()
		read += len(line) + 1
		if read > maxRangeBody {
			return false, errors.New("pwned passwords: response too large")
		}
		text := strings.TrimSpace(string(line))
		if text == "" {
			continue
		}
		s, c, ok := strings.Cut(text, ":")
		if !ok || len(s) != 35 || !isHex(s) {
			return false, errors.New("pwned passwords: malformed response")
		}
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 {
			return false, errors.New("pwned passwords: malformed response")
		}
		// Padding entries have a count of 0 and must not count as hits.
		if n >= minCount && strings.EqualFold(s, suffix) {
			found = true
		}
	}
	if sc.Err() != nil {
		return false, errors.New("pwned passwords: malformed response")
	}
	return found, nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

package validate

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

//go:generate go run gen_blocklist.go

// blocklistText is the embedded list of common passwords, one lowercase
// entry a line, sorted. See gen_blocklist.go for how it is composed.
//
//go:embed blocklist.txt
var blocklistText string

// blocklist splits the embedded list once, on first use.
var blocklist = sync.OnceValue(func() []string {
	return strings.Split(strings.TrimSuffix(blocklistText, "\n"), "\n")
})

// Password length defaults and bounds, in Unicode code points (NIST SP
// 800-63B rev 4 §3.1.1.2).
const (
	DefaultPasswordMinLength = 15  // password-only authentication
	MFAPasswordMinLength     = 8   // the floor when a second factor is required
	DefaultPasswordMaxLength = 128 // at least 64 must be allowed
	DefaultPasswordMaxRun    = 4
)

// PasswordConfig configures a [PasswordPolicy]. The zero value is the NIST
// SP 800-63B rev 4 policy for password-only authentication: 15 to 128
// characters, no composition rules, the embedded blocklist, context words,
// no run of more than 4 repeated or consecutive characters, no breach
// check.
type PasswordConfig struct {
	_ [0]func() // forces keyed literals; PasswordConfig is not comparable

	// MinLength is the minimum number of code points. Zero means 15. Values
	// from 8 to 14 are allowed only with MultiFactor set.
	MinLength int

	// MultiFactor says the password is only ever one of two factors, which
	// lets MinLength go down to 8 (SP 800-63B rev 4 §3.1.1.2).
	MultiFactor bool

	// MaxLength is the maximum number of code points. Zero means 128. It
	// must be at least 64 and at least MinLength, and at most 1024. Longer
	// passwords are refused, never truncated.
	MaxLength int

	// Composition rules, off by default as NIST recommends. They exist for
	// teams bound to an older policy (the seed's upper/lower/digit rule).
	RequireUpper, RequireLower, RequireDigit, RequireSymbol bool

	// Blocklist adds entries (matched ignoring case) to the embedded list:
	// the product name, passwords known to circulate in the organisation.
	Blocklist []string

	// ContextWords are words no password may contain, for every user: the
	// service name, the company. Per-user words (email, name) are passed
	// to [PasswordPolicy.Check].
	ContextWords []string

	// MaxRun is the longest allowed run of one repeated character ("aaaa")
	// or of consecutive ones ("abcd", "4321"). Zero means 4; 3 to 64.
	MaxRun int

	// Breach, when set, is asked whether the password appears in a breach
	// corpus (for example [PwnedPasswords]). A failing check makes Check
	// return an error wrapping [ErrUnavailable] (503) unless
	// InsecureBreachFailOpen is set.
	Breach BreachChecker

	// InsecureBreachFailOpen accepts passwords when the breach check fails,
	// favouring availability over the check.
	InsecureBreachFailOpen bool
}

// BreachChecker reports whether a password is known from a breach. Its
// implementations must not send or log the password or its full hash.
type BreachChecker interface {
	Breached(ctx context.Context, password string) (bool, error)
}

// PasswordPolicy checks new passwords (at registration or change; never at
// login, where the stored hash decides). Build one with
// [NewPasswordPolicy]; it is immutable and safe for concurrent use.
type PasswordPolicy struct {
	min, max, maxRun                int
	upper, lower, digit, symbol     bool
	extra                           []string
	context                         []string
	breach                          BreachChecker
	failOpen                        bool
	errShort, errLong, errComposite *Violation
}

// NewPasswordPolicy checks cfg and returns the policy, or every problem in
// cfg joined, each a [*ConfigError].
func NewPasswordPolicy(cfg PasswordConfig) (*PasswordPolicy, error) {
	var errs []error
	p := &PasswordPolicy{
		min: cfg.MinLength, max: cfg.MaxLength, maxRun: cfg.MaxRun,
		upper: cfg.RequireUpper, lower: cfg.RequireLower, digit: cfg.RequireDigit, symbol: cfg.RequireSymbol,
		breach: cfg.Breach, failOpen: cfg.InsecureBreachFailOpen,
	}
	if p.min == 0 {
		p.min = DefaultPasswordMinLength
	}
	if p.max == 0 {
		p.max = DefaultPasswordMaxLength
	}
	if p.maxRun == 0 {
		p.maxRun = DefaultPasswordMaxRun
	}
	switch {
	case cfg.MinLength < 0 || cfg.MinLength > 0 && cfg.MinLength < MFAPasswordMinLength:
		errs = append(errs, &ConfigError{Field: "MinLength", Reason: fmt.Sprintf("must be at least %d (NIST SP 800-63B), got %d", MFAPasswordMinLength, cfg.MinLength)})
	case p.min < DefaultPasswordMinLength && !cfg.MultiFactor:
		errs = append(errs, &ConfigError{Field: "MinLength", Reason: fmt.Sprintf("below %d requires MultiFactor (NIST SP 800-63B: 15 for password-only authentication), got %d", DefaultPasswordMinLength, cfg.MinLength)})
	}
	switch {
	case cfg.MaxLength < 0 || cfg.MaxLength > 0 && cfg.MaxLength < 64:
		errs = append(errs, &ConfigError{Field: "MaxLength", Reason: fmt.Sprintf("must allow at least 64 characters (NIST SP 800-63B), got %d", cfg.MaxLength)})
	case p.max > 1024:
		errs = append(errs, &ConfigError{Field: "MaxLength", Reason: fmt.Sprintf("must be at most 1024, got %d", cfg.MaxLength)})
	case p.max < p.min:
		errs = append(errs, &ConfigError{Field: "MaxLength", Reason: fmt.Sprintf("must be at least MinLength (%d), got %d", p.min, p.max)})
	}
	if cfg.MaxRun < 0 || cfg.MaxRun > 0 && cfg.MaxRun < 3 || cfg.MaxRun > 64 {
		errs = append(errs, &ConfigError{Field: "MaxRun", Reason: fmt.Sprintf("must be between 3 and 64, got %d", cfg.MaxRun)})
	}
	for i, w := range cfg.Blocklist {
		w = fold(w)
		if w == "" {
			errs = append(errs, &ConfigError{Field: fmt.Sprintf("Blocklist[%d]", i), Reason: "empty entry"})
			continue
		}
		p.extra = append(p.extra, w)
	}
	slices.Sort(p.extra)
	for i, w := range cfg.ContextWords {
		toks := contextTokens(w)
		if len(toks) == 0 {
			errs = append(errs, &ConfigError{Field: fmt.Sprintf("ContextWords[%d]", i), Reason: "needs at least 4 letters or digits to be useful"})
		}
		p.context = append(p.context, toks...)
	}
	if cfg.InsecureBreachFailOpen && cfg.Breach == nil {
		errs = append(errs, &ConfigError{Field: "InsecureBreachFailOpen", Reason: "set without a Breach checker"})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	p.errShort = &Violation{Code: CodePasswordTooShort, Detail: fmt.Sprintf("The password must be at least %d characters long.", p.min)}
	p.errLong = &Violation{Code: CodePasswordTooLong, Detail: fmt.Sprintf("The password must be at most %d characters long.", p.max)}
	var need []string
	for _, c := range []struct {
		on   bool
		name string
	}{{p.upper, "an uppercase letter"}, {p.lower, "a lowercase letter"}, {p.digit, "a digit"}, {p.symbol, "a symbol"}} {
		if c.on {
			need = append(need, c.name)
		}
	}
	p.errComposite = &Violation{Code: CodePasswordComposition, Detail: "The password must contain " + strings.Join(need, ", ") + "."}
	return p, nil
}

// MustNewPasswordPolicy is like [NewPasswordPolicy] but panics on a bad
// config, for package-level variables.
func MustNewPasswordPolicy(cfg PasswordConfig) *PasswordPolicy {
	p, err := NewPasswordPolicy(cfg)
	if err != nil {
		panic(err.Error())
	}
	return p
}

var (
	errPwWhitespace = &Violation{Code: CodePasswordWhitespace, Detail: "The password must not be only spaces."}
	errPwInvalid    = &Violation{Code: CodePasswordInvalid, Detail: "The password must not contain control characters."}
	errPwCommon     = &Violation{Code: CodePasswordCommon, Detail: "The password is too common; choose a longer passphrase of unrelated words."}
	errPwContext    = &Violation{Code: CodePasswordContext, Detail: "The password must not contain your email address, your name or the service name."}
	errPwRepetitive = &Violation{Code: CodePasswordRepetitive, Detail: "The password repeats itself too much."}
	errPwSequential = &Violation{Code: CodePasswordSequential, Detail: "The password contains a long run of consecutive characters."}
	errPwBreached   = &Violation{Code: CodePasswordBreached, Detail: "The password appears in a known data breach; choose another one."}
)

// Check returns nil if password is acceptable, else the first problem as a
// [*Violation] with a password_... code, or an error wrapping
// [ErrUnavailable] when the breach check failed. userWords are the words
// of this user that the password must not contain, typically the email
// address and the name; each is split into tokens of 4 or more letters and
// digits (an email also yields its local part).
//
// Length is counted in Unicode code points and nothing is truncated. The
// password is not normalized: hash it exactly as received (or apply NFKC
// consistently at both registration and login, as SP 800-63B suggests).
func (p *PasswordPolicy) Check(ctx context.Context, password string, userWords ...string) error {
	n := utf8.RuneCountInString(password)
	if n < p.min {
		return p.errShort
	}
	if n > p.max {
		return p.errLong
	}
	if !utf8.ValidString(password) {
		return errPwInvalid
	}
	var hasUpper, hasLower, hasDigit, hasSymbol, nonSpace bool
	for _, r := range password {
		switch {
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return errPwInvalid
		case unicode.IsUpper(r):
			hasUpper = true
		case unicode.IsLower(r):
			hasLower = true
		case unicode.IsDigit(r):
			hasDigit = true
		case unicode.IsSpace(r):
			continue
		default:
			if !unicode.IsLetter(r) {
				hasSymbol = true
			}
		}
		nonSpace = true
	}
	if !nonSpace {
		return errPwWhitespace
	}
	if p.upper && !hasUpper || p.lower && !hasLower || p.digit && !hasDigit || p.symbol && !hasSymbol {
		return p.errComposite
	}
	folded := fold(password)
	unleet := leet.Replace(folded)
	if p.common(folded, unleet) {
		return errPwCommon
	}
	if containsAny(folded, unleet, p.context) {
		return errPwContext
	}
	for _, w := range userWords {
		if containsAny(folded, unleet, contextTokens(w)) {
			return errPwContext
		}
	}
	if repeatsUnit(folded) {
		return errPwRepetitive
	}
	if same, seq := longestRuns(password); same > p.maxRun {
		return errPwRepetitive
	} else if seq > p.maxRun {
		return errPwSequential
	}
	if p.breach != nil {
		breached, err := p.breach.Breached(ctx, password)
		if err != nil {
			if p.failOpen {
				return nil
			}
			return fmt.Errorf("%w: breach check: %w", ErrUnavailable, err)
		}
		if breached {
			return errPwBreached
		}
	}
	return nil
}

// Rule returns the policy as a [Rule] for [Field], without user words.
// Use [Check] with PasswordPolicy.Check to pass the user's email and name.
func (p *PasswordPolicy) Rule() Rule[string] {
	return func(s string) error { return p.Check(context.Background(), s) }
}

// fold lowercases s and drops whitespace, so "Pass Word" matches
// "password".
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if !unicode.IsSpace(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// leet undoes common character substitutions ("p@ssw0rd").
var leet = strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s", "!", "i", "|", "l", "+", "t")

// common reports whether the folded password is on the blocklist as is,
// with its substitutions undone, or once the digits and symbols padding it
// at either end are removed ("Dragon2024!!!!!!!!" is still "dragon").
func (p *PasswordPolicy) common(f, unleet string) bool {
	for _, c := range [...]string{f, unleet, strip(f), strip(unleet)} {
		if len(c) < 4 {
			continue
		}
		if _, ok := slices.BinarySearch(blocklist(), c); ok {
			return true
		}
		if _, ok := slices.BinarySearch(p.extra, c); ok {
			return true
		}
	}
	return false
}

// strip removes leading and trailing characters that are not letters.
func strip(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
}

func containsAny(s, unleet string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) || strings.Contains(unleet, w) {
			return true
		}
	}
	return false
}

// contextTokens splits a user word into lowercase tokens of at least 4
// letters or digits; an email address also yields its whole local part.
func contextTokens(w string) []string {
	w = strings.ToLower(w)
	var toks []string
	if at := strings.LastIndexByte(w, '@'); at > 0 {
		if local := fold(w[:at]); utf8.RuneCountInString(local) >= 4 {
			toks = append(toks, local)
		}
		w = w[:at] // the domain (gmail.com) says little about the user
	}
	for _, t := range strings.FieldsFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if utf8.RuneCountInString(t) >= 4 && !slices.Contains(toks, t) {
			toks = append(toks, t)
		}
	}
	return toks
}

// repeatsUnit reports whether s is one short unit repeated
// ("abcabcabcabcabc", "passwordpassword").
func repeatsUnit(s string) bool {
	n := len(s)
	for u := 1; u <= n/2; u++ {
		if n%u == 0 && s[u:] == s[:n-u] { // periodic with period u
			return true
		}
	}
	return false
}

// longestRuns returns the longest run of one repeated code point and the
// longest run of code points each one more (or one less) than the last.
func longestRuns(s string) (same, seq int) {
	var prev rune = -2
	sameRun, upRun, downRun := 0, 0, 0
	for _, r := range s {
		r = unicode.ToLower(r)
		switch {
		case r == prev:
			sameRun++
			upRun, downRun = 1, 1
		case r == prev+1:
			upRun++
			sameRun, downRun = 1, 1
		case r == prev-1:
			downRun++
			sameRun, upRun = 1, 1
		default:
			sameRun, upRun, downRun = 1, 1, 1
		}
		prev = r
		same = max(same, sameRun)
		seq = max(seq, upRun, downRun)
	}
	return same, seq
}

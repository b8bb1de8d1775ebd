package validate

import (
	"cmp"
	"context"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Rule checks one value and returns nil or, usually, a [*Violation]. Rules
// are plain functions, so a rule that takes no parameters is written
// without parentheses ([Required], [Email], [URL], [UUID]) and the others
// are built once ([Length], [Range], [OneOf], [Pattern], [Each]):
//
//	validate.Field("/email", func(r *Registration) string { return r.Email }, validate.Required, validate.Email)
type Rule[V any] func(V) error

// FieldRule checks one part of a *T and adds what it finds to errs. The
// returned error is for failures of the check itself (a breach-check service
// that is down), which end validation with 503; it wraps [ErrUnavailable].
// Build them with [Field] and [Check].
type FieldRule[T any] func(ctx context.Context, v *T, errs *Errors) error

// RuleSet is the validation schema for T: the rules registered for it with
// [Rules]. It is immutable and safe for concurrent use. A nil *RuleSet checks
// nothing.
type RuleSet[T any] struct {
	fields []FieldRule[T]
}

// Rules returns a RuleSet that runs the field rules in order and collects
// every error.
func Rules[T any](fields ...FieldRule[T]) *RuleSet[T] {
	return &RuleSet[T]{fields: append([]FieldRule[T](nil), fields...)}
}

// Validate checks v against the rule set (not T's own Validate method) and
// returns nil, an [Errors], or an error wrapping [ErrUnavailable].
func (rs *RuleSet[T]) Validate(ctx context.Context, v *T) error {
	var errs Errors
	if err := rs.check(ctx, v, &errs); err != nil {
		return err
	}
	return errs.Err()
}

func (rs *RuleSet[T]) check(ctx context.Context, v *T, errs *Errors) error {
	if rs == nil {
		return nil
	}
	for _, f := range rs.fields {
		if errs.Full() {
			break // nothing more would be reported
		}
		if f == nil {
			continue
		}
		if err := f(ctx, v, errs); err != nil {
			return err
		}
	}
	return nil
}

// Field checks the value get returns, reported at pointer (a JSON Pointer
// such as "/address/zip"), with rules in order. It stops at the first rule
// that fails, so a missing value is reported as "required", not also as too
// short. A rule error wrapping [ErrUnavailable] ends validation with 503.
func Field[T, F any](pointer string, get func(*T) F, rules ...Rule[F]) FieldRule[T] {
	rules = append([]Rule[F](nil), rules...)
	return func(_ context.Context, v *T, errs *Errors) error {
		x := get(v)
		for _, r := range rules {
			if err := r(x); err != nil {
				if isUnavailable(err) {
					return err
				}
				errs.Add(pointer, err)
				break
			}
		}
		return nil
	}
}

// Check runs fn, for rules that read several fields (a password checked
// against the user's email and name) or need a context. fn returns what a
// [Rule] returns; an error wrapping [ErrUnavailable] ends validation with
// 503 instead of adding a field error.
func Check[T any](pointer string, fn func(ctx context.Context, v *T) error) FieldRule[T] {
	return func(ctx context.Context, v *T, errs *Errors) error {
		err := fn(ctx, v)
		if err != nil && isUnavailable(err) {
			return err
		}
		errs.Add(pointer, err)
		return nil
	}
}

// Struct validates a nested value with its own rule set; errors are
// reported under the field's pointer ("/address" + "/zip"). The nested rules
// run with context.Background.
func Struct[F any](rs *RuleSet[F]) Rule[F] {
	return func(v F) error {
		var errs Errors
		if err := rs.check(context.Background(), &v, &errs); err != nil {
			return err // wraps ErrUnavailable: Field turns it into 503
		}
		return errs.Err()
	}
}

var (
	errRequired = &Violation{Code: CodeRequired, Detail: "The field is required."}
	errEmail    = &Violation{Code: CodeEmail, Detail: "The value must be an email address such as name@example.com."}
	errURL      = &Violation{Code: CodeURL, Detail: "The value must be an absolute http or https URL without credentials."}
	errUUID     = &Violation{Code: CodeUUID, Detail: "The value must be a UUID such as 123e4567-e89b-12d3-a456-426614174000."}
)

// Required fails on the zero value: "", 0, false, a nil pointer.
func Required[V comparable](v V) error {
	var zero V
	if v == zero {
		return errRequired
	}
	return nil
}

// NotEmpty fails on an empty slice (nil or zero length).
func NotEmpty[E any](v []E) error {
	if len(v) == 0 {
		return errRequired
	}
	return nil
}

// Length checks that a string has between min and max characters, counted
// as Unicode code points (runes), both inclusive.
func Length(min, max int) Rule[string] {
	fail := &Violation{Code: CodeLength, Detail: fmt.Sprintf("The value must be %d to %d characters long.", min, max)}
	return func(s string) error {
		if len(s) < min { // fewer bytes than min means fewer runes too
			return fail
		}
		n := utf8.RuneCountInString(s)
		if n < min || n > max {
			return fail
		}
		return nil
	}
}

// Number is the set of types [Range] works on.
type Number interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 |
		~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 |
		~float32 | ~float64
}

// Range checks min <= v <= max. NaN is always out of range.
func Range[N Number](min, max N) Rule[N] {
	fail := &Violation{Code: CodeRange, Detail: "The value must be between " + formatNumber(min) + " and " + formatNumber(max) + "."}
	return func(v N) error {
		if v != v || cmp.Less(v, min) || cmp.Less(max, v) {
			return fail
		}
		return nil
	}
}

func formatNumber[N Number](n N) string {
	switch x := any(n).(type) {
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return fmt.Sprint(n)
}

// Items checks that a slice has between min and max elements.
func Items[E any](min, max int) Rule[[]E] {
	fail := &Violation{Code: CodeItems, Detail: fmt.Sprintf("The list must have %d to %d items.", min, max)}
	return func(v []E) error {
		if len(v) < min || len(v) > max {
			return fail
		}
		return nil
	}
}

// Email accepts a bare RFC 5322 addr-spec (local@domain) as net/mail parses
// it: no display name, no angle brackets, no comments, no whitespace or
// control characters (not even quoted), at most 254 bytes
// (RFC 5321 §4.5.3.1.3), and a domain with at least one dot. It does not
// check that the domain receives mail.
func Email(s string) error {
	if len(s) < 3 || len(s) > 254 {
		return errEmail
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f || c == '<' || c == '(' {
			return errEmail
		}
	}
	// Cheap structural checks first: most bad input fails here without
	// the cost of net/mail's error path.
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at > 64 {
		return errEmail
	}
	domain := s[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, "[") ||
		strings.HasSuffix(domain, ".") || strings.HasPrefix(domain, ".") {
		return errEmail
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return errEmail
	}
	return nil
}

// URL accepts an absolute http or https URL with a host and no userinfo
// ("https://user:pass@host" is refused: credentials in URLs leak through
// logs and Referer headers, and "https://trusted@evil" misleads readers).
// At most 2048 bytes.
func URL(s string) error {
	if s == "" || len(s) > 2048 {
		return errURL
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f || c == '\\' {
			return errURL
		}
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.Host == "" || u.Hostname() == "" || u.Opaque != "" {
		return errURL
	}
	return nil
}

// UUID accepts the canonical 8-4-4-4-12 hex form (RFC 9562 §4), either
// case, any version. Braces, "urn:uuid:" and missing hyphens are refused.
func UUID(s string) error {
	if len(s) != 36 {
		return errUUID
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return errUUID
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return errUUID
			}
		}
	}
	return nil
}

// OneOf accepts only the listed values. The detail lists them, since they
// are the schema's, not the client's.
func OneOf[V comparable](allowed ...V) Rule[V] {
	allowed = append([]V(nil), allowed...)
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = fmt.Sprint(a)
	}
	fail := &Violation{Code: CodeOneOf, Detail: "The value must be one of: " + strings.Join(names, ", ") + "."}
	return func(v V) error {
		for _, a := range allowed {
			if v == a {
				return nil
			}
		}
		return fail
	}
}

// Pattern accepts strings that re matches as a whole: the expression is
// anchored at both ends, so Pattern(regexp.MustCompile(`[a-z]+`)) refuses
// "abc!" (unanchored matching is the classic mistake). re is compiled by
// the caller, once. Go's regexp runs in linear time, so a pattern cannot be
// turned into a ReDoS. describe is shown to the client, e.g. "lowercase
// letters only".
func Pattern(re *regexp.Regexp, describe string) Rule[string] {
	full := regexp.MustCompile(`\A(?:` + re.String() + `)\z`)
	fail := &Violation{Code: CodePattern, Detail: "The value has the wrong format: " + describe + "."}
	return func(s string) error {
		if !full.MatchString(s) {
			return fail
		}
		return nil
	}
}

// Each applies rules to every element of a slice, each element stopping at
// its first failing rule, and reports the errors at "/<index>" relative to
// the field. It stops once [MaxErrors] errors and one more were found.
func Each[E any](rules ...Rule[E]) Rule[[]E] {
	rules = append([]Rule[E](nil), rules...)
	return func(v []E) error {
		var errs Errors
		for i, x := range v {
			if errs.Full() {
				break
			}
			for _, r := range rules {
				if err := r(x); err != nil {
					errs.Add("/"+strconv.Itoa(i), err)
					break
				}
			}
		}
		return errs.Err()
	}
}

// Optional runs rules only when v is not the zero value, for fields that
// may be left out but must be valid when given.
func Optional[V comparable](rules ...Rule[V]) Rule[V] {
	rules = append([]Rule[V](nil), rules...)
	return func(v V) error {
		var zero V
		if v == zero {
			return nil
		}
		for _, r := range rules {
			if err := r(v); err != nil {
				return err
			}
		}
		return nil
	}
}

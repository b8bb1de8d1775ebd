package validate_test

import (
	"errors"
	"math"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/apisec-go/apisec/validate"
)

// code returns the Violation code of err, "" for nil.
func code(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var v *validate.Violation
	if !errors.As(err, &v) {
		t.Fatalf("%T %v is not a *Violation", err, err)
	}
	return v.Code
}

func TestStringRules(t *testing.T) {
	hex := regexp.MustCompile(`[0-9a-f]+`)
	tests := []struct {
		name  string
		rule  validate.Rule[string]
		input string
		want  string
	}{
		{"required empty", validate.Required[string], "", "required"},
		{"required set", validate.Required[string], "x", ""},
		{"length ok", validate.Length(2, 50), "Al", ""},
		{"length short", validate.Length(2, 50), "A", "length"},
		{"length long", validate.Length(2, 50), strings.Repeat("a", 51), "length"},
		{"length counts runes", validate.Length(2, 3), "日本語", ""},
		{"length counts runes not bytes", validate.Length(4, 10), "日本語", "length"},
		{"length max exact", validate.Length(0, 2), "éé", ""},
		{"email ok", validate.Email, "ada@example.com", ""},
		{"email plus and dots", validate.Email, "first.last+tag@sub.example.co.uk", ""},
		{"email quoted local", validate.Email, `"a b"@example.com`, "email"},
		{"email display name", validate.Email, "Ada <ada@example.com>", "email"},
		{"email angle brackets", validate.Email, "<ada@example.com>", "email"},
		{"email comment", validate.Email, "ada@example.com (Ada)", "email"},
		{"email no at", validate.Email, "ada.example.com", "email"},
		{"email no domain dot", validate.Email, "ada@localhost", "email"},
		{"email ip literal", validate.Email, "ada@[127.0.0.1]", "email"},
		{"email two ats", validate.Email, "a@b@example.com", "email"},
		{"email trailing dot", validate.Email, "ada@example.com.", "email"},
		{"email newline", validate.Email, "ada@example.com\nBcc: x@y.z", "email"},
		{"email too long", validate.Email, strings.Repeat("a", 64) + "@" + strings.Repeat("b", 190) + ".com", "email"},
		{"email local too long", validate.Email, strings.Repeat("a", 65) + "@example.com", "email"},
		{"email empty", validate.Email, "", "email"},
		{"url https", validate.URL, "https://example.com/a?b=c#d", ""},
		{"url http port", validate.URL, "http://example.com:8080", ""},
		{"url javascript", validate.URL, "javascript:alert(1)", "url"},
		{"url data", validate.URL, "data:text/html,x", "url"},
		{"url ftp", validate.URL, "ftp://example.com", "url"},
		{"url relative", validate.URL, "/path", "url"},
		{"url scheme-relative", validate.URL, "//example.com", "url"},
		{"url userinfo", validate.URL, "https://user:pass@example.com", "url"},
		{"url trusted at evil", validate.URL, "https://trusted.com@evil.com", "url"},
		{"url no host", validate.URL, "https://", "url"},
		{"url port only", validate.URL, "https://:443", "url"},
		{"url backslash", validate.URL, `https://evil.com\@trusted.com`, "url"},
		{"url space", validate.URL, "https://example.com/a b", "url"},
		{"url opaque", validate.URL, "https:example.com", "url"},
		{"url too long", validate.URL, "https://example.com/" + strings.Repeat("a", 2048), "url"},
		{"uuid ok", validate.UUID, "123e4567-e89b-12d3-a456-426614174000", ""},
		{"uuid upper", validate.UUID, "123E4567-E89B-12D3-A456-426614174000", ""},
		{"uuid no hyphens", validate.UUID, "123e4567e89b12d3a456426614174000", "uuid"},
		{"uuid braces", validate.UUID, "{123e4567-e89b-12d3-a456-426614174000}", "uuid"},
		{"uuid urn", validate.UUID, "urn:uuid:123e4567-e89b-12d3-a456-426614174000", "uuid"},
		{"uuid bad hex", validate.UUID, "123e4567-e89b-12d3-a456-42661417400g", "uuid"},
		{"uuid hyphen moved", validate.UUID, "123e456-7e89b-12d3-a456-426614174000", "uuid"},
		{"one of ok", validate.OneOf("asc", "desc"), "asc", ""},
		{"one of case", validate.OneOf("asc", "desc"), "ASC", "one_of"},
		{"pattern ok", validate.Pattern(hex, "lowercase hex"), "deadbeef", ""},
		{"pattern is anchored", validate.Pattern(hex, "lowercase hex"), "deadbeef!", "pattern"},
		{"pattern is anchored at start", validate.Pattern(hex, "lowercase hex"), "!deadbeef", "pattern"},
		{"pattern alternation anchored", validate.Pattern(regexp.MustCompile(`a|ab`), "a or ab"), "ab", ""},
		{"pattern multiline flag cannot unanchor", validate.Pattern(regexp.MustCompile(`(?m)^a$`), "a"), "a\nb", "pattern"},
		{"optional empty", validate.Optional(validate.Email), "", ""},
		{"optional bad", validate.Optional(validate.Email), "x", "email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := code(t, tt.rule(tt.input)); got != tt.want {
				t.Fatalf("code = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNumberRules(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"in range", validate.Range(13, 120)(13), ""},
		{"max inclusive", validate.Range(13, 120)(120), ""},
		{"below", validate.Range(13, 120)(12), "range"},
		{"above", validate.Range(13, 120)(121), "range"},
		{"negative", validate.Range(13, 120)(-1), "range"},
		{"float ok", validate.Range(0.5, 1.5)(1.0), ""},
		{"float NaN", validate.Range(0.5, 1.5)(math.NaN()), "range"},
		{"float inf", validate.Range(0.5, 1.5)(math.Inf(1)), "range"},
		{"uint8", validate.Range[uint8](1, 10)(0), "range"},
		{"required zero int", validate.Required(0), "required"},
		{"required non-zero", validate.Required(3), ""},
		{"required nil pointer", validate.Required[*int](nil), "required"},
		{"one of int", validate.OneOf(1, 2, 3)(4), "one_of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := code(t, tt.err); got != tt.want {
				t.Fatalf("code = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRuleDetails(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{validate.Length(2, 50)("x"), "The value must be 2 to 50 characters long."},
		{validate.Range(13, 120)(1), "The value must be between 13 and 120."},
		{validate.Range(0.5, 1.5)(2.0), "The value must be between 0.5 and 1.5."},
		{validate.OneOf("asc", "desc")("x"), "The value must be one of: asc, desc."},
		{validate.Items[int](1, 3)(nil), "The list must have 1 to 3 items."},
	} {
		var v *validate.Violation
		if !errors.As(tc.err, &v) || v.Detail != tc.want {
			t.Errorf("detail = %v, want %q", tc.err, tc.want)
		}
	}
}

func TestSliceRules(t *testing.T) {
	each := validate.Each(validate.Required[string], validate.Length(1, 3))
	err := each([]string{"ok", "", "toolong", "a"})
	var es validate.Errors
	if !errors.As(err, &es) {
		t.Fatalf("err = %v", err)
	}
	want := validate.Errors{
		{Pointer: "/1", Code: "required", Detail: "The field is required."},
		{Pointer: "/2", Code: "length", Detail: "The value must be 1 to 3 characters long."},
	}
	if !reflect.DeepEqual(es, want) {
		t.Fatalf("got %+v\nwant %+v", es, want)
	}
	if err := each(nil); err != nil {
		t.Fatalf("nil slice: %v", err)
	}
	if got := code(t, validate.NotEmpty([]int{})); got != "required" {
		t.Fatalf("NotEmpty = %q", got)
	}
	if got := code(t, validate.Items[int](1, 2)([]int{1, 2, 3})); got != "items" {
		t.Fatalf("Items = %q", got)
	}
}

type zip struct {
	Code string `json:"code"`
}

type shipping struct {
	Name    string   `json:"name"`
	Address zip      `json:"address"`
	Tags    []string `json:"tags"`
}

var zipRules = validate.Rules(
	validate.Field("/code", func(z *zip) string { return z.Code }, validate.Pattern(regexp.MustCompile(`[0-9]{5}`), "five digits")),
)

var shippingRules = validate.Rules(
	validate.Field("/name", func(s *shipping) string { return s.Name }, validate.Required, validate.Length(2, 50)),
	validate.Field("/address", func(s *shipping) zip { return s.Address }, validate.Struct(zipRules)),
	validate.Field("/tags", func(s *shipping) []string { return s.Tags }, validate.Items[string](0, 3), validate.Each(validate.Length(1, 10))),
	nil, // ignored
)

func TestRuleSetPointers(t *testing.T) {
	err := shippingRules.Validate(t.Context(), &shipping{Address: zip{Code: "1234"}, Tags: []string{"a", ""}})
	var es validate.Errors
	if !errors.As(err, &es) {
		t.Fatalf("err = %v", err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Pointer+" "+e.Code)
	}
	want := []string{"/name required", "/address/code pattern", "/tags/1 length"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if err := shippingRules.Validate(t.Context(), &shipping{Name: "Ada", Address: zip{Code: "12345"}}); err != nil {
		t.Fatalf("valid value: %v", err)
	}
	var nilRules *validate.RuleSet[shipping]
	if err := nilRules.Validate(t.Context(), &shipping{}); err != nil {
		t.Fatalf("nil rule set: %v", err)
	}
}

func TestErrorsAdd(t *testing.T) {
	var es validate.Errors
	es.Add("/a", nil)
	es.Add("/b", (*validate.Violation)(nil))
	if len(es) != 0 || es.Err() != nil {
		t.Fatalf("nil errors were added: %v", es)
	}
	es.Add("/c", errors.New("secret input: hunter2"))
	if len(es) != 1 || es[0].Code != "invalid" || strings.Contains(es[0].Detail, "hunter2") {
		t.Fatalf("plain error: %+v", es)
	}
	if got := es.Error(); got != "validate: /c: invalid" {
		t.Fatalf("Error() = %q", got)
	}
}

// TestErrorsAreCapped: Add keeps MaxErrors errors and then one
// too_many_errors marker, however the errors arrive (one by one, as a
// nested Errors from Each or Struct, or from a Validate method).
func TestErrorsAreCapped(t *testing.T) {
	v := &validate.Violation{Code: "c", Detail: "d"}
	var nested validate.Errors
	for range validate.MaxErrors + 5 {
		nested.Add("/x", v)
	}
	for name, es := range map[string]validate.Errors{
		"one by one": nested,
		"nested": func() validate.Errors {
			var es validate.Errors
			es.Add("/a", v)
			es.Add("/list", nested)
			es.Add("/b", v)
			return es
		}(),
		"each": func() validate.Errors {
			var es validate.Errors
			es.Add("/list", validate.Each(validate.Required[string])(make([]string, 1000)))
			return es
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			if len(es) != validate.MaxErrors+1 || !es.Full() {
				t.Fatalf("%d errors, Full %v", len(es), es.Full())
			}
			last := es[validate.MaxErrors]
			if last.Code != validate.CodeTooManyErrors || last.Pointer != "" || last.Detail == "" {
				t.Errorf("last = %+v", last)
			}
			for _, e := range es[:validate.MaxErrors] {
				if e.Code == validate.CodeTooManyErrors {
					t.Errorf("marker before the end: %v", es)
				}
			}
		})
	}
	var few validate.Errors
	for range validate.MaxErrors {
		few.Add("/x", v)
	}
	if len(few) != validate.MaxErrors || few.Full() {
		t.Errorf("exactly MaxErrors errors: %d, Full %v", len(few), few.Full())
	}
}

// TestEachStopsAtTheCap: once the list is full, the remaining elements are
// not checked.
func TestEachStopsAtTheCap(t *testing.T) {
	calls := 0
	rule := validate.Each(func(string) error { calls++; return &validate.Violation{Code: "c"} })
	_ = rule(make([]string, 100000))
	if calls > validate.MaxErrors+1 {
		t.Errorf("%d elements checked", calls)
	}
}

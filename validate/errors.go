package validate

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ConfigError is one problem found by [New] or [NewPasswordPolicy] in a
// configuration. They join every problem they find with errors.Join.
type ConfigError struct {
	Field  string // the Config field, e.g. "MaxBodyBytes"
	Reason string
}

func (e *ConfigError) Error() string { return "validate: " + e.Field + ": " + e.Reason }

// Sentinels for the reasons a request is rejected. A [*RequestError]
// unwraps to exactly one of them, so callers test with errors.Is.
var (
	// ErrUnsupportedMediaType: the Content-Type is not application/json or
	// application/*+json with charset utf-8 or none, or the body has a
	// Content-Encoding other than identity (415).
	ErrUnsupportedMediaType = errors.New("validate: unsupported media type")
	// ErrBodyTooLarge: the body exceeds Config.MaxBodyBytes (413).
	ErrBodyTooLarge = errors.New("validate: request body too large")
	// ErrEmptyBody: the body is empty or only whitespace (400).
	ErrEmptyBody = errors.New("validate: empty request body")
	// ErrSyntax: the body is not well-formed JSON (400).
	ErrSyntax = errors.New("validate: malformed JSON")
	// ErrTrailingData: more than one JSON value, or data after it (400).
	ErrTrailingData = errors.New("validate: data after the JSON value")
	// ErrDuplicateKey: an object names the same member twice (400).
	ErrDuplicateKey = errors.New("validate: duplicate object key")
	// ErrUnknownField: a member that the target type does not have (400).
	ErrUnknownField = errors.New("validate: unknown field")
	// ErrTooDeep: nesting deeper than Config.MaxDepth (400).
	ErrTooDeep = errors.New("validate: JSON nested too deeply")
	// ErrInvalidUTF8: a string holds invalid UTF-8 or a lone surrogate
	// escape (400).
	ErrInvalidUTF8 = errors.New("validate: invalid UTF-8")
	// ErrType: a well-formed value that does not fit the field's Go type,
	// including numbers that overflow it (422).
	ErrType = errors.New("validate: value does not fit the field type")
	// ErrInvalid: the decoded value broke one or more rules (422).
	ErrInvalid = errors.New("validate: invalid input")
	// ErrInvalidParameter: a query or path parameter is malformed, given
	// twice or out of bounds (400).
	ErrInvalidParameter = errors.New("validate: invalid parameter")
	// ErrUnavailable: a dependency of validation, such as a breach check,
	// failed (503).
	ErrUnavailable = errors.New("validate: validation dependency unavailable")
)

// RequestError is the error [Decode] and the middleware return and pass to
// Config.ErrorHandler. It carries the HTTP status, the reason (a sentinel,
// returned by Unwrap) and, when they are known, the fields at fault.
//
// Nothing in a RequestError echoes a value from the request: pointers are
// built from the target type's field names (or, for an unknown field, from
// a short plain member name), and details are fixed texts.
type RequestError struct {
	Status int
	Err    error
	Fields Errors
}

func (e *RequestError) Error() string {
	if len(e.Fields) == 0 {
		return e.Err.Error()
	}
	return e.Err.Error() + ": " + e.Fields.Error()[len("validate: "):]
}

func (e *RequestError) Unwrap() error { return e.Err }

// FieldError is one problem with one field: where (a JSON Pointer, RFC
// 6901, into the body, or the name of a query or path parameter), a stable
// machine-readable code, and a human-readable detail that never contains
// the submitted value.
type FieldError struct {
	Pointer   string `json:"pointer,omitempty"`
	Parameter string `json:"parameter,omitempty"`
	Code      string `json:"code"`
	Detail    string `json:"detail"`
}

// Error formats the error as "validate: <where>: <code>".
func (e FieldError) Error() string {
	where := e.Pointer
	if e.Parameter != "" {
		where = "parameter " + e.Parameter
	} else if where == "" {
		where = "(root)"
	}
	return "validate: " + where + ": " + e.Code
}

// Errors collects field errors. The zero value is an empty list ready to
// use. A nil *Violation or nil error adds nothing, so a Validate method can
// call Add with every rule's result and return Err at the end.
//
// Add keeps at most [MaxErrors] errors. When one more arrives, it appends a
// final error with code [CodeTooManyErrors] and no pointer, and drops that
// one and every later one; [Errors.Full] then reports true, so a loop over
// many items can stop early.
type Errors []FieldError

// MaxErrors caps the field errors an [Errors] keeps, and so the errors a
// problem+json body lists and a log record names: input that breaks a rule
// in each of a million list items still gets a response of a few
// kilobytes. After MaxErrors errors, one more entry with code
// [CodeTooManyErrors] marks that the rest were dropped.
const MaxErrors = 32

// tooMany is the entry that ends a full list.
var tooMany = FieldError{Code: CodeTooManyErrors,
	Detail: "There are more errors; only the first " + strconv.Itoa(MaxErrors) + " are listed."}

// Full reports whether errors have been dropped: the list ends with the
// [CodeTooManyErrors] entry, and Add adds nothing more.
func (es Errors) Full() bool {
	return len(es) > 0 && es[len(es)-1].Code == CodeTooManyErrors
}

// push appends e unless the list is full. The MaxErrors+1st error, or a
// marker from a nested list, becomes the marker. It reports whether more
// may be added.
func (es *Errors) push(e FieldError) bool {
	switch {
	case es.Full():
		return false
	case len(*es) >= MaxErrors || e.Code == CodeTooManyErrors:
		*es = append(*es, tooMany)
		return false
	}
	*es = append(*es, e)
	return true
}

// Error lists every field error.
func (es Errors) Error() string {
	var b strings.Builder
	b.WriteString("validate: ")
	for i, e := range es {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.Error()[len("validate: "):])
	}
	return b.String()
}

// Err returns es as an error, or nil when it is empty.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// Add records err at the JSON Pointer pointer. err may be a *Violation (one
// error), an Errors (whose pointers are taken relative to pointer, so rules
// for nested values compose), nil (nothing is added), or any other error,
// which is recorded as code "invalid" with a generic detail: its text is
// not shown to the client, since it may contain the input.
func (es *Errors) Add(pointer string, err error) {
	if err == nil || es.Full() {
		return
	}
	if *es == nil {
		*es = make(Errors, 0, 4)
	}
	// The type switch is the fast path for rules; errors.As covers wrapped
	// errors.
	var v *Violation
	var nested Errors
	switch e := err.(type) {
	case *Violation:
		if e == nil {
			return
		}
		v = e
	case Errors:
		nested = e
	default:
		if !errors.As(err, &v) && !errors.As(err, &nested) {
			es.push(FieldError{Pointer: pointer, Code: CodeInvalid, Detail: "The value is invalid."})
			return
		}
	}
	if v != nil {
		es.push(FieldError{Pointer: pointer + v.Pointer, Code: v.Code, Detail: v.Detail})
		return
	}
	for _, e := range nested {
		if e.Parameter == "" {
			e.Pointer = pointer + e.Pointer
		}
		if !es.push(e) {
			return
		}
	}
}

// MarshalJSON encodes the list as a JSON array of {pointer, parameter,
// code, detail} objects, omitting empty pointers and parameters.
func (es Errors) MarshalJSON() ([]byte, error) {
	n := 2
	for _, e := range es {
		n += len(e.Pointer) + len(e.Parameter) + len(e.Code) + len(e.Detail) + 48
	}
	b := make([]byte, 0, n)
	b = append(b, '[')
	for i, e := range es {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		if e.Pointer != "" {
			b = append(b, `"pointer":`...)
			b = appendJSONString(b, e.Pointer)
			b = append(b, ',')
		}
		if e.Parameter != "" {
			b = append(b, `"parameter":`...)
			b = appendJSONString(b, e.Parameter)
			b = append(b, ',')
		}
		b = append(b, `"code":`...)
		b = appendJSONString(b, e.Code)
		b = append(b, `,"detail":`...)
		b = appendJSONString(b, e.Detail)
		b = append(b, '}')
	}
	return append(b, ']'), nil
}

// appendJSONString appends s as a JSON string, escaping as encoding/json
// does for HTML safety (<, >, &, U+2028, U+2029) and replacing invalid
// UTF-8 with U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			if r == utf8.RuneError {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Violation is what a [Rule] returns when a value breaks it: a code and a
// fixed detail. Pointer is relative to the value the rule checked and is
// empty except for rules on nested values such as [Each]. Rules return
// violations built once, so a failing check does not allocate.
type Violation struct {
	Code    string
	Detail  string
	Pointer string
}

func (v *Violation) Error() string {
	if v.Pointer != "" {
		return "validate: " + v.Pointer + ": " + v.Code
	}
	return "validate: " + v.Code
}

// Codes used in [FieldError.Code]. They are part of the API: clients may
// switch on them.
const (
	CodeRequired     = "required"
	CodeLength       = "length"
	CodeRange        = "range"
	CodeEmail        = "email"
	CodeURL          = "url"
	CodeUUID         = "uuid"
	CodeOneOf        = "one_of"
	CodePattern      = "pattern"
	CodeItems        = "items"
	CodeInvalid      = "invalid"
	CodeType         = "type"
	CodeOverflow     = "overflow"
	CodeUnknownField = "unknown_field"
	CodeDuplicateKey = "duplicate_key"
	CodeDuplicate    = "duplicate"
	CodeSyntax       = "syntax"
	CodeUTF8         = "utf8"
	CodeDepth        = "depth"
	CodeTrailingData = "trailing_data"
	CodeEmpty        = "empty"
	// CodeTooManyErrors ends a list that reached [MaxErrors]: more errors
	// were found and dropped. It has no pointer.
	CodeTooManyErrors = "too_many_errors"

	CodePasswordTooShort    = "password_too_short"
	CodePasswordTooLong     = "password_too_long"
	CodePasswordWhitespace  = "password_whitespace"
	CodePasswordCommon      = "password_common"
	CodePasswordContext     = "password_context"
	CodePasswordRepetitive  = "password_repetitive"
	CodePasswordSequential  = "password_sequential"
	CodePasswordComposition = "password_composition"
	CodePasswordBreached    = "password_breached"
	CodePasswordInvalid     = "password_invalid"
)

func isUnavailable(err error) bool { return errors.Is(err, ErrUnavailable) }

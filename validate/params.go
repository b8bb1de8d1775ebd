package validate

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// Params reads query or path parameters and collects their errors in the
// same shape as body errors, with Parameter set instead of Pointer:
//
//	q := validate.Query(r)
//	limit := q.Limit("limit", 20, 100)
//	offset := q.Offset("offset", 10_000)
//	sort := q.Enum("sort", "created", "created", "name")
//	if err := q.Err(); err != nil {
//		dec.WriteError(w, r, err) // 400 problem+json
//		return
//	}
//
// Each getter returns its default when the parameter is absent or invalid,
// so the code reads straight through and checks Err once. A Params is for
// one request and one goroutine.
type Params struct {
	values url.Values
	path   *http.Request
	errs   Errors
}

// Query returns the query parameters of r. A malformed query string (a bad
// %-escape, a ';') is an error reported by Err. A parameter given twice is
// an error when read, so "?limit=1&limit=1000" cannot smuggle a second
// value past a check of the first.
func Query(r *http.Request) *Params {
	p := &Params{}
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		p.errs = append(p.errs, FieldError{Code: CodeSyntax, Detail: "The query string is malformed."})
	}
	p.values = v
	return p
}

// Path returns the path parameters of r, read with r.PathValue. A missing
// or empty path parameter is a "required" error.
func Path(r *http.Request) *Params { return &Params{path: r} }

var (
	errParamType      = &Violation{Code: CodeType, Detail: "The parameter must be an integer."}
	errParamBool      = &Violation{Code: CodeType, Detail: "The parameter must be true or false."}
	errParamDuplicate = &Violation{Code: CodeDuplicate, Detail: "The parameter is given more than once."}
)

// maxParamBytes caps a parameter value; longer ones are refused before any
// rule runs.
const maxParamBytes = 1024

func (p *Params) raw(name string) (string, bool) {
	if p.path != nil {
		v := p.path.PathValue(name)
		if v == "" {
			p.add(name, errRequired)
			return "", false
		}
		return p.capped(name, v)
	}
	vs := p.values[name]
	switch len(vs) {
	case 0:
		return "", false
	case 1:
		return p.capped(name, vs[0])
	}
	p.add(name, errParamDuplicate)
	return "", false
}

var errParamLong = &Violation{Code: CodeLength, Detail: fmt.Sprintf("The parameter must be at most %d bytes.", maxParamBytes)}

func (p *Params) capped(name, v string) (string, bool) {
	if len(v) > maxParamBytes {
		p.add(name, errParamLong)
		return "", false
	}
	return v, true
}

func (p *Params) add(name string, err error) {
	var es Errors
	es.Add("", err)
	for _, e := range es {
		if e.Code != CodeTooManyErrors {
			e.Pointer, e.Parameter = "", name
		}
		if !p.errs.push(e) {
			return
		}
	}
}

// Has reports whether the parameter is present (for a path parameter:
// non-empty).
func (p *Params) Has(name string) bool {
	if p.path != nil {
		return p.path.PathValue(name) != ""
	}
	_, ok := p.values[name]
	return ok
}

// String returns the parameter, or def when it is absent, checked by rules.
func (p *Params) String(name, def string, rules ...Rule[string]) string {
	v, ok := p.raw(name)
	if !ok {
		return def
	}
	for _, r := range rules {
		if err := r(v); err != nil {
			p.add(name, err)
			return def
		}
	}
	return v
}

// Int returns the parameter as a decimal integer ("-12", no "+", no
// spaces, at most 18 digits), or def when it is absent, checked by rules
// (typically [Range]).
func (p *Params) Int(name string, def int, rules ...Rule[int]) int {
	v, ok := p.raw(name)
	if !ok {
		return def
	}
	n, ok := parseParamInt(v)
	if !ok {
		p.add(name, errParamType)
		return def
	}
	for _, r := range rules {
		if err := r(n); err != nil {
			p.add(name, err)
			return def
		}
	}
	return n
}

func parseParamInt(v string) (int, bool) {
	digits := v
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 18 {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}

// Bool returns the parameter as "true" or "false" (exactly), or def.
func (p *Params) Bool(name string, def bool) bool {
	v, ok := p.raw(name)
	if !ok {
		return def
	}
	switch v {
	case "true":
		return true
	case "false":
		return false
	}
	p.add(name, errParamBool)
	return def
}

// Enum returns the parameter if it is one of allowed, else def (and an
// error if it was present). Build the Rule once with [OneOf] and use
// [Params.String] on hot paths; Enum builds it per call.
func (p *Params) Enum(name, def string, allowed ...string) string {
	return p.String(name, def, OneOf(allowed...))
}

// Limit returns a page size between 1 and max, or def when absent. A
// client cannot lift the cap: 0, a negative or a larger value is an error,
// never silently clamped.
func (p *Params) Limit(name string, def, max int) int {
	return p.Int(name, def, Range(1, max))
}

// Offset returns a non-negative offset of at most max, or 0 when absent.
// Capping deep offsets bounds the work one request can ask of the database.
func (p *Params) Offset(name string, max int) int {
	return p.Int(name, 0, Range(0, max))
}

// Err returns the collected errors as a 400 [*RequestError] wrapping
// [ErrInvalidParameter], or nil.
func (p *Params) Err() error {
	if len(p.errs) == 0 {
		return nil
	}
	return &RequestError{Status: http.StatusBadRequest, Err: ErrInvalidParameter, Fields: p.errs}
}

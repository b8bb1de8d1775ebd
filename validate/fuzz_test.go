package validate_test

import (
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/apisec-go/apisec/validate"
)

// FuzzDecode: the decoder never panics, its memory use stays within a
// small multiple of the body, and whatever it accepts encoding/json accepts
// too, with the same result (it may only be stricter).
func FuzzDecode(f *testing.F) {
	for _, c := range agreeCases {
		f.Add([]byte(c.body))
	}
	for _, c := range rejectCases {
		f.Add([]byte(c.body))
	}
	for _, c := range embeddingCases {
		f.Add([]byte(c))
	}
	d := validate.MustNew(validate.Config{MaxBodyBytes: 64 << 10})
	loose := validate.MustNew(validate.Config{MaxBodyBytes: 64 << 10, InsecureAllowUnknownFields: true})
	f.Fuzz(func(t *testing.T, data []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		got, err := validate.Unmarshal[profile](context.Background(), d, data, nil)
		_, _ = validate.Unmarshal[any](context.Background(), loose, data, nil)
		emb, embErr := validate.Unmarshal[embedding](context.Background(), d, data, nil)
		_, _ = validate.Unmarshal[fallbackType](context.Background(), d, data, nil)
		runtime.ReadMemStats(&after)
		if used := after.TotalAlloc - before.TotalAlloc; used > uint64(64*len(data)+256<<10) {
			t.Fatalf("%d bytes allocated for a %d-byte body", used, len(data))
		}
		if embErr == nil {
			var want embedding
			dec := json.NewDecoder(strings.NewReader(string(data)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&want); err != nil || !reflect.DeepEqual(*emb, want) {
				t.Fatalf("embedding %q: got %+v, encoding/json %+v, %v", data, *emb, want, err)
			}
		}
		if err != nil {
			if got != nil {
				t.Fatal("value returned with an error")
			}
			if _, ok := err.(*validate.RequestError); !ok {
				t.Fatalf("error %T", err)
			}
			return
		}
		if !utf8.Valid(data) {
			t.Fatalf("accepted invalid UTF-8: %q", data)
		}
		var want profile
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("accepted %q, encoding/json says %v", data, err)
		}
		if dec.More() {
			t.Fatalf("accepted trailing data: %q", data)
		}
		if !reflect.DeepEqual(*got, want) {
			t.Fatalf("%q:\ngot  %+v\nwant %+v", data, *got, want)
		}
	})
}

// FuzzContentType: whatever media type is accepted is JSON in UTF-8.
func FuzzContentType(f *testing.F) {
	for _, s := range []string{"application/json", "application/json; charset=utf-8", `application/json;charset="UTF-8"`,
		"application/vnd.acme+json; version=2", "text/plain", "application/json; charset=latin1", `application/json; x="a;b"`, "application/+json"} {
		f.Add(s)
	}
	d := validate.MustNew(validate.Config{})
	f.Fuzz(func(t *testing.T, ct string) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{}`))
		r.Header["Content-Type"] = []string{ct}
		_, err := validate.Decode[struct{}](httptest.NewRecorder(), r, d, nil)
		if err != nil {
			return
		}
		mt, params, perr := mime.ParseMediaType(ct)
		if perr != nil {
			return // our parser is not stricter than mime about parameters
		}
		if mt != "application/json" && !(strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json") && len(mt) > len("application/+json")) {
			t.Fatalf("accepted media type %q", mt)
		}
		if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
			t.Fatalf("accepted charset %q", cs)
		}
	})
}

// FuzzFormats: the format rules never panic, and what they accept the
// standard parsers accept in the promised shape.
func FuzzFormats(f *testing.F) {
	for _, s := range []string{"ada@example.com", "Ada <ada@example.com>", "https://example.com", "https://u:p@x.com",
		"123e4567-e89b-12d3-a456-426614174000", "javascript:alert(1)", `"a b"@example.com`, "a@b.c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if validate.Email(s) == nil {
			a, err := mail.ParseAddress(s)
			if err != nil || a.Name != "" || a.Address != s {
				t.Fatalf("Email accepted %q", s)
			}
		}
		if validate.URL(s) == nil {
			u, err := url.Parse(s)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.Host == "" {
				t.Fatalf("URL accepted %q", s)
			}
		}
		if validate.UUID(s) == nil && len(s) != 36 {
			t.Fatalf("UUID accepted %q", s)
		}
		_ = validate.Length(2, 50)(s)
		_ = validate.Each(validate.Email)([]string{s, s})
	})
}

// FuzzPassword: the policy never panics and never accepts a password
// outside the length bounds.
func FuzzPassword(f *testing.F) {
	f.Add("mauve-tractor-lagoon-1897", "ada@example.com")
	f.Add("correct horse battery staple", "Ada Lovelace")
	f.Add(strings.Repeat(" ", 20), "")
	f.Add("P@ssw0rdP@ssw0rd", "x")
	p := validate.MustNewPasswordPolicy(validate.PasswordConfig{})
	f.Fuzz(func(t *testing.T, pw, user string) {
		err := p.Check(context.Background(), pw, user)
		if n := utf8.RuneCountInString(pw); err == nil && (n < 15 || n > 128) {
			t.Fatalf("accepted %d code points", n)
		}
		if err != nil {
			// The error is a fixed violation: it cannot carry the password.
			v, ok := err.(*validate.Violation)
			if !ok || v.Error() != "validate: "+v.Code || !strings.HasPrefix(v.Code, "password_") {
				t.Fatalf("error %T %v", err, err)
			}
		}
	})
}

// FuzzQuery: query parameter helpers never panic and return defaults on
// error.
func FuzzQuery(f *testing.F) {
	for _, q := range []string{"limit=10", "limit=10&limit=20", "limit=%zz", "offset=-1", "sort=name", "desc=true", "limit=99999999999999999999"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.URL.RawQuery = q
		p := validate.Query(r)
		limit := p.Limit("limit", 20, 100)
		offset := p.Offset("offset", 1000)
		_ = p.Enum("sort", "a", "a", "b")
		_ = p.Bool("desc", false)
		if limit < 1 || limit > 100 || offset < 0 || offset > 1000 {
			t.Fatalf("limit %d offset %d out of bounds", limit, offset)
		}
	})
}

// FuzzErrorsJSON: the hand-written encoding of field errors is exactly
// what encoding/json produces for the same values.
func FuzzErrorsJSON(f *testing.F) {
	f.Add("/a/b", "", "code", "detail")
	f.Add("", "limit", "range", "<script>&\u2028\u2029\"\\\n\x01")
	f.Add("/\xff", "\x7f", "é", "😀")
	f.Fuzz(func(t *testing.T, pointer, param, code, detail string) {
		es := validate.Errors{{Pointer: pointer, Parameter: param, Code: code, Detail: detail}, {Code: code, Detail: detail}}
		got, err := es.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal([]validate.FieldError(es))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}

package validate_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/apisec-go/apisec/validate"
)

// benchBody is the seed's registration body.
const benchBody = `{"email":"ada@example.com","password":"correct horse battery staple","name":"Ada Lovelace","age":36}`

// benchRules checks what the seed's schema checks; the password rule is
// the length bound, as in the hand-written baseline (the full policy has
// its own benchmark).
var benchRules = validate.Rules(
	validate.Field("/email", func(r *Registration) string { return r.Email }, validate.Required, validate.Email),
	validate.Field("/password", func(r *Registration) string { return r.Password }, validate.Length(15, 128)),
	validate.Field("/name", func(r *Registration) string { return r.Name }, validate.Length(2, 50)),
	validate.Field("/age", func(r *Registration) int { return r.Age }, validate.Range(13, 120)),
)

// handChecked is the baseline: encoding/json's Decoder and the same checks
// written by hand.
func handChecked(r *http.Request) (*Registration, error) {
	var v Registration
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if a, err := mail.ParseAddress(v.Email); err != nil || a.Name != "" || a.Address != v.Email {
		return nil, errors.New("email")
	}
	if n := utf8.RuneCountInString(v.Password); n < 15 || n > 128 {
		return nil, errors.New("password")
	}
	if n := utf8.RuneCountInString(v.Name); n < 2 || n > 50 {
		return nil, errors.New("name")
	}
	if v.Age < 13 || v.Age > 120 {
		return nil, errors.New("age")
	}
	return &v, nil
}

type benchReader struct {
	strings.Reader
}

func (*benchReader) Close() error { return nil }

func newBenchRequest() (*http.Request, *benchReader) {
	body := &benchReader{}
	r := httptest.NewRequest(http.MethodPost, "/register", nil)
	r.Header.Set("Content-Type", "application/json")
	r.Body = body
	r.ContentLength = int64(len(benchBody))
	return r, body
}

func BenchmarkDecodeRegistration(b *testing.B) {
	dec := validate.MustNew(validate.Config{})
	b.Run("impl=baseline-json-hand-checks", func(b *testing.B) {
		r, body := newBenchRequest()
		b.ReportAllocs()
		for b.Loop() {
			body.Reset(benchBody)
			if _, err := handChecked(r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=validate", func(b *testing.B) {
		r, body := newBenchRequest()
		w := httptest.NewRecorder()
		b.ReportAllocs()
		for b.Loop() {
			body.Reset(benchBody)
			if _, err := validate.Decode(w, r, dec, benchRules); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkMiddleware(b *testing.B) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	mw := validate.JSON(validate.MustNew(validate.Config{}), benchRules)
	for _, tc := range []struct {
		name string
		h    http.Handler
	}{
		{"handler=none", ok},
		{"handler=validate", mw.Handler(ok)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			r, body := newBenchRequest()
			w := httptest.NewRecorder()
			b.ReportAllocs()
			for b.Loop() {
				body.Reset(benchBody)
				tc.h.ServeHTTP(w, r)
			}
		})
	}
}

func BenchmarkRejectDuplicateKey(b *testing.B) {
	dec := validate.MustNew(validate.Config{})
	data := []byte(`{"email":"a@example.com","email":"b@example.com"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := validate.Unmarshal[Registration](b.Context(), dec, data, nil); err == nil {
			b.Fatal("accepted")
		}
	}
}

func BenchmarkLargeBody(b *testing.B) {
	dec := validate.MustNew(validate.Config{})
	var buf bytes.Buffer
	buf.WriteString(`{"items":[`)
	for i := range 2000 {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(`{"id":12345,"name":"widget \u00e9","tags":["a","b"],"price":12.5}`)
	}
	buf.WriteString(`]}`)
	data := buf.Bytes()
	type item struct {
		ID    int      `json:"id"`
		Name  string   `json:"name"`
		Tags  []string `json:"tags"`
		Price float64  `json:"price"`
	}
	type order struct {
		Items []item `json:"items"`
	}
	b.Run("impl=encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			var o order
			if err := json.Unmarshal(data, &o); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=validate", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := validate.Unmarshal[order](b.Context(), dec, data, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkPasswordCheck(b *testing.B) {
	p := validate.MustNewPasswordPolicy(validate.PasswordConfig{})
	for _, tc := range []struct{ name, pw string }{
		{"case=accepted", "mauve-tractor-lagoon-1897"},
		{"case=common", "correct horse battery staple"},
		{"case=too-short", "hunter2"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = p.Check(b.Context(), tc.pw, "ada@example.com", "Ada Lovelace")
			}
		})
	}
}

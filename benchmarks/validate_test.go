//go:build unix

package benchmarks

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"syscall"
	"testing"
	"unicode/utf8"

	"github.com/apisec-go/apisec/validate"
	"github.com/go-playground/validator/v10"
)

// registration is the seed's registration body, tagged for
// go-playground/validator.
type registration struct {
	Email    string `json:"email" validate:"required,email"`
	Password string `json:"password" validate:"required,min=15,max=128"`
	Name     string `json:"name" validate:"required,min=2,max=50"`
	Age      int    `json:"age" validate:"gte=13,lte=120"`
}

// registrationRules checks the same things with apisec.
var registrationRules = validate.Rules(
	validate.Field("/email", func(r *registration) string { return r.Email }, validate.Required, validate.Email),
	validate.Field("/password", func(r *registration) string { return r.Password }, validate.Required, validate.Length(15, 128)),
	validate.Field("/name", func(r *registration) string { return r.Name }, validate.Required, validate.Length(2, 50)),
	validate.Field("/age", func(r *registration) int { return r.Age }, validate.Range(13, 120)),
)

// handChecked is the floor: encoding/json's Decoder and the same checks
// written by hand.
func handChecked(r *http.Request) (*registration, error) {
	var v registration
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if a, err := mail.ParseAddress(v.Email); v.Email == "" || err != nil || a.Name != "" || a.Address != v.Email {
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

type fieldError struct {
	Pointer string `json:"pointer"`
	Code    string `json:"code"`
}

var errRejected = errors.New("rejected")

// reject writes the 422 a real handler would send, so that the invalid
// scenario costs the peers what it costs apisec.
func reject(w http.ResponseWriter, fields []fieldError) error {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusUnprocessableEntity)
	_ = json.NewEncoder(w).Encode(map[string]any{"status": 422, "errors": fields})
	return errRejected
}

// cpuTime returns the CPU time the process has used, in nanoseconds. On a
// shared machine, cpu-ns/op (which includes GC work) is far steadier than
// wall-clock ns/op, since time spent waiting for a core is not counted.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

type reusableBody struct{ strings.Reader }

func (*reusableBody) Close() error { return nil }

// BenchmarkValidate decodes and validates the seed's registration body
// through apisec, through encoding/json with go-playground/validator, and
// through encoding/json with hand-written checks.
func BenchmarkValidate(b *testing.B) {
	dec := validate.MustNew(validate.Config{})
	vld := validator.New(validator.WithRequiredStructEnabled())
	impls := []struct {
		name string
		run  func(w http.ResponseWriter, r *http.Request) error
	}{
		{"apisec", func(w http.ResponseWriter, r *http.Request) error {
			_, err := validate.Decode(w, r, dec, registrationRules)
			return err
		}},
		{"encoding-json+validator", func(w http.ResponseWriter, r *http.Request) error {
			var v registration
			d := json.NewDecoder(r.Body)
			d.DisallowUnknownFields()
			if err := d.Decode(&v); err != nil {
				return reject(w, nil)
			}
			if err := vld.Struct(&v); err != nil {
				var ves validator.ValidationErrors
				errors.As(err, &ves)
				fields := make([]fieldError, len(ves))
				for i, fe := range ves {
					fields[i] = fieldError{Pointer: "/" + fe.Field(), Code: fe.Tag()}
				}
				return reject(w, fields)
			}
			return nil
		}},
		{"encoding-json+hand-checks", func(w http.ResponseWriter, r *http.Request) error {
			if _, err := handChecked(r); err != nil {
				return reject(w, []fieldError{{Pointer: "/" + err.Error(), Code: "invalid"}})
			}
			return nil
		}},
	}
	for _, sc := range []struct {
		name, body string
		ok         bool
	}{
		{"valid", `{"email":"ada@example.com","password":"mauve-tractor-lagoon-1897","name":"Ada Lovelace","age":36}`, true},
		{"invalid", `{"email":"ada","password":"short","name":"A","age":7}`, false},
	} {
		for _, impl := range impls {
			b.Run("scenario="+sc.name+"/impl="+impl.name, func(b *testing.B) {
				body := &reusableBody{}
				r := httptest.NewRequest(http.MethodPost, "/register", nil)
				r.Header.Set("Content-Type", "application/json")
				r.Body = body
				r.ContentLength = int64(len(sc.body))
				w := httptest.NewRecorder()
				b.ReportAllocs()
				cpu := cpuTime()
				for b.Loop() {
					body.Reset(sc.body)
					w.Body.Reset()
					if err := impl.run(w, r); (err == nil) != sc.ok {
						b.Fatalf("err = %v", err)
					}
				}
				b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

package validate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/apisec-go/apisec/validate"
)

var policy = validate.MustNewPasswordPolicy(validate.PasswordConfig{})

// registrationRules is the seed's registration schema: email, password,
// name 2-50 characters, age 13-120.
var registrationRules = validate.Rules(
	validate.Field("/email", func(r *Registration) string { return r.Email }, validate.Required, validate.Email),
	validate.Check("/password", func(ctx context.Context, r *Registration) error {
		return policy.Check(ctx, r.Password, r.Email, r.Name)
	}),
	validate.Field("/name", func(r *Registration) string { return r.Name }, validate.Required, validate.Length(2, 50)),
	validate.Field("/age", func(r *Registration) int { return r.Age }, validate.Range(13, 120)),
)

func post(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/register", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

func TestMiddlewareStoresValue(t *testing.T) {
	var got *Registration
	h := validate.JSON(nil, registrationRules).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = validate.FromContext[Registration](r.Context())
		w.WriteHeader(http.StatusCreated)
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, post(`{"email":"ada@example.com","password":"mauve-tractor-lagoon-1897","name":"Ada","age":36}`))
	if w.Code != http.StatusCreated || got == nil || got.Email != "ada@example.com" || got.Age != 36 {
		t.Fatalf("status %d, value %+v, body %s", w.Code, got, w.Body)
	}
	if _, ok := validate.FromContext[profile](context.Background()); ok {
		t.Fatal("FromContext found a value in an empty context")
	}
}

func TestMiddlewareMethods(t *testing.T) {
	reached := false
	h := validate.JSON[Registration](nil, nil).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached = true
		if _, ok := validate.FromContext[Registration](r.Context()); ok != (r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions) {
			t.Errorf("%s: value in context = %v", r.Method, ok)
		}
	}))
	for _, tc := range []struct {
		method string
		pass   bool
	}{
		{http.MethodGet, true}, {http.MethodHead, true}, {http.MethodOptions, true},
		{http.MethodPost, false}, {http.MethodPut, false}, {http.MethodPatch, false}, {http.MethodDelete, false}, {"PROPFIND", false},
	} {
		t.Run(tc.method, func(t *testing.T) {
			reached = false
			r := httptest.NewRequest(tc.method, "/", strings.NewReader("not json"))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if reached != tc.pass {
				t.Fatalf("handler reached = %v", reached)
			}
			if !tc.pass && w.Code != http.StatusUnsupportedMediaType {
				t.Fatalf("status %d", w.Code)
			}
		})
	}
}

// TestProblemBodies pins the exact responses a client sees.
func TestProblemBodies(t *testing.T) {
	tests := []struct {
		name   string
		req    func() *http.Request
		status int
		body   string
	}{
		{"415", func() *http.Request {
			r := post(`{}`)
			r.Header.Set("Content-Type", "text/plain")
			return r
		}, 415, `{"type":"about:blank","title":"Unsupported Media Type","status":415,"detail":"The request body must be JSON: Content-Type application/json, UTF-8."}`},
		{"413", func() *http.Request {
			return post(`{"name":"` + strings.Repeat("a", 2<<20) + `"}`)
		}, 413, `{"type":"about:blank","title":"Request Entity Too Large","status":413,"detail":"The request body is too large."}`},
		{"400 empty", func() *http.Request { return post(``) }, 400,
			`{"type":"about:blank","title":"Bad Request","status":400,"detail":"The request body is not acceptable JSON.","errors":[{"code":"empty","detail":"The request body is empty."}]}`},
		{"400 duplicate", func() *http.Request { return post(`{"age":1,"age":2}`) }, 400,
			`{"type":"about:blank","title":"Bad Request","status":400,"detail":"The request body is not acceptable JSON.","errors":[{"pointer":"/age","code":"duplicate_key","detail":"An object has the same member twice."}]}`},
		{"422 seed registration", func() *http.Request {
			return post(`{"email":"ada","password":"password","name":"A","age":12}`)
		}, 422, `{"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"The request is well-formed but some fields are invalid.","errors":[` +
			`{"pointer":"/email","code":"email","detail":"The value must be an email address such as name@example.com."},` +
			`{"pointer":"/password","code":"password_too_short","detail":"The password must be at least 15 characters long."},` +
			`{"pointer":"/name","code":"length","detail":"The value must be 2 to 50 characters long."},` +
			`{"pointer":"/age","code":"range","detail":"The value must be between 13 and 120."}]}`},
		{"422 type", func() *http.Request { return post(`{"age":"old"}`) }, 422,
			`{"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"The request is well-formed but some fields are invalid.","errors":[{"pointer":"/age","code":"type","detail":"The value has the wrong JSON type for this field."}]}`},
	}
	h := validate.JSON(nil, registrationRules).Handler(http.NotFoundHandler())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, tt.req())
			if w.Code != tt.status || w.Body.String() != tt.body {
				t.Fatalf("got %d %s\nwant %d %s", w.Code, w.Body, tt.status, tt.body)
			}
			for k, v := range map[string]string{"Content-Type": "application/problem+json", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"} {
				if got := w.Header().Get(k); got != v {
					t.Errorf("%s = %q", k, got)
				}
			}
		})
	}
}

const marker = "S3CR3T-MARKER"

// TestRejectionsNeverEchoInput sends a marker in every position a rejected
// body can hold it; neither the response nor the log may contain it.
func TestRejectionsNeverEchoInput(t *testing.T) {
	bodies := []string{
		`{"email":"` + marker + `","password":"` + marker + `","name":"x","age":1}`,
		`{"email":"a@example.com","password":"` + marker + marker + `-` + marker + `","name":"` + marker + `","age":30}`,
		`{"` + marker + `!":1}`,
		`{"` + marker + `/x":1}`,
		`{"email":"a","email":"` + marker + `"}`,
		`{"age":"` + marker + `"}`,
		`{"age":` + marker + `}`,
		`{"name":"` + marker + "\xff" + `"}`,
		`{"name":"` + marker + `"} ` + marker,
		`{"name":"` + strings.Repeat(marker, 100) + `"}`,
		`{"name":"` + marker + `\ud800"}`,
	}
	var logs bytes.Buffer
	d := validate.MustNew(validate.Config{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	h := validate.JSON(d, registrationRules).Handler(http.NotFoundHandler())
	for i, body := range bodies {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			logs.Reset()
			w := httptest.NewRecorder()
			h.ServeHTTP(w, post(body))
			if w.Code < 400 {
				t.Fatalf("accepted: %d", w.Code)
			}
			if strings.Contains(w.Body.String(), marker) {
				t.Fatalf("response echoes input: %s", w.Body)
			}
			if logs.Len() == 0 || strings.Contains(logs.String(), marker) {
				t.Fatalf("log echoes input or is empty: %s", logs.String())
			}
		})
	}
}

func TestLogsFieldsAndCodesOnly(t *testing.T) {
	var logs bytes.Buffer
	d := validate.MustNew(validate.Config{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	h := validate.JSON(d, registrationRules).Handler(http.NotFoundHandler())
	h.ServeHTTP(httptest.NewRecorder(), post(`{"email":"not-an-email","password":"hunter2","name":"Ada","age":777}`))
	var rec map[string]any
	if err := json.Unmarshal(logs.Bytes(), &rec); err != nil {
		t.Fatalf("log %q: %v", logs.String(), err)
	}
	delete(rec, "time") // its digits could match a value by chance
	rest, _ := json.Marshal(rec)
	if rec["msg"] != "input_validation_fail" || rec["level"] != "WARN" || rec["status"] != float64(422) {
		t.Fatalf("record %v", rec)
	}
	fields, _ := rec["fields"].([]any)
	want := []any{"/email email", "/password password_too_short", "/age range"}
	if fmt.Sprint(fields) != fmt.Sprint(want) {
		t.Fatalf("fields = %v, want %v", fields, want)
	}
	for _, secret := range []string{"hunter2", "not-an-email", "777"} {
		if strings.Contains(string(rest), secret) {
			t.Fatalf("log contains %q: %s", secret, rest)
		}
	}
}

func TestErrorHandler(t *testing.T) {
	var got *validate.RequestError
	d := validate.MustNew(validate.Config{ErrorHandler: func(w http.ResponseWriter, r *http.Request, err *validate.RequestError) {
		got = err
		w.WriteHeader(http.StatusTeapot)
	}})
	w := httptest.NewRecorder()
	_, err := validate.Decode(w, post(`{"email":"x"}`), d, registrationRules)
	if w.Code != http.StatusTeapot || got == nil || !errors.Is(got, validate.ErrInvalid) || got != err {
		t.Fatalf("status %d, handler got %v, Decode returned %v", w.Code, got, err)
	}
}

type login struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// Validate makes login validate itself, without a rule set.
func (l *login) Validate() error {
	var errs validate.Errors
	errs.Add("/email", validate.Email(l.Email))
	errs.Add("/password", validate.Length(1, 1024)(l.Password))
	return errs.Err()
}

type plainErr struct{ X string }

func (p *plainErr) Validate() error { return errors.New("x was " + p.X) }

type ctxValidated struct{ X string }

func (c *ctxValidated) ValidateContext(ctx context.Context) error {
	if ctx.Value(ctxMarker{}) == nil {
		return errors.New("no context")
	}
	if c.X == "down" {
		return fmt.Errorf("%w: directory", validate.ErrUnavailable)
	}
	return nil
}

type ctxMarker struct{}

func TestValidateMethod(t *testing.T) {
	t.Run("Validate", func(t *testing.T) {
		w := httptest.NewRecorder()
		_, err := validate.Decode[login](w, post(`{"email":"bad","password":""}`), nil, nil)
		var re *validate.RequestError
		if !errors.As(err, &re) || w.Code != 422 || len(re.Fields) != 2 || re.Fields[0].Pointer != "/email" || re.Fields[1].Code != "length" {
			t.Fatalf("err = %v, status %d", err, w.Code)
		}
	})
	t.Run("plain error is not echoed", func(t *testing.T) {
		w := httptest.NewRecorder()
		_, err := validate.Decode[plainErr](w, post(`{"X":"`+marker+`"}`), nil, nil)
		if w.Code != 422 || !errors.Is(err, validate.ErrInvalid) || strings.Contains(w.Body.String(), marker) {
			t.Fatalf("status %d body %s", w.Code, w.Body)
		}
	})
	t.Run("ValidateContext gets the request context", func(t *testing.T) {
		r := post(`{"X":"ok"}`)
		r = r.WithContext(context.WithValue(r.Context(), ctxMarker{}, true))
		if _, err := validate.Decode[ctxValidated](httptest.NewRecorder(), r, nil, nil); err != nil {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("unavailable is 503", func(t *testing.T) {
		r := post(`{"X":"down"}`)
		r = r.WithContext(context.WithValue(r.Context(), ctxMarker{}, true))
		w := httptest.NewRecorder()
		_, err := validate.Decode[ctxValidated](w, r, nil, nil)
		if w.Code != 503 || !errors.Is(err, validate.ErrUnavailable) || strings.Contains(w.Body.String(), "directory") {
			t.Fatalf("status %d err %v body %s", w.Code, err, w.Body)
		}
	})
}

func TestBreachOutageIs503(t *testing.T) {
	p := validate.MustNewPasswordPolicy(validate.PasswordConfig{Breach: &fakeBreach{err: errors.New("timeout")}})
	rules := validate.Rules(validate.Check("/password", func(ctx context.Context, r *Registration) error {
		return p.Check(ctx, r.Password, r.Email, r.Name)
	}))
	w := httptest.NewRecorder()
	_, err := validate.Decode(w, post(`{"password":"mauve-tractor-lagoon-1897"}`), nil, rules)
	if w.Code != 503 || !errors.Is(err, validate.ErrUnavailable) {
		t.Fatalf("status %d err %v", w.Code, err)
	}
}

func TestDecodeAllocations(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		// The race detector makes sync.Pool drop a random quarter of what is
		// put back; .ci/run pins these counts in a run without it.
		t.Skip("allocation counts differ under -cover and -race")
	}
	d := validate.MustNew(validate.Config{})
	r, body := newBenchRequest()
	w := httptest.NewRecorder()
	// Warm the plan cache and the buffer pool.
	body.Reset(benchBody)
	if _, err := validate.Decode(w, r, d, benchRules); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		body.Reset(benchBody)
		if _, err := validate.Decode(w, r, d, benchRules); err != nil {
			t.Fatal(err)
		}
	})
	// The *Registration, its four strings, and net/mail's parse of the
	// address (five allocations in Go 1.26).
	if allocs > 10 {
		t.Fatalf("Decode allocates %v times per body, want at most 10", allocs)
	}
	// A rejection whose body is already compiled: the RequestError, the
	// field errors, the header values and what net/mail allocates.
	const invalid = `{"email":"ada@example","password":"short","name":"A","age":7}`
	allocs = testing.AllocsPerRun(100, func() {
		body.Reset(invalid)
		w.Body.Reset()
		if _, err := validate.Decode(w, r, d, benchRules); err == nil {
			t.Fatal("accepted")
		}
	})
	if allocs > 15 {
		t.Fatalf("a cached 422 allocates %v times, want at most 15", allocs)
	}
	allocs = testing.AllocsPerRun(100, func() {
		_, _ = validate.Unmarshal[Registration](context.Background(), d, []byte(`{"age":1,"age":2}`), nil)
	})
	if allocs > 4 {
		t.Fatalf("rejecting a duplicate key allocates %v times, want at most 4", allocs)
	}
}

func TestConcurrentDecoding(t *testing.T) {
	d := validate.MustNew(validate.Config{})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				if i%2 == 0 {
					v, err := validate.Unmarshal[Registration](context.Background(), d, []byte(fmt.Sprintf(`{"name":"n%d","age":%d}`, j, j)), nil)
					if err != nil || v.Age != j {
						t.Errorf("%v %v", v, err)
					}
				} else {
					v, err := validate.Unmarshal[profile](context.Background(), d, []byte(fmt.Sprintf(`{"tags":["%d"]}`, j)), nil)
					if err != nil || v.Tags[0] != fmt.Sprint(j) {
						t.Errorf("%v %v", v, err)
					}
				}
			}
		})
	}
	wg.Wait()
}

func TestZeroMiddlewareIsStrict(t *testing.T) {
	var m validate.Middleware[Registration]
	h := m.Handler(http.NotFoundHandler())
	w := httptest.NewRecorder()
	h.ServeHTTP(w, post(`{"age":1,"age":2}`))
	if w.Code != http.StatusBadRequest {
		t.Fatalf("status %d", w.Code)
	}
}

func TestPasswordRuleOutageIs503(t *testing.T) {
	p := validate.MustNewPasswordPolicy(validate.PasswordConfig{Breach: &fakeBreach{err: errors.New("timeout")}})
	rules := validate.Rules(validate.Field("/password", func(r *Registration) string { return r.Password }, p.Rule()))
	w := httptest.NewRecorder()
	if _, err := validate.Decode(w, post(`{"password":"mauve-tractor-lagoon-1897"}`), nil, rules); w.Code != 503 || !errors.Is(err, validate.ErrUnavailable) {
		t.Fatalf("status %d err %v", w.Code, err)
	}
}

// TestRejectionCacheKeepsBodiesApart: cached rejection bodies are reused
// only for the same errors, and a full cache changes nothing but speed.
func TestRejectionCacheKeepsBodiesApart(t *testing.T) {
	h := validate.JSON(validate.MustNew(validate.Config{}), registrationRules).Handler(http.NotFoundHandler())
	send := func(body string) string {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, post(body))
		return fmt.Sprint(w.Code, " ", w.Header().Get("Content-Type"), " ", w.Body.String())
	}
	errsOf := func(body string) []string {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, post(body))
		var p struct {
			Errors []validate.FieldError `json:"errors"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
			t.Fatalf("%s: %v", w.Body, err)
		}
		var out []string
		for _, e := range p.Errors {
			out = append(out, e.Pointer+" "+e.Code)
		}
		return out
	}
	first := send(`{"email":"x","name":"Ada","password":"mauve-tractor-lagoon-1897","age":30}`)
	if again := send(`{"email":"y","name":"Ada","password":"mauve-tractor-lagoon-1897","age":30}`); again != first {
		t.Fatalf("same errors, different bodies:\n%s\n%s", first, again)
	}
	// Fill the cache well past its bound with distinct errors, then check
	// that each body still names exactly its own fields.
	for i := range 400 {
		body := fmt.Sprintf(`{"email":"x","age":%d,"unknown%d":1}`, i, i)
		got := errsOf(body)
		if len(got) != 1 || got[0] != fmt.Sprintf("/unknown%d unknown_field", i) {
			t.Fatalf("%d: errors %q", i, got)
		}
	}
	if got := errsOf(`{"email":"ada@example.com","name":"A","password":"mauve-tractor-lagoon-1897","age":30}`); fmt.Sprint(got) != "[/name length]" {
		t.Fatalf("errors %q", got)
	}
}

// TestLogsRoutePatternNotPath: identifiers in the path stay out of the log
// when the router provides the pattern.
func TestLogsRoutePatternNotPath(t *testing.T) {
	var logs bytes.Buffer
	d := validate.MustNew(validate.Config{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	mux := http.NewServeMux()
	mux.Handle("POST /users/{email}/profile", validate.JSON[Registration](d, nil).Handler(http.NotFoundHandler()))
	r := httptest.NewRequest(http.MethodPost, "/users/ada@example.com/profile", strings.NewReader(`{"x":1}`))
	r.Header.Set("Content-Type", "application/json")
	mux.ServeHTTP(httptest.NewRecorder(), r)
	if !strings.Contains(logs.String(), `"route":"POST /users/{email}/profile"`) || strings.Contains(logs.String(), "ada@example.com") {
		t.Fatalf("log: %s", logs.String())
	}
}

// TestErrorListIsCapped defends against amplification: a 1 MiB body of
// empty strings checked with Each(Email) broke ~350,000 rules, and every
// one became a problem+json entry (40 MB) and a log field. At most
// MaxErrors are kept, then one too_many_errors entry says more were
// dropped.
func TestErrorListIsCapped(t *testing.T) {
	type list struct {
		Emails []string `json:"emails"`
	}
	rules := validate.Rules(validate.Field("/emails", func(l *list) []string { return l.Emails }, validate.Each(validate.Email)))
	var logs bytes.Buffer
	d := validate.MustNew(validate.Config{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	h := validate.JSON(d, rules).Handler(http.NotFoundHandler())
	n := (1<<20 - len(`{"emails":[""]}`)) / len(`"",`)
	body := `{"emails":[` + strings.Repeat(`"",`, n) + `""]}`
	w := httptest.NewRecorder()
	h.ServeHTTP(w, post(body))
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", w.Code)
	}
	if w.Body.Len() > 8<<10 {
		t.Errorf("response is %d bytes", w.Body.Len())
	}
	if logs.Len() > 4<<10 {
		t.Errorf("log line is %d bytes", logs.Len())
	}
	var p struct {
		Errors []validate.FieldError `json:"errors"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Errors) != validate.MaxErrors+1 {
		t.Fatalf("%d errors, want %d", len(p.Errors), validate.MaxErrors+1)
	}
	if first, last := p.Errors[0], p.Errors[validate.MaxErrors]; first.Pointer != "/emails/0" || first.Code != validate.CodeEmail ||
		last.Pointer != "" || last.Code != validate.CodeTooManyErrors {
		t.Errorf("first %+v, last %+v", first, last)
	}
	if !strings.Contains(logs.String(), `" too_many_errors"]`) {
		t.Errorf("log does not say errors were dropped: %s", logs.String())
	}
}

// TestLogsNoPathWithoutRoutePattern: routers other than ServeMux leave
// r.Pattern empty, and the raw path can carry secrets (/reset/{token}), so
// the log then names the method only.
func TestLogsNoPathWithoutRoutePattern(t *testing.T) {
	var logs bytes.Buffer
	d := validate.MustNew(validate.Config{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	h := validate.JSON[Registration](d, nil).Handler(http.NotFoundHandler())
	const token = "rst-9f8e7d6c5b4a39281706"
	r := httptest.NewRequest(http.MethodPost, "/reset/"+token, strings.NewReader(`{"x":1}`))
	r.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(httptest.NewRecorder(), r)
	var rec map[string]any
	if err := json.Unmarshal(logs.Bytes(), &rec); err != nil {
		t.Fatalf("log %q: %v", logs.String(), err)
	}
	if strings.Contains(logs.String(), token) || rec["path"] != nil || rec["route"] != nil || rec["method"] != "POST" {
		t.Fatalf("log: %s", logs.String())
	}
}

// TestEmptyBodyFromServer: net/http gives a request without a body
// (Content-Length: 0) r.Body == http.NoBody, not an empty reader; that path
// must answer like any empty body, 400 with code "empty".
func TestEmptyBodyFromServer(t *testing.T) {
	const want = `{"type":"about:blank","title":"Bad Request","status":400,"detail":"The request body is not acceptable JSON.","errors":[{"code":"empty","detail":"The request body is empty."}]}`
	for name, body := range map[string]io.ReadCloser{"NoBody": http.NoBody, "nil": nil} {
		t.Run(name, func(t *testing.T) {
			r := post("")
			r.Body, r.ContentLength = body, 0
			reached := false
			w := httptest.NewRecorder()
			validate.JSON[Registration](nil, nil).Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true })).ServeHTTP(w, r)
			if reached || w.Code != http.StatusBadRequest || w.Body.String() != want {
				t.Fatalf("reached %v, got %d %s", reached, w.Code, w.Body)
			}
			_, err := validate.Decode[Registration](httptest.NewRecorder(), r, nil, nil)
			var re *validate.RequestError
			if !errors.Is(err, validate.ErrEmptyBody) || !errors.As(err, &re) || re.Status != http.StatusBadRequest {
				t.Fatalf("Decode = %v", err)
			}
		})
	}
}

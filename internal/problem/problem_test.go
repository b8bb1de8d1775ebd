package problem

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestMarshal(t *testing.T) {
	tests := []struct {
		name string
		p    Problem
		want string
	}{
		{"defaults", Problem{Status: 404}, `{"type":"about:blank","title":"Not Found","status":404}`},
		{"all members", Problem{Type: "https://example.com/t", Title: "T", Status: 400, Detail: "d", Instance: "/i"},
			`{"type":"https://example.com/t","title":"T","status":400,"detail":"d","instance":"/i"}`},
		{"extensions sorted", Problem{Status: 429, Extensions: map[string]any{"z": 1, "a": []string{"x"}}},
			`{"type":"about:blank","title":"Too Many Requests","status":429,"a":["x"],"z":1}`},
		{"extension cannot override status", Problem{Status: 403, Extensions: map[string]any{"status": 200, "type": "x"}},
			`{"type":"about:blank","title":"Forbidden","status":403}`},
		{"escapes html and control characters", Problem{Status: 400, Detail: "<a>\n\u2028"},
			`{"type":"about:blank","title":"Bad Request","status":400,"detail":"\u003ca\u003e\n\u2028"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.p.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
			if !json.Valid(got) {
				t.Fatalf("invalid JSON %s", got)
			}
		})
	}
}

func TestWrite(t *testing.T) {
	rec := httptest.NewRecorder()
	Write(rec, Problem{Status: 415, Detail: "unsupported"})
	res := rec.Result()
	if res.StatusCode != 415 {
		t.Fatalf("status %d", res.StatusCode)
	}
	for k, v := range map[string]string{"Content-Type": ContentType, "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"} {
		if got := res.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if m["status"] != float64(415) || m["detail"] != "unsupported" {
		t.Fatalf("body %v", m)
	}
}

func TestWriteKeepsHandlerCacheControl(t *testing.T) {
	rec := httptest.NewRecorder()
	rec.Header().Set("Cache-Control", "private")
	Write(rec, Problem{Status: 400})
	if got := rec.Header().Get("Cache-Control"); got != "private" {
		t.Fatalf("Cache-Control = %q", got)
	}
}

func TestWriteUnencodableExtensionFallsBack(t *testing.T) {
	rec := httptest.NewRecorder()
	Write(rec, Problem{Status: 400, Extensions: map[string]any{"bad": math.Inf(1)}})
	if rec.Code != 500 || rec.Body.String() != string(fallback) {
		t.Fatalf("got %d %s", rec.Code, rec.Body)
	}
	if _, err := Compile(Problem{Status: 400, Extensions: map[string]any{"bad": math.Inf(1)}}); err == nil {
		t.Fatal("Compile accepted an unencodable extension")
	}
}

func TestZeroStatusIs500(t *testing.T) {
	rec := httptest.NewRecorder()
	Write(rec, Problem{})
	if rec.Code != 500 {
		t.Fatalf("status %d", rec.Code)
	}
	if c := MustCompile(Problem{}); c.Status() != 500 {
		t.Fatalf("compiled status %d", c.Status())
	}
}

// TestHeaderValuesAreNotShared defends against a handler or later middleware
// appending to one header value and corrupting another response or header.
func TestHeaderValuesAreNotShared(t *testing.T) {
	c := MustCompile(Problem{Status: 401})
	r1, r2 := httptest.NewRecorder(), httptest.NewRecorder()
	c.Write(r1)
	r1.Header()["Content-Type"][0] = "mutated"
	r1.Header()["X-Content-Type-Options"] = append(r1.Header()["X-Content-Type-Options"], "x")
	c.Write(r2)
	if got := r2.Header().Get("Content-Type"); got != ContentType {
		t.Fatalf("second response Content-Type %q", got)
	}
	if got := r1.Header()["Cache-Control"]; len(got) != 1 || got[0] != "no-store" {
		t.Fatalf("append leaked into Cache-Control: %q", got)
	}
	b := c.Body()
	b[0] = 'X'
	if c.Body()[0] != '{' {
		t.Fatal("Body returned the shared slice")
	}
}

type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *nopWriter) WriteHeader(int)             {}

func TestCompiledWriteAllocs(t *testing.T) {
	c := MustCompile(Problem{Status: 429, Detail: "slow down"})
	w := &nopWriter{h: make(http.Header, 4)}
	n := testing.AllocsPerRun(100, func() {
		clear(w.h)
		c.Write(w)
	})
	if n > 1 {
		t.Fatalf("Compiled.Write allocates %v times, want <= 1", n)
	}
}

func TestServeHTTP(t *testing.T) {
	rec := httptest.NewRecorder()
	MustCompile(Problem{Status: 403}).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 403 || rec.Header().Get("Content-Type") != ContentType {
		t.Fatalf("got %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
}

func BenchmarkCompiledWrite(b *testing.B) {
	c := MustCompile(Problem{Status: 429, Detail: "slow down"})
	w := &nopWriter{h: make(http.Header, 4)}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		c.Write(w)
	}
}

func BenchmarkWrite(b *testing.B) {
	w := &nopWriter{h: make(http.Header, 4)}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		Write(w, Problem{Status: 422, Extensions: map[string]any{"errors": []string{"a"}}})
	}
}

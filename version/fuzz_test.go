package version_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/apisec-go/apisec/version"
)

// FuzzNegotiate drives every inbound parser (header, path, Accept, query)
// through Negotiate and the middleware, seeded from the negotiation table.
// Invariants: nothing panics; an error is one of the documented sentinels
// with its documented status; a chosen version is a configured one and is
// what the handler sees; the incoming request is never modified; the
// handler's path is the original one or the original without exactly
// the version segment.
func FuzzNegotiate(f *testing.F) {
	for _, c := range negotiationCases {
		f.Add(c.target, strings.Join(c.header.Values("API-Version"), ","), strings.Join(c.header.Values("Accept"), ","))
	}
	f.Add("/api/v2/x", "v2", mt+`;version="\"2";q=0.5`)
	f.Add("/api/2026-11-01/x", `"`, mt+`;version=1;q=1.0001`)

	n := version.MustNew(fullConfig())
	configured := n.Versions()
	statusOf := map[error]int{
		version.ErrMissing: 400, version.ErrUnsupported: 400, version.ErrConflict: 400,
		version.ErrMalformed: 400, version.ErrNotAcceptable: 406, version.ErrSunset: 410,
	}
	f.Fuzz(func(t *testing.T, target, hdr, accept string) {
		u, err := url.ParseRequestURI(target)
		if err != nil {
			t.Skip()
		}
		r := &http.Request{Method: http.MethodGet, URL: u, Header: http.Header{}}
		if hdr != "" {
			r.Header["Api-Version"] = strings.Split(hdr, "\n")
		}
		if accept != "" {
			r.Header["Accept"] = []string{accept}
		}
		orig := *u

		got, err := n.Negotiate(r)
		wantStatus := 204
		if err != nil {
			st, ok := statusOf[err]
			if !ok {
				t.Fatalf("undocumented error %v", err)
			}
			wantStatus = st
		}
		if (err == nil || errors.Is(err, version.ErrSunset)) && !slices.Contains(configured, got) {
			t.Fatalf("Negotiate = %q, not configured", got)
		}

		var s seen
		rec := httptest.NewRecorder()
		n.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.called = true
			s.version, _ = version.FromContext(r.Context())
			s.path, s.rawPath = r.URL.Path, r.URL.RawPath
			w.WriteHeader(http.StatusNoContent)
		})).ServeHTTP(rec, r)
		if rec.Code != wantStatus {
			t.Fatalf("status %d, Negotiate said %v", rec.Code, err)
		}
		if *r.URL != orig {
			t.Fatalf("request URL modified")
		}
		if !s.called {
			return
		}
		if s.version != got || rec.Header().Get("Api-Version") != got {
			t.Fatalf("handler saw %q, echo %q, Negotiate %q", s.version, rec.Header().Get("Api-Version"), got)
		}
		if s.path != orig.Path {
			if !strings.HasPrefix(orig.Path, "/api/") {
				t.Fatalf("stripped %q outside the prefix", orig.Path)
			}
			rest := orig.Path[len("/api/"):]
			seg, after, _ := strings.Cut(rest, "/")
			if after != "" || strings.HasSuffix(rest, "/") {
				after = "/" + after
			}
			want := "/api" + after
			if s.path != want {
				t.Fatalf("handler path %q, want %q", s.path, want)
			}
			// The removed segment is exactly the version: sent as a
			// header it negotiates the same version.
			r2 := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/"}, Header: http.Header{"Api-Version": {seg}}}
			if v, err := n.Negotiate(r2); v != got || (err != nil && !errors.Is(err, version.ErrSunset)) {
				t.Fatalf("removed segment %q negotiates %q, %v; want %q", seg, v, err, got)
			}
		}
		// Lenient parsing is consistent: the canonical forms of the
		// chosen version name the same version.
		if err == nil && hdr != "" {
			for _, form := range []string{got, "v" + got, `"` + got + `"`} {
				r2 := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/"}, Header: http.Header{"Api-Version": {form}}}
				if v, err := n.Negotiate(r2); (err != nil && !errors.Is(err, version.ErrSunset)) || v != got {
					t.Fatalf("%q negotiates %q, %v; want %q", form, v, err, got)
				}
			}
		}
	})
}

// FuzzDateVersions drives the lenient value parser with date-named
// versions (Stripe-style) through the header source. Invariants: a
// chosen version is configured, its canonical forms choose it again, and
// any other outcome is ErrUnsupported or ErrConflict.
func FuzzDateVersions(f *testing.F) {
	for _, s := range []string{"2024-06-20", "v2026-11-01", `"2026-11-01"`, " 2024-06-20 ", "2026-02-30",
		"2026-11-01, 2026-11-01", "2024-06-20,2026-11-01", "2026-11-1", "20261101", "", "\x00", "2026-11-01\t"} {
		f.Add(s)
	}
	n := version.MustNew(version.Config{
		Versions: []version.Version{{Name: "2024-06-20"}, {Name: "2026-11-01"}},
		Default:  "2026-11-01",
		Header:   "Stripe-Version",
	})
	f.Fuzz(func(t *testing.T, value string) {
		r := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/"}, Header: http.Header{"Stripe-Version": {value}}}
		got, err := n.Negotiate(r)
		if err != nil {
			if !errors.Is(err, version.ErrUnsupported) && !errors.Is(err, version.ErrConflict) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if got != "2024-06-20" && got != "2026-11-01" {
			t.Fatalf("Negotiate(%q) = %q", value, got)
		}
		for _, form := range []string{got, "V" + got, " \"" + got + "\" "} {
			r.Header["Stripe-Version"] = []string{form}
			if v, err := n.Negotiate(r); err != nil || v != got {
				t.Fatalf("%q negotiates %q, %v; want %q", form, v, err, got)
			}
		}
	})
}

package version_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/apisec-go/apisec/version"
)

func TestRouteDispatchesByVersion(t *testing.T) {
	n := version.MustNew(fullConfig())
	named := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			v, _ := version.FromContext(r.Context())
			fmt.Fprintf(w, "%s handler, version %s, path %s", name, v, r.URL.Path)
		})
	}
	legacy := named("legacy")
	h, err := n.Route(map[string]http.Handler{"0": legacy, "1.0": legacy, "2": named("v2"), "3": named("v3")})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, target, header string
		wantStatus           int
		wantBody             string
	}{
		{"default", "/api/users", "", 200, "v3 handler, version 3, path /api/users"},
		{"path", "/api/v2/users", "", 200, "v2 handler, version 2, path /api/users"},
		{"shared handler", "/api/users", "1", 200, "legacy handler, version 1, path /api/users"},
		{"retired version never reaches its handler", "/api/users", "0", 410, ""},
		{"unsupported", "/api/v7/users", "", 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, tt.target, nil)
			if tt.header != "" {
				r.Header.Set("API-Version", tt.header)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			if tt.wantBody != "" && rec.Body.String() != tt.wantBody {
				t.Errorf("body %q, want %q", rec.Body.String(), tt.wantBody)
			}
		})
	}
}

func TestRouteRejectsBadMaps(t *testing.T) {
	n := version.MustNew(version.Config{Versions: []version.Version{{Name: "1"}, {Name: "2"}, {Name: "3"}}})
	ok := http.NotFoundHandler()
	tests := []struct {
		name string
		m    map[string]http.Handler
		want []string
	}{
		{"empty", nil, []string{
			`version: Route: version "1" has no handler`,
			`version: Route: version "2" has no handler`,
			`version: Route: version "3" has no handler`}},
		{"unknown, nil and duplicate", map[string]http.Handler{"1": ok, "1.0": ok, "2": nil, "4": ok, "v3": ok}, []string{
			`version: Route["1.0"]: names version "1" again`,
			`version: Route["2"]: nil handler`,
			`version: Route["4"]: is not one of Versions`,
			`version: Route["v3"]: is not one of Versions`,
			`version: Route: version "3" has no handler`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := n.Route(tt.m)
			if h != nil {
				t.Error("Route returned a handler with an error")
			}
			if got := configErrors(t, err); !slices.Equal(got, tt.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// The example server serves /api/v1/users and /api/v2/users from one
// mux pattern; an outer ServeMux's Pattern and path values must survive
// the stripping, and the request the mux handed over must stay intact.
func TestPathStrippingUnderServeMux(t *testing.T) {
	n := version.MustNew(version.Config{
		Versions:   []version.Version{{Name: "1"}, {Name: "2"}},
		Default:    "2",
		Sources:    version.SourcePath,
		PathPrefix: "/api",
	})
	inner := http.NewServeMux()
	inner.HandleFunc("GET /api/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		v, _ := version.FromContext(r.Context())
		fmt.Fprintf(w, "v=%s id=%s pattern=%q", v, r.PathValue("id"), r.Pattern)
	})
	outer := http.NewServeMux()
	var outerReq *http.Request
	outer.Handle("GET /api/{rest...}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		outerReq = r
		n.Handler(inner).ServeHTTP(w, r)
	}))
	srv := httptest.NewServer(outer)
	defer srv.Close()

	tests := []struct{ target, want string }{
		{"/api/v1/users/42", `v=1 id=42 pattern="GET /api/users/{id}"`},
		{"/api/users/42", `v=2 id=42 pattern="GET /api/users/{id}"`},
		{"/api/%76%31/users/a%2Fb", `v=1 id=a/b pattern="GET /api/users/{id}"`},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			res, err := srv.Client().Get(srv.URL + tt.target)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if string(body) != tt.want {
				t.Fatalf("got %q, want %q", body, tt.want)
			}
			if outerReq.Pattern != "GET /api/{rest...}" || !strings.HasPrefix(outerReq.URL.Path, "/api/") {
				t.Errorf("outer request changed: Pattern %q Path %q", outerReq.Pattern, outerReq.URL.Path)
			}
		})
	}
}

// An encoded slash can make the decoded path put a version segment
// where the escaped path has none ("/api%2Fv1/..."), and dot or empty
// segments make the version change once the path is cleaned: routers,
// proxies and the negotiation would disagree, so the request is refused
// rather than guessed at.
func TestAmbiguousPathCannotForgeVersionSegment(t *testing.T) {
	n := version.MustNew(version.Config{
		Versions: []version.Version{{Name: "1"}, {Name: "2"}}, Default: "2",
		Sources: version.SourcePath, PathPrefix: "/api",
	})
	for _, target := range []string{"/api%2Fv1/users", "/api%2fv1", "/%61pi/v1/users",
		// Dot and empty segments, which a proxy or router would clean
		// into a different version (RFC 3986 §5.2.4).
		"/api/v2/../v1/users", "/api/v2/%2e%2e/v1/users", "/api//v1/users", "/api/./v1/users", "/api/v1/users/..", "/api/users/./x"} {
		t.Run(target, func(t *testing.T) {
			res, body, s := run(t, n.Handler, httptest.NewRequest(http.MethodGet, target, nil))
			if res.StatusCode != http.StatusBadRequest || s.called {
				t.Fatalf("status %d, handler called %v", res.StatusCode, s.called)
			}
			if p := decodeProblem(t, res, body); p.Detail != "The API version in the request could not be read unambiguously." {
				t.Errorf("detail %q", p.Detail)
			}
		})
	}
}

// Without a PathPrefix the version is the first segment.
func TestPathSourceAtRoot(t *testing.T) {
	n := version.MustNew(version.Config{
		Versions: []version.Version{{Name: "2024-06-20"}, {Name: "2026-11-01"}},
		Sources:  version.SourcePath,
	})
	tests := []struct{ target, wantVer, wantPath string }{
		{"/v2026-11-01/charges", "2026-11-01", "/charges"},
		{"/2024-06-20/charges", "2024-06-20", "/charges"},
		{"/2024-06-20", "2024-06-20", "/"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			res, _, s := run(t, n.Handler, httptest.NewRequest(http.MethodGet, tt.target, nil))
			if res.StatusCode != http.StatusNoContent || s.version != tt.wantVer || s.path != tt.wantPath {
				t.Fatalf("status %d, version %q, path %q", res.StatusCode, s.version, s.path)
			}
		})
	}
	res, body, _ := run(t, n.Handler, httptest.NewRequest(http.MethodGet, "/charges", nil))
	if res.StatusCode != http.StatusBadRequest || decodeProblem(t, res, body).Detail != "The request must name an API version." {
		t.Fatalf("missing version: status %d body %s", res.StatusCode, body)
	}
}

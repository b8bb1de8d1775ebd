package version_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/apisec-go/apisec/version"
)

// Two versions behind one base path: v1 is deprecated and will be
// retired, v2 is current. Each version has its own handler.
func Example() {
	ver, err := version.New(version.Config{
		Versions: []version.Version{
			{
				Name:          "1",
				Deprecated:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
				Sunset:        time.Date(2027, 12, 31, 23, 59, 59, 0, time.UTC),
				Link:          "https://developer.example.com/deprecation/v1",
				Successor:     "2",
				SuccessorLink: "https://developer.example.com/v2",
			},
			{Name: "2"},
		},
		Default:    "2",
		Sources:    version.SourceHeader | version.SourcePath,
		PathPrefix: "/api",
		Now:        func() time.Time { return time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		panic(err)
	}
	users := func(v string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "users %s at %s", v, r.URL.Path)
		})
	}
	handler, err := ver.Route(map[string]http.Handler{"1": users("v1"), "2": users("v2")})
	if err != nil {
		panic(err)
	}

	for _, target := range []string{"/api/v1/users", "/api/users", "/api/v3/users"} {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		fmt.Println(target, "->", rec.Code, rec.Body.String())
		for _, h := range []string{"Api-Version", "Deprecation", "Sunset", "Link"} {
			if v := rec.Header().Get(h); v != "" {
				fmt.Printf("  %s: %s\n", h, v)
			}
		}
	}
	// Output:
	// /api/v1/users -> 200 users v1 at /api/users
	//   Api-Version: 1
	//   Deprecation: @1767225600
	//   Sunset: Fri, 31 Dec 2027 23:59:59 GMT
	//   Link: <https://developer.example.com/deprecation/v1>; rel="deprecation", <https://developer.example.com/deprecation/v1>; rel="sunset", <https://developer.example.com/v2>; rel="successor-version"
	// /api/users -> 200 users v2 at /api/users
	//   Api-Version: 2
	// /api/v3/users -> 400 {"type":"about:blank","title":"Bad Request","status":400,"detail":"The requested API version is not supported.","supported-versions":["1","2"]}
}

// New reports every problem at once, each naming its field.
func Example_configError() {
	_, err := version.New(version.Config{
		Versions: []version.Version{
			{Name: "1", Deprecated: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), Sunset: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
			{Name: "2.0"},
			{Name: "2"},
		},
		PathPrefix: "/api",
	})
	fmt.Println(err)
	var ce *version.ConfigError
	if errors.As(err, &ce) {
		fmt.Println("first field:", ce.Field)
	}
	// Output:
	// version: PathPrefix: set, but Sources does not include SourcePath
	// version: Versions[2].Name: "2" duplicates Versions[1] ("2.0")
	// version: Versions[0].Sunset: is earlier than Deprecated; a version cannot be retired before it is deprecated (RFC 8594 §3)
	// first field: PathPrefix
}

// The most common mistake with the path source: registering routes with
// the version in them. The version segment is stripped before the next
// handler runs, so routes are written without it, once for all versions.
func Example_routesWithoutVersionSegment() {
	ver := version.MustNew(version.Config{
		Versions:   []version.Version{{Name: "1"}, {Name: "2"}},
		Default:    "2",
		Sources:    version.SourcePath,
		PathPrefix: "/api",
	})
	wrong := http.NewServeMux()
	wrong.HandleFunc("GET /api/v2/users", func(w http.ResponseWriter, r *http.Request) {})
	right := http.NewServeMux()
	right.HandleFunc("GET /api/users", func(w http.ResponseWriter, r *http.Request) {
		v, _ := version.FromContext(r.Context())
		fmt.Fprint(w, "users, version ", v)
	})
	for _, mux := range []struct {
		route string
		mux   *http.ServeMux
	}{{"/api/v2/users", wrong}, {"/api/users", right}} {
		rec := httptest.NewRecorder()
		ver.Handler(mux.mux).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v2/users", nil))
		fmt.Println("route", mux.route+":", rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	// Output:
	// route /api/v2/users: 404 404 page not found
	// route /api/users: 200 users, version 2
}

package version_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apisec-go/apisec/version"
)

var (
	testNow  = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	v0Dep    = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	v0Sunset = time.Date(2026, 6, 30, 23, 59, 59, 0, time.UTC) // past
	v1Dep    = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	v1Sunset = time.Date(2027, 12, 31, 23, 59, 59, 0, time.UTC) // future
	v2Dep    = time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)      // announced, future
)

const (
	docV0 = "https://developer.example.com/deprecation/v0"
	docV1 = "https://developer.example.com/deprecation/v1"
	docV3 = "https://developer.example.com/v3"
)

// fullConfig enables every source. "0" is retired, "1" deprecated with a
// sunset ahead, "2" announced for deprecation, "3" current and default.
func fullConfig() version.Config {
	return version.Config{
		Versions: []version.Version{
			{Name: "3"},
			{Name: "2", Deprecated: v2Dep},
			{Name: "1", Deprecated: v1Dep, Sunset: v1Sunset, Link: docV1, Successor: "3", SuccessorLink: docV3},
			{Name: "0", Deprecated: v0Dep, Sunset: v0Sunset, Link: docV0, Successor: "3", SuccessorLink: docV3},
		},
		Default:    "3",
		Sources:    version.SourceHeader | version.SourcePath | version.SourceMediaType | version.SourceQuery,
		PathPrefix: "/api",
		MediaType:  "application/vnd.acme+json",
		Now:        func() time.Time { return testNow },
	}
}

// lifecycle is what the headers of a served version must say.
type lifecycle struct {
	deprecated, sunset time.Time
	rels               map[string]string
}

var lifecycles = map[string]lifecycle{
	"3": {},
	"2": {deprecated: v2Dep},
	"1": {deprecated: v1Dep, sunset: v1Sunset, rels: map[string]string{"deprecation": docV1, "sunset": docV1, "successor-version": docV3}},
	"0": {deprecated: v0Dep, sunset: v0Sunset, rels: map[string]string{"deprecation": docV0, "sunset": docV0, "successor-version": docV3}},
}

// checkLifecycle parses the emitted Deprecation, Sunset and Link fields
// with the strict parsers of wire_test.go.
func checkLifecycle(t *testing.T, h http.Header, want lifecycle) {
	t.Helper()
	if dep := h.Values("Deprecation"); want.deprecated.IsZero() {
		if len(dep) != 0 {
			t.Errorf("Deprecation = %q, want none", dep)
		}
	} else if len(dep) != 1 {
		t.Errorf("Deprecation = %q, want one field", dep)
	} else if got, err := parseSFDate(dep[0]); err != nil || !got.Equal(want.deprecated) {
		t.Errorf("Deprecation %q parses as %v, %v; want %v", dep[0], got, err, want.deprecated)
	}
	if sun := h.Values("Sunset"); want.sunset.IsZero() {
		if len(sun) != 0 {
			t.Errorf("Sunset = %q, want none", sun)
		}
	} else if len(sun) != 1 {
		t.Errorf("Sunset = %q, want one field", sun)
	} else if got, err := parseIMFFixdate(sun[0]); err != nil || !got.Equal(want.sunset) {
		t.Errorf("Sunset %q parses as %v, %v; want %v", sun[0], got, err, want.sunset)
	}
	rels, err := linkRels(h.Values("Link"))
	if err != nil {
		t.Errorf("Link %q: %v", h.Values("Link"), err)
	}
	if len(rels) != len(want.rels) {
		t.Errorf("Link rels = %v, want %v", rels, want.rels)
	}
	for rel, target := range want.rels {
		if rels[rel] != target {
			t.Errorf("Link rel=%q -> %q, want %q", rel, rels[rel], target)
		}
	}
}

// seen is what the next handler observed.
type seen struct {
	called        bool
	version       string
	path, rawPath string
}

func run(t *testing.T, h func(http.Handler) http.Handler, r *http.Request) (*http.Response, []byte, seen) {
	t.Helper()
	var s seen
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.called = true
		s.version, _ = version.FromContext(r.Context())
		s.path, s.rawPath = r.URL.Path, r.URL.RawPath
		w.WriteHeader(http.StatusNoContent)
	})
	rec := httptest.NewRecorder()
	h(next).ServeHTTP(rec, r)
	return rec.Result(), rec.Body.Bytes(), s
}

func newRequest(target string, header http.Header) *http.Request {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	for k, v := range header {
		r.Header[http.CanonicalHeaderKey(k)] = v
	}
	return r
}

type problemBody struct {
	Type              string   `json:"type"`
	Title             string   `json:"title"`
	Status            int      `json:"status"`
	Detail            string   `json:"detail"`
	SupportedVersions []string `json:"supported-versions"`
	SuccessorVersion  string   `json:"successor-version"`
	SuccessorLink     string   `json:"successor-link"`
	Sunset            string   `json:"sunset"`
}

func decodeProblem(t *testing.T, res *http.Response, body []byte) problemBody {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q", ct)
	}
	var p problemBody
	dec := json.NewDecoder(strings.NewReader(string(body)))
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("problem body %s: %v", body, err)
	}
	if p.Status != res.StatusCode {
		t.Errorf("problem status %d, response %d", p.Status, res.StatusCode)
	}
	return p
}

// negotiationCase is one request against fullConfig; the cases also seed
// the fuzz target.
type negotiationCase struct {
	name       string
	target     string
	header     http.Header
	wantStatus int    // 204 when the handler runs
	wantVer    string // chosen version
	wantPath   string // path the handler sees
	wantRaw    string
	wantErr    error
}

const mt = "application/vnd.acme+json"

var negotiationCases = []negotiationCase{
	// Header source, lenient forms seen in the wild.
	{name: "header", target: "/x", header: http.Header{"API-Version": {"2"}}, wantStatus: 204, wantVer: "2", wantPath: "/x"},
	{name: "no version uses default", target: "/x", wantStatus: 204, wantVer: "3", wantPath: "/x"},
	{name: "empty header uses default", target: "/x", header: http.Header{"API-Version": {""}}, wantStatus: 204, wantVer: "3", wantPath: "/x"},
	{name: "header v prefix", target: "/x", header: http.Header{"API-Version": {"v1"}}, wantStatus: 204, wantVer: "1", wantPath: "/x"},
	{name: "header capital V", target: "/x", header: http.Header{"API-Version": {"V2"}}, wantStatus: 204, wantVer: "2", wantPath: "/x"},
	{name: "header quoted", target: "/x", header: http.Header{"API-Version": {`"2"`}}, wantStatus: 204, wantVer: "2", wantPath: "/x"},
	{name: "header whitespace", target: "/x", header: http.Header{"API-Version": {" \t2 "}}, wantStatus: 204, wantVer: "2", wantPath: "/x"},
	{name: "header trailing .0", target: "/x", header: http.Header{"API-Version": {"2.0"}}, wantStatus: 204, wantVer: "2", wantPath: "/x"},
	{name: "header leading zero", target: "/x", header: http.Header{"API-Version": {"02"}}, wantStatus: 204, wantVer: "2", wantPath: "/x"},
	{name: "header repeated lines agree", target: "/x", header: http.Header{"API-Version": {"2", "v2"}}, wantStatus: 204, wantVer: "2", wantPath: "/x"},
	{name: "header list agrees", target: "/x", header: http.Header{"API-Version": {"2, 2.0,"}}, wantStatus: 204, wantVer: "2", wantPath: "/x"},
	{name: "header lines disagree", target: "/x", header: http.Header{"API-Version": {"2", "3"}}, wantStatus: 400, wantErr: version.ErrConflict},
	{name: "header list disagrees", target: "/x", header: http.Header{"API-Version": {"2,3"}}, wantStatus: 400, wantErr: version.ErrConflict},
	{name: "header unsupported", target: "/x", header: http.Header{"API-Version": {"9"}}, wantStatus: 400, wantErr: version.ErrUnsupported},
	{name: "header word", target: "/x", header: http.Header{"API-Version": {"latest"}}, wantStatus: 400, wantErr: version.ErrUnsupported},
	{name: "header date for numeric versions", target: "/x", header: http.Header{"API-Version": {"2026-01-01"}}, wantStatus: 400, wantErr: version.ErrUnsupported},
	{name: "header minor version not configured", target: "/x", header: http.Header{"API-Version": {"2.1"}}, wantStatus: 400, wantErr: version.ErrUnsupported},
	{name: "header oversized", target: "/x", header: http.Header{"API-Version": {strings.Repeat("0", 100) + "2"}}, wantStatus: 400, wantErr: version.ErrUnsupported},
	{name: "header negative", target: "/x", header: http.Header{"API-Version": {"-1"}}, wantStatus: 400, wantErr: version.ErrUnsupported},
	{name: "header bare v", target: "/x", header: http.Header{"API-Version": {"v"}}, wantStatus: 400, wantErr: version.ErrUnsupported},

	// Path source with the "/api" base path.
	{name: "path", target: "/api/v2/users", wantStatus: 204, wantVer: "2", wantPath: "/api/users"},
	{name: "path version only", target: "/api/v2", wantStatus: 204, wantVer: "2", wantPath: "/api"},
	{name: "path version and slash", target: "/api/v2/", wantStatus: 204, wantVer: "2", wantPath: "/api/"},
	{name: "path deep", target: "/api/v1/users/42/keys", wantStatus: 204, wantVer: "1", wantPath: "/api/users/42/keys"},
	{name: "path without version segment", target: "/api/users", wantStatus: 204, wantVer: "3", wantPath: "/api/users"},
	{name: "path segment starting with v is not a version", target: "/api/vendors", wantStatus: 204, wantVer: "3", wantPath: "/api/vendors"},
	{name: "path outside prefix is not read", target: "/v2/users", wantStatus: 204, wantVer: "3", wantPath: "/v2/users"},
	{name: "path prefix must end at a segment", target: "/apiv2/users", wantStatus: 204, wantVer: "3", wantPath: "/apiv2/users"},
	{name: "path version not first after prefix", target: "/api/users/v2", wantStatus: 204, wantVer: "3", wantPath: "/api/users/v2"},
	{name: "path unsupported", target: "/api/v9/users", wantStatus: 400, wantErr: version.ErrUnsupported},
	{name: "path pre-release", target: "/api/v2beta/users", wantStatus: 400, wantErr: version.ErrUnsupported},
	{name: "path agrees with header", target: "/api/v2/users", header: http.Header{"API-Version": {"2"}}, wantStatus: 204, wantVer: "2", wantPath: "/api/users"},
	{name: "path conflicts with header", target: "/api/v1/users", header: http.Header{"API-Version": {"2"}}, wantStatus: 400, wantErr: version.ErrConflict},
	{name: "path percent-encoded version", target: "/api/%762/users", wantStatus: 204, wantVer: "2", wantPath: "/api/users", wantRaw: "/api/users"},
	{name: "path keeps encoded slash after version", target: "/api/v2/a%2Fb", wantStatus: 204, wantVer: "2", wantPath: "/api/a/b", wantRaw: "/api/a%2Fb"},

	// Media type source.
	{name: "media type", target: "/x", header: http.Header{"Accept": {mt + "; version=2"}}, wantStatus: 204, wantVer: "2", wantPath: "/x"},
	{name: "media type case and quotes", target: "/x", header: http.Header{"Accept": {`Application/VND.Acme+JSON;Version="v1"`}}, wantStatus: 204, wantVer: "1", wantPath: "/x"},
	{name: "media type highest weight wins", target: "/x", header: http.Header{"Accept": {mt + ";version=1;q=0.5, " + mt + ";version=2;q=0.9", "*/*;q=0.1"}}, wantStatus: 204, wantVer: "2", wantPath: "/x"},
	{name: "media type skips unsupported alternative", target: "/x", header: http.Header{"Accept": {mt + ";version=9, " + mt + ";version=1;q=0.2"}}, wantStatus: 204, wantVer: "1", wantPath: "/x"},
	{name: "media type quoted comma", target: "/x", header: http.Header{"Accept": {mt + `;x="a,b";version=2`}}, wantStatus: 204, wantVer: "2", wantPath: "/x"},
	{name: "media type without version uses default", target: "/x", header: http.Header{"Accept": {mt}}, wantStatus: 204, wantVer: "3", wantPath: "/x"},
	{name: "media type q=0 is refused", target: "/x", header: http.Header{"Accept": {mt + ";version=2;q=0"}}, wantStatus: 204, wantVer: "3", wantPath: "/x"},
	{name: "other media type ignored", target: "/x", header: http.Header{"Accept": {"application/json;version=9"}}, wantStatus: 204, wantVer: "3", wantPath: "/x"},
	{name: "media type range naming two versions names none", target: "/x", header: http.Header{"Accept": {mt + ";version=2;version=3"}}, wantStatus: 406, wantErr: version.ErrNotAcceptable},
	{name: "media type unsupported is 406", target: "/x", header: http.Header{"Accept": {mt + ";version=9"}}, wantStatus: 406, wantErr: version.ErrNotAcceptable},
	{name: "media type accepts the header's version", target: "/x", header: http.Header{"API-Version": {"1"}, "Accept": {mt + ";version=2, " + mt + ";version=1;q=0.1"}}, wantStatus: 204, wantVer: "1", wantPath: "/x"},
	{name: "media type conflicts with header", target: "/x", header: http.Header{"API-Version": {"1"}, "Accept": {mt + ";version=2"}}, wantStatus: 400, wantErr: version.ErrConflict},

	// Query source.
	{name: "query", target: "/x?api-version=2", wantStatus: 204, wantVer: "2", wantPath: "/x"},
	{name: "query encoded", target: "/x?a=1&api%2Dversion=%32&b", wantStatus: 204, wantVer: "2", wantPath: "/x"},
	{name: "query empty uses default", target: "/x?api-version=", wantStatus: 204, wantVer: "3", wantPath: "/x"},
	{name: "query repeated agrees", target: "/x?api-version=2&api-version=v2", wantStatus: 204, wantVer: "2", wantPath: "/x"},
	{name: "query repeated disagrees", target: "/x?api-version=2&api-version=1", wantStatus: 400, wantErr: version.ErrConflict},
	{name: "query unsupported", target: "/x?api-version=9", wantStatus: 400, wantErr: version.ErrUnsupported},
	{name: "query bad escape", target: "/x?api-version=%zz", wantStatus: 400, wantErr: version.ErrUnsupported},
	{name: "query conflicts with path", target: "/api/v2/x?api-version=1", wantStatus: 400, wantErr: version.ErrConflict},
	{name: "query agrees with a lower-weight Accept alternative", target: "/x?api-version=2", header: http.Header{"Accept": {mt + ";version=1, " + mt + ";version=2;q=0.5"}}, wantStatus: 204, wantVer: "2", wantPath: "/x"},
	{name: "query conflicts with Accept", target: "/x?api-version=2", header: http.Header{"Accept": {mt + ";version=1"}}, wantStatus: 400, wantErr: version.ErrConflict},
	{name: "unsupported Accept outranks unsupported query", target: "/x?api-version=9", header: http.Header{"Accept": {mt + ";version=8"}}, wantStatus: 406, wantErr: version.ErrNotAcceptable},
	{name: "query name is case-sensitive", target: "/x?API-VERSION=9", wantStatus: 204, wantVer: "3", wantPath: "/x"},

	// Life cycle.
	{name: "retired version is gone", target: "/x", header: http.Header{"API-Version": {"0"}}, wantStatus: 410, wantErr: version.ErrSunset},
	{name: "retired version in path is gone", target: "/api/v0/x", wantStatus: 410, wantErr: version.ErrSunset},
}

func TestNegotiation(t *testing.T) {
	served := []string{"1", "2", "3"} // "0" is past its sunset
	n, err := version.New(fullConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range negotiationCases {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest(tt.target, tt.header)
			orig := *r.URL
			gotVer, gotErr := n.Negotiate(r)
			if !errors.Is(gotErr, tt.wantErr) || (tt.wantErr == nil && gotErr != nil) {
				t.Errorf("Negotiate error = %v, want %v", gotErr, tt.wantErr)
			}
			if tt.wantErr == nil && gotVer != tt.wantVer {
				t.Errorf("Negotiate = %q, want %q", gotVer, tt.wantVer)
			}

			res, body, s := run(t, n.Handler, r)
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %s", res.StatusCode, tt.wantStatus, body)
			}
			if *r.URL != orig {
				t.Errorf("incoming URL modified: %+v, was %+v", *r.URL, orig)
			}
			if got := res.Header.Values("Vary"); !slices.Equal(got, []string{"Api-Version, Accept"}) {
				t.Errorf("Vary = %q", got)
			}
			if tt.wantStatus != http.StatusNoContent {
				if s.called {
					t.Error("handler ran on a rejected request")
				}
				if got := res.Header.Values("Api-Version"); len(got) != 0 {
					t.Errorf("rejection echoes a version: %q", got)
				}
				p := decodeProblem(t, res, body)
				switch res.StatusCode {
				case http.StatusGone:
					if p.SuccessorVersion != "3" || p.SuccessorLink != docV3 || p.Sunset != v0Sunset.Format(http.TimeFormat) {
						t.Errorf("410 body %s does not point to the successor", body)
					}
					checkLifecycle(t, res.Header, lifecycles["0"])
				case http.StatusNotAcceptable:
					if !slices.Equal(p.SupportedVersions, served) {
						t.Errorf("supported-versions = %q, want %q", p.SupportedVersions, served)
					}
				default:
					if errors.Is(tt.wantErr, version.ErrUnsupported) && !slices.Equal(p.SupportedVersions, served) {
						t.Errorf("supported-versions = %q, want %q", p.SupportedVersions, served)
					}
				}
				return
			}
			if !s.called {
				t.Fatal("handler not called")
			}
			if s.version != tt.wantVer {
				t.Errorf("FromContext = %q, want %q", s.version, tt.wantVer)
			}
			if s.path != tt.wantPath || s.rawPath != tt.wantRaw {
				t.Errorf("handler saw Path %q RawPath %q, want %q %q", s.path, s.rawPath, tt.wantPath, tt.wantRaw)
			}
			if got := res.Header.Values("Api-Version"); !slices.Equal(got, []string{tt.wantVer}) {
				t.Errorf("echoed API-Version = %q, want %q", got, tt.wantVer)
			}
			checkLifecycle(t, res.Header, lifecycles[tt.wantVer])
		})
	}
}

package version_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apisec-go/apisec/clientip"
	"github.com/apisec-go/apisec/principal"
	"github.com/apisec-go/apisec/version"
)

// clock is an injectable time source.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// Sunset and deprecation take effect at the exact instant configured,
// and the supported list in rejections follows the retirements.
func TestLifecycleOverTime(t *testing.T) {
	dep := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sunset := time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC)
	clk := &clock{}
	var logs bytes.Buffer
	n := version.MustNew(version.Config{
		Versions: []version.Version{
			{Name: "2024-06-20", Deprecated: dep, Sunset: sunset, Link: "/docs/2024-06-20", Successor: "2026-11-01"},
			{Name: "2026-11-01"},
		},
		Header: "Stripe-Version",
		Now:    clk.now,
		Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
	})
	tests := []struct {
		name       string
		at         time.Time
		header     string
		wantStatus int
		wantLog    string // event logged, or ""
		supported  []string
	}{
		{"before deprecation: headers, no log", dep.Add(-time.Second), "2024-06-20", 204, "", nil},
		{"at deprecation: logged", dep, "2024-06-20", 204, "version_deprecated_use", nil},
		{"just before sunset: served", sunset.Add(-time.Nanosecond), "2024-06-20", 204, "version_deprecated_use", nil},
		{"at sunset: gone", sunset, "2024-06-20", 410, "version_sunset_use", nil},
		{"current version: no log", sunset, "2026-11-01", 204, "", nil},
		{"unknown before sunset lists both", sunset.Add(-time.Second), "2025-01-01", 400, "input_validation_fail", []string{"2024-06-20", "2026-11-01"}},
		{"unknown after sunset lists the survivor", sunset, "2025-01-01", 400, "input_validation_fail", []string{"2026-11-01"}},
		{"missing after sunset lists the survivor", sunset, "", 400, "input_validation_fail", []string{"2026-11-01"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk.t = tt.at
			logs.Reset()
			r := httptest.NewRequest(http.MethodGet, "/charges", nil)
			if tt.header != "" {
				r.Header.Set("Stripe-Version", tt.header)
			}
			res, body, _ := run(t, n.Handler, r)
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tt.wantStatus, body)
			}
			if tt.header == "2024-06-20" {
				checkLifecycle(t, res.Header, lifecycle{deprecated: dep, sunset: sunset,
					rels: map[string]string{"deprecation": "/docs/2024-06-20", "sunset": "/docs/2024-06-20"}})
			}
			if tt.wantStatus == 204 {
				if got := res.Header.Get("Stripe-Version"); got != tt.header {
					t.Errorf("echo %q, want %q", got, tt.header)
				}
			}
			if tt.supported != nil {
				if p := decodeProblem(t, res, body); !slices.Equal(p.SupportedVersions, tt.supported) {
					t.Errorf("supported-versions %q, want %q", p.SupportedVersions, tt.supported)
				}
			}
			var event string
			if logs.Len() > 0 {
				var rec map[string]any
				if err := json.Unmarshal(logs.Bytes(), &rec); err != nil {
					t.Fatalf("log %s: %v", logs.Bytes(), err)
				}
				event, _ = rec["msg"].(string)
			}
			if event != tt.wantLog {
				t.Errorf("logged %q, want %q", event, tt.wantLog)
			}
		})
	}
}

func TestKeepServingAfterSunset(t *testing.T) {
	var logs bytes.Buffer
	n := version.MustNew(version.Config{
		Logger:   slog.New(slog.NewJSONHandler(&logs, nil)),
		Versions: []version.Version{{Name: "1", Deprecated: v0Dep, Sunset: v0Sunset, KeepServingAfterSunset: true}, {Name: "2"}},
		Now:      func() time.Time { return testNow },
	})
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("API-Version", "1")
	res, _, s := run(t, n.Handler, r)
	if res.StatusCode != 204 || s.version != "1" {
		t.Fatalf("status %d version %q", res.StatusCode, s.version)
	}
	checkLifecycle(t, res.Header, lifecycle{deprecated: v0Dep, sunset: v0Sunset})
	if _, err := n.Negotiate(r); err != nil {
		t.Fatalf("Negotiate: %v", err)
	}
	if !strings.Contains(logs.String(), `"level":"WARN","msg":"version_sunset_use","version":"1"`) || !strings.Contains(logs.String(), `"outcome":"served"`) {
		t.Errorf("use past the sunset not logged: %s", logs.String())
	}
}

// Owners of a deprecated version must learn who still calls it: the log
// names the principal and the client address (issue 10, Build 4), and
// never the request's own version text or credentials.
func TestDeprecatedUseIsLoggedWithPrincipalAndIP(t *testing.T) {
	var logs bytes.Buffer
	cfg := fullConfig()
	cfg.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	n := version.MustNew(cfg)
	r := httptest.NewRequest(http.MethodPost, "/api/v1/users", nil)
	r.Header.Set("Authorization", "Bearer secret-token")
	ctx := principal.NewContext(r.Context(), &principal.Principal{Subject: "svc-billing", Method: principal.MethodJWT})
	ctx = clientip.NewContext(ctx, netip.MustParseAddr("203.0.113.7"))
	res, _, _ := run(t, n.Handler, r.WithContext(ctx))
	if res.StatusCode != 204 {
		t.Fatalf("status %d", res.StatusCode)
	}
	var rec map[string]any
	if err := json.Unmarshal(logs.Bytes(), &rec); err != nil {
		t.Fatalf("log %q: %v", logs.String(), err)
	}
	want := map[string]any{
		"level": "INFO", "msg": "version_deprecated_use", "version": "1",
		"deprecated_at": v1Dep.Format(time.RFC3339), "sunset_at": v1Sunset.Format(time.RFC3339),
		"successor": "3", "subject": "svc-billing", "auth_method": "jwt",
		"client_ip": "203.0.113.7", "method": "POST", "outcome": "served",
	}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("log %s = %v, want %v", k, rec[k], v)
		}
	}
	if strings.Contains(logs.String(), "secret-token") {
		t.Error("log contains the bearer token")
	}
}

// A rejected value is attacker-controlled: it must reach neither the
// response nor the log (RFC 9457 §5, OWASP Logging Cheat Sheet).
func TestRejectionNeverEchoesRequestValue(t *testing.T) {
	var logs bytes.Buffer
	cfg := fullConfig()
	cfg.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	n := version.MustNew(cfg)
	const evil = "<script>alert(1)</script>\u0085"
	for _, r := range []*http.Request{
		newRequest("/x", http.Header{"API-Version": {evil}}),
		newRequest("/x?api-version="+strings.ReplaceAll(evil, "<", "%3C"), nil),
		newRequest("/x", http.Header{"Accept": {"application/vnd.acme+json;version=" + evil}}),
	} {
		res, body, _ := run(t, n.Handler, r)
		if res.StatusCode < 400 {
			t.Fatalf("status %d", res.StatusCode)
		}
		for _, out := range []string{string(body), logs.String(), strings.Join(res.Header.Values("Api-Version"), "")} {
			if strings.Contains(out, "script") || strings.Contains(out, "\u0085") {
				t.Errorf("request value echoed: %q", out)
			}
		}
	}
	if !strings.Contains(logs.String(), `"msg":"input_validation_fail"`) {
		t.Errorf("rejections not logged: %s", logs.String())
	}
}

func TestErrorHandlerReceivesTypedErrors(t *testing.T) {
	var gotErr error
	var gotVer string
	cfg := fullConfig()
	cfg.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		gotErr = err
		gotVer, _ = version.FromContext(r.Context())
		w.WriteHeader(http.StatusTeapot)
	}
	n := version.MustNew(cfg)
	tests := []struct {
		name    string
		r       *http.Request
		wantErr error
		wantVer string
	}{
		{"unsupported", newRequest("/x", http.Header{"API-Version": {"9"}}), version.ErrUnsupported, ""},
		{"conflict", newRequest("/api/v1/x?api-version=2", nil), version.ErrConflict, ""},
		{"not acceptable", newRequest("/x", http.Header{"Accept": {"application/vnd.acme+json;version=9"}}), version.ErrNotAcceptable, ""},
		{"malformed", newRequest("/api%2Fv1/x", nil), version.ErrMalformed, ""},
		{"sunset carries the version", newRequest("/x", http.Header{"API-Version": {"0"}}), version.ErrSunset, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotErr, gotVer = nil, ""
			res, _, s := run(t, n.Handler, tt.r)
			if res.StatusCode != http.StatusTeapot || s.called {
				t.Fatalf("status %d, handler called %v", res.StatusCode, s.called)
			}
			if !errors.Is(gotErr, tt.wantErr) || gotVer != tt.wantVer {
				t.Errorf("got %v %q, want %v %q", gotErr, gotVer, tt.wantErr, tt.wantVer)
			}
		})
	}
	n2 := version.MustNew(version.Config{Versions: []version.Version{{Name: "1"}}, ErrorHandler: cfg.ErrorHandler})
	run(t, n2.Handler, newRequest("/", nil))
	if !errors.Is(gotErr, version.ErrMissing) {
		t.Errorf("missing version: got %v", gotErr)
	}
}

// Headers set by outer middleware are kept: Vary and Link are added to,
// never overwritten (RFC 9110 §12.5.5, RFC 8288 §3).
func TestVaryAndLinkAreAddedNotOverwritten(t *testing.T) {
	n := version.MustNew(fullConfig())
	outer := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Vary", "Origin")
			w.Header().Set("Link", `</style.css>; rel="preload"`)
			n.Handler(next).ServeHTTP(w, r)
		})
	}
	res, _, _ := run(t, outer, newRequest("/x", http.Header{"API-Version": {"1"}}))
	if got := res.Header.Values("Vary"); !slices.Equal(got, []string{"Origin", "Api-Version, Accept"}) {
		t.Errorf("Vary = %q", got)
	}
	rels, err := linkRels(res.Header.Values("Link"))
	if err != nil || rels["preload"] != "/style.css" || rels["deprecation"] != docV1 {
		t.Errorf("Link = %q (%v)", res.Header.Values("Link"), err)
	}
}

// Each response gets its own header slices: a handler appending to one
// response's header must not write into another response's.
func TestHeaderValuesAreNotShared(t *testing.T) {
	n := version.MustNew(fullConfig())
	h := n.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Cookie")
		w.Header().Add("Api-Version", "tampered")
		w.Header().Add("Link", "</x>; rel=next")
	}))
	var first http.Header
	for i := range 2 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, newRequest("/x", http.Header{"API-Version": {"1"}}))
		if i == 0 {
			first = rec.Header()
			continue
		}
		for _, k := range []string{"Vary", "Api-Version", "Link"} {
			if got, want := rec.Header().Values(k), first.Values(k); !slices.Equal(got, want) {
				t.Errorf("%s = %q, first response %q", k, got, want)
			}
		}
	}
	if got := first.Values("Api-Version"); !slices.Equal(got, []string{"1", "tampered"}) {
		t.Errorf("Api-Version = %q", got)
	}
}

func TestResponseHeaderName(t *testing.T) {
	n := version.MustNew(version.Config{Versions: []version.Version{{Name: "1"}}, Default: "1",
		Header: "X-API-Version", ResponseHeader: "api-supported-version"})
	res, _, _ := run(t, n.Handler, newRequest("/", nil))
	if got := res.Header.Values("Api-Supported-Version"); !slices.Equal(got, []string{"1"}) {
		t.Errorf("echo = %q", got)
	}
	if got := res.Header.Values("Vary"); !slices.Equal(got, []string{"X-Api-Version"}) {
		t.Errorf("Vary = %q", got)
	}
}

func TestFromContextOutsideHandler(t *testing.T) {
	if v, ok := version.FromContext(httptest.NewRequest(http.MethodGet, "/", nil).Context()); ok || v != "" {
		t.Fatalf("FromContext = %q, %v", v, ok)
	}
}

// The Sunset header carries whole seconds; the 410 starts at the second
// the header names, not at a hidden sub-second instant after it.
func TestSunsetTakesEffectAtTheAdvertisedSecond(t *testing.T) {
	sunset := time.Date(2027, 1, 1, 0, 0, 0, 900_000_000, time.UTC)
	clk := &clock{t: time.Date(2027, 1, 1, 0, 0, 0, 100_000_000, time.UTC)}
	n := version.MustNew(version.Config{
		Versions: []version.Version{{Name: "1", Sunset: sunset}, {Name: "2"}},
		Now:      clk.now,
	})
	res, _, _ := run(t, n.Handler, newRequest("/", http.Header{"API-Version": {"1"}}))
	if res.StatusCode != http.StatusGone {
		t.Fatalf("status %d", res.StatusCode)
	}
	if got, err := parseIMFFixdate(res.Header.Get("Sunset")); err != nil || !got.Equal(sunset.Truncate(time.Second)) {
		t.Fatalf("Sunset %q: %v", res.Header.Get("Sunset"), err)
	}
	clk.t = sunset.Truncate(time.Second).Add(-time.Nanosecond)
	if res, _, _ := run(t, n.Handler, newRequest("/", http.Header{"API-Version": {"1"}})); res.StatusCode != http.StatusNoContent {
		t.Fatalf("before the advertised second: status %d", res.StatusCode)
	}
}

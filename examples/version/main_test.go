package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestExampleServesBothVersions(t *testing.T) {
	var logs bytes.Buffer
	at := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) // v1 deprecated, not yet retired
	h, err := newHandler(slog.New(slog.NewJSONHandler(&logs, nil)), func() time.Time { return at })
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	tests := []struct {
		path, header  string
		status        int
		body, version string
		deprecated    bool
	}{
		{"/api/v1/users", "", 200, `["alice","bob"]`, "1", true},
		{"/api/v2/users", "", 200, `{"users":[{"name":"alice"},{"name":"bob"}]}`, "2", false},
		{"/api/users", "1", 200, `["alice","bob"]`, "1", true},
		{"/api/users", "", 200, `{"users":[{"name":"alice"},{"name":"bob"}]}`, "2", false},
		{"/api/v3/users", "", 400, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.header, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+tt.path, nil)
			if tt.header != "" {
				req.Header.Set("API-Version", tt.header)
			}
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tt.status || (tt.body != "" && strings.TrimSpace(string(body)) != tt.body) {
				t.Fatalf("%d %s", res.StatusCode, body)
			}
			if got := res.Header.Get("API-Version"); got != tt.version {
				t.Errorf("API-Version %q, want %q", got, tt.version)
			}
			if got := res.Header.Get("Deprecation") != ""; got != tt.deprecated {
				t.Errorf("Deprecation present = %v, want %v", got, tt.deprecated)
			}
		})
	}
	if !strings.Contains(logs.String(), `"msg":"version_deprecated_use"`) {
		t.Errorf("deprecated use not logged: %s", logs.String())
	}
}

func TestExampleRetiresV1AfterSunset(t *testing.T) {
	at := time.Date(2027, 7, 1, 0, 0, 0, 0, time.UTC)
	h, err := newHandler(slog.New(slog.DiscardHandler), func() time.Time { return at })
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/users", nil))
	if rec.Code != http.StatusGone || !strings.Contains(rec.Body.String(), `"successor-version":"2"`) {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
}

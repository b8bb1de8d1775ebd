package audit_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
)

type dbConfig struct {
	Host     string `json:"host"`
	Password string `json:"pw,omitempty"` // sensitive by its Go name
	Internal string `json:"-"`
	Note     string
	Labels   map[string]string
	secret   string
	Embedded
}

type Embedded struct{ Region string }

type role string

type opaque struct{ v string }

func (o opaque) String() string { return "opaque " + o.v }

type node struct {
	Name string
	Next *node
}

// TestRedactsInsideAnyValues: maps (http.Header, url.Values and any
// string-keyed map), structs and slices logged with slog.Any are opened
// into groups and lists whose members are redacted by key and cleaned
// like top-level attributes; other kinds are cleaned as text.
func TestRedactsInsideAnyValues(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2ln")
	r.Header.Set("Cookie", "sid=hunter2")
	r.Header.Set("Accept", "*/*")
	loop := &node{Name: "a"}
	loop.Next = loop
	tests := []struct {
		name string
		v    any
		want string // the JSON of the value
	}{
		{"http.Header", r.Header, `{"Accept":["*/*"],"Authorization":"[REDACTED]","Cookie":"[REDACTED]"}`},
		{"map[string]string", map[string]string{"password": "hunter2", "user": "u\u0085"}, `{"password":"[REDACTED]","user":"u\\u0085"}`},
		{"url.Values", url.Values{"access_token": {"hunter2"}, "q": {"a\x7f"}}, `{"access_token":"[REDACTED]","q":["a\\x7f"]}`},
		{"nested maps", map[string]any{"db": map[string]any{"dsn_password": "hunter2", "port": 5432}},
			`{"db":{"dsn_password":"[REDACTED]","port":5432}}`},
		{"struct", dbConfig{Host: "db\u2028", Password: "hunter2", Internal: "i", Note: "Bearer mF_9.B5f-4.1JqM", Labels: map[string]string{"api_key": "k"}, secret: "hunter2", Embedded: Embedded{"eu"}},
			`{"host":"db\\u2028","pw":"[REDACTED]","Note":"Bearer [REDACTED]","Labels":{"api_key":"[REDACTED]"},"Region":"eu"}`},
		{"pointer to struct", &dbConfig{Host: "h", Password: "hunter2"}, `{"host":"h","pw":"[REDACTED]","Note":"","Labels":null,"Region":""}`},
		{"struct with control characters", struct{ A, B string }{"x\u0085y", "z\x7f"}, `{"A":"x\\u0085y","B":"z\\x7f"}`},
		{"non-string keys", map[int]string{2: "b", 1: "a\nb"}, `{"1":"a\\nb","2":"b"}`},
		{"slice of any", []any{"a\u2028", 1, map[string]string{"secret": "hunter2"}}, `["a\\u2028",1,{"secret":"[REDACTED]"}]`},
		{"slice of numbers", []int{1, 2}, `[1,2]`},
		{"named string", role("admin\u0085"), `"admin\\u0085"`},
		{"TextMarshaler", netip.MustParseAddr("192.0.2.1"), `"192.0.2.1"`},
		{"raw JSON to clean", json.RawMessage("{\"a\":\"x\u0085\"}"), `"{\"a\":\"x\\u0085\"}"`},
		{"raw JSON", json.RawMessage(`{"a":1}`), `{"a":1}`},
		{"Stringer without fields", opaque{"x\u0085"}, `"opaque x\\u0085"`},
		{"empty map", map[string]string{}, `{}`},
		{"nil map", map[string]string(nil), `null`},
		{"nil pointer", (*dbConfig)(nil), `null`},
		{"cycle", loop, `{"Name":"a","Next":{"Name":"a","Next":{"Name":"a","Next":{"Name":"a","Next":{"Name":"a","Next":{"Name":"a","Next":{"Name":"a","Next":{"Name":"a","Next":"...[truncated]"}}}}}}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c capture
			auditLogger(t, &c, nil).Info("m", "v", tt.v)
			line := c.String()
			i := strings.Index(line, `"v":`)
			if i < 0 {
				t.Fatalf("no value in %s", line)
			}
			if got := strings.TrimSuffix(line[i+len(`"v":`):], "}\n"); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if strings.Contains(line, "hunter2") || strings.Contains(line, "eyJ") {
				t.Errorf("secret leaked: %s", line)
			}
		})
	}
}

// TestAnyValueCostIsBounded: a value with many members or deep nesting is
// cut, with a marker, so that its cleaning costs bounded work.
func TestAnyValueCostIsBounded(t *testing.T) {
	big := map[string]string{}
	list := make([]string, 100)
	wide := map[string][]string{}
	for i := range 100 {
		big[fmt.Sprintf("k%03d", i)] = "v"
		list[i] = "x"
		wide[fmt.Sprintf("h%02d", i)] = list
	}
	var c capture
	auditLogger(t, &c, nil).Info("m", "big", big, "list", list, "wide", wide)
	rec := c.records(t)[0]
	if m := rec["big"].(map[string]any); len(m) != 65 || m["...[truncated]"] != float64(36) {
		t.Errorf("map of 100 entries gave %d members, marker %v", len(m), m["...[truncated]"])
	}
	if l := rec["list"].([]any); len(l) != 65 || l[64] != "...[truncated]" {
		t.Errorf("list of 100 gave %d elements, last %v", len(l), l[len(l)-1])
	}
	members := 0
	for _, v := range rec["wide"].(map[string]any) {
		members++
		if l, ok := v.([]any); ok {
			members += len(l)
		}
	}
	if members > 256+64+2 {
		t.Errorf("%d members kept of a 100x100 map", members)
	}
}

package version_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apisec-go/apisec/internal/configtest"
	"github.com/apisec-go/apisec/version"
)

// configErrors returns the messages of every *ConfigError joined in err.
func configErrors(t *testing.T, err error) []string {
	t.Helper()
	var msgs []string
	for _, ce := range configtest.Leaves[version.ConfigError](t, err) {
		if !strings.HasPrefix(ce.Error(), "version: "+ce.Field+": ") {
			t.Errorf("message %q does not name the field %q", ce.Error(), ce.Field)
		}
		msgs = append(msgs, ce.Error())
	}
	return msgs
}

func TestNewRejectsBadConfig(t *testing.T) {
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	v := func(names ...string) []version.Version {
		var vs []version.Version
		for _, n := range names {
			vs = append(vs, version.Version{Name: n})
		}
		return vs
	}
	tests := []struct {
		name string
		cfg  version.Config
		want []string
	}{
		{"no versions", version.Config{}, []string{
			"version: Versions: at least one version is required"}},
		{"bad names", version.Config{Versions: v("", "v2", "01", "1.2.3.4", "2026-02-30", "latest")}, []string{
			"version: Versions[0].Name: empty version name",
			`version: Versions[1].Name: "v2" is neither a number like "2" or "1.1" (at most three components, no leading zeros) nor a date like "2026-11-01"`,
			`version: Versions[2].Name: "01" is neither a number like "2" or "1.1" (at most three components, no leading zeros) nor a date like "2026-11-01"`,
			`version: Versions[3].Name: "1.2.3.4" is neither a number like "2" or "1.1" (at most three components, no leading zeros) nor a date like "2026-11-01"`,
			`version: Versions[4].Name: "2026-02-30" is not a valid calendar date`,
			`version: Versions[5].Name: "latest" is neither a number like "2" or "1.1" (at most three components, no leading zeros) nor a date like "2026-11-01"`}},
		{"duplicate after normalisation", version.Config{Versions: v("2", "2.0")}, []string{
			`version: Versions[1].Name: "2.0" duplicates Versions[0] ("2")`}},
		{"dates and numbers mixed", version.Config{Versions: v("1", "2026-11-01")}, []string{
			"version: Versions: mixes dates and numbers, which cannot be ordered"}},
		{"default not configured", version.Config{Versions: v("1"), Default: "2"}, []string{
			`version: Default: "2" is not one of Versions`}},
		{"sunset before deprecation", version.Config{Versions: []version.Version{{Name: "1", Deprecated: d(2027, 1, 1), Sunset: d(2026, 1, 1)}}}, []string{
			"version: Versions[0].Sunset: is earlier than Deprecated; a version cannot be retired before it is deprecated (RFC 8594 §3)"}},
		{"dates out of range", version.Config{Versions: []version.Version{{Name: "1", Deprecated: d(1969, 12, 31), Sunset: d(10000, 1, 1)}}}, []string{
			"version: Versions[0].Deprecated: must lie between 1970 and 9999",
			"version: Versions[0].Sunset: must lie between 1970 and 9999"}},
		{"bad links", version.Config{Versions: []version.Version{{Name: "1", Deprecated: d(2026, 1, 1),
			Link: "http://example.com/docs", SuccessorLink: "https://example.com/a b"}}}, []string{
			"version: Versions[0].Link: must be an https URL without credentials, or an absolute path",
			`version: Versions[0].SuccessorLink: must be printable ASCII without spaces, '<', '>', '"' or '\' (percent-encode them)`}},
		{"link header injection", version.Config{Versions: []version.Version{{Name: "1", Sunset: d(2026, 1, 1),
			Link: `https://example.com/>; rel="successor-version"`, SuccessorLink: "//evil.example/x"}}}, []string{
			`version: Versions[0].Link: must be printable ASCII without spaces, '<', '>', '"' or '\' (percent-encode them)`,
			"version: Versions[0].SuccessorLink: must be an https URL without credentials, or an absolute path"}},
		{"link with credentials", version.Config{Versions: []version.Version{{Name: "1", Sunset: d(2026, 1, 1), Link: "https://user:pw@example.com/"}}}, []string{
			"version: Versions[0].Link: must be an https URL without credentials, or an absolute path"}},
		{"link without dates", version.Config{Versions: []version.Version{{Name: "1", Link: "/docs"}}}, []string{
			"version: Versions[0].Link: is only sent with Deprecated or Sunset; set one of them"}},
		{"keep serving without sunset", version.Config{Versions: []version.Version{{Name: "1", KeepServingAfterSunset: true}}}, []string{
			"version: Versions[0].KeepServingAfterSunset: has no effect without Sunset"}},
		{"successors", version.Config{Versions: []version.Version{{Name: "1", Successor: "4"}, {Name: "2", Successor: "1"}, {Name: "3", Successor: "3.0"}}}, []string{
			`version: Versions[0].Successor: "4" is not one of Versions`,
			`version: Versions[1].Successor: "1" is not newer than "2"`,
			`version: Versions[2].Successor: "3" is not newer than "3"`}},
		{"source settings without their source", version.Config{Versions: v("1"), Sources: version.SourcePath,
			Header: "X-Version", MediaType: "application/vnd.acme+json", QueryParam: "v"}, []string{
			"version: Header: set, but Sources does not include SourceHeader",
			"version: MediaType: set, but Sources does not include SourceMediaType",
			"version: QueryParam: set, but Sources does not include SourceQuery"}},
		{"prefix without path source", version.Config{Versions: v("1"), PathPrefix: "/api"}, []string{
			"version: PathPrefix: set, but Sources does not include SourcePath"}},
		{"media type source without media type", version.Config{Versions: v("1"), Sources: version.SourceMediaType}, []string{
			"version: MediaType: required with SourceMediaType"}},
		{"malformed names", version.Config{Versions: v("1"), Sources: version.SourceHeader | version.SourceMediaType | version.SourceQuery,
			Header: "API Version", ResponseHeader: "X:V", MediaType: "application/*", QueryParam: "v&x=1"}, []string{
			`version: Header: "API Version" is not a valid header field name`,
			`version: ResponseHeader: "X:V" is not a valid header field name`,
			`version: MediaType: "application/*" is not a media type like "application/vnd.acme+json" (no parameters)`,
			`version: QueryParam: "v&x=1" must hold only letters, digits, '-', '_' and '.'`}},
		{"media type with parameters", version.Config{Versions: v("1"), Sources: version.SourceMediaType, MediaType: "application/json; version=1"}, []string{
			`version: MediaType: "application/json; version=1" is not a media type like "application/vnd.acme+json" (no parameters)`}},
		{"unknown source", version.Config{Versions: v("1"), Sources: version.SourceQuery | 0x80}, []string{
			"version: Sources: unknown source bits in query|Source(0x80)"}},
	}
	for _, p := range []struct{ prefix, reason string }{
		{"api", `"api" must start with "/"`},
		{"/", `"/" is the root: leave PathPrefix empty instead`},
		{"/api/", `"/api/" must not end with "/"`},
		{"/api//v", `"/api//v" has an empty, "." or ".." segment`},
		{"/api/../admin", `"/api/../admin" has an empty, "." or ".." segment`},
		{"/a%2Fb", `"/a%2Fb" may hold only unreserved characters (RFC 3986 §2.3) and "/"`},
	} {
		tests = append(tests, struct {
			name string
			cfg  version.Config
			want []string
		}{"path prefix " + p.prefix, version.Config{Versions: v("1"), Sources: version.SourcePath, PathPrefix: p.prefix},
			[]string{"version: PathPrefix: " + p.reason}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := version.New(tt.cfg)
			if n != nil {
				t.Error("New returned a Negotiator with an error")
			}
			if got := configErrors(t, err); !slices.Equal(got, tt.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestNewAcceptsGoodConfigs(t *testing.T) {
	tests := []struct {
		name string
		cfg  version.Config
		want []string
	}{
		{"minimal", version.Config{Versions: []version.Version{{Name: "1"}}}, []string{"1"}},
		{"numbers sorted numerically", version.Config{Versions: []version.Version{{Name: "10"}, {Name: "9"}, {Name: "1.10"}, {Name: "1.9"}}}, []string{"1.9", "1.10", "9", "10"}},
		{"dates sorted chronologically", version.Config{Versions: []version.Version{{Name: "2026-11-01"}, {Name: "2024-06-20"}, {Name: "2025-01-31"}}}, []string{"2024-06-20", "2025-01-31", "2026-11-01"}},
		{"full", fullConfig(), []string{"0", "1", "2", "3"}},
		{"sunset equal to deprecation", version.Config{Versions: []version.Version{{Name: "1", Deprecated: testNow, Sunset: testNow, Link: "/docs/v1"}}}, []string{"1"}},
		{"keep serving", version.Config{Versions: []version.Version{{Name: "1", Sunset: testNow, KeepServingAfterSunset: true}}}, []string{"1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := version.New(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got := n.Versions(); !slices.Equal(got, tt.want) {
				t.Errorf("Versions() = %q, want %q", got, tt.want)
			}
		})
	}
}

// Mutating the Config after New must not change the Negotiator.
func TestConfigIsCopied(t *testing.T) {
	cfg := version.Config{Versions: []version.Version{{Name: "1"}, {Name: "2"}}, Default: "2"}
	n := version.MustNew(cfg)
	cfg.Versions[0].Name = "9"
	cfg.Versions[1].Sunset = testNow
	got, err := n.Negotiate(newRequest("/", nil))
	if err != nil || got != "2" {
		t.Fatalf("Negotiate = %q, %v", got, err)
	}
	if got := n.Versions(); !slices.Equal(got, []string{"1", "2"}) {
		t.Fatalf("Versions() = %q", got)
	}
}

func TestMustNewPanicsOnBadConfig(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("MustNew did not panic")
		}
	}()
	version.MustNew(version.Config{})
}

func TestSourceString(t *testing.T) {
	for s, want := range map[version.Source]string{
		0: "none", version.SourceHeader: "header",
		version.SourceHeader | version.SourcePath | version.SourceMediaType | version.SourceQuery: "header|path|media type|query",
	} {
		if got := s.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", s, got, want)
		}
	}
}

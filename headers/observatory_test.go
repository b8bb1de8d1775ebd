package headers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apisec-go/apisec/headers"
	"github.com/apisec-go/apisec/internal/testenv"
)

// observatoryDir holds the test-only npm install of Mozilla's HTTP
// Observatory (.ci/setup.d/headers.sh installs it).
const observatoryDir = "testdata/observatory"

func needObservatory(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		testenv.Missing(t, "node not found: install the Debian package nodejs (and npm) to grade headers with the HTTP Observatory")
	}
	if _, err := os.Stat(filepath.Join(observatoryDir, "node_modules", "@mdn", "mdn-http-observatory", "package.json")); err != nil {
		testenv.Missing(t, "@mdn/mdn-http-observatory not installed: run .ci/setup.d/headers.sh (npm install --ignore-scripts in "+observatoryDir+")")
	}
	return node
}

type capturedResponse struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body,omitempty"`
}

type redirectHop struct {
	URL    string `json:"url"`
	Status int    `json:"status"`
}

type observatoryInput struct {
	Hostname      string            `json:"hostname"`
	URL           string            `json:"url"`
	Auto          *capturedResponse `json:"auto"`
	HTTP          *capturedResponse `json:"http"`
	HTTPS         *capturedResponse `json:"https"`
	CORS          *capturedResponse `json:"cors"`
	HTTPRedirects []redirectHop     `json:"httpRedirects"`
}

type observatoryResult struct {
	Score int    `json:"score"`
	Grade string `json:"grade"`
	Tests map[string]struct {
		Result   string `json:"result"`
		Pass     bool   `json:"pass"`
		Modifier int    `json:"modifier"`
	} `json:"tests"`
}

func capture(t *testing.T, resp *http.Response) *capturedResponse {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	c := &capturedResponse{Status: resp.StatusCode, Headers: map[string]string{}, Body: string(body)}
	for k, v := range resp.Header {
		c.Headers[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	return c
}

// TestObservatoryGradesAPlus serves both profiles over real HTTP and HTTPS
// listeners, captures the responses (the HTTP to HTTPS redirect chain
// included) and grades them with the scoring functions of Mozilla's HTTP
// Observatory. Both must score A+ (at least 100), as issue 6 requires.
func TestObservatoryGradesAPlus(t *testing.T) {
	node := needObservatory(t)
	pages := map[headers.Profile]http.HandlerFunc{
		headers.ProfileAPI: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"status":"ok"}`)
		},
		headers.ProfileHTML: func(w http.ResponseWriter, r *http.Request) {
			n := headers.Nonce(r.Context())
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!doctype html><html><head><title>t</title><style nonce="%s">p{color:red}</style></head>`+
				`<body><p>hello</p><script nonce="%s">document.title="ok"</script></body></html>`, n, n)
		},
	}
	for _, profile := range []headers.Profile{headers.ProfileAPI, headers.ProfileHTML} {
		t.Run("profile="+profile.String(), func(t *testing.T) {
			tlsSrv := httptest.NewUnstartedServer(nil)
			tlsSrv.StartTLS()
			defer tlsSrv.Close()
			tlsURL, _ := url.Parse(tlsSrv.URL)
			var port int
			fmt.Sscan(tlsURL.Port(), &port)

			m := mustNew(t, headers.Config{
				Profile:       profile,
				RedirectHTTPS: true,
				HTTPSPort:     port,
				AllowedHosts:  []string{"127.0.0.1"},
				HSTSPreload:   true,
			})
			tlsSrv.Config.Handler = m.Handler(pages[profile])
			plain := httptest.NewServer(m.Handler(pages[profile]))
			defer plain.Close()

			client := tlsSrv.Client()
			client.Timeout = 10 * time.Second
			var hops []redirectHop
			client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
				hops = append(hops, redirectHop{URL: via[len(via)-1].URL.String(), Status: req.Response.StatusCode})
				return nil
			}
			// The first hop, captured without following.
			noFollow := *client
			noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			resp, err := noFollow.Get(plain.URL + "/")
			if err != nil {
				t.Fatal(err)
			}
			httpResp := capture(t, resp)
			if httpResp.Status != http.StatusPermanentRedirect {
				t.Fatalf("plain HTTP answered %d, want 308", httpResp.Status)
			}

			resp, err = client.Get(plain.URL + "/")
			if err != nil {
				t.Fatal(err)
			}
			hops = append(hops, redirectHop{URL: resp.Request.URL.String(), Status: resp.StatusCode})
			auto := capture(t, resp)

			pre, _ := http.NewRequest(http.MethodOptions, tlsSrv.URL+"/", nil)
			pre.Header.Set("Origin", "https://http-observatory.security.mozilla.org")
			pre.Header.Set("Access-Control-Request-Method", "GET")
			resp, err = client.Do(pre)
			if err != nil {
				t.Fatal(err)
			}
			cors := capture(t, resp)

			in := observatoryInput{
				Hostname: "127.0.0.1", URL: tlsSrv.URL + "/",
				Auto: auto, HTTP: httpResp, HTTPS: auto, CORS: cors, HTTPRedirects: hops,
			}
			res := grade(t, node, in)
			t.Logf("HTTP Observatory: profile %s scores %d (%s)", profile, res.Score, res.Grade)
			for _, name := range slices.Sorted(maps.Keys(res.Tests)) {
				tr := res.Tests[name]
				t.Logf("  %-30s %-62s %+d", name, tr.Result, tr.Modifier)
				if !tr.Pass {
					t.Errorf("observatory test %s failed: %s", name, tr.Result)
				}
			}
			if res.Score < 100 || res.Grade != "A+" {
				t.Errorf("profile %s: score %d grade %s, want A+ (>= 100)", profile, res.Score, res.Grade)
			}
		})
	}
}

func grade(t *testing.T, node string, in observatoryInput) observatoryResult {
	t.Helper()
	payload, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "score.mjs")
	cmd.Dir = observatoryDir
	cmd.Stdin = bytes.NewReader(payload)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("score.mjs: %v\n%s", err, stderr.String())
	}
	var res observatoryResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("score.mjs output %q: %v", out, err)
	}
	return res
}

// TestObservatoryControlFails grades a server without the middleware, to
// show the grading can fail: the same capture must not reach A+.
func TestObservatoryControlFails(t *testing.T) {
	node := needObservatory(t)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, "<p>hi</p>")
	}))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	auto := capture(t, resp)
	res := grade(t, node, observatoryInput{
		Hostname: "127.0.0.1", URL: srv.URL + "/", Auto: auto, HTTP: auto, HTTPS: auto, CORS: auto,
		HTTPRedirects: []redirectHop{{URL: srv.URL + "/", Status: 200}},
	})
	t.Logf("HTTP Observatory: no middleware scores %d (%s)", res.Score, res.Grade)
	if res.Score >= 100 || res.Grade == "A+" {
		t.Errorf("bare server scored %d %s; the grading cannot fail", res.Score, res.Grade)
	}
}

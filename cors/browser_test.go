package cors_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apisec-go/apisec/cors"
	"github.com/apisec-go/apisec/internal/testenv"
)

// browserPage is the script the browser runs from the page origin. Each
// step calls the API origin with fetch() and records whether the call was
// readable; the results are written into the DOM for --dump-dom.
const browserPage = `<!doctype html><title>cors</title><pre id="out">pending</pre><script>
const api = %q;
async function step(name, url, init) {
  try {
    const r = await fetch(api + url, init);
    return [name, "ok:" + r.status + ":" + (await r.text())];
  } catch (e) {
    return [name, "blocked"];
  }
}
(async () => {
  const res = {};
  const steps = [
    ["allowed", "/allowed/data", {}],
    ["disallowed", "/denied/data", {}],
    ["credentialed", "/allowed/whoami", {credentials: "include"}],
    ["credentials-not-configured", "/nocreds/whoami", {credentials: "include"}],
    ["put-with-authorization", "/allowed/item", {method: "PUT", headers: {"Authorization": "Bearer t0k3n", "Content-Type": "application/json"}, body: "{}"}],
    ["put-again-cached", "/allowed/item", {method: "PUT", headers: {"Authorization": "Bearer t0k3n", "Content-Type": "application/json"}, body: "{}"}],
    ["put-nocache-1", "/nocache/item", {method: "PUT", headers: {"Authorization": "Bearer t0k3n"}}],
    ["put-nocache-2", "/nocache/item", {method: "PUT", headers: {"Authorization": "Bearer t0k3n"}}],
    ["wildcard-headers-authorization", "/wildcard/item", {method: "PUT", headers: {"Authorization": "Bearer t0k3n"}}],
    ["wildcard-headers-custom", "/wildcard/item", {method: "PUT", headers: {"X-Custom": "1"}}],
    ["exposed-header", "/allowed/exposed", {}],
  ];
  for (const [name, url, init] of steps) {
    const [n, v] = await step(name, url, init);
    res[n] = v;
  }
  try {
    const r = await fetch(api + "/allowed/exposed");
    res["exposed-header-read"] = String(r.headers.get("X-Total-Count")) + "," + String(r.headers.get("X-Secret"));
  } catch (e) { res["exposed-header-read"] = "blocked"; }
  document.getElementById("out").textContent = "RESULT " + JSON.stringify(res) + " END";
})();
</script>`

func TestRealBrowser(t *testing.T) {
	chromium := testenv.Chromium(t)

	// Two loopback origins: the page on one port, the API on another.
	pageLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pageOrigin := "http://" + pageLn.Addr().String()

	var mu sync.Mutex
	preflights := map[string]int{}
	api := http.NewServeMux()
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			t.Errorf("preflight for %s reached the handler", r.URL.Path)
		}
		switch {
		case strings.HasSuffix(r.URL.Path, "/whoami"):
			c, err := r.Cookie("sid")
			if err != nil {
				fmt.Fprint(w, "anonymous")
				return
			}
			fmt.Fprint(w, "sid="+c.Value)
		case strings.HasSuffix(r.URL.Path, "/exposed"):
			w.Header().Set("X-Total-Count", "42")
			w.Header().Set("X-Secret", "hidden")
			fmt.Fprint(w, "exposed")
		default:
			fmt.Fprint(w, r.Method+" "+r.Header.Get("Authorization"))
		}
	})
	countPreflights := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodOptions {
				mu.Lock()
				preflights[r.URL.Path]++
				mu.Unlock()
			}
			next.ServeHTTP(w, r)
		})
	}
	mount := func(prefix string, cfg cors.Config) {
		m, err := cors.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		api.Handle(prefix+"/", countPreflights(m.Handler(app)))
	}
	mount("/allowed", cors.Config{
		Origins:        []string{pageOrigin},
		Methods:        []string{"PUT"},
		RequestHeaders: []string{"Authorization", "Content-Type"},
		ExposedHeaders: []string{"X-Total-Count"},
		Credentials:    true,
		MaxAge:         600 * time.Second,
	})
	mount("/denied", cors.Config{Origins: []string{"https://app.example.com"}})
	mount("/nocreds", cors.Config{Origins: []string{pageOrigin}})
	mount("/nocache", cors.Config{
		Origins:        []string{pageOrigin},
		Methods:        []string{"PUT"},
		RequestHeaders: []string{"Authorization"},
		MaxAge:         -1, // Access-Control-Max-Age: 0
	})
	mount("/wildcard", cors.Config{
		Origins:        []string{pageOrigin},
		Methods:        []string{"PUT"},
		RequestHeaders: []string{"*"},
	})
	apiSrv := httptest.NewServer(api)
	defer apiSrv.Close()

	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		// Cookies are per host, not per port: this one goes to the API too.
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "s3ss10n", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, browserPage, apiSrv.URL)
	})
	pageSrv := &http.Server{Handler: page, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = pageSrv.Serve(pageLn) }()
	defer pageSrv.Close()

	out := testenv.DumpDOM(t, chromium, pageOrigin+"/", 20*time.Second)
	start := strings.Index(out, "RESULT ")
	end := strings.Index(out, " END")
	if start < 0 || end < start {
		t.Fatalf("page did not finish; DOM:\n%s", truncateForLog(out))
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(html.UnescapeString(out[start+len("RESULT "):end])), &got); err != nil {
		t.Fatalf("bad result %q: %v", out[start:end], err)
	}
	t.Logf("fetch outcomes: %v", got)
	want := map[string]string{
		"allowed":                        "ok:200:GET ",
		"disallowed":                     "blocked",
		"credentialed":                   "ok:200:sid=s3ss10n",
		"credentials-not-configured":     "blocked",
		"put-with-authorization":         "ok:200:PUT Bearer t0k3n",
		"put-again-cached":               "ok:200:PUT Bearer t0k3n",
		"put-nocache-1":                  "ok:200:PUT Bearer t0k3n",
		"put-nocache-2":                  "ok:200:PUT Bearer t0k3n",
		"wildcard-headers-authorization": "blocked",
		"wildcard-headers-custom":        "ok:200:PUT ",
		"exposed-header":                 "ok:200:exposed",
		"exposed-header-read":            "42,null",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: got %q, want %q", k, got[k], w)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	// The preflight cache: Max-Age 600 means one preflight for two PUTs;
	// Max-Age 0 means one per PUT.
	if n := preflights["/allowed/item"]; n != 1 {
		t.Errorf("preflights for /allowed/item = %d, want 1 (cached by Access-Control-Max-Age)", n)
	}
	if n := preflights["/nocache/item"]; n != 2 {
		t.Errorf("preflights for /nocache/item = %d, want 2 (Access-Control-Max-Age: 0)", n)
	}
}

func truncateForLog(s string) string {
	if len(s) > 4000 {
		return s[:4000] + "..."
	}
	return s
}

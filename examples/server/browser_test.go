package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/apisec-go/apisec/internal/testenv"
)

// journeyPage runs in the browser on the page's origin: it registers, logs
// in and lists users on the API origin with fetch(). The JSON bodies and
// the Authorization header make every call a CORS preflight.
const journeyPage = `<!doctype html><title>journey</title><pre id="out">pending</pre><script>
const api = %q;
const json = {"Content-Type": "application/json"};
async function call(path, init) {
  try {
    const r = await fetch(api + path, init);
    return r.status + ":" + (r.headers.get("RateLimit") ? "ratelimit" : "-") + ":" + (await r.text()).length;
  } catch (e) { return "blocked"; }
}
(async () => {
  const out = [];
  out.push("register=" + await call("/api/users", {method: "POST", headers: json,
    body: JSON.stringify({email: "browser@example.com", password: "amber-violin-harbor-93", name: "Browser", age: 33})}));
  let token = "";
  try {
    const r = await fetch(api + "/api/login", {method: "POST", headers: json,
      body: JSON.stringify({email: "browser@example.com", password: "amber-violin-harbor-93"})});
    token = (await r.json()).token || "";
    out.push("login=" + r.status);
  } catch (e) { out.push("login=blocked"); }
  out.push("list=" + await call("/api/v2/users", {headers: {"Authorization": "Bearer " + token}}));
  document.getElementById("out").textContent = "done " + out.join(" ");
})();
</script>`

// TestBrowserCORS loads pages from two other loopback origins in headless
// Chromium: the allowed one completes the journey through preflights with
// Authorization; the disallowed one is blocked by the browser.
func TestBrowserCORS(t *testing.T) {
	chromium := testenv.Chromium(t)
	page := func(api string, ln net.Listener) *httptest.Server {
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, journeyPage, api)
		}))
		if ln != nil {
			srv.Listener.Close()
			srv.Listener = ln
		}
		srv.Start()
		return srv
	}
	// The allowed page's origin must be known before the API starts.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, "CORS_ORIGINS=http://"+ln.Addr().String())
	allowedPage := page(s.URL, ln)
	defer allowedPage.Close()
	deniedPage := page(s.URL, nil)
	defer deniedPage.Close()

	dom := testenv.DumpDOM(t, chromium, allowedPage.URL, 30*time.Second)
	want := regexp.MustCompile(`done register=201:ratelimit:\d+ login=200 list=200:ratelimit:\d+`)
	if !want.MatchString(dom) {
		t.Fatalf("allowed origin: %s", extractOut(dom))
	}
	dom = testenv.DumpDOM(t, chromium, deniedPage.URL, 30*time.Second)
	if !strings.Contains(dom, "done register=blocked login=blocked list=blocked") {
		t.Fatalf("disallowed origin: %s", extractOut(dom))
	}
	if !s.waitAudit(`"msg":"authn_login_success"`) {
		t.Error("the browser's login left no authn_login_success event")
	}
}

func extractOut(dom string) string {
	if i := strings.Index(dom, `<pre id="out">`); i >= 0 {
		dom = dom[i:]
		if j := strings.Index(dom, "</pre>"); j >= 0 {
			return dom[:j]
		}
	}
	if len(dom) > 2000 {
		dom = dom[:2000]
	}
	return dom
}

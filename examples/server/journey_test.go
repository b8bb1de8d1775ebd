package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apisec-go/apisec/internal/redistest"
)

const (
	adminEmail    = "root@example.com"
	adminPassword = "velvet-quarry-monsoon-81"
	alicePassword = "plum-orbit-lantern-42x"
)

// TestUserJourney runs the seed's user story against the real server
// process: register, log in, call v2 and the deprecated v1, get denied
// what is not ours, log out, and find the token dead.
func TestUserJourney(t *testing.T) {
	s := startServer(t, "ADMIN_EMAIL="+adminEmail, "ADMIN_PASSWORD="+adminPassword, "LOGIN_RATE_LIMIT=30/m")

	t.Run("registration rejects bad fields with pointers", func(t *testing.T) {
		r := s.do(t, "POST", "/api/users", `{"email":"not-an-email","password":"password123","name":"A","age":7}`)
		m := wantProblem(t, r, http.StatusUnprocessableEntity)
		errs, _ := m["errors"].([]any)
		got := map[string]string{}
		for _, e := range errs {
			fe := e.(map[string]any)
			got[fe["pointer"].(string)] = fe["code"].(string)
		}
		want := map[string]string{"/email": "email", "/name": "length", "/age": "range", "/password": "password_too_short"}
		for p, code := range want {
			if got[p] != code {
				t.Errorf("pointer %s: code %q, want %q (all: %v)", p, got[p], code, got)
			}
		}
		if strings.Contains(string(r.Body), "password123") || strings.Contains(string(r.Body), "not-an-email") {
			t.Errorf("problem echoes the input: %s", r.Body)
		}
	})
	t.Run("registration rejects unknown fields, duplicates keys and wrong media types", func(t *testing.T) {
		wantProblem(t, s.do(t, "POST", "/api/users", `{"email":"a@example.com","password":"x","name":"Al","age":20,"role":"admin"}`), 400)
		wantProblem(t, s.do(t, "POST", "/api/users", `{"email":"a@example.com","email":"b@example.com","password":"x","name":"Al","age":20}`), 400)
		wantProblem(t, s.do(t, "POST", "/api/users", `{"email":"a@example.com"}`+`{}`), 400)
		wantProblem(t, s.do(t, "POST", "/api/users", `email=a`, "Content-Type", "application/x-www-form-urlencoded"), 415)
		wantProblem(t, s.do(t, "POST", "/api/users", `{"name":"`+strings.Repeat("x", 64<<10)+`"}`), 413)
	})

	aliceID := s.register(t, "alice@example.com", alicePassword, "Alice", 30)
	t.Run("registration answers 201 with the user and 409 for a duplicate", func(t *testing.T) {
		r := s.do(t, "GET", "/api/users/"+aliceID, "")
		wantProblem(t, r, 401) // reading needs a token
		wantProblem(t, s.do(t, "POST", "/api/users", `{"email":"ALICE@example.com","password":"`+alicePassword+`","name":"Alice","age":30}`), 409)
	})

	t.Run("login failure is a generic 401", func(t *testing.T) {
		for _, body := range []string{
			`{"email":"alice@example.com","password":"wrong-password-entirely"}`,
			`{"email":"nobody@example.com","password":"wrong-password-entirely"}`,
		} {
			m := wantProblem(t, s.do(t, "POST", "/api/login", body), 401)
			if m["detail"] != "The email or password is incorrect." {
				t.Errorf("detail %v", m["detail"])
			}
		}
	})

	token, exp := s.login(t, "alice@example.com", alicePassword)
	t.Run("token lives 15 minutes", func(t *testing.T) {
		if d := time.Until(exp); d < 14*time.Minute || d > 16*time.Minute {
			t.Fatalf("expires in %v", d)
		}
		if parts := strings.Split(token, "."); len(parts) != 3 {
			t.Fatalf("token is not a JWS: %d parts", len(parts))
		}
	})

	t.Run("v2 lists users", func(t *testing.T) {
		r := s.do(t, "GET", "/api/v2/users", "", bearer(token)...)
		if r.Status != 200 {
			t.Fatalf("status %d %s", r.Status, r.Body)
		}
		data, _ := r.json(t)["data"].([]any)
		if len(data) != 2 {
			t.Fatalf("data %v", data)
		}
		if r.Header.Get("Api-Version") != "2" {
			t.Errorf("API-Version %q", r.Header.Get("Api-Version"))
		}
		for _, h := range []string{"Deprecation", "Sunset"} {
			if v := r.Header.Get(h); v != "" {
				t.Errorf("v2 carries %s: %q", h, v)
			}
		}
		if !strings.Contains(string(r.Body), "alice@example.com") {
			t.Errorf("decrypted email missing: %s", r.Body)
		}
		checkSecurityHeaders(t, r.Header)
		checkRateLimitHeaders(t, r.Header)
	})

	t.Run("v1 is deprecated with Deprecation, Sunset and Link", func(t *testing.T) {
		r := s.do(t, "GET", "/api/v1/users", "", bearer(token)...)
		if r.Status != 200 {
			t.Fatalf("status %d %s", r.Status, r.Body)
		}
		dep := r.Header.Get("Deprecation")
		m := regexp.MustCompile(`^@(\d+)$`).FindStringSubmatch(dep)
		if m == nil {
			t.Fatalf("Deprecation %q is not an RFC 9745 @date", dep)
		}
		depAt, _ := strconv.ParseInt(m[1], 10, 64)
		sunset, err := http.ParseTime(r.Header.Get("Sunset"))
		if err != nil || !strings.HasSuffix(r.Header.Get("Sunset"), " GMT") {
			t.Fatalf("Sunset %q is not an IMF-fixdate: %v", r.Header.Get("Sunset"), err)
		}
		if sunset.Unix() < depAt {
			t.Fatalf("Sunset %v before Deprecation %v", sunset, time.Unix(depAt, 0))
		}
		links := strings.Join(r.Header.Values("Link"), ", ")
		for _, rel := range []string{`rel="deprecation"`, `rel="sunset"`, `rel="successor-version"`} {
			if !strings.Contains(links, rel) {
				t.Errorf("Link lacks %s: %s", rel, links)
			}
		}
		if r.Header.Get("Api-Version") != "1" {
			t.Errorf("API-Version %q", r.Header.Get("Api-Version"))
		}
		if !strings.HasPrefix(strings.TrimSpace(string(r.Body)), "[") {
			t.Errorf("v1 body is not the bare array of v1: %s", r.Body)
		}
	})

	t.Run("no token is a bare Bearer challenge", func(t *testing.T) {
		r := s.do(t, "GET", "/api/v2/users", "")
		wantProblem(t, r, 401)
		if got := r.Header.Get("Www-Authenticate"); got != `Bearer realm="apisec-example"` {
			t.Fatalf("WWW-Authenticate %q", got)
		}
	})

	t.Run("a forged token is invalid_token", func(t *testing.T) {
		forged := token[:len(token)-4] + "AAAA"
		r := s.do(t, "GET", "/api/v2/users", "", bearer(forged)...)
		wantProblem(t, r, 401)
		if got := r.Header.Get("Www-Authenticate"); !strings.Contains(got, `error="invalid_token"`) {
			t.Fatalf("WWW-Authenticate %q", got)
		}
	})

	adminToken, _ := s.login(t, adminEmail, adminPassword)
	adminID := ""
	{
		r := s.do(t, "GET", "/api/v2/users", "", bearer(adminToken)...)
		for _, u := range r.json(t)["data"].([]any) {
			if u.(map[string]any)["email"] == adminEmail {
				adminID = u.(map[string]any)["id"].(string)
			}
		}
		if adminID == "" {
			t.Fatalf("admin not listed: %s", r.Body)
		}
	}

	t.Run("tokens carry the RFC 9068 header and claims", func(t *testing.T) {
		userHdr, user := decodeToken(t, token)
		adminHdr, admin := decodeToken(t, adminToken)
		for _, tc := range []struct {
			who   string
			hdr   jwtHeader
			c     accessClaims
			sub   string
			roles []string
		}{
			{"user", userHdr, user, aliceID, []string{"user"}},
			{"admin", adminHdr, admin, adminID, []string{"admin"}},
		} {
			if tc.hdr != (jwtHeader{Alg: "HS256", Kid: "hs1", Typ: "at+jwt"}) {
				t.Errorf("%s: header %+v, want alg HS256, kid hs1, typ at+jwt", tc.who, tc.hdr)
			}
			c := tc.c
			if c.Iss != "apisec-example" || len(c.Aud) != 1 || c.Aud[0] != "apisec-example-api" {
				t.Errorf("%s: iss %q aud %q", tc.who, c.Iss, c.Aud)
			}
			if c.Sub != tc.sub {
				t.Errorf("%s: sub %q, want the user id %q", tc.who, c.Sub, tc.sub)
			}
			if now := time.Now().Unix(); c.Iat < now-120 || c.Iat > now+5 {
				t.Errorf("%s: iat %d, now %d", tc.who, c.Iat, now)
			}
			if c.Nbf > c.Iat || c.Nbf < c.Iat-60 {
				t.Errorf("%s: nbf %d, iat %d", tc.who, c.Nbf, c.Iat)
			}
			if c.Exp != c.Iat+900 {
				t.Errorf("%s: exp %d, want iat+900 = %d", tc.who, c.Exp, c.Iat+900)
			}
			if c.Jti == "" {
				t.Errorf("%s: no jti", tc.who)
			}
			if !slices.Equal(c.Roles, tc.roles) {
				t.Errorf("%s: roles %q, want %q", tc.who, c.Roles, tc.roles)
			}
			if c.Scope != "users:read" {
				t.Errorf("%s: scope %q, want users:read", tc.who, c.Scope)
			}
		}
		if user.Exp != exp.Unix() {
			t.Errorf("exp %d, but the login answered expires_at %v", user.Exp, exp)
		}
		if user.Jti == admin.Jti {
			t.Errorf("two tokens share the jti %q", user.Jti)
		}
		second, _ := s.login(t, "alice@example.com", alicePassword)
		if _, again := decodeToken(t, second); again.Jti == user.Jti {
			t.Errorf("two logins of one user share the jti %q", user.Jti)
		}
	})

	t.Run("a user reads themself but not another user", func(t *testing.T) {
		r := s.do(t, "GET", "/api/users/"+aliceID, "", bearer(token)...)
		if r.Status != 200 || r.json(t)["id"] != aliceID {
			t.Fatalf("self: %d %s", r.Status, r.Body)
		}
		wantProblem(t, s.do(t, "GET", "/api/users/"+adminID, "", bearer(token)...), 403)
		r = s.do(t, "GET", "/api/users/"+aliceID, "", bearer(adminToken)...)
		if r.Status != 200 {
			t.Fatalf("admin reading alice: %d", r.Status)
		}
	})

	t.Run("delete needs role admin", func(t *testing.T) {
		r := s.do(t, "DELETE", "/api/users/"+adminID, "", bearer(token)...)
		wantProblem(t, r, 403)
		if got := r.Header.Get("Www-Authenticate"); !strings.Contains(got, `error="insufficient_scope"`) {
			t.Fatalf("WWW-Authenticate %q", got)
		}
	})

	// OWASP's authz_fail names the user: the request events of the two
	// refusals above carry the caller's subject (audit.Identify).
	t.Run("refused requests name their subject in the audit log", func(t *testing.T) {
		// The server writes a request's event after answering it: poll.
		want := []string{"GET /api/users/" + adminID, "DELETE /api/users/" + adminID}
		found := map[string]map[string]any{}
		for deadline := time.Now().Add(5 * time.Second); len(found) < len(want) && time.Now().Before(deadline); {
			for _, ev := range s.auditEvents(t, "authz_fail") {
				if key := fmt.Sprint(ev["method"], " ", ev["path"]); slices.Contains(want, key) && ev["status"] == float64(403) {
					found[key] = ev
				}
			}
			time.Sleep(20 * time.Millisecond) // polling a pipe's output, not a clock
		}
		for _, k := range want {
			if ev, ok := found[k]; !ok {
				t.Errorf("no authz_fail request event for %s\n%s", k, s.audit.String())
			} else if ev["subject"] != aliceID {
				t.Errorf("%s: subject %v, want %s", k, ev["subject"], aliceID)
			}
		}
	})

	t.Run("logout revokes the token at once", func(t *testing.T) {
		r := s.do(t, "POST", "/api/logout", "", bearer(token)...)
		if r.Status != 204 {
			t.Fatalf("logout: %d %s", r.Status, r.Body)
		}
		r = s.do(t, "GET", "/api/v2/users", "", bearer(token)...)
		wantProblem(t, r, 401)
		if got := r.Header.Get("Www-Authenticate"); !strings.Contains(got, `error="invalid_token"`) {
			t.Fatalf("WWW-Authenticate after logout %q", got)
		}
		// Another session of the same user is unaffected.
		other, _ := s.login(t, "alice@example.com", alicePassword)
		if r := s.do(t, "GET", "/api/v2/users", "", bearer(other)...); r.Status != 200 {
			t.Fatalf("fresh token after logout: %d", r.Status)
		}
	})

	t.Run("admin deletes a user, whose tokens then stop working", func(t *testing.T) {
		bobID := s.register(t, "bob@example.com", "saffron-glacier-tundra-7", "Bob", 40)
		bobToken, _ := s.login(t, "bob@example.com", "saffron-glacier-tundra-7")
		if r := s.do(t, "DELETE", "/api/users/"+bobID, "", bearer(adminToken)...); r.Status != 204 {
			t.Fatalf("delete: %d %s", r.Status, r.Body)
		}
		wantProblem(t, s.do(t, "GET", "/api/users/"+bobID, "", bearer(adminToken)...), 404)
		wantProblem(t, s.do(t, "GET", "/api/v2/users", "", bearer(bobToken)...), 401)
	})

	t.Run("the audit log has the events and no secret", func(t *testing.T) {
		for _, ev := range []string{`"msg":"authn_login_fail"`, `"msg":"authn_login_success"`, `"msg":"authn_token_created"`, `"msg":"authz_fail"`, `"msg":"input_validation_fail"`, `"msg":"authn_token_revoked"`} {
			if !s.waitAudit(ev) {
				t.Errorf("audit log lacks %s", ev)
			}
		}
		log := s.audit.String()
		for _, secret := range []string{token, adminToken, alicePassword, adminPassword, "wrong-password-entirely"} {
			if strings.Contains(log, secret) || strings.Contains(s.stderr.String(), secret) {
				t.Errorf("a secret reached the logs")
			}
		}
	})

	t.Run("graceful shutdown on SIGTERM", func(t *testing.T) {
		if err := s.stop(t); err != nil {
			t.Fatalf("exit: %v\n%s", err, s.stderr)
		}
		if !strings.Contains(s.stderr.String(), "stopped") {
			t.Fatalf("no clean stop in log:\n%s", s.stderr)
		}
	})
}

type jwtHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Typ string `json:"typ"`
}

// accessClaims are the claims the server's access tokens carry; decoding
// is strict, so an unexpected claim (an email, say) fails the test.
type accessClaims struct {
	Iss   string   `json:"iss"`
	Sub   string   `json:"sub"`
	Aud   []string `json:"aud"`
	Iat   int64    `json:"iat"`
	Nbf   int64    `json:"nbf"`
	Exp   int64    `json:"exp"`
	Jti   string   `json:"jti"`
	Roles []string `json:"roles"`
	Scope string   `json:"scope"`
}

// decodeToken decodes a JWS's header and payload (base64url without
// padding, RFC 7515), without checking the signature.
func decodeToken(t *testing.T, token string) (jwtHeader, accessClaims) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token is not a compact JWS: %d parts", len(parts))
	}
	var h jwtHeader
	var c accessClaims
	for i, v := range []any{&h, &c} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatalf("token part %d is not base64url: %v", i, err)
		}
		d := json.NewDecoder(bytes.NewReader(b))
		d.DisallowUnknownFields()
		if err := d.Decode(v); err != nil {
			t.Fatalf("token part %d: %v\n%s", i, err, b)
		}
	}
	return h, c
}

func checkSecurityHeaders(t *testing.T, h http.Header) {
	t.Helper()
	want := map[string]string{
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "no-referrer",
		"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
		"Cache-Control":           "no-store",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if h.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent over plain HTTP")
	}
	if h.Get("X-Request-Id") == "" {
		t.Error("no X-Request-ID")
	}
}

func checkRateLimitHeaders(t *testing.T, h http.Header) {
	t.Helper()
	if !regexp.MustCompile(`^"default";q=\d+;w=60$`).MatchString(h.Get("Ratelimit-Policy")) {
		t.Errorf("RateLimit-Policy %q", h.Get("Ratelimit-Policy"))
	}
	if !regexp.MustCompile(`^"default";r=\d+;t=\d+$`).MatchString(h.Get("Ratelimit")) {
		t.Errorf("RateLimit %q", h.Get("Ratelimit"))
	}
}

func TestBadConfigurationNamesTheVariable(t *testing.T) {
	tests := []struct {
		env  []string
		want []string
	}{
		{[]string{"JWT_SECRET=short"}, []string{"JWT_SECRET: must be at least 32 bytes for HS256, got 5"}},
		{[]string{"RATE_LIMIT=lots"}, []string{"RATE_LIMIT:"}},
		{[]string{"CORS_ORIGINS=http://localhost:3000/"}, []string{"CORS_ORIGINS:"}},
		{[]string{"ENCRYPTION_KEYS=k1:tooshort"}, []string{"ENCRYPTION_KEYS:"}},
		{[]string{"TLS_CERT=/x"}, []string{"TLS_CERT: TLS_CERT and TLS_KEY must be set together"}},
		{[]string{"ADMIN_EMAIL=a@example.com", "ADMIN_PASSWORD=password"}, []string{"ADMIN_PASSWORD:"}},
		{[]string{"JWT_SECRET=short", "JWKS_URL=https://idp.example/jwks"}, []string{"JWT_SECRET:", "JWKS_URL: JWKS_URL and JWKS_ISSUER must be set together"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.env, " "), func(t *testing.T) {
			var stdout, stderr strings.Builder
			env := map[string]string{"ADDR": "127.0.0.1:0"}
			for _, kv := range tt.env {
				k, v, _ := strings.Cut(kv, "=")
				env[k] = v
			}
			err := run(t.Context(), nil, func(k string) string { return env[k] }, &stdout, &stderr)
			if err == nil {
				t.Fatal("run succeeded with a bad configuration")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "velvet") || strings.Contains(err.Error(), "tooshort") {
				t.Errorf("error echoes a secret: %v", err)
			}
		})
	}
}

// TestLoginIsRateLimitedPerAccount defends against password guessing
// spread over many addresses: five attempts on one account within a
// minute, each from its own loopback address so that no per-IP quota is
// spent, and the sixth, from yet another address and with the right
// password, is refused with 429 and Retry-After by the per-account limit,
// which the audit log names as the reason.
func TestLoginIsRateLimitedPerAccount(t *testing.T) {
	s := startServer(t, "LOGIN_RATE_LIMIT=5/m")
	s.register(t, "carol@example.com", alicePassword, "Carol", 50)
	from := func(i int) *server { return s.via(clientFrom(t, "127.0.0."+strconv.Itoa(10+i))) }
	for i := range 5 {
		r := from(i).do(t, "POST", "/api/login", `{"email":"carol@example.com","password":"guess-number-`+strconv.Itoa(i)+`-xyz"}`)
		wantProblem(t, r, 401)
	}
	r := from(5).do(t, "POST", "/api/login", `{"email":"carol@example.com","password":"`+alicePassword+`"}`)
	wantProblem(t, r, 429)
	ra, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || ra < 1 || ra > 60 {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	checkSecurityHeaders(t, r.Header)
	if !s.waitAudit(`"msg":"authn_login_lock"`) {
		t.Fatal("no authn_login_lock event")
	}
	locks := s.auditEvents(t, "authn_login_lock")
	if len(locks) != 1 || locks[0]["reason"] != "login_rate_limit_account" {
		t.Fatalf("lock events %v, want one with reason login_rate_limit_account", locks)
	}
	if locks[0]["client_ip"] != "127.0.0.15" {
		t.Errorf("lock event client_ip %v, want 127.0.0.15", locks[0]["client_ip"])
	}
	// Another account is not locked from the same addresses.
	s.register(t, "dave@example.com", alicePassword, "Dave", 50)
	if r := from(5).do(t, "POST", "/api/login", `{"email":"dave@example.com","password":"`+alicePassword+`"}`); r.Status != 200 {
		t.Fatalf("another account from the same address: %d %s", r.Status, r.Body)
	}
}

// TestRedisSharesRevocationsAcrossInstances runs two server processes on
// one real redis-server: a token revoked through one is refused by the
// other, and both count the same rate limit.
func TestRedisSharesRevocationsAcrossInstances(t *testing.T) {
	rs := redistest.Start(t)
	env := []string{
		"REDIS_URL=redis://" + rs.Addr + "/0",
		"JWT_SECRET=0123456789abcdef0123456789abcdef-shared",
		"ENCRYPTION_KEYS=k1:" + base64.StdEncoding.EncodeToString(randomKey(32)),
		"ADMIN_EMAIL=" + adminEmail, "ADMIN_PASSWORD=" + adminPassword,
		"RATE_LIMIT=7/m",
	}
	a := startServer(t, env...)
	b := startServer(t, env...)
	for _, srv := range []*server{a, b} {
		if strings.Contains(srv.stderr.String(), "ephemeral") {
			t.Errorf("ephemeral key warning with JWT_SECRET and ENCRYPTION_KEYS set:\n%s", srv.stderr)
		}
	}
	token, _ := a.login(t, adminEmail, adminPassword)
	if r := b.do(t, "GET", "/api/v2/users", "", bearer(token)...); r.Status != 200 {
		t.Fatalf("instance b refuses a token of instance a: %d %s", r.Status, r.Body)
	}
	if r := a.do(t, "POST", "/api/logout", "", bearer(token)...); r.Status != 204 {
		t.Fatalf("logout: %d", r.Status)
	}
	wantProblem(t, b.do(t, "GET", "/api/v2/users", "", bearer(token)...), 401)
	// 7/m per IP, shared: four requests above went through a and b
	// (login, get, logout, get); three more are allowed, then 429.
	for i := range 3 {
		srv := a
		if i%2 == 1 {
			srv = b
		}
		if r := srv.do(t, "GET", "/healthz", ""); r.Status != 200 {
			t.Fatalf("healthz: %d", r.Status)
		}
		if r := srv.do(t, "GET", "/api/v2/users", ""); r.Status != 401 {
			t.Fatalf("request %d: %d %s", i, r.Status, r.Body)
		}
	}
	r := b.do(t, "GET", "/api/v2/users", "")
	m := wantProblem(t, r, 429)
	if m["type"] != "https://iana.org/assignments/http-problem-types#quota-exceeded" {
		t.Errorf("problem type %v", m["type"])
	}
	if r.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
}

package auth_test

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apisec-go/apisec/auth"
)

// seedTokens are tokens from the table tests, valid and hostile.
func seedTokens() []string {
	valid := validToken()
	parts := strings.Split(valid, ".")
	return []string{
		valid,
		valid + "==",
		parts[0] + "." + parts[1],
		parts[0] + "." + parts[1] + "." + flipLastBits(parts[2]),
		hs256(`{"alg":"none","typ":"at+jwt"}`, claims(nil), testSecret),
		hs256(`{"alg":"HS256","alg":"none","typ":"at+jwt"}`, claims(nil), testSecret),
		hs256(`{"alg":"HS256","typ":"at+jwt","crit":["x"]}`, claims(nil), testSecret),
		hs256(`{"alg":"HS256","typ":"at+jwt","kid":"\u0000"}`, claims(nil), testSecret),
		hs256(hdrHS256, claims(map[string]any{"exp": nil, "EXP": 1e10}), testSecret),
		hs256(hdrHS256, strings.Replace(claims(nil), `"sub":`, `"s\u0075b":"admin","sub":`, 1), testSecret),
		hs256(hdrHS256, claims(map[string]any{"aud": []any{1, "x"}, "roles": []any{[]any{}}}), testSecret),
		hs256(hdrHS256, `{"iss":"`+testIssuer+`","exp":1e400}`, testSecret),
		hs256(hdrHS256, `{"a":{"b":[1,{"c":"\"}"}]},"iss":"`+testIssuer+`"}`, testSecret),
		hs256(hdrHS256, `[]`, testSecret),
	}
}

func FuzzAuthorizationHeader(f *testing.F) {
	for _, tok := range seedTokens() {
		f.Add("Bearer " + tok)
	}
	for _, v := range []string{"", "Bearer", "Bearer ", "bearer\tx", "Basic dTpw", "Bearer a, Bearer b", "Bearer a=b", "Bearer ~+/=="} {
		f.Add(v)
	}
	cfg := baseConfig()
	cfg.CookieName = "at"
	a := mustNew(f, cfg)
	h := a.Handler(echo)
	f.Fuzz(func(t *testing.T, v string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header["Authorization"] = []string{v}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		switch w.Code {
		case 200:
			if w.Body.String() != "user-42" {
				t.Fatalf("200 for %q with body %q", v, w.Body)
			}
		case 400, 401:
			if !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), `Bearer realm="api"`) {
				t.Fatalf("%d without challenge", w.Code)
			}
			if strings.Contains(w.Body.String(), v) && len(v) > 8 {
				t.Fatalf("body echoes the credentials: %s", w.Body)
			}
		default:
			t.Fatalf("status %d for %q", w.Code, v)
		}
	})
}

func FuzzVerifyToken(f *testing.F) {
	for _, tok := range seedTokens() {
		f.Add(tok)
	}
	a := mustNew(f, baseConfig())
	f.Fuzz(func(t *testing.T, tok string) {
		p, err := a.VerifyToken(t.Context(), tok)
		if err != nil {
			if p != nil {
				t.Fatal("principal with error")
			}
			var ae *auth.Error
			if !asError(err, &ae) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if p.Subject == "" || p.Issuer != testIssuer || !p.ExpiresAt.After(testNow.Add(-auth.DefaultLeeway)) {
			t.Fatalf("accepted an invalid principal %+v", p)
		}
	})
}

// FuzzClaimsPayload signs arbitrary payloads with the right key, to reach
// the claim scanner behind the signature check.
func FuzzClaimsPayload(f *testing.F) {
	f.Add(claims(nil))
	f.Add(strings.Replace(claims(nil), `"exp":`, `"exp":1,"exp":`, 1))
	f.Add(`{"iss":"` + testIssuer + `","sub":"\ud800","aud":["` + testAudience + `"],"exp":2e9,"iat":1}`)
	f.Add(`{"iss" : "` + testIssuer + `" , "sub":"s","aud":"` + testAudience + `","exp":1.5e9,"iat":1,"scope":"a  b\t"}`)
	a := mustNew(f, baseConfig())
	f.Fuzz(func(t *testing.T, payload string) {
		p, err := a.VerifyToken(t.Context(), hs256(hdrHS256, payload, testSecret))
		if err != nil {
			return
		}
		// Whatever was accepted must agree with encoding/json on the
		// registered claims: no parser differential.
		var std struct {
			Iss string  `json:"iss"`
			Sub string  `json:"sub"`
			Exp float64 `json:"exp"`
		}
		if err := json.Unmarshal([]byte(payload), &std); err != nil {
			t.Fatalf("accepted a payload encoding/json rejects: %v", err)
		}
		got := float64(p.ExpiresAt.Unix()) + float64(p.ExpiresAt.Nanosecond())/1e9
		if std.Iss != p.Issuer || std.Sub != p.Subject || math.Abs(got-std.Exp) > 1e-3*max(1, std.Exp/1e9) {
			t.Fatalf("differential: %+v vs %+v", std, p)
		}
	})
}

func FuzzParseJWKS(f *testing.F) {
	k := testKeys()
	f.Add([]byte(jwksBody(rsaJWK("r", "RS256", &k.rsa.PublicKey), ecJWK("e", &k.ec.PublicKey))))
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"","y":""}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := auth.ParseJWKS(data)
		if err != nil {
			return
		}
		// Every key returned must be one New accepts.
		cfg := baseConfig()
		cfg.Issuers[0].Keys = keys
		if _, err := auth.New(cfg); err != nil {
			t.Fatalf("ParseJWKS returned an unusable key: %v", err)
		}
	})
}

func FuzzAPIKeyHeader(f *testing.F) {
	key, hash, _ := auth.GenerateAPIKey("svc")
	store, _ := auth.NewMemoryAPIKeyStore([]auth.APIKey{{ID: "svc", Hash: hash, Subject: "s"}})
	f.Add(key)
	f.Add("svc.")
	f.Add(".x")
	f.Add(key[:len(key)-1] + "\x00")
	cfg := baseConfig()
	cfg.APIKeys = store
	a := mustNew(f, cfg)
	f.Fuzz(func(t *testing.T, v string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header["X-Api-Key"] = []string{v}
		p, err := a.Authenticate(r)
		if (err == nil) != (v == key) || (err == nil && p.Subject != "s") {
			t.Fatalf("%q: %v", v, err)
		}
	})
}

func asError(err error, target **auth.Error) bool {
	e, ok := err.(*auth.Error)
	*target = e
	return ok
}

var _ http.Handler = echo

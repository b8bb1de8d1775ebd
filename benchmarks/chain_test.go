package benchmarks

import (
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/go-chi/httprate"
	"github.com/go-chi/jwtauth/v5"
	jwxjwt "github.com/lestrrat-go/jwx/v2/jwt"
	rscors "github.com/rs/cors"
	"github.com/unrolled/secure"

	"github.com/apisec-go/apisec/audit"
	"github.com/apisec-go/apisec/auth"
	"github.com/apisec-go/apisec/clientip"
	"github.com/apisec-go/apisec/cors"
	"github.com/apisec-go/apisec/headers"
	"github.com/apisec-go/apisec/ratelimit"
	"github.com/apisec-go/apisec/version"
)

// The full chain: an authenticated GET from an allowed origin through
// security headers, CORS, client address, one JSON log event, a per-IP
// rate limit (never reached) and HS256 bearer authentication, built once
// from apisec in the recommended order and once from the peers a Go
// service would otherwise combine. "apisec+version" adds API version
// negotiation, which the peer chain has no counterpart for.

func apisecChain(tb testing.TB, withVersion bool) http.Handler {
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) })
	if withVersion {
		neg, err := version.New(version.Config{Versions: []version.Version{{Name: "1"}, {Name: "2"}}, Default: "2"})
		if err != nil {
			tb.Fatal(err)
		}
		h = neg.Handler(h)
	}
	authn, err := auth.New(auth.Config{
		Issuers:   []auth.TrustedIssuer{{Issuer: authIssuer, Keys: []auth.Key{{Algorithm: "HS256", Secret: authSecret}}}},
		Audiences: []string{authAudience},
	})
	if err != nil {
		tb.Fatal(err)
	}
	lim, err := ratelimit.New(ratelimit.Config{
		Policies: []ratelimit.Policy{{Limit: ratelimit.MaxLimit, Window: time.Hour}},
		Key:      ratelimit.KeyByIP(0),
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { lim.Close() })
	ah, err := audit.NewHandler(audit.HandlerConfig{Next: slog.NewJSONHandler(io.Discard, nil)})
	if err != nil {
		tb.Fatal(err)
	}
	aud, err := audit.New(audit.Config{Logger: slog.New(ah)})
	if err != nil {
		tb.Fatal(err)
	}
	res, err := clientip.New(clientip.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	cm, err := cors.New(cors.Config{Origins: corsOrigins, Methods: corsMethods, RequestHeaders: corsHeaders, Credentials: true, MaxAge: 600 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	hm, err := headers.New(headers.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	h = authn.Handler(h)
	h = lim.Handler(h)
	h = aud.Handler(h)
	h = res.Handler(h)
	h = cm.Handler(h)
	return hm.Handler(h)
}

// peerLog is the request logger a service would write by hand on slog:
// the same attributes audit records for a successful request.
func peerLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: 200}
		next.ServeHTTP(sw, r)
		logger.LogAttrs(r.Context(), slog.LevelInfo, "http_request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.String("client_ip", r.RemoteAddr), slog.String("user_agent", r.UserAgent()),
			slog.Int("status", sw.status), slog.Duration("latency", time.Since(start)))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(s int) { w.status = s; w.ResponseWriter.WriteHeader(s) }

func peerChain(tb testing.TB) http.Handler {
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) })
	// The same checks as apisec's chain: issuer, audience, 30 s skew.
	ja := jwtauth.New("HS256", authSecret, nil, jwxjwt.WithIssuer(authIssuer), jwxjwt.WithAudience(authAudience), jwxjwt.WithAcceptableSkew(30*time.Second))
	h = jwtauth.Verifier(ja)(jwtauth.Authenticator(ja)(h))
	h = httprate.LimitByIP(1_000_000_000, time.Hour)(h)
	h = peerLog(slog.New(slog.NewJSONHandler(io.Discard, nil)), h)
	h = rscors.New(rscors.Options{AllowedOrigins: corsOrigins, AllowedMethods: corsMethods, AllowedHeaders: corsHeaders, AllowCredentials: true, MaxAge: 600}).Handler(h)
	return secure.New(secureOptions()).Handler(h)
}

func BenchmarkChain(b *testing.B) {
	keys := authKeySet(b)
	token := authToken(b, keys[0]) // HS256
	impls := []struct {
		name string
		h    http.Handler
	}{
		{"apisec", apisecChain(b, false)},
		{"peers", peerChain(b)},
		{"apisec+version", apisecChain(b, true)},
	}
	for _, impl := range impls {
		b.Run("scenario=authenticated-get/impl="+impl.name, func(b *testing.B) {
			r, _ := http.NewRequest("GET", "https://api.example/v1/items", nil)
			r.RemoteAddr = "203.0.113.9:1234"
			r.Header.Set("Origin", corsOrigins[0])
			r.Header.Set("Authorization", "Bearer "+token)
			r.Header.Set("User-Agent", "bench/1.0")
			w := &benchWriter{h: make(http.Header, 32)}
			impl.h.ServeHTTP(w, r)
			if w.status != 200 {
				b.Fatalf("%s: status %d", impl.name, w.status)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				clear(w.h)
				impl.h.ServeHTTP(w, r)
			}
		})
	}
}

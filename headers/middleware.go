package headers

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"strings"
)

// Middleware sets security response headers, enforces HTTPS and checks the
// Host header. The zero value is not usable; call [New]. A Middleware is
// safe for concurrent use.
type Middleware struct {
	c *compiled
}

// New checks cfg and returns a Middleware with every header value
// precomputed. All problems are returned at once, joined; each is a
// *[ConfigError]. Changing cfg afterwards has no effect.
func New(cfg Config) (*Middleware, error) {
	c, err := cfg.compile()
	if err != nil {
		return nil, err
	}
	return &Middleware{c: c}, nil
}

// MustNew is like [New] but panics on error; it is meant for package-level
// variables.
func MustNew(cfg Config) *Middleware {
	m, err := New(cfg)
	if err != nil {
		panic(err)
	}
	return m
}

// IsHTTPS reports whether r reached the server over HTTPS: r.TLS is set, or
// the direct peer is a trusted proxy whose [Config.ProtoSource] header says
// https.
func (m *Middleware) IsHTTPS(r *http.Request) bool { return m.c.isHTTPS(r) }

// Handler returns next wrapped: the headers are set before next runs (so
// they survive an early WriteHeader and next may still change or delete
// them); Server and X-Powered-By are removed and Cache-Control: no-store is
// added (unless next set its own) just before the response header is sent.
// Requests for an unknown Host are rejected (with the header set); when
// [Config.RedirectHTTPS] is on, plain-HTTP requests for an allowed host get
// an empty-bodied redirect carrying only Location.
func (m *Middleware) Handler(next http.Handler) http.Handler {
	c := m.c
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		https := c.isHTTPS(r)
		if c.redirect != 0 && !https {
			// Only an allowed host is redirected (AllowedHosts is required),
			// so the target is a host the operator named, never an
			// attacker's. The redirect has no body: the header set protects
			// content, and there is none.
			if name, ok := c.hosts.allowed(r); ok {
				c.redirectHTTPS(w, r, name)
				return
			}
		}
		rw := &writer{ResponseWriter: w, c: c}
		rw.set(w.Header(), https)
		if c.hosts != nil {
			if _, err := checkHost(c.hosts, r); err != nil {
				rejectHost(rw, r, err, c.hostDeny, c.errorFn, c.logger)
				return
			}
		}
		if rw.nonce != "" {
			r = r.WithContext(context.WithValue(r.Context(), nonceKey{}, rw))
		}
		next.ServeHTTP(rw, r)
		rw.finish()
	})
}

// set fills h from one backing array: each header gets a capacity-1 slice
// of rw.vals, so nothing is shared between responses and an Add on one
// header never writes into another.
func (rw *writer) set(h http.Header, https bool) {
	c := rw.c
	n := copy(rw.vals[:], c.values)
	if len(c.cspParts) > 1 {
		rw.vals[c.cspIndex] = rw.noncedPolicy()
	}
	for i, name := range c.names {
		h[name] = rw.vals[i : i+1 : i+1]
	}
	if https && c.hsts != "" {
		rw.vals[n] = c.hsts
		h[HeaderHSTS] = rw.vals[n : n+1 : n+1]
	}
}

// noncedPolicy draws a fresh 128-bit nonce and builds the policy around it
// in a single allocation. The nonce string shares the policy's memory.
func (rw *writer) noncedPolicy() string {
	// The buffers live in the writer, already on the heap, so they cost
	// no allocation of their own.
	raw, enc := rw.raw[:], rw.enc[:]
	_, _ = rand.Read(raw) // never fails since Go 1.24; it crashes the program instead
	base64.StdEncoding.Encode(enc, raw)
	parts := rw.c.cspParts
	size := (len(parts) - 1) * len(enc)
	for _, p := range parts {
		size += len(p)
	}
	var b strings.Builder
	b.Grow(size)
	b.WriteString(parts[0])
	at := b.Len()
	for _, p := range parts[1:] {
		b.Write(enc)
		b.WriteString(p)
	}
	s := b.String()
	rw.nonce = s[at : at+len(enc)]
	return s
}

func (c *compiled) isHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if c.resolver == nil || !c.resolver.TrustedPeer(r) {
		return false
	}
	switch c.proto {
	case ProtoFromXForwardedProto:
		return xForwardedProtoIsHTTPS(r.Header["X-Forwarded-Proto"])
	case ProtoFromForwarded:
		return forwardedProtoIsHTTPS(r.Header["Forwarded"])
	}
	return false
}

// lastListItem returns the right-most comma-separated item of a header
// that may span several field lines: the one the nearest proxy wrote.
func lastListItem(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	v := lines[len(lines)-1]
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		v = v[i+1:]
	}
	return strings.TrimSpace(v)
}

func xForwardedProtoIsHTTPS(lines []string) bool {
	return strings.EqualFold(lastListItem(lines), "https")
}

// forwardedProtoIsHTTPS reads proto= in the last RFC 7239 element. A
// repeated proto parameter makes the element invalid (§4).
func forwardedProtoIsHTTPS(lines []string) bool {
	elem := lastListItem(lines)
	if len(elem) > 512 {
		return false
	}
	found, https := false, false
	for elem != "" {
		pair := elem
		if i := strings.IndexByte(elem, ';'); i >= 0 {
			pair, elem = elem[:i], elem[i+1:]
		} else {
			elem = ""
		}
		k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok {
			return false
		}
		if !strings.EqualFold(strings.TrimSpace(k), "proto") {
			continue
		}
		if found {
			return false
		}
		found = true
		v = strings.TrimSpace(v)
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		https = strings.EqualFold(v, "https")
	}
	return https
}

func (c *compiled) redirectHTTPS(w http.ResponseWriter, r *http.Request, name string) {
	open, close := "", ""
	if strings.IndexByte(name, ':') >= 0 {
		open, close = "[", "]" // an IPv6 literal
	}
	path := r.URL.EscapedPath()
	if path == "" || path[0] != '/' {
		path = "/"
	}
	sep := ""
	if r.URL.RawQuery != "" {
		sep = "?"
	}
	// "//evil.example" after the host is still a path on our host.
	w.Header()["Location"] = []string{"https://" + open + name + close + c.httpsPort + path + sep + r.URL.RawQuery}
	w.WriteHeader(c.redirect)
}

type nonceKey struct{}

// Nonce returns the CSP nonce of the response being served, for use in
// <script nonce="…"> and <style nonce="…">. It returns "" when no nonce was
// generated (the policy has no script-src or style-src other than 'none',
// or nonces are disabled). Each response gets a fresh 128-bit value.
func Nonce(ctx context.Context) string {
	if ctx == nil {
		return ""
	}
	if rw, ok := ctx.Value(nonceKey{}).(*writer); ok {
		return rw.nonce
	}
	return ""
}

// writer makes the last changes to the response header when it is sent.
// It holds the backing array of the header values, so the whole header
// set costs one allocation.
type writer struct {
	http.ResponseWriter
	c     *compiled
	done  bool
	nonce string
	vals  [maxHeaders]string
	raw   [16]byte // nonce entropy
	enc   [24]byte // its base64
}

// finish runs once, just before the header is sent.
func (rw *writer) finish() {
	if rw.done {
		return
	}
	rw.done = true
	h := rw.ResponseWriter.Header()
	delete(h, "Server")
	delete(h, "X-Powered-By")
	if rw.c.cacheCtl {
		if _, ok := h[HeaderCacheControl]; !ok {
			const i = maxHeaders - 1
			rw.vals[i] = "no-store"
			h[HeaderCacheControl] = rw.vals[i : i+1 : i+1]
		}
	}
}

// WriteHeader finishes the header unless code is an informational status
// (103 Early Hints), which may be followed by the real one.
func (rw *writer) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		h := rw.ResponseWriter.Header()
		delete(h, "Server")
		delete(h, "X-Powered-By")
	} else {
		rw.finish()
	}
	rw.ResponseWriter.WriteHeader(code)
}

func (rw *writer) Write(b []byte) (int, error) {
	rw.finish()
	return rw.ResponseWriter.Write(b)
}

// ReadFrom keeps io.Copy's sendfile path on the underlying writer.
func (rw *writer) ReadFrom(src io.Reader) (int64, error) {
	rw.finish()
	if rf, ok := rw.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(struct{ io.Writer }{rw.ResponseWriter}, src)
}

// Flush finishes the header and flushes the underlying writer when it can.
func (rw *writer) Flush() {
	rw.finish()
	_ = http.NewResponseController(rw.ResponseWriter).Flush()
}

// Hijack hands the connection over (WebSocket upgrades) when the
// underlying writer supports it; http.ErrNotSupported otherwise.
func (rw *writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(rw.ResponseWriter).Hijack()
}

// Unwrap lets [http.ResponseController] reach the underlying writer.
func (rw *writer) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

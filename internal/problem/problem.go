package problem

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
)

// ContentType is the media type of a problem details body (RFC 9457 §3).
const ContentType = "application/problem+json"

// Problem is one RFC 9457 problem details object.
//
// Type defaults to "about:blank" and Title to the status text when empty.
// Extensions are extra members; a key that collides with a standard member
// is dropped, so an extension can never override type, title or status.
type Problem struct {
	Type       string
	Title      string
	Status     int
	Detail     string
	Instance   string
	Extensions map[string]any
}

var standardMembers = []string{"type", "title", "status", "detail", "instance"}

// MarshalJSON encodes p with the standard members first, in RFC order, then
// the extensions sorted by key, so bodies are stable and testable.
func (p Problem) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(`{"type":`)
	typ := p.Type
	if typ == "" {
		typ = "about:blank"
	}
	writeString(&buf, typ)
	title := p.Title
	if title == "" {
		title = http.StatusText(p.Status)
	}
	if title != "" {
		buf.WriteString(`,"title":`)
		writeString(&buf, title)
	}
	if p.Status != 0 {
		buf.WriteString(`,"status":`)
		buf.WriteString(strconv.Itoa(p.Status))
	}
	if p.Detail != "" {
		buf.WriteString(`,"detail":`)
		writeString(&buf, p.Detail)
	}
	if p.Instance != "" {
		buf.WriteString(`,"instance":`)
		writeString(&buf, p.Instance)
	}
	keys := make([]string, 0, len(p.Extensions))
	for k := range p.Extensions {
		if !slices.Contains(standardMembers, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		v, err := json.Marshal(p.Extensions[k])
		if err != nil {
			return nil, err
		}
		buf.WriteByte(',')
		writeString(&buf, k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func writeString(buf *bytes.Buffer, s string) {
	b, _ := json.Marshal(s) // a string always marshals
	buf.Write(b)
}

// fallback is written when a problem cannot be encoded (an extension value
// that encoding/json rejects): a bare 500 that still leaks nothing.
var fallback = []byte(`{"type":"about:blank","title":"Internal Server Error","status":500}`)

// Write sends p as the response: status, Content-Type
// application/problem+json, X-Content-Type-Options nosniff and the body.
// Cache-Control no-store is set too, since a rejection must not be cached
// and replayed to another client. A Status of 0 means 500.
func Write(w http.ResponseWriter, p Problem) {
	if p.Status == 0 {
		p.Status = http.StatusInternalServerError
	}
	body, err := p.MarshalJSON()
	status := p.Status
	if err != nil {
		body, status = fallback, http.StatusInternalServerError
	}
	writeRaw(w, status, body)
}

// Compiled is a problem whose body was encoded once, for reject paths that
// run on every bad request. It is safe for concurrent use.
type Compiled struct {
	status int
	body   []byte
}

// Compile encodes p once. It returns an error only when an extension value
// cannot be encoded as JSON.
func Compile(p Problem) (*Compiled, error) {
	if p.Status == 0 {
		p.Status = http.StatusInternalServerError
	}
	body, err := p.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return &Compiled{status: p.Status, body: body}, nil
}

// MustCompile is like [Compile] but panics on error. It is meant for
// package-level variables built from constant problems.
func MustCompile(p Problem) *Compiled {
	c, err := Compile(p)
	if err != nil {
		panic("problem: " + err.Error())
	}
	return c
}

// Status returns the HTTP status the problem is sent with.
func (c *Compiled) Status() int { return c.status }

// Body returns a copy of the encoded body.
func (c *Compiled) Body() []byte { return slices.Clone(c.body) }

// Write sends the compiled problem. It allocates once, for the header
// values; the body bytes are shared and only read.
func (c *Compiled) Write(w http.ResponseWriter) { writeRaw(w, c.status, c.body) }

// ServeHTTP makes a Compiled usable as a deny handler.
func (c *Compiled) ServeHTTP(w http.ResponseWriter, _ *http.Request) { c.Write(w) }

// Content-Length is left to net/http, which sets it for bodies written in
// one call; it is not set here to keep the path free of extra allocations.
func writeRaw(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	// One backing array for every value, each element a capacity-1 slice,
	// so appending to one header never writes into another (and nothing
	// shared between responses ever enters a header map).
	v := make([]string, 3)
	v[0], v[1], v[2] = ContentType, "nosniff", "no-store"
	h["Content-Type"] = v[0:1:1]
	h["X-Content-Type-Options"] = v[1:2:2]
	if _, ok := h["Cache-Control"]; !ok {
		h["Cache-Control"] = v[2:3:3]
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

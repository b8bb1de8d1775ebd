package audit

import (
	"context"
	"log/slog"

	"github.com/apisec-go/apisec/principal"
)

// Handler is a slog.Handler that makes records safe to store and useful to
// correlate, then passes them to the next handler. It
//
//   - adds the request attributes of the [Middleware] (request_id, method,
//     path, client_ip, user_agent) and the principal's subject from the
//     context, at the top level of the record;
//   - redacts the values of sensitive keys ([DefaultSensitiveKeys],
//     [HandlerConfig.SensitiveKeys]) at any depth of groups, and any string
//     that contains a JWT or a bearer or basic credential;
//   - escapes CR, LF, NEL (U+0085), U+2028, U+2029, DEL, every other
//     control character, zero-width and bidirectional controls in keys,
//     string values (also inside maps, structs and slices), error texts
//     and the message, so that a value can neither forge a log line nor
//     hide text from a reader;
//   - caps every key and string value at [HandlerConfig.MaxValueLength];
//   - renames a top-level attribute called "msg", "level", "time" or
//     "source" to "attr_msg" and so on, so that no record carries a second,
//     forged copy of a member the slog handler writes itself;
//   - inside a request, drops a top-level attribute (given to the record
//     or to WithAttrs, or in an inline group) under the key of a request
//     attribute if it is equal to it, and renames it "event_<key>"
//     otherwise, so that no record carries two client_ip or request_id.
//
// Values logged with slog.Any are opened up so that the same rules reach
// inside them: a map (http.Header, url.Values, any map) becomes a group
// of its entries sorted by key, a struct a group of its exported fields
// (named as encoding/json names them; json:"-" fields are left out), a
// slice a list of its elements, each member redacted by its key (a
// struct field also by its Go name) and cleaned as above. Errors,
// encoding.TextMarshalers, named string types and structs without
// exported fields (through their String method) become their cleaned
// text; a json.Marshaler whose JSON needs cleaning becomes that JSON as a
// cleaned string. Numbers, booleans, times and slices of numbers pass
// unchanged. The work is bounded: 64 members of each map, struct or
// slice, string slices included (which entries of a larger map are kept
// is unspecified; a "...[truncated]" member or element marks the cut), 8
// levels, 256 members in all per attribute. Types that render themselves
// (MarshalText, MarshalJSON) are taken as they render: give a type that
// may hold secrets a LogValue method. Query strings are never logged by
// the Middleware.
//
// A Handler is safe for concurrent use and passes testing/slogtest. Its
// configuration is fixed by [NewHandler]. The zero value is not usable.
type Handler struct {
	core   *handlerCore
	next   slog.Handler // Next with the attributes given before any group
	groups []frame      // groups opened by WithGroup, innermost last
	// Top-level attributes given to WithAttrs under the key of a request
	// attribute, cleaned. They are added in Handle, where the request
	// attributes are known, so that a logger built with With cannot give
	// a record a second client_ip or request_id.
	held []slog.Attr
}

type handlerCore struct {
	keys *keyMatcher
	max  int
}

// frame is a group opened by WithGroup and the attributes added inside it.
// Groups are kept here rather than opened on the next handler so that the
// request attributes always land at the top level of the record.
type frame struct {
	name      string
	attrs     []slog.Attr
	sensitive bool
}

// NewHandler checks cfg and returns a Handler. Every problem is reported,
// joined, as [*ConfigError] values.
func NewHandler(cfg HandlerConfig) (*Handler, error) {
	return cfg.compile()
}

// Enabled reports whether the next handler handles records at level.
func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// maxKeyLength caps attribute keys and group names.
const maxKeyLength = 256

// Handle cleans r, adds the request attributes and passes the result to
// the next handler. r itself is not modified.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	c := h.core
	out := slog.NewRecord(r.Time, r.Level, sanitize(r.Message, c.max), r.PC)
	var buf [16]slog.Attr
	a := buf[:0]
	if s := stateFrom(ctx); s != nil {
		subject := ""
		if ctx != s {
			if p, ok := principal.FromContext(ctx); ok {
				subject = p.Subject
			}
		}
		if subject == "" {
			subject = s.subjectName()
		}
		a = s.appendAttrs(a, sanitize(subject, maxSubjectLength))
	} else if p, ok := principal.FromContext(ctx); ok && p.Subject != "" {
		a = append(a, slog.String(KeySubject, sanitize(p.Subject, maxSubjectLength)))
	}
	n := len(a)
	for _, at := range h.held {
		a = appendTopLevel(a, n, at)
	}
	if len(h.groups) == 0 {
		r.Attrs(func(at slog.Attr) bool {
			a = appendTopLevel(a, n, c.clean(at, false))
			return true
		})
		out.AddAttrs(a...)
		return h.next.Handle(ctx, out)
	}
	// Rebuild the opened groups around the record's attributes.
	sensitive := h.groups[len(h.groups)-1].sensitive
	inner := make([]slog.Attr, 0, r.NumAttrs())
	r.Attrs(func(at slog.Attr) bool {
		inner = append(inner, c.clean(at, sensitive))
		return true
	})
	for i := len(h.groups) - 1; i >= 0; i-- {
		f := h.groups[i]
		members := make([]slog.Attr, 0, len(f.attrs)+len(inner))
		members = append(members, f.attrs...)
		members = append(members, inner...)
		if len(members) == 0 {
			inner = nil // an empty group is omitted
			continue
		}
		inner = []slog.Attr{{Key: f.name, Value: slog.GroupValue(members...)}}
	}
	a = append(a, inner...)
	out.AddAttrs(a...)
	return h.next.Handle(ctx, out)
}

// appendTopLevel appends a cleaned top-level attribute to a, whose first
// n members are the request attributes. An attribute with the key of one
// (a package logging "method" itself) would make a JSON object with a
// duplicate member, which consumers read differently: an equal value is
// dropped, a different one kept under "event_<key>". The members of an
// inline group (empty key), which handlers write at the top level, are
// treated so one by one; slog's own keys are renamed by topLevel.
func appendTopLevel(a []slog.Attr, n int, at slog.Attr) []slog.Attr {
	if at.Key == "" && at.Value.Kind() == slog.KindGroup {
		for _, m := range at.Value.Group() {
			a = appendTopLevel(a, n, m)
		}
		return a
	}
	at = topLevel(at)
	for i := range n {
		if a[i].Key == at.Key {
			if at.Value.Equal(a[i].Value) {
				return a
			}
			at.Key = "event_" + at.Key
			break
		}
	}
	return append(a, at)
}

// WithAttrs returns a Handler whose records include attrs, cleaned once
// here. At the top level, those under the key of a request attribute (and
// inline groups, which may hold one) are held back and added by Handle,
// which treats them as it treats record attributes.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	sensitive := len(h.groups) > 0 && h.groups[len(h.groups)-1].sensitive
	cleaned := make([]slog.Attr, 0, len(attrs))
	held := h.held
	for _, at := range attrs {
		at = h.core.clean(at, sensitive)
		if len(h.groups) == 0 {
			if isRequestKey(at.Key) || at.Key == "" && at.Value.Kind() == slog.KindGroup {
				held = append(held[:len(held):len(held)], at)
				continue
			}
			at = topLevel(at)
		}
		cleaned = append(cleaned, at)
	}
	if len(h.groups) == 0 {
		next := h.next
		if len(cleaned) > 0 {
			next = next.WithAttrs(cleaned)
		}
		return &Handler{core: h.core, next: next, held: held}
	}
	groups := append([]frame(nil), h.groups...)
	last := &groups[len(groups)-1]
	last.attrs = append(append([]slog.Attr(nil), last.attrs...), cleaned...)
	return &Handler{core: h.core, next: h.next, groups: groups, held: held}
}

// isRequestKey reports whether key is that of an attribute a Handler adds
// from the request.
func isRequestKey(key string) bool {
	switch key {
	case KeyRequestID, KeyMethod, KeyPath, KeyClientIP, KeyUserAgent, KeySubject:
		return true
	}
	return false
}

// WithGroup returns a Handler that puts the attributes that follow into
// the group name. A group with a sensitive name has every value inside it
// redacted.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	sensitive := len(h.groups) > 0 && h.groups[len(h.groups)-1].sensitive
	f := frame{
		name:      sanitize(name, maxKeyLength),
		sensitive: sensitive || h.core.keys.sensitive(name),
	}
	groups := append(append(make([]frame, 0, len(h.groups)+1), h.groups...), f)
	next := h.next
	if d, ok := next.(*Detector); ok {
		// The group is written into the record, not opened on the
		// Detector: tell it where to find the record's attributes.
		next = d.inRecordGroup(f.name)
	}
	return &Handler{core: h.core, next: next, groups: groups, held: h.held}
}

// topLevel renames a top-level attribute whose key is one of the keys
// slog's handlers write themselves ("msg", "level", "time", "source"), so
// that a record can never carry a second, forged "level" or "msg" that a
// log reader might take for the real one.
func topLevel(at slog.Attr) slog.Attr {
	switch at.Key {
	case slog.MessageKey, slog.LevelKey, slog.TimeKey, slog.SourceKey:
		at.Key = "attr_" + at.Key
	}
	return at
}

// clean returns at with its value resolved, redacted or escaped as
// needed. under is true inside a group whose name is sensitive.
func (c *handlerCore) clean(at slog.Attr, under bool) slog.Attr {
	return c.cleanIn(at, under, nil)
}

// cleanIn is clean inside a value of kind slog.KindAny being cleaned
// with budget b, or at the top of one (b nil).
func (c *handlerCore) cleanIn(at slog.Attr, under bool, b *anyBudget) slog.Attr {
	key := sanitize(at.Key, maxKeyLength)
	v := at.Value.Resolve()
	if v.Kind() != slog.KindGroup && (under || c.keys.sensitive(at.Key)) {
		return slog.String(key, Redacted)
	}
	switch v.Kind() {
	case slog.KindString:
		s := v.String()
		if t := sanitize(s, c.max); t != s {
			return slog.String(key, t)
		}
	case slog.KindGroup:
		if !under && at.Key != "" && c.keys.sensitive(at.Key) {
			return slog.String(key, Redacted)
		}
		return slog.Attr{Key: key, Value: c.cleanGroup(v.Group(), under, b)}
	case slog.KindAny:
		if w, changed := c.cleanAnyKind(v.Any(), b); changed {
			return slog.Attr{Key: key, Value: w}
		}
	}
	return slog.Attr{Key: key, Value: v}
}

// cleanAnyKind cleans x, the value of an attribute of kind slog.KindAny,
// with budget b, or a fresh one if b is nil. It reports false when x
// passes unchanged. It is apart from cleanIn to keep that lean for the
// common kinds (strings, numbers).
func (c *handlerCore) cleanAnyKind(x any, b *anyBudget) (slog.Value, bool) {
	switch x := x.(type) {
	case error:
		if x != nil {
			return slog.StringValue(sanitize(x.Error(), c.max)), true
		}
	case []string:
		n := maxAnyMembers
		if b != nil {
			n = b.take(min(len(x), n))
		}
		if out := sanitizeAll(x, c.max, n); out != nil {
			return slog.AnyValue(out), true
		}
	default:
		if b == nil {
			var fresh anyBudget
			b = &fresh
		}
		return c.cleanAny(x, b)
	}
	return slog.Value{}, false
}

// sanitizeAll returns a cleaned copy of list, cut after keep elements
// and then ending in "...[truncated]", or nil if no element needs
// cleaning.
func sanitizeAll(list []string, max, keep int) []string {
	var out []string
	cut := len(list) > keep
	if cut {
		list = list[:keep]
		out = make([]string, keep, keep+1)
		copy(out, list)
	}
	for i, e := range list {
		t := sanitize(e, max)
		if out == nil && t != e {
			out = make([]string, len(list))
			copy(out, list[:i])
		}
		if out != nil {
			out[i] = t
		}
	}
	if cut {
		out = append(out, truncatedMark)
	}
	return out
}

// cleanGroup cleans a group's members, copying them only if one changes.
func (c *handlerCore) cleanGroup(members []slog.Attr, under bool, b *anyBudget) slog.Value {
	var out []slog.Attr
	for i, at := range members {
		ct := c.cleanIn(at, under, b)
		if out == nil && !sameAttr(ct, at) {
			out = make([]slog.Attr, i, len(members))
			copy(out, members[:i])
		}
		if out != nil {
			out = append(out, ct)
		}
	}
	if out == nil {
		return slog.GroupValue(members...)
	}
	return slog.GroupValue(out...)
}

// sameAttr reports whether cleaning left at unchanged (cheap checks only:
// a false "changed" merely costs a copy).
func sameAttr(a, b slog.Attr) bool {
	if a.Key != b.Key || a.Value.Kind() != b.Value.Kind() {
		return false
	}
	switch a.Value.Kind() {
	case slog.KindString:
		return a.Value.String() == b.Value.String()
	case slog.KindGroup, slog.KindAny, slog.KindLogValuer:
		return false
	}
	return a.Value.Equal(b.Value)
}

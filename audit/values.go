package audit

import (
	"cmp"
	"encoding"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Limits on cleaning one value logged with slog.Any, so that a large,
// deep or cyclic value (a flood of request headers, a linked structure)
// costs bounded work whatever it holds.
const (
	maxAnyMembers = 64  // entries, fields or elements kept of one map, struct or slice
	maxAnyDepth   = 8   // maps, structs, slices and pointers opened inside one another
	maxAnyNodes   = 256 // members kept in all, over one attribute
)

// anyBudget is what is left of the limits while one value is cleaned.
type anyBudget struct{ depth, nodes int }

// take counts up to n members against the budget and returns how many
// may be kept.
func (b *anyBudget) take(n int) int {
	n = min(n, maxAnyNodes-b.nodes)
	b.nodes += n
	return n
}

// cleanAny returns the cleaned form of x, a value of kind slog.KindAny
// that is neither an error nor a []string, and reports whether it differs
// from x:
//
//   - types that render themselves as text (encoding.TextMarshaler, as
//     slog's handlers prefer) become that text, cleaned as a string;
//   - json.Marshalers pass if their JSON holds nothing to clean, and else
//     become that JSON as a cleaned string;
//   - maps become groups of their entries (string keys, or keys printed
//     with fmt), sorted by key, and structs groups of their exported
//     fields (named as encoding/json names them, json:"-" left out), so
//     that each member is redacted by its key and cleaned like a
//     top-level attribute;
//   - slices and arrays of anything but numbers and booleans become
//     lists of their cleaned elements;
//   - named string types are cleaned as strings; numbers and booleans
//     pass; channels and functions become their type's name.
//
// Members with a sensitive key are redacted by the caller, cleanIn, which
// never passes a value inside a sensitive group here.
func (c *handlerCore) cleanAny(x any, b *anyBudget) (slog.Value, bool) {
	rv := reflect.ValueOf(x)
	if !rv.IsValid() || (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface) && rv.IsNil() {
		return slog.Value{}, false
	}
	switch t := x.(type) {
	case encoding.TextMarshaler:
		text, err := t.MarshalText()
		if err != nil {
			return slog.StringValue(sanitize(err.Error(), c.max)), true
		}
		return slog.StringValue(sanitize(string(text), c.max)), true
	case json.Marshaler:
		j, err := t.MarshalJSON()
		if err != nil {
			return slog.StringValue(sanitize(err.Error(), c.max)), true
		}
		if s := string(j); needsWork(s, c.max) {
			return slog.StringValue(sanitize(s, c.max)), true
		}
		return slog.Value{}, false
	}
	switch k := rv.Kind(); {
	case isScalar(k):
		return slog.Value{}, false
	case k == reflect.String:
		return slog.StringValue(sanitize(rv.String(), c.max)), true
	case k == reflect.Chan || k == reflect.Func || k == reflect.UnsafePointer:
		return slog.StringValue(sanitize(rv.Type().String(), c.max)), true
	}
	if b.depth >= maxAnyDepth {
		return slog.StringValue(truncatedMark), true
	}
	b.depth++
	defer func() { b.depth-- }()
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		e := rv.Elem()
		if e.Kind() == reflect.Struct {
			return c.cleanStruct(e, x, b), true
		}
		if w, ok := c.cleanAny(e.Interface(), b); ok {
			return w, true
		}
		return slog.AnyValue(e.Interface()), true
	case reflect.Map:
		if rv.Len() == 0 {
			return slog.Value{}, false
		}
		return c.cleanMap(rv, b), true
	case reflect.Struct:
		return c.cleanStruct(rv, x, b), true
	case reflect.Slice, reflect.Array:
		if isScalar(rv.Type().Elem().Kind()) {
			return slog.Value{}, false
		}
		return c.cleanList(rv, b), true
	}
	return slog.StringValue(sanitize(rv.Type().String(), c.max)), true
}

// isScalar reports whether values of kind k are numbers or booleans,
// which hold no text.
func isScalar(k reflect.Kind) bool {
	return reflect.Bool <= k && k <= reflect.Complex128
}

// member returns the cleaned attribute key: x (redacted if under), or
// false when the budget is spent.
func (c *handlerCore) member(key string, x any, under bool, b *anyBudget) (slog.Attr, bool) {
	if b.take(1) == 0 {
		return slog.Attr{}, false
	}
	return c.cleanIn(slog.Any(key, x), under, b), true
}

// cleanMap returns a map's entries as a group, sorted by key. Of a map
// with more than maxAnyMembers entries, which ones are kept is
// unspecified; a last member "...[truncated]" counts those left out.
func (c *handlerCore) cleanMap(m reflect.Value, b *anyBudget) slog.Value {
	type entry struct {
		key string
		val reflect.Value
	}
	entries := make([]entry, 0, min(m.Len(), maxAnyMembers))
	for it := m.MapRange(); it.Next() && len(entries) < maxAnyMembers; {
		k := it.Key()
		var key string
		if k.Kind() == reflect.String {
			key = k.String()
		} else if k.CanInterface() {
			key = fmt.Sprint(k.Interface())
		}
		entries = append(entries, entry{key, it.Value()})
	}
	slices.SortFunc(entries, func(a, b entry) int { return cmp.Compare(a.key, b.key) })
	members := make([]slog.Attr, 0, len(entries)+1)
	for _, e := range entries {
		if !e.val.CanInterface() {
			continue
		}
		at, ok := c.member(e.key, e.val.Interface(), false, b)
		if !ok {
			break
		}
		members = append(members, at)
	}
	return groupOf(members, m.Len())
}

// cleanStruct returns the exported fields of s as a group, named as
// encoding/json names them; the fields of an embedded struct are inlined.
// A struct without any becomes the String text of self (s or a pointer
// to it), or "{}".
func (c *handlerCore) cleanStruct(s reflect.Value, self any, b *anyBudget) slog.Value {
	t := s.Type()
	members := make([]slog.Attr, 0, min(t.NumField(), maxAnyMembers))
	fields := 0
	for i := range t.NumField() {
		f := t.Field(i)
		v := s.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || !v.CanInterface() || name == "-" && opts == "" {
			continue
		}
		if name == "" {
			name = f.Name
			if f.Anonymous && indirect(f.Type).Kind() == reflect.Struct {
				if v.Kind() == reflect.Pointer && v.IsNil() {
					continue
				}
				name = "" // an inline group
			}
		}
		fields++
		if len(members) == maxAnyMembers {
			continue
		}
		// The Go name counts too: Secret string `json:"s"`.
		if at, ok := c.member(name, v.Interface(), c.keys.sensitive(f.Name), b); ok {
			members = append(members, at)
		}
	}
	if fields == 0 {
		if str, ok := self.(fmt.Stringer); ok {
			return slog.StringValue(sanitize(str.String(), c.max))
		}
		return slog.StringValue("{}")
	}
	return groupOf(members, fields)
}

func indirect(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Pointer {
		return t.Elem()
	}
	return t
}

// groupOf returns the group of members, cut from total: a last member
// "...[truncated]" counts those left out.
func groupOf(members []slog.Attr, total int) slog.Value {
	if n := total - len(members); n > 0 {
		members = append(members, slog.Int(truncatedMark, n))
	}
	return slog.GroupValue(members...)
}

// cleanList returns the cleaned elements of a slice or an array, as a
// []any that handlers print as a list: groups become map[string]any.
// Past maxAnyMembers elements, the last one is "...[truncated]".
func (c *handlerCore) cleanList(l reflect.Value, b *anyBudget) slog.Value {
	n := l.Len()
	out := make([]any, 0, min(n, maxAnyMembers)+1)
	for i := range min(n, maxAnyMembers) {
		v := l.Index(i)
		if !v.CanInterface() {
			break
		}
		at, ok := c.member(strconv.Itoa(i), v.Interface(), false, b)
		if !ok {
			break
		}
		out = append(out, plain(at.Value))
	}
	if len(out) < n {
		out = append(out, truncatedMark)
	}
	return slog.AnyValue(out)
}

// plain returns a cleaned value as data that handlers print as they would
// have printed the original: a group as a map.
func plain(v slog.Value) any {
	if v.Kind() != slog.KindGroup {
		return v.Any()
	}
	m := make(map[string]any, len(v.Group()))
	for _, at := range v.Group() {
		if at.Key == "" && at.Value.Kind() == slog.KindGroup {
			maps.Copy(m, plain(at.Value).(map[string]any)) // an inline group
			continue
		}
		m[at.Key] = plain(at.Value)
	}
	return m
}

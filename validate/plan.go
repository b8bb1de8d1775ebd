package validate

import (
	"cmp"
	"encoding"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
)

// A plan says how to decode JSON into one Go type. Plans are built once per
// type by a Decoder and shared by every request: decoding walks the plan and
// the input together in one pass, without encoding/json's per-request
// reflection over struct tags.
type plan struct {
	kind   kind
	typ    reflect.Type
	bits   int
	elem   *plan
	fields []fieldPlan
	index  map[string]int
}

type fieldPlan struct {
	name  string // the JSON member name
	seg   string // "/" + name escaped per RFC 6901
	index []int  // the path through embedded structs, as reflect.Value.FieldByIndex
	plan  *plan
}

type kind uint8

const (
	kString kind = iota
	kBool
	kInt
	kUint
	kFloat
	kPtr
	kIface
	kSlice
	kBytes
	kArray
	kMap
	kStruct
	kNumber
	kJSONUnmarshaler
	kTextUnmarshaler
)

var (
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	numberType          = reflect.TypeFor[json.Number]()
)

// errUnsupported marks a type the one-pass decoder does not handle (the
// ",string" tag option, non-string map keys, non-empty interfaces, ...). Such types
// are decoded by encoding/json after a full strict pre-scan.
var errUnsupported = errors.New("unsupported type")

func buildPlan(t reflect.Type, memo map[reflect.Type]*plan) (*plan, error) {
	if p, ok := memo[t]; ok {
		return p, nil
	}
	p := &plan{typ: t}
	memo[t] = p
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		if reflect.PointerTo(t).Implements(jsonUnmarshalerType) {
			p.kind = kJSONUnmarshaler
			return p, nil
		}
		if reflect.PointerTo(t).Implements(textUnmarshalerType) {
			p.kind = kTextUnmarshaler
			return p, nil
		}
	}
	switch t.Kind() {
	case reflect.String:
		p.kind = kString
		if t == numberType {
			p.kind = kNumber
		}
	case reflect.Bool:
		p.kind = kBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		p.kind, p.bits = kInt, t.Bits()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		p.kind, p.bits = kUint, t.Bits()
	case reflect.Float32, reflect.Float64:
		p.kind, p.bits = kFloat, t.Bits()
	case reflect.Interface:
		if t.NumMethod() != 0 {
			return nil, errUnsupported
		}
		p.kind = kIface
	case reflect.Pointer, reflect.Slice, reflect.Array:
		switch t.Kind() {
		case reflect.Pointer:
			p.kind = kPtr
		case reflect.Slice:
			p.kind = kSlice
			if t.Elem().Kind() == reflect.Uint8 && !reflect.PointerTo(t.Elem()).Implements(jsonUnmarshalerType) &&
				!reflect.PointerTo(t.Elem()).Implements(textUnmarshalerType) {
				p.kind = kBytes
				return p, nil
			}
		case reflect.Array:
			p.kind = kArray
		}
		e, err := buildPlan(t.Elem(), memo)
		if err != nil {
			return nil, err
		}
		p.elem = e
	case reflect.Map:
		if t.Key().Kind() != reflect.String || reflect.PointerTo(t.Key()).Implements(textUnmarshalerType) {
			return nil, errUnsupported
		}
		p.kind = kMap
		e, err := buildPlan(t.Elem(), memo)
		if err != nil {
			return nil, err
		}
		p.elem = e
	case reflect.Struct:
		p.kind = kStruct
		fields, err := structFields(t)
		if err != nil {
			return nil, err
		}
		p.index = make(map[string]int, len(fields))
		for _, f := range fields {
			fp, err := buildPlan(f.typ, memo)
			if err != nil {
				return nil, err
			}
			p.index[f.name] = len(p.fields)
			p.fields = append(p.fields, fieldPlan{name: f.name, seg: "/" + escapePointer(f.name), index: f.index, plan: fp})
		}
	default:
		return nil, errUnsupported
	}
	return p, nil
}

type structField struct {
	name   string
	index  []int
	typ    reflect.Type
	tagged bool
}

// structFields lists the JSON members of struct type t with encoding/json's
// rules: exported fields, named by their tag or Go name, "-" skipped, the
// fields of untagged embedded structs promoted, a shallower field hiding a
// deeper one of the same name, a tagged field winning over an untagged one
// at the same depth, and two equally good candidates hiding each other.
func structFields(t reflect.Type) ([]structField, error) {
	type level struct {
		typ   reflect.Type
		index []int
	}
	var all []structField
	current := []level{{typ: t}}
	visited := map[reflect.Type]bool{}
	for len(current) > 0 {
		var next []level
		for _, l := range current {
			if visited[l.typ] {
				continue
			}
			visited[l.typ] = true
			for i := range l.typ.NumField() {
				sf := l.typ.Field(i)
				ft := sf.Type
				if sf.Anonymous {
					if ft.Kind() == reflect.Pointer {
						ft = ft.Elem()
					}
					if !sf.IsExported() && ft.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				for o := range strings.SplitSeq(opts, ",") {
					if o == "string" {
						return nil, errUnsupported
					}
				}
				index := append(slices.Clone(l.index), i)
				if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
					if sf.Type.Kind() == reflect.Pointer && !sf.IsExported() {
						// encoding/json cannot allocate it either.
						return nil, errUnsupported
					}
					next = append(next, level{typ: ft, index: index})
					continue
				}
				all = append(all, structField{name: cmp.Or(name, sf.Name), index: index, typ: sf.Type, tagged: name != ""})
			}
		}
		current = next
	}
	slices.SortStableFunc(all, func(a, b structField) int {
		return cmp.Or(strings.Compare(a.name, b.name), cmp.Compare(len(a.index), len(b.index)), boolRank(a.tagged, b.tagged))
	})
	var out []structField
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j].name == all[i].name {
			j++
		}
		group := all[i:j]
		if len(group) == 1 || len(group[0].index) < len(group[1].index) || group[0].tagged && !group[1].tagged {
			out = append(out, group[0])
		}
		i = j
	}
	slices.SortFunc(out, func(a, b structField) int { return slices.Compare(a.index, b.index) })
	return out, nil
}

// boolRank orders tagged fields first.
func boolRank(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// escapePointer escapes one JSON Pointer reference token (RFC 6901 §3).
func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

package validate

import (
	"encoding"
	"encoding/json"
	"errors"
	"reflect"
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
	index int
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

// errUnsupported marks a type the one-pass decoder does not handle (embedded
// structs, the ",string" tag option, non-string map keys, ...). Such types
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
		p.index = make(map[string]int)
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" {
				return nil, errUnsupported
			}
			if !f.IsExported() {
				continue
			}
			for o := range strings.SplitSeq(opts, ",") {
				if o == "string" {
					return nil, errUnsupported
				}
			}
			if name == "" {
				name = f.Name
			}
			if _, dup := p.index[name]; dup {
				return nil, errUnsupported
			}
			fp, err := buildPlan(f.Type, memo)
			if err != nil {
				return nil, err
			}
			p.index[name] = len(p.fields)
			p.fields = append(p.fields, fieldPlan{name: name, seg: "/" + escapePointer(name), index: i, plan: fp})
		}
	default:
		return nil, errUnsupported
	}
	return p, nil
}

// escapePointer escapes one JSON Pointer reference token (RFC 6901 §3).
func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

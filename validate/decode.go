package validate

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxSmallKeys is how many member names an object may have before duplicate
// detection switches from a linear scan to a map, which keeps the check
// linear in the size of the body.
const maxSmallKeys = 16

// state decodes one body. It is pooled by the Decoder and reset per body.
type state struct {
	data         []byte
	pos          int
	depth        int
	maxDepth     int
	allowUnknown bool
	path         []pathSeg
	typeErrs     Errors
	scratch      []byte
}

// pathSeg is one step of the JSON Pointer to the value being decoded.
type pathSeg struct {
	seg string // an escaped "/name", or "" for an array index
	idx int
}

func (s *state) reset(data []byte) {
	s.data, s.pos, s.depth = data, 0, 0
	s.path = s.path[:0]
	s.typeErrs = nil
	s.scratch = s.scratch[:0]
}

// pointer renders the current path as a JSON Pointer (allocates: error
// paths only).
func (s *state) pointer() string {
	n := 0
	for _, p := range s.path {
		n += len(p.seg) + 4
	}
	b := make([]byte, 0, n)
	for _, p := range s.path {
		if p.seg != "" {
			b = append(b, p.seg...)
			continue
		}
		b = append(b, '/')
		b = strconv.AppendInt(b, int64(p.idx), 10)
	}
	return string(b)
}

// fail builds a structural (400) error at the current path.
func (s *state) fail(err error, code, detail, extra string) *RequestError {
	return &RequestError{Status: http.StatusBadRequest, Err: err, Fields: Errors{{Pointer: s.pointer() + extra, Code: code, Detail: detail}}}
}

func (s *state) syntaxErr() *RequestError {
	return s.fail(ErrSyntax, CodeSyntax, "The body is not well-formed JSON.", "")
}

func (s *state) utf8Err() *RequestError {
	return s.fail(ErrInvalidUTF8, CodeUTF8, "A string is not valid UTF-8.", "")
}

// typeErr records a type error at the current path. The list is capped
// like every [Errors] (MaxErrors, then a too_many_errors entry), so the
// response stays small whatever the input.
func (s *state) typeErr(code, detail string) {
	if !s.typeErrs.Full() { // checked first: a dropped error needs no pointer built
		s.typeErrs.push(FieldError{Pointer: s.pointer(), Code: code, Detail: detail})
	}
}

const (
	detailType     = "The value has the wrong JSON type for this field."
	detailOverflow = "The number does not fit this field."
	detailInteger  = "The value must be an integer."
)

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (s *state) skipWS() {
	for s.pos < len(s.data) && isSpace(s.data[s.pos]) {
		s.pos++
	}
}

// document decodes the whole body into v (nil: only checks it).
func (s *state) document(v reflect.Value, p *plan) *RequestError {
	s.skipWS()
	if s.pos == len(s.data) {
		return &RequestError{Status: http.StatusBadRequest, Err: ErrEmptyBody, Fields: Errors{{Code: CodeEmpty, Detail: "The request body is empty."}}}
	}
	var err *RequestError
	switch {
	case p == nil:
		err = s.skip()
	case s.data[s.pos] == 'n' && p.kind != kPtr && p.kind != kIface && p.kind != kJSONUnmarshaler:
		// A bare null would leave the value at its zero; for a body that
		// is a mistake, not a request.
		err = s.mismatch()
	default:
		err = s.value(v, p)
	}
	if err != nil {
		return err
	}
	s.skipWS()
	if s.pos != len(s.data) {
		return &RequestError{Status: http.StatusBadRequest, Err: ErrTrailingData, Fields: Errors{{Code: CodeTrailingData, Detail: "The body must hold exactly one JSON value."}}}
	}
	if len(s.typeErrs) > 0 {
		return &RequestError{Status: http.StatusUnprocessableEntity, Err: ErrType, Fields: s.typeErrs}
	}
	return nil
}

func (s *state) enter() *RequestError {
	s.depth++
	if s.depth > s.maxDepth {
		return s.fail(ErrTooDeep, CodeDepth, "The JSON value is nested too deeply.", "")
	}
	return nil
}

// open enters the object or array whose opening byte is next and reports
// whether it is empty, in which case its closing byte is consumed too.
func (s *state) open(closing byte) (empty bool, err *RequestError) {
	if err := s.enter(); err != nil {
		return false, err
	}
	s.pos++
	if s.next() != closing {
		return false, nil
	}
	s.pos++
	s.depth--
	return true, nil
}

// value decodes the next value into v according to p. On a type mismatch it
// records the error, skips the value and carries on, so every such error is
// reported at once.
func (s *state) value(v reflect.Value, p *plan) *RequestError {
	s.skipWS()
	if s.pos >= len(s.data) {
		return s.syntaxErr()
	}
	c := s.data[s.pos]
	if c == 'n' {
		if err := s.literal("null"); err != nil {
			return err
		}
		switch p.kind {
		case kPtr, kIface, kSlice, kBytes, kMap:
			v.SetZero()
		case kJSONUnmarshaler:
			return s.unmarshalJSON(v, []byte("null"))
		}
		return nil
	}
	switch p.kind {
	case kString:
		if c != '"' {
			return s.mismatch()
		}
		b, err := s.str()
		if err != nil {
			return err
		}
		v.SetString(string(b))
	case kNumber:
		if c != '-' && (c < '0' || c > '9') {
			return s.mismatch()
		}
		b, err := s.number()
		if err != nil {
			return err
		}
		v.SetString(string(b))
	case kBool:
		switch c {
		case 't':
			if err := s.literal("true"); err != nil {
				return err
			}
			v.SetBool(true)
		case 'f':
			if err := s.literal("false"); err != nil {
				return err
			}
			v.SetBool(false)
		default:
			return s.mismatch()
		}
	case kInt, kUint, kFloat:
		if c != '-' && (c < '0' || c > '9') {
			return s.mismatch()
		}
		b, err := s.number()
		if err != nil {
			return err
		}
		s.setNumber(v, p, b)
	case kPtr:
		if v.IsNil() {
			v.Set(reflect.New(p.typ.Elem()))
		}
		return s.value(v.Elem(), p.elem)
	case kIface:
		x, err := s.anyValue()
		if err != nil {
			return err
		}
		if x == nil {
			v.SetZero()
		} else {
			v.Set(reflect.ValueOf(x))
		}
	case kBytes:
		if c != '"' {
			return s.mismatch()
		}
		b, err := s.str()
		if err != nil {
			return err
		}
		out := make([]byte, base64.StdEncoding.DecodedLen(len(b)))
		n, derr := base64.StdEncoding.Decode(out, b)
		if derr != nil {
			s.typeErr(CodeType, "The value must be standard base64.")
			return nil
		}
		v.SetBytes(out[:n])
	case kSlice, kArray:
		if c != '[' {
			return s.mismatch()
		}
		return s.array(v, p)
	case kMap:
		if c != '{' {
			return s.mismatch()
		}
		return s.mapValue(v, p)
	case kStruct:
		if c != '{' {
			return s.mismatch()
		}
		return s.object(v, p)
	case kJSONUnmarshaler:
		start := s.pos
		if err := s.skip(); err != nil {
			return err
		}
		return s.unmarshalJSON(v, s.data[start:s.pos])
	case kTextUnmarshaler:
		if c != '"' {
			return s.mismatch()
		}
		b, err := s.str()
		if err != nil {
			return err
		}
		if v.Addr().Interface().(interface{ UnmarshalText([]byte) error }).UnmarshalText(b) != nil {
			s.typeErr(CodeType, "The value is not in the expected format.")
		}
	}
	return nil
}

func (s *state) unmarshalJSON(v reflect.Value, raw []byte) *RequestError {
	if v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(raw) != nil {
		s.typeErr(CodeType, "The value is not in the expected format.")
	}
	return nil
}

// mismatch records a type error for the value at pos and skips it.
func (s *state) mismatch() *RequestError {
	if err := s.skip(); err != nil {
		return err
	}
	s.typeErr(CodeType, detailType)
	return nil
}

func (s *state) setNumber(v reflect.Value, p *plan, b []byte) {
	switch p.kind {
	case kFloat:
		f, err := strconv.ParseFloat(string(b), p.bits)
		if err != nil || math.IsInf(f, 0) {
			s.typeErr(CodeOverflow, detailOverflow)
			return
		}
		v.SetFloat(f)
	case kInt, kUint:
		neg := b[0] == '-'
		digits := b
		if neg {
			digits = b[1:]
		}
		var u uint64
		for _, c := range digits {
			if c < '0' || c > '9' {
				// A fraction or an exponent: not an integer literal.
				s.typeErr(CodeType, detailInteger)
				return
			}
			d := uint64(c - '0')
			if u > (math.MaxUint64-d)/10 {
				s.typeErr(CodeOverflow, detailOverflow)
				return
			}
			u = u*10 + d
		}
		if p.kind == kUint {
			if neg || p.bits < 64 && u > 1<<p.bits-1 {
				s.typeErr(CodeOverflow, detailOverflow)
				return
			}
			v.SetUint(u)
			return
		}
		limit := uint64(1) << (p.bits - 1) // |min|; max is limit-1
		if neg && u > limit || !neg && u >= limit {
			s.typeErr(CodeOverflow, detailOverflow)
			return
		}
		if neg {
			v.SetInt(int64(-u))
		} else {
			v.SetInt(int64(u))
		}
	}
}

func (s *state) literal(lit string) *RequestError {
	if len(s.data)-s.pos < len(lit) || string(s.data[s.pos:s.pos+len(lit)]) != lit {
		return s.syntaxErr()
	}
	s.pos += len(lit)
	return nil
}

// number scans a JSON number (RFC 8259 §6) and returns its bytes.
func (s *state) number() ([]byte, *RequestError) {
	d, i := s.data, s.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	default:
		return nil, s.syntaxErr()
	}
	if i < len(d) && d[i] == '.' {
		i++
		j := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		if i == j {
			return nil, s.syntaxErr()
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		if i == j {
			return nil, s.syntaxErr()
		}
	}
	b := d[s.pos:i]
	s.pos = i
	return b, nil
}

// str scans a string starting at the opening quote and returns its
// unescaped bytes: a sub-slice of the input when there are no escapes,
// else bytes in the scratch buffer, valid until the next call.
func (s *state) str() ([]byte, *RequestError) {
	d := s.data
	i := s.pos + 1
	start := i
	for i < len(d) {
		c := d[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"':
				s.pos = i + 1
				return d[start:i], nil
			case c == '\\':
				s.scratch = append(s.scratch[:0], d[start:i]...)
				return s.strEscaped(i)
			case c < 0x20:
				s.pos = i
				return nil, s.syntaxErr()
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(d[i:])
		if r == utf8.RuneError && size == 1 {
			return nil, s.utf8Err()
		}
		i += size
	}
	return nil, s.syntaxErr()
}

func (s *state) strEscaped(i int) ([]byte, *RequestError) {
	d := s.data
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			s.pos = i + 1
			return s.scratch, nil
		case c < 0x20:
			return nil, s.syntaxErr()
		case c == '\\':
			if i+1 >= len(d) {
				return nil, s.syntaxErr()
			}
			switch d[i+1] {
			case '"', '\\', '/':
				s.scratch = append(s.scratch, d[i+1])
			case 'b':
				s.scratch = append(s.scratch, '\b')
			case 'f':
				s.scratch = append(s.scratch, '\f')
			case 'n':
				s.scratch = append(s.scratch, '\n')
			case 'r':
				s.scratch = append(s.scratch, '\r')
			case 't':
				s.scratch = append(s.scratch, '\t')
			case 'u':
				r, ok := hex4(d, i+2)
				if !ok {
					return nil, s.syntaxErr()
				}
				i += 6
				if utf16.IsSurrogate(r) {
					// Only a high surrogate followed by an escaped low one
					// is a character; anything else is not valid UTF-16,
					// and encoding/json would silently turn it into U+FFFD.
					if r >= 0xDC00 || i+1 >= len(d) || d[i] != '\\' || d[i+1] != 'u' {
						return nil, s.utf8Err()
					}
					r2, ok := hex4(d, i+2)
					if !ok {
						return nil, s.syntaxErr()
					}
					r = utf16.DecodeRune(r, r2)
					if r == utf8.RuneError {
						return nil, s.utf8Err()
					}
					i += 6
				}
				s.scratch = utf8.AppendRune(s.scratch, r)
				continue
			default:
				return nil, s.syntaxErr()
			}
			i += 2
		case c < utf8.RuneSelf:
			s.scratch = append(s.scratch, c)
			i++
		default:
			r, size := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && size == 1 {
				return nil, s.utf8Err()
			}
			s.scratch = append(s.scratch, d[i:i+size]...)
			i += size
		}
	}
	return nil, s.syntaxErr()
}

func hex4(d []byte, i int) (rune, bool) {
	if i+4 > len(d) {
		return 0, false
	}
	var r rune
	for _, c := range d[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// next skips whitespace and reports the next byte, or 0 at the end.
func (s *state) next() byte {
	s.skipWS()
	if s.pos >= len(s.data) {
		return 0
	}
	return s.data[s.pos]
}

// keySet detects duplicate member names in one object: a linear scan over
// the first few names, then a map, so the cost stays linear.
type keySet struct {
	small [maxSmallKeys]string
	n     int
	big   map[string]struct{}
}

// add records k and reports whether it was already there.
func (ks *keySet) add(k []byte) bool {
	if ks.big != nil {
		if _, dup := ks.big[string(k)]; dup {
			return true
		}
		ks.big[string(k)] = struct{}{}
		return false
	}
	for _, o := range ks.small[:ks.n] {
		if o == string(k) {
			return true
		}
	}
	if ks.n < maxSmallKeys {
		ks.small[ks.n] = string(k)
		ks.n++
		return false
	}
	ks.big = make(map[string]struct{}, 2*maxSmallKeys)
	for _, o := range ks.small[:ks.n] {
		ks.big[o] = struct{}{}
	}
	ks.big[string(k)] = struct{}{}
	return false
}

// objectKey reads `"name" :` and returns the name.
func (s *state) objectKey() ([]byte, *RequestError) {
	if s.next() != '"' {
		return nil, s.syntaxErr()
	}
	k, err := s.str()
	if err != nil {
		return nil, err
	}
	if s.next() != ':' {
		return nil, s.syntaxErr()
	}
	s.pos++
	return k, nil
}

// afterMember consumes ',' or the closing byte and reports whether the
// container ended.
func (s *state) afterMember(closing byte) (bool, *RequestError) {
	switch s.next() {
	case ',':
		s.pos++
		return false, nil
	case closing:
		s.pos++
		s.depth--
		return true, nil
	}
	return false, s.syntaxErr()
}

// skip checks one value without storing it: syntax, UTF-8, depth and
// duplicate keys all apply.
func (s *state) skip() *RequestError {
	switch c := s.next(); c {
	case '{':
		if empty, err := s.open('}'); empty || err != nil {
			return err
		}
		var ks keySet
		for {
			k, err := s.objectKey()
			if err != nil {
				return err
			}
			if ks.add(k) {
				return s.fail(ErrDuplicateKey, CodeDuplicateKey, "An object has the same member twice.", plainSeg(k))
			}
			if err := s.skip(); err != nil {
				return err
			}
			end, err := s.afterMember('}')
			if err != nil || end {
				return err
			}
		}
	case '[':
		if empty, err := s.open(']'); empty || err != nil {
			return err
		}
		for {
			if err := s.skip(); err != nil {
				return err
			}
			end, err := s.afterMember(']')
			if err != nil || end {
				return err
			}
		}
	case '"':
		_, err := s.str()
		return err
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	case 0:
		return s.syntaxErr()
	default:
		_, err := s.number()
		return err
	}
}

// plainSeg returns "/name" for a member name that is short and plain enough
// to show back to the client, else "" (the pointer then names the parent).
func plainSeg(k []byte) string {
	if len(k) == 0 || len(k) > 64 {
		return ""
	}
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return ""
		}
	}
	return "/" + string(k)
}

func (s *state) object(v reflect.Value, p *plan) *RequestError {
	if empty, err := s.open('}'); empty || err != nil {
		return err
	}
	var seen uint64
	var seenBig []bool
	if len(p.fields) > 64 {
		seenBig = make([]bool, len(p.fields))
	}
	var unknown keySet
	for {
		k, err := s.objectKey()
		if err != nil {
			return err
		}
		i, ok := p.index[string(k)]
		if !ok {
			if !s.allowUnknown {
				return s.fail(ErrUnknownField, CodeUnknownField, "The object has a member this endpoint does not accept.", plainSeg(k))
			}
			if unknown.add(k) {
				return s.fail(ErrDuplicateKey, CodeDuplicateKey, "An object has the same member twice.", plainSeg(k))
			}
			if err := s.skip(); err != nil {
				return err
			}
		} else {
			f := &p.fields[i]
			dup := false
			if seenBig != nil {
				dup, seenBig[i] = seenBig[i], true
			} else {
				dup = seen&(1<<i) != 0
				seen |= 1 << i
			}
			if dup {
				return s.fail(ErrDuplicateKey, CodeDuplicateKey, "An object has the same member twice.", f.seg)
			}
			s.path = append(s.path, pathSeg{seg: f.seg})
			err := s.value(fieldByIndex(v, f.index), f.plan)
			s.path = s.path[:len(s.path)-1]
			if err != nil {
				return err
			}
		}
		end, err := s.afterMember('}')
		if err != nil || end {
			return err
		}
	}
}

// fieldByIndex is reflect.Value.FieldByIndex that allocates nil embedded
// pointers on the way, as encoding/json does.
func fieldByIndex(v reflect.Value, index []int) reflect.Value {
	if len(index) == 1 {
		return v.Field(index[0])
	}
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v
}

func (s *state) mapValue(v reflect.Value, p *plan) *RequestError {
	if err := s.enter(); err != nil {
		return err
	}
	s.pos++
	if v.IsNil() {
		v.Set(reflect.MakeMap(p.typ))
	}
	if s.next() == '}' {
		s.pos++
		s.depth--
		return nil
	}
	kt := p.typ.Key()
	for {
		k, err := s.objectKey()
		if err != nil {
			return err
		}
		key := reflect.ValueOf(string(k))
		if kt != key.Type() {
			key = key.Convert(kt)
		}
		seg := plainSeg(k)
		if v.MapIndex(key).IsValid() {
			return s.fail(ErrDuplicateKey, CodeDuplicateKey, "An object has the same member twice.", seg)
		}
		elem := reflect.New(p.elem.typ).Elem()
		s.path = append(s.path, pathSeg{seg: seg})
		if seg == "" {
			s.path[len(s.path)-1].seg = "/-" // a member name we do not echo
		}
		err = s.value(elem, p.elem)
		s.path = s.path[:len(s.path)-1]
		if err != nil {
			return err
		}
		v.SetMapIndex(key, elem)
		end, err := s.afterMember('}')
		if err != nil || end {
			return err
		}
	}
}

func (s *state) array(v reflect.Value, p *plan) *RequestError {
	if err := s.enter(); err != nil {
		return err
	}
	s.pos++
	isSlice := p.kind == kSlice
	if isSlice {
		v.SetLen(0)
	}
	n := 0
	if s.next() != ']' {
		for {
			s.path = append(s.path, pathSeg{idx: n})
			var err *RequestError
			switch {
			case isSlice:
				if n >= v.Cap() {
					v.Grow(1)
				}
				v.SetLen(n + 1)
				v.Index(n).SetZero()
				err = s.value(v.Index(n), p.elem)
			case n < v.Len():
				err = s.value(v.Index(n), p.elem)
			default:
				err = s.skip()
				if err == nil && n == v.Len() {
					s.typeErr(CodeItems, "The array has more items than this field holds.")
				}
			}
			s.path = s.path[:len(s.path)-1]
			if err != nil {
				return err
			}
			n++
			end, err := s.afterMember(']')
			if err != nil {
				return err
			}
			if end {
				break
			}
		}
	} else {
		s.pos++
		s.depth--
	}
	if isSlice && v.IsNil() {
		v.Set(reflect.MakeSlice(p.typ, 0, 0))
	}
	for i := n; !isSlice && i < v.Len(); i++ {
		v.Index(i).SetZero()
	}
	return nil
}

// anyValue decodes into the types encoding/json uses for an interface{}:
// map[string]any, []any, string, float64, bool and nil.
func (s *state) anyValue() (any, *RequestError) {
	switch c := s.next(); c {
	case '{':
		empty, err := s.open('}')
		if err != nil {
			return nil, err
		}
		m := map[string]any{}
		if empty {
			return m, nil
		}
		for {
			k, err := s.objectKey()
			if err != nil {
				return nil, err
			}
			key := string(k)
			if _, dup := m[key]; dup {
				return nil, s.fail(ErrDuplicateKey, CodeDuplicateKey, "An object has the same member twice.", plainSeg(k))
			}
			seg := plainSeg(k)
			if seg == "" {
				seg = "/-"
			}
			s.path = append(s.path, pathSeg{seg: seg})
			x, err := s.anyValue()
			s.path = s.path[:len(s.path)-1]
			if err != nil {
				return nil, err
			}
			m[key] = x
			end, err := s.afterMember('}')
			if err != nil {
				return nil, err
			}
			if end {
				return m, nil
			}
		}
	case '[':
		empty, err := s.open(']')
		if err != nil {
			return nil, err
		}
		a := []any{}
		if empty {
			return a, nil
		}
		for {
			s.path = append(s.path, pathSeg{idx: len(a)})
			x, err := s.anyValue()
			s.path = s.path[:len(s.path)-1]
			if err != nil {
				return nil, err
			}
			a = append(a, x)
			end, err := s.afterMember(']')
			if err != nil {
				return nil, err
			}
			if end {
				return a, nil
			}
		}
	case '"':
		b, err := s.str()
		if err != nil {
			return nil, err
		}
		return string(b), nil
	case 't':
		return true, s.literal("true")
	case 'f':
		return false, s.literal("false")
	case 'n':
		return nil, s.literal("null")
	case 0:
		return nil, s.syntaxErr()
	default:
		b, err := s.number()
		if err != nil {
			return nil, err
		}
		f, perr := strconv.ParseFloat(string(b), 64)
		if perr != nil {
			s.typeErr(CodeOverflow, detailOverflow)
			return nil, nil
		}
		return f, nil
	}
}

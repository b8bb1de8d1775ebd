package validate_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apisec-go/apisec/validate"
)

type address struct {
	Street string `json:"street"`
	Zip    string `json:"zip"`
}

type profile struct {
	Name    string          `json:"name"`
	Nick    *string         `json:"nick"`
	Age     int8            `json:"age"`
	Count   uint16          `json:"count"`
	Big     int64           `json:"big"`
	Ratio   float32         `json:"ratio"`
	Score   float64         `json:"score"`
	OK      bool            `json:"ok"`
	Tags    []string        `json:"tags"`
	Pair    [2]int          `json:"pair"`
	Address *address        `json:"address"`
	Labels  map[string]int  `json:"labels"`
	Any     any             `json:"any"`
	Raw     json.RawMessage `json:"raw"`
	Num     json.Number     `json:"num"`
	When    time.Time       `json:"when"`
	Blob    []byte          `json:"blob"`
	IP      netip.Addr      `json:"ip"`
	Ignored string          `json:"-"`
	//lint:ignore U1000 present to prove unexported fields are never set
	internal string
	Nested   map[string][]bool `json:"nested"`
	Untagged string
}

func decodeBody(t *testing.T, d *validate.Decoder, body string) (*profile, error) {
	t.Helper()
	return validate.Unmarshal[profile](t.Context(), d, []byte(body), nil)
}

// agreeCases are valid bodies; they also seed FuzzDecode.
var agreeCases = []struct{ name, body string }{
	{"empty object", `{}`},
	{"scalars", `{"name":"Ada","age":-128,"count":65535,"big":-9223372036854775808,"ratio":1.5,"score":-2.5e-3,"ok":true}`},
	{"escapes", `{"name":"a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00 \u2028"}`},
	{"unicode raw", `{"name":"héllo wörld 😀"}`},
	{"pointer", `{"nick":"ada","address":{"street":"1 Main","zip":"12345"}}`},
	{"null pointer", `{"nick":null,"address":null}`},
	{"slices and arrays", `{"tags":["a","b",""],"pair":[1,2]}`},
	{"short array zero-fills", `{"pair":[7]}`},
	{"empty slice", `{"tags":[]}`},
	{"null slice", `{"tags":null}`},
	{"map", `{"labels":{"a":1,"b":-2,"":3}}`},
	{"any", `{"any":{"x":[1,"two",true,null,{"y":1.5}]}}`},
	{"raw message", `{"raw":{"keep": [1, 2]}}`},
	{"number", `{"num":-1.25e+10}`},
	{"time", `{"when":"2026-11-26T21:00:00Z"}`},
	{"bytes", `{"blob":"aGVsbG8="}`},
	{"text unmarshaler", `{"ip":"2001:db8::1"}`},
	{"text unmarshaler null", `{"ip":null}`},
	{"text unmarshaler", `{"ip":"2001:db8::1"}`},
	{"text unmarshaler null", `{"ip":null}`},
	{"nested map of slices", `{"nested":{"k":[true,false]}}`},
	{"untagged field name", `{"Untagged":"x"}`},
	{"whitespace", " \t\r\n{ \"name\" : \"x\" , \"age\" : 1 } \n"},
	{"null field is a no-op", `{"name":null,"age":null}`},
}

// TestDecodeAgreesWithEncodingJSON decodes valid bodies both ways: the
// one-pass decoder must fill values exactly as encoding/json does.
func TestDecodeAgreesWithEncodingJSON(t *testing.T) {
	tests := agreeCases
	d := validate.MustNew(validate.Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeBody(t, d, tt.body)
			if err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			var want profile
			dec := json.NewDecoder(strings.NewReader(tt.body))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&want); err != nil {
				t.Fatalf("encoding/json: %v", err)
			}
			if !reflect.DeepEqual(*got, want) {
				t.Fatalf("got  %+v\nwant %+v", *got, want)
			}
		})
	}
}

// rejectCases are bodies refused; they also seed FuzzDecode.
var rejectCases = []struct {
	name    string
	body    string
	want    error
	status  int
	pointer string
	code    string
}{
	{"empty", ``, validate.ErrEmptyBody, 400, "", "empty"},
	{"whitespace only", " \n\t ", validate.ErrEmptyBody, 400, "", "empty"},
	{"not json", `hello`, validate.ErrSyntax, 400, "", "syntax"},
	{"truncated object", `{"name":"x"`, validate.ErrSyntax, 400, "", "syntax"},
	{"truncated string", `{"name":"x`, validate.ErrSyntax, 400, "/name", "syntax"},
	{"trailing comma", `{"name":"x",}`, validate.ErrSyntax, 400, "", "syntax"},
	{"single quotes", `{'name':'x'}`, validate.ErrSyntax, 400, "", "syntax"},
	{"leading zero", `{"age":01}`, validate.ErrSyntax, 400, "", "syntax"},
	{"bare dot", `{"score":1.}`, validate.ErrSyntax, 400, "/score", "syntax"},
	{"plus sign", `{"age":+1}`, validate.ErrSyntax, 400, "/age", "syntax"},
	{"NaN", `{"score":NaN}`, validate.ErrSyntax, 400, "/score", "syntax"},
	{"raw control char", "{\"name\":\"a\x01\"}", validate.ErrSyntax, 400, "/name", "syntax"},
	{"bad escape", `{"name":"\x"}`, validate.ErrSyntax, 400, "/name", "syntax"},
	{"short unicode escape", `{"name":"\u12"}`, validate.ErrSyntax, 400, "/name", "syntax"},
	{"trailing value", `{} {}`, validate.ErrTrailingData, 400, "", "trailing_data"},
	{"trailing garbage", `{"name":"x"}x`, validate.ErrTrailingData, 400, "", "trailing_data"},
	{"two documents", "{}\n{}", validate.ErrTrailingData, 400, "", "trailing_data"},
	{"unknown field", `{"name":"x","admin":true}`, validate.ErrUnknownField, 400, "/admin", "unknown_field"},
	{"unknown field not echoed when odd", `{"<script>":1}`, validate.ErrUnknownField, 400, "", "unknown_field"},
	{"ignored field is unknown", `{"Ignored":"x"}`, validate.ErrUnknownField, 400, "/Ignored", "unknown_field"},
	{"unexported field is unknown", `{"internal":"x"}`, validate.ErrUnknownField, 400, "/internal", "unknown_field"},
	{"case-insensitive match refused", `{"NAME":"x"}`, validate.ErrUnknownField, 400, "/NAME", "unknown_field"},
	{"duplicate key", `{"name":"a","name":"b"}`, validate.ErrDuplicateKey, 400, "/name", "duplicate_key"},
	{"duplicate key by escape", `{"name":"a","n\u0061me":"b"}`, validate.ErrDuplicateKey, 400, "/name", "duplicate_key"},
	{"duplicate key nested", `{"address":{"zip":"1","zip":"2"}}`, validate.ErrDuplicateKey, 400, "/address/zip", "duplicate_key"},
	{"duplicate key in map", `{"labels":{"a":1,"a":2}}`, validate.ErrDuplicateKey, 400, "/labels/a", "duplicate_key"},
	{"duplicate key in any", `{"any":{"a":1,"a":2}}`, validate.ErrDuplicateKey, 400, "/any/a", "duplicate_key"},
	{"duplicate key in raw", `{"raw":{"a":1,"a":2}}`, validate.ErrDuplicateKey, 400, "/raw/a", "duplicate_key"},
	{"invalid utf8", "{\"name\":\"\xff\"}", validate.ErrInvalidUTF8, 400, "/name", "utf8"},
	{"overlong utf8", "{\"name\":\"\xc0\xaf\"}", validate.ErrInvalidUTF8, 400, "/name", "utf8"},
	{"utf8 surrogate bytes", "{\"name\":\"\xed\xa0\x80\"}", validate.ErrInvalidUTF8, 400, "/name", "utf8"},
	{"lone high surrogate", `{"name":"\ud800"}`, validate.ErrInvalidUTF8, 400, "/name", "utf8"},
	{"lone low surrogate", `{"name":"\udc00x"}`, validate.ErrInvalidUTF8, 400, "/name", "utf8"},
	{"reversed surrogates", `{"name":"\udc00\ud800"}`, validate.ErrInvalidUTF8, 400, "/name", "utf8"},
	{"invalid utf8 in key", "{\"\xff\":1}", validate.ErrInvalidUTF8, 400, "", "utf8"},
	{"too deep", `{"any":` + strings.Repeat("[", 32) + strings.Repeat("]", 32) + `}`, validate.ErrTooDeep, 400, "/any" + strings.Repeat("/0", 31), "depth"},
	{"int8 overflow", `{"age":128}`, validate.ErrType, 422, "/age", "overflow"},
	{"int8 underflow", `{"age":-129}`, validate.ErrType, 422, "/age", "overflow"},
	{"uint16 overflow", `{"count":65536}`, validate.ErrType, 422, "/count", "overflow"},
	{"uint negative", `{"count":-1}`, validate.ErrType, 422, "/count", "overflow"},
	{"uint negative zero", `{"count":-0}`, validate.ErrType, 422, "/count", "overflow"},
	{"int64 overflow", `{"big":9223372036854775808}`, validate.ErrType, 422, "/big", "overflow"},
	{"huge integer", `{"big":99999999999999999999999999}`, validate.ErrType, 422, "/big", "overflow"},
	{"float32 overflow", `{"ratio":1e39}`, validate.ErrType, 422, "/ratio", "overflow"},
	{"float64 overflow", `{"score":1e309}`, validate.ErrType, 422, "/score", "overflow"},
	{"any number overflow", `{"any":[1e400]}`, validate.ErrType, 422, "/any/0", "overflow"},
	{"fraction into int", `{"age":1.5}`, validate.ErrType, 422, "/age", "type"},
	{"exponent into int", `{"age":1e2}`, validate.ErrType, 422, "/age", "type"},
	{"string into int", `{"age":"12"}`, validate.ErrType, 422, "/age", "type"},
	{"number into string", `{"name":12}`, validate.ErrType, 422, "/name", "type"},
	{"object into slice", `{"tags":{}}`, validate.ErrType, 422, "/tags", "type"},
	{"wrong element type", `{"tags":["a",1]}`, validate.ErrType, 422, "/tags/1", "type"},
	{"array too long", `{"pair":[1,2,3]}`, validate.ErrType, 422, "/pair/2", "items"},
	{"bad time", `{"when":"yesterday"}`, validate.ErrType, 422, "/when", "type"},
	{"bad base64", `{"blob":"%%%"}`, validate.ErrType, 422, "/blob", "type"},
	{"bad text", `{"ip":"999.1.1.1"}`, validate.ErrType, 422, "/ip", "type"},
	{"number into text unmarshaler", `{"ip":5}`, validate.ErrType, 422, "/ip", "type"},
	{"bad text", `{"ip":"999.1.1.1"}`, validate.ErrType, 422, "/ip", "type"},
	{"number into text unmarshaler", `{"ip":5}`, validate.ErrType, 422, "/ip", "type"},
	{"bool as string", `{"ok":"true"}`, validate.ErrType, 422, "/ok", "type"},
	{"body is null", `null`, validate.ErrType, 422, "", "type"},
	{"body is an array", `[]`, validate.ErrType, 422, "", "type"},
	{"body is a string", `"x"`, validate.ErrType, 422, "", "type"},
}

// TestDecodeRejects covers every decoding failure: the sentinel, the status
// and where the error points.
func TestDecodeRejects(t *testing.T) {
	tests := rejectCases
	d := validate.MustNew(validate.Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := decodeBody(t, d, tt.body)
			if err == nil {
				t.Fatalf("accepted: %+v", v)
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var re *validate.RequestError
			if !errors.As(err, &re) {
				t.Fatalf("err %T is not a *RequestError", err)
			}
			if re.Status != tt.status {
				t.Errorf("status = %d, want %d", re.Status, tt.status)
			}
			if len(re.Fields) == 0 {
				t.Fatalf("no field errors")
			}
			if f := re.Fields[0]; f.Pointer != tt.pointer || f.Code != tt.code {
				t.Errorf("first error = %q %q, want %q %q", f.Pointer, f.Code, tt.pointer, tt.code)
			}
		})
	}
}

func TestTypeErrorsAreAllReported(t *testing.T) {
	d := validate.MustNew(validate.Config{})
	_, err := decodeBody(t, d, `{"name":1,"age":"x","ok":0,"tags":[1,2]}`)
	var re *validate.RequestError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v", err)
	}
	var got []string
	for _, f := range re.Fields {
		got = append(got, f.Pointer+" "+f.Code)
	}
	want := []string{"/name type", "/age type", "/ok type", "/tags/0 type", "/tags/1 type"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestTypeErrorsAreCapped(t *testing.T) {
	d := validate.MustNew(validate.Config{})
	body := `{"tags":[` + strings.TrimSuffix(strings.Repeat("1,", 1000), ",") + `]}`
	_, err := decodeBody(t, d, body)
	var re *validate.RequestError
	if !errors.As(err, &re) || len(re.Fields) != validate.MaxErrors+1 || !re.Fields.Full() {
		t.Fatalf("err = %v", err)
	}
}

// TestRejectsDuplicateKeys defends against parser differentials: encoding/json
// keeps the last of two equal members, other parsers (and WAFs) the first,
// so {"role":"user","role":"admin"} means different things to each.
func TestRejectsDuplicateKeys(t *testing.T) {
	type account struct {
		Role string `json:"role"`
	}
	body := `{"role":"user","role":"admin"}`
	var std account
	if err := json.Unmarshal([]byte(body), &std); err != nil || std.Role != "admin" {
		t.Fatalf("encoding/json behaviour changed: %+v %v", std, err)
	}
	_, err := validate.Unmarshal[account](t.Context(), nil, []byte(body), nil)
	if !errors.Is(err, validate.ErrDuplicateKey) {
		t.Fatalf("err = %v, want ErrDuplicateKey", err)
	}
}

// TestRejectsCaseInsensitiveFieldMatch: encoding/json maps "ROLE" onto
// field role; a strict decoder must not, or a filter that looks for "role"
// can be bypassed.
func TestRejectsCaseInsensitiveFieldMatch(t *testing.T) {
	type account struct {
		Role string `json:"role"`
	}
	_, err := validate.Unmarshal[account](t.Context(), nil, []byte(`{"ROLE":"admin"}`), nil)
	if !errors.Is(err, validate.ErrUnknownField) {
		t.Fatalf("err = %v, want ErrUnknownField", err)
	}
}

func TestDuplicateKeysManyMembers(t *testing.T) {
	// More members than the linear scan covers: the map takes over.
	var b strings.Builder
	b.WriteString(`{"any":{`)
	for i := range 100 {
		b.WriteString(`"k` + string(rune('a'+i%26)) + strings.Repeat("x", i/26) + `":1,`)
	}
	b.WriteString(`"kc":2}}`)
	_, err := decodeBody(t, validate.MustNew(validate.Config{}), b.String())
	if !errors.Is(err, validate.ErrDuplicateKey) {
		t.Fatalf("err = %v", err)
	}
	cfg := validate.MustNew(validate.Config{InsecureAllowUnknownFields: true})
	_, err = validate.Unmarshal[struct{}](t.Context(), cfg, []byte(strings.TrimPrefix(b.String(), `{"any":`)[:len(b.String())-len(`{"any":`)-1]), nil)
	if !errors.Is(err, validate.ErrDuplicateKey) {
		t.Fatalf("unknown members: err = %v", err)
	}
}

func TestAllowUnknownFields(t *testing.T) {
	d := validate.MustNew(validate.Config{InsecureAllowUnknownFields: true})
	v, err := decodeBody(t, d, `{"name":"x","extra":{"deep":[1,2,{"a":null}]}}`)
	if err != nil || v.Name != "x" {
		t.Fatalf("v = %+v, err = %v", v, err)
	}
	for name, body := range map[string]string{
		"duplicate unknown":    `{"extra":1,"extra":2}`,
		"bad utf8 in unknown":  "{\"extra\":\"\xff\"}",
		"too deep in unknown":  `{"extra":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`,
		"duplicate in unknown": `{"extra":{"a":1,"a":1}}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := decodeBody(t, d, body); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestMaxDepth(t *testing.T) {
	type tree struct {
		Any any `json:"any"`
	}
	d := validate.MustNew(validate.Config{MaxDepth: 3})
	if _, err := validate.Unmarshal[tree](t.Context(), d, []byte(`{"any":[[1]]}`), nil); err != nil {
		t.Fatalf("depth 3: %v", err)
	}
	if _, err := validate.Unmarshal[tree](t.Context(), d, []byte(`{"any":[[[1]]]}`), nil); !errors.Is(err, validate.ErrTooDeep) {
		t.Fatalf("depth 4: %v", err)
	}
}

// TestRecursiveType checks that a self-referencing type gets one plan and
// that depth still bounds it.
func TestRecursiveType(t *testing.T) {
	type node struct {
		Name     string  `json:"name"`
		Children []*node `json:"children"`
	}
	v, err := validate.Unmarshal[node](t.Context(), nil, []byte(`{"name":"a","children":[{"name":"b","children":[]}]}`), nil)
	if err != nil || v.Children[0].Name != "b" {
		t.Fatalf("v = %+v, err = %v", v, err)
	}
	deep := strings.Repeat(`{"children":[`, 40) + strings.Repeat(`]}`, 40)
	if _, err := validate.Unmarshal[node](t.Context(), nil, []byte(deep), nil); !errors.Is(err, validate.ErrTooDeep) {
		t.Fatalf("err = %v", err)
	}
}

// Embedded structs follow encoding/json's promotion rules.
type base struct {
	ID int `json:"id"`
}

type Meta struct {
	Note    string `json:"note"`
	Version int    `json:"version"`
}

type Clash1 struct{ Dup string }
type Clash2 struct{ Dup string }

type embedding struct {
	base
	*Meta
	Clash1
	Clash2
	Name    string `json:"name"`
	Version string `json:"version"` // hides Meta.Version
	Tagged  base   `json:"tagged"`
}

var embeddingCases = []string{
	`{"id":7,"name":"x"}`,
	`{"note":"n"}`,
	`{"version":"v2"}`,
	`{"tagged":{"id":1}}`,
	`{}`,
	`{"id":1,"note":"a","version":"b","name":"c","tagged":{"id":2}}`,
}

func TestEmbeddedStructsAgreeWithEncodingJSON(t *testing.T) {
	for _, body := range embeddingCases {
		t.Run(body, func(t *testing.T) {
			got, err := validate.Unmarshal[embedding](t.Context(), nil, []byte(body), nil)
			if err != nil {
				t.Fatal(err)
			}
			var want embedding
			dec := json.NewDecoder(strings.NewReader(body))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, want) {
				t.Fatalf("got  %+v\nwant %+v", *got, want)
			}
		})
	}
	// Two equally deep fields named Dup hide each other.
	if _, err := validate.Unmarshal[embedding](t.Context(), nil, []byte(`{"Dup":"x"}`), nil); !errors.Is(err, validate.ErrUnknownField) {
		t.Fatalf("ambiguous field: err = %v", err)
	}
}

// Types the one-pass decoder leaves to encoding/json (here the ",string"
// option) still get every strict check.
type fallbackType struct {
	N    int    `json:"n,string"`
	Name string `json:"name"`
}

func TestFallbackTypesAreStrict(t *testing.T) {
	v, err := validate.Unmarshal[fallbackType](t.Context(), nil, []byte(`{"n":"7","name":"x"}`), nil)
	if err != nil || v.N != 7 || v.Name != "x" {
		t.Fatalf("v = %+v, err = %v", v, err)
	}
	tests := []struct {
		name, body string
		want       error
	}{
		{"duplicate", `{"name":"a","name":"b"}`, validate.ErrDuplicateKey},
		{"unknown", `{"name":"a","x":2}`, validate.ErrUnknownField},
		{"utf8", "{\"name\":\"\xff\"}", validate.ErrInvalidUTF8},
		{"trailing", `{}{}`, validate.ErrTrailingData},
		{"type", `{"name":1}`, validate.ErrType},
		{"depth", `{"name":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`, validate.ErrTooDeep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := validate.Unmarshal[fallbackType](t.Context(), nil, []byte(tt.body), nil)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestContentType(t *testing.T) {
	tests := []struct {
		name string
		ct   []string
		ok   bool
	}{
		{"json", []string{"application/json"}, true},
		{"json utf-8", []string{"application/json; charset=utf-8"}, true},
		{"json UTF-8 quoted", []string{`application/json;charset="UTF-8"`}, true},
		{"case", []string{"Application/JSON"}, true},
		{"suffix", []string{"application/merge-patch+json"}, true},
		{"vendor with version", []string{"application/vnd.acme+json; version=2"}, true},
		{"missing", nil, false},
		{"empty", []string{""}, false},
		{"two fields", []string{"application/json", "application/json"}, false},
		{"text/plain", []string{"text/plain"}, false},
		{"form", []string{"application/x-www-form-urlencoded"}, false},
		{"text/json", []string{"text/json"}, false},
		{"latin1", []string{"application/json; charset=iso-8859-1"}, false},
		{"utf-16", []string{"application/json; charset=utf-16"}, false},
		{"bare +json", []string{"application/+json"}, false},
		{"jsonp", []string{"application/jsonp"}, false},
		{"json suffix no plus", []string{"application/notjson"}, false},
		{"broken parameter", []string{"application/json; charset"}, false},
		{"semicolon in quoted parameter", []string{`application/json; x="a;charset=latin1"; charset=utf-8`}, true},
	}
	d := validate.MustNew(validate.Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{}`))
			r.Header["Content-Type"] = tt.ct
			w := httptest.NewRecorder()
			_, err := validate.Decode[struct{}](w, r, d, nil)
			if tt.ok {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if !errors.Is(err, validate.ErrUnsupportedMediaType) || w.Code != http.StatusUnsupportedMediaType {
				t.Fatalf("err = %v, status %d", err, w.Code)
			}
		})
	}
}

// TestRejectsCompressedBodies: a gzip body is refused, not inflated past
// the cap or parsed as garbage.
func TestRejectsCompressedBodies(t *testing.T) {
	for _, ce := range [][]string{{"gzip"}, {"deflate"}, {"identity", "gzip"}, {"br"}} {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{}`))
		r.Header.Set("Content-Type", "application/json")
		r.Header["Content-Encoding"] = ce
		w := httptest.NewRecorder()
		if _, err := validate.Decode[struct{}](w, r, nil, nil); !errors.Is(err, validate.ErrUnsupportedMediaType) || w.Code != 415 {
			t.Errorf("%q: err = %v, status %d", ce, err, w.Code)
		}
	}
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Content-Encoding", "identity")
	if _, err := validate.Decode[struct{}](httptest.NewRecorder(), r, nil, nil); err != nil {
		t.Fatalf("identity: %v", err)
	}
}

// countingReader records how much of the body was read.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestOversizedBodyIsNotReadPastTheCap: the body is read up to the cap
// plus one byte, never further, whether or not Content-Length says so.
func TestOversizedBodyIsNotReadPastTheCap(t *testing.T) {
	const limit = 1000
	d := validate.MustNew(validate.Config{MaxBodyBytes: limit})
	body := `{"name":"` + strings.Repeat("a", 10_000) + `"}`
	for _, tc := range []struct {
		name          string
		contentLength int64
		maxRead       int
	}{
		{"declared", int64(len(body)), 0},
		{"chunked", -1, limit + 1},
		{"understated", 10, limit + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cr := &countingReader{r: strings.NewReader(body)}
			r := httptest.NewRequest(http.MethodPost, "/", io.NopCloser(cr))
			r.ContentLength = tc.contentLength
			r.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			_, err := validate.Decode[profile](w, r, d, nil)
			if !errors.Is(err, validate.ErrBodyTooLarge) || w.Code != http.StatusRequestEntityTooLarge {
				t.Fatalf("err = %v, status %d", err, w.Code)
			}
			if cr.n > tc.maxRead {
				t.Fatalf("read %d bytes, want at most %d", cr.n, tc.maxRead)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("Content-Type %q", ct)
			}
		})
	}
	t.Run("exactly at the cap", func(t *testing.T) {
		body := `{"name":"` + strings.Repeat("a", limit-len(`{"name":""}`)) + `"}`
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		if _, err := validate.Decode[profile](httptest.NewRecorder(), r, d, nil); err != nil {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("unmarshal", func(t *testing.T) {
		if _, err := validate.Unmarshal[profile](t.Context(), d, []byte(body), nil); !errors.Is(err, validate.ErrBodyTooLarge) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestDefaultBodyCapIsOneMiB(t *testing.T) {
	type blob struct {
		S string `json:"s"`
	}
	fits := `{"s":"` + strings.Repeat("a", 1<<20-len(`{"s":""}`)) + `"}`
	if _, err := validate.Unmarshal[blob](t.Context(), nil, []byte(fits), nil); err != nil {
		t.Fatalf("1 MiB: %v", err)
	}
	if _, err := validate.Unmarshal[blob](t.Context(), nil, []byte(fits+" "), nil); !errors.Is(err, validate.ErrBodyTooLarge) {
		t.Fatalf("1 MiB + 1: %v", err)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestBodyReadErrorIs400(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/", io.NopCloser(failingReader{}))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	_, err := validate.Decode[profile](w, r, nil, nil)
	if w.Code != http.StatusBadRequest || err == nil {
		t.Fatalf("status %d, err %v", w.Code, err)
	}
	if strings.Contains(w.Body.String(), "reset") {
		t.Fatalf("leaked the read error: %s", w.Body)
	}
}

func TestMaxBytesReaderIs413(t *testing.T) {
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Body = http.MaxBytesReader(w, io.NopCloser(strings.NewReader(`{"name":"aaaaaaaaaa"}`)), 5)
	r.ContentLength = -1
	r.Header.Set("Content-Type", "application/json")
	if _, err := validate.Decode[profile](w, r, nil, nil); !errors.Is(err, validate.ErrBodyTooLarge) || w.Code != 413 {
		t.Fatalf("err = %v, status %d", err, w.Code)
	}
}

type stalledReader struct{}

func (stalledReader) Read([]byte) (int, error) { return 0, nil }

// TestStalledBodyDoesNotSpin: a body that returns no data and no error
// forever is refused instead of looping.
func TestStalledBodyDoesNotSpin(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/", io.NopCloser(stalledReader{}))
	r.ContentLength = -1
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	if _, err := validate.Decode[profile](w, r, nil, nil); err == nil || w.Code != http.StatusBadRequest {
		t.Fatalf("err = %v, status %d", err, w.Code)
	}
}

package validate_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/apisec-go/apisec/validate"
)

func TestQueryParams(t *testing.T) {
	type result struct {
		Limit, Offset int
		Sort          string
		Desc          bool
		Errors        []string
	}
	tests := []struct {
		name  string
		query string
		want  result
	}{
		{"defaults", "", result{20, 0, "created", false, nil}},
		{"valid", "limit=50&offset=100&sort=name&desc=true", result{50, 100, "name", true, nil}},
		{"limit cap is not clamped", "limit=1000", result{20, 0, "created", false, []string{"limit range"}}},
		{"limit zero", "limit=0", result{20, 0, "created", false, []string{"limit range"}}},
		{"negative offset", "offset=-1", result{20, 0, "created", false, []string{"offset range"}}},
		{"deep offset", "offset=10001", result{20, 0, "created", false, []string{"offset range"}}},
		{"not an integer", "limit=ten", result{20, 0, "created", false, []string{"limit type"}}},
		{"plus sign", "limit=%2B5", result{20, 0, "created", false, []string{"limit type"}}},
		{"float", "limit=5.0", result{20, 0, "created", false, []string{"limit type"}}},
		{"huge", "offset=99999999999999999999", result{20, 0, "created", false, []string{"offset type"}}},
		{"empty value", "limit=", result{20, 0, "created", false, []string{"limit type"}}},
		{"duplicate smuggling", "limit=10&limit=1000", result{20, 0, "created", false, []string{"limit duplicate"}}},
		{"enum", "sort=password", result{20, 0, "created", false, []string{"sort one_of"}}},
		{"bool", "desc=1", result{20, 0, "created", false, []string{"desc type"}}},
		{"every error", "limit=x&offset=-5&sort=y&desc=yes", result{20, 0, "created", false, []string{"limit type", "offset range", "sort one_of", "desc type"}}},
		{"malformed query", "limit=%zz", result{20, 0, "created", false, []string{" syntax"}}},
		{"overlong value", "sort=" + strings.Repeat("a", 2000), result{20, 0, "created", false, []string{"sort length"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/items?"+tt.query, nil)
			q := validate.Query(r)
			got := result{
				Limit:  q.Limit("limit", 20, 100),
				Offset: q.Offset("offset", 10_000),
				Sort:   q.Enum("sort", "created", "created", "name"),
				Desc:   q.Bool("desc", false),
			}
			err := q.Err()
			if err != nil {
				var re *validate.RequestError
				if !errors.As(err, &re) || re.Status != 400 || !errors.Is(err, validate.ErrInvalidParameter) {
					t.Fatalf("err = %#v", err)
				}
				for _, f := range re.Fields {
					if f.Pointer != "" {
						t.Errorf("parameter error has a pointer: %+v", f)
					}
					got.Errors = append(got.Errors, f.Parameter+" "+f.Code)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestPathParams(t *testing.T) {
	mux := http.NewServeMux()
	var gotID int
	var gotSlug string
	var gotErr error
	mux.HandleFunc("GET /users/{id}/posts/{slug}", func(w http.ResponseWriter, r *http.Request) {
		p := validate.Path(r)
		gotID = p.Int("id", 0, validate.Range(1, 1<<31))
		gotSlug = p.String("slug", "", validate.Length(1, 20))
		_ = p.String("missing", "")
		gotErr = p.Err()
	})
	mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/users/42/posts/hello", nil))
	var re *validate.RequestError
	if gotID != 42 || gotSlug != "hello" || !errors.As(gotErr, &re) || len(re.Fields) != 1 ||
		re.Fields[0] != (validate.FieldError{Parameter: "missing", Code: "required", Detail: "The field is required."}) {
		t.Fatalf("id %d slug %q err %v", gotID, gotSlug, gotErr)
	}
	mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/users/0/posts/hello", nil))
	if gotID != 0 || !errors.As(gotErr, &re) || re.Fields[0].Parameter != "id" || re.Fields[0].Code != "range" {
		t.Fatalf("id %d err %v", gotID, gotErr)
	}
}

func TestParamsHas(t *testing.T) {
	q := validate.Query(httptest.NewRequest(http.MethodGet, "/?a=&b=1", nil))
	if !q.Has("a") || !q.Has("b") || q.Has("c") {
		t.Fatal("Has")
	}
	if err := q.Err(); err != nil {
		t.Fatalf("Has recorded an error: %v", err)
	}
}

func TestParamsProblemResponse(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/items?limit=<script>", nil)
	q := validate.Query(r)
	q.Limit("limit", 20, 100)
	w := httptest.NewRecorder()
	validate.MustNew(validate.Config{}).WriteError(w, r, q.Err())
	want := `{"type":"about:blank","title":"Bad Request","status":400,"detail":"Some request parameters are invalid.",` +
		`"errors":[{"parameter":"limit","code":"type","detail":"The parameter must be an integer."}]}`
	if w.Code != 400 || w.Body.String() != want {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

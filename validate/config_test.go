package validate_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/apisec-go/apisec/internal/configtest"
	"github.com/apisec-go/apisec/validate"
)

// configErrors unpacks the joined errors New returns.
func configErrors(t *testing.T, err error) []string {
	t.Helper()
	var out []string
	for _, ce := range configtest.Leaves[validate.ConfigError](t, err) {
		out = append(out, ce.Error())
	}
	return out
}

func TestNewConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  validate.Config
		want []string
	}{
		{"zero value", validate.Config{}, nil},
		{"explicit limits", validate.Config{MaxBodyBytes: 4096, MaxDepth: 8}, nil},
		{"upper bounds", validate.Config{MaxBodyBytes: 1 << 30, MaxDepth: 1000}, nil},
		{"negative body", validate.Config{MaxBodyBytes: -1}, []string{
			"validate: MaxBodyBytes: must be between 0 (default 1048576) and 1073741824, got -1"}},
		{"body too big", validate.Config{MaxBodyBytes: 1<<30 + 1}, []string{
			"validate: MaxBodyBytes: must be between 0 (default 1048576) and 1073741824, got 1073741825"}},
		{"every problem at once", validate.Config{MaxBodyBytes: -5, MaxDepth: 1001}, []string{
			"validate: MaxBodyBytes: must be between 0 (default 1048576) and 1073741824, got -5",
			"validate: MaxDepth: must be between 0 (default 32) and 1000, got 1001"}},
		{"negative depth", validate.Config{MaxDepth: -1}, []string{
			"validate: MaxDepth: must be between 0 (default 32) and 1000, got -1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := validate.New(tt.cfg)
			got := configErrors(t, err)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("errors = %q\nwant     %q", got, tt.want)
			}
			if (d == nil) == (tt.want == nil) {
				t.Fatalf("decoder = %v with errors %q", d, got)
			}
		})
	}
}

func TestMustNewPanicsOnBadConfig(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	validate.MustNew(validate.Config{MaxDepth: -1})
}

// TestMutatingConfigAfterNewHasNoEffect: New copies what it needs.
func TestMutatingConfigAfterNewHasNoEffect(t *testing.T) {
	cfg := validate.Config{MaxBodyBytes: 10}
	d := validate.MustNew(cfg)
	cfg.MaxBodyBytes = 1 << 20
	if _, err := validate.Unmarshal[profile](t.Context(), d, []byte(`{"name":"0123456789"}`), nil); !errors.Is(err, validate.ErrBodyTooLarge) {
		t.Fatalf("err = %v", err)
	}
}

func TestZeroDecoderUsesDefaults(t *testing.T) {
	var d validate.Decoder
	v, err := validate.Unmarshal[profile](t.Context(), &d, []byte(`{"name":"x"}`), nil)
	if err != nil || v.Name != "x" {
		t.Fatalf("v = %+v, err = %v", v, err)
	}
	if _, err := validate.Unmarshal[profile](t.Context(), &d, []byte(`{"name":"x","name":"y"}`), nil); !errors.Is(err, validate.ErrDuplicateKey) {
		t.Fatalf("err = %v", err)
	}
}

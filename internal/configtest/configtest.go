package configtest

import (
	"errors"
	"testing"
)

// Messages returns the message of every leaf of err, walking nested
// errors.Join results in order; nil for a nil err.
func Messages(err error) []string {
	var out []string
	walk(err, func(e error) { out = append(out, e.Error()) })
	return out
}

// Leaves returns every leaf of err as a *E (for example
// *cors.ConfigError), walking nested errors.Join results in order, and
// fails t at once on a leaf of another type.
func Leaves[E any, PE interface {
	*E
	error
}](t testing.TB, err error) []PE {
	t.Helper()
	var out []PE
	walk(err, func(e error) {
		var ce PE
		if !errors.As(e, &ce) {
			t.Fatalf("error %v (%T) is not a %T", e, e, ce)
		}
		out = append(out, ce)
	})
	return out
}

func walk(err error, leaf func(error)) {
	if err == nil {
		return
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			walk(e, leaf)
		}
		return
	}
	leaf(err)
}

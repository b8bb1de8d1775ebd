package configtest_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/apisec-go/apisec/internal/configtest"
)

type fieldError struct{ Field string }

func (e *fieldError) Error() string { return "pkg: " + e.Field }

func TestMessagesWalksNestedJoins(t *testing.T) {
	err := errors.Join(&fieldError{"A"}, errors.Join(&fieldError{"B"}, fmt.Errorf("wrapped: %w", &fieldError{"C"})))
	want := []string{"pkg: A", "pkg: B", "wrapped: pkg: C"}
	if got := configtest.Messages(err); !slices.Equal(got, want) {
		t.Fatalf("Messages = %q, want %q", got, want)
	}
	if got := configtest.Messages(nil); got != nil {
		t.Fatalf("Messages(nil) = %q", got)
	}
}

func TestLeavesTypes(t *testing.T) {
	err := errors.Join(&fieldError{"A"}, fmt.Errorf("wrapped: %w", &fieldError{"B"}))
	got := configtest.Leaves[fieldError](t, err)
	if len(got) != 2 || got[0].Field != "A" || got[1].Field != "B" {
		t.Fatalf("Leaves = %v", got)
	}
}

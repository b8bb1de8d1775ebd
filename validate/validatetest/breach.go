package validatetest

import (
	"context"
	"sync"
	"testing"

	"github.com/apisec-go/apisec/validate"
)

// BreachChecker checks that bc behaves as [validate.PasswordPolicy] relies
// on: breached is reported as breached, clean as not, a cancelled context
// yields an error rather than a silent "not breached" (a checker must fail
// closed), an error never comes with a true result, and concurrent use
// gives the same answers. breached and clean are passwords the checker is
// known to classify that way.
func BreachChecker(t testing.TB, bc validate.BreachChecker, breached, clean string) {
	t.Helper()
	ctx := context.Background()
	if got, err := bc.Breached(ctx, breached); err != nil || !got {
		t.Errorf("Breached(breached) = %v, %v; want true, nil", got, err)
	}
	if got, err := bc.Breached(ctx, clean); err != nil || got {
		t.Errorf("Breached(clean) = %v, %v; want false, nil", got, err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if got, err := bc.Breached(cancelled, clean); err == nil {
		t.Errorf("Breached with a cancelled context = %v, nil; want an error (fail closed)", got)
	}
	if got, err := bc.Breached(cancelled, breached); err != nil && got {
		t.Errorf("Breached returned true together with error %v", err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad []string
	for i := range 8 {
		wg.Go(func() {
			pw, want := clean, false
			if i%2 == 0 {
				pw, want = breached, true
			}
			if got, err := bc.Breached(ctx, pw); err != nil || got != want {
				mu.Lock()
				bad = append(bad, pw)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(bad) > 0 {
		t.Errorf("concurrent calls gave wrong answers for %d passwords", len(bad))
	}
}

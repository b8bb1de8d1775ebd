package validate

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// TestRejectionCacheIsBounded: distinct errors beyond the bound replace
// older entries, and keys beyond the size cap are written but never stored.
func TestRejectionCacheIsBounded(t *testing.T) {
	var c rejectionCache
	long := make([]byte, maxRejectionKey)
	for i := range long {
		long[i] = 'a'
	}
	for i := range 2 * maxCachedRejections {
		err := &RequestError{Status: http.StatusBadRequest, Err: ErrUnknownField,
			Fields: Errors{{Pointer: "/k" + strconv.Itoa(i), Code: CodeUnknownField, Detail: "d"}}}
		w := httptest.NewRecorder()
		c.write(w, err, "detail")
		if w.Code != http.StatusBadRequest || w.Body.Len() == 0 {
			t.Fatalf("%d: status %d", i, w.Code)
		}
	}
	if len(c.m) != maxCachedRejections {
		t.Fatalf("cache holds %d entries, want %d", len(c.m), maxCachedRejections)
	}
	last := appendRejectionKey(nil, &RequestError{Status: http.StatusBadRequest,
		Fields: Errors{{Pointer: "/k" + strconv.Itoa(2*maxCachedRejections-1), Code: CodeUnknownField, Detail: "d"}}}, "detail")
	if c.m[string(last)] == nil {
		t.Fatal("the newest rejection was not cached")
	}
	c = rejectionCache{}
	w := httptest.NewRecorder()
	c.write(w, &RequestError{Status: 422, Err: ErrInvalid, Fields: Errors{{Pointer: "/" + string(long), Code: "x", Detail: "y"}}}, "detail")
	if len(c.m) != 0 || w.Code != 422 {
		t.Fatalf("oversized key stored (%d entries) or status %d", len(c.m), w.Code)
	}
}

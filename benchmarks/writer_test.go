package benchmarks

import "net/http"

// benchWriter is the ResponseWriter every side-by-side benchmark uses:
// reused across iterations with its header map cleared, it allocates
// nothing itself, so each implementation is charged only for its own work.
type benchWriter struct {
	h      http.Header
	status int
}

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *benchWriter) WriteHeader(s int)           { w.status = s }

package main

import (
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	in := `goos: linux
BenchmarkCORS/scenario=preflight/impl=apisec-2   	 1000	       100.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkCORS/scenario=preflight/impl=rs-2       	 1000	       400.0 ns/op	      64 B/op	       2 allocs/op
BenchmarkCORS/scenario=preflight/impl=apisec-2   	 1000	       120.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkCORS/scenario=preflight/impl=rs-2       	 1000	       300.0 ns/op	      64 B/op	       2 allocs/op
BenchmarkCORS/scenario=preflight/impl=apisec-2   	 1000	       110.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkCORS/scenario=preflight/impl=rs-2       	 1000	       350.0 ns/op	      64 B/op	       2 allocs/op
BenchmarkMem/impl=apisec-2	1	 400 ns/op	 55.50 bytes/key	 10 calls/s
PASS
`
	var out strings.Builder
	if err := run(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	want := `| benchmark | impl | median ns/op | B/op | allocs/op | apisec / this | other metrics (medians) |
|---|---|---:|---:|---:|---:|---|
| BenchmarkCORS/scenario=preflight | apisec | 110 | 0.0 | 0.0 |  |  |
| BenchmarkCORS/scenario=preflight | rs | 350 | 64.0 | 2.0 | 0.31× |  |
| BenchmarkMem | apisec | 400 | – | – |  | 55.5 bytes/key, 10.0 calls/s |
`
	if out.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", out.String(), want)
	}
}

// Command benchtable reads `go test -bench` output on stdin and prints a
// markdown table of medians, one row per benchmark, with apisec's ratio to
// every peer measured in the same run. Benchmarks name their implementation
// with an "impl=NAME" path element; the reference is impl=apisec.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

type sample struct {
	ns, bytes, allocs []float64
	extra             map[string][]float64 // custom metrics (b.ReportMetric), by unit
	units             []string
}

var (
	line   = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+([0-9.]+) ns/op(?:.*?\s([0-9.]+) B/op)?(?:.*?\s([0-9.]+) allocs/op)?`)
	metric = regexp.MustCompile(`\s([0-9.e+-]+) ([^\s]+/[^\s]+|[a-zA-Z][^\s]*)`)
)

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	samples := map[string]*sample{}
	var order []string
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		s, ok := samples[m[1]]
		if !ok {
			s = &sample{}
			samples[m[1]] = s
			order = append(order, m[1])
		}
		s.ns = append(s.ns, num(m[2]))
		if m[3] != "" {
			s.bytes = append(s.bytes, num(m[3]))
		}
		if m[4] != "" {
			s.allocs = append(s.allocs, num(m[4]))
		}
		for _, mm := range metric.FindAllStringSubmatch(sc.Text(), -1) {
			unit := mm[2]
			if unit == "ns/op" || unit == "B/op" || unit == "allocs/op" {
				continue
			}
			if s.extra == nil {
				s.extra = map[string][]float64{}
			}
			if _, seen := s.extra[unit]; !seen {
				s.units = append(s.units, unit)
			}
			s.extra[unit] = append(s.extra[unit], num(mm[1]))
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	fmt.Fprintln(out, "| benchmark | impl | median ns/op | B/op | allocs/op | apisec / this | other metrics (medians) |")
	fmt.Fprintln(out, "|---|---|---:|---:|---:|---:|---|")
	for _, name := range order {
		group, impl := split(name)
		s := samples[name]
		ratio := ""
		if impl != "" && impl != "apisec" {
			if ref, ok := samples[join(name, impl)]; ok {
				ratio = fmt.Sprintf("%.2f×", median(ref.ns)/median(s.ns))
			}
		}
		var extra []string
		for _, u := range s.units {
			extra = append(extra, f(median(s.extra[u]))+" "+u)
		}
		fmt.Fprintf(out, "| %s | %s | %s | %s | %s | %s | %s |\n", group, impl, f(median(s.ns)), f(median(s.bytes)), f(median(s.allocs)), ratio, strings.Join(extra, ", "))
	}
	return nil
}

// split removes the impl=NAME element from a benchmark name.
func split(name string) (group, impl string) {
	parts := strings.Split(name, "/")
	kept := parts[:0:0]
	for _, p := range parts {
		if v, ok := strings.CutPrefix(p, "impl="); ok {
			impl = v
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, "/"), impl
}

// join returns name with its impl element replaced by impl=apisec.
func join(name, impl string) string {
	return strings.Replace(name, "impl="+impl, "impl=apisec", 1)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return -1
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func num(s string) float64 {
	v, _ := strconv.ParseFloat(s, 64)
	return v
}

func f(v float64) string {
	switch {
	case v < 0:
		return "–"
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	default:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
}

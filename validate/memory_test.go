package validate_test

import (
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/apisec-go/apisec/validate"
)

// TestMemoryBoundedByBodyCap feeds 256 KiB bodies built to make a decoder
// allocate as much as possible per input byte. Decoding allocates at most
// a small multiple of the body (no more than encoding/json would), so the
// body cap bounds memory. (TestOversizedBodyIsNotReadPastTheCap covers
// reading.)
func TestMemoryBoundedByBodyCap(t *testing.T) {
	const size = 256 << 10
	fill := func(prefix, item, suffix string) string {
		n := (size - len(prefix) - len(suffix)) / (len(item) + 1)
		return prefix + strings.TrimSuffix(strings.Repeat(item+",", n), ",") + suffix
	}
	tests := []struct {
		name string
		body string
	}{
		{"empty arrays into any", fill(`{"any":[`, `[]`, `]}`)},
		{"empty objects into any", fill(`{"any":[`, `{}`, `]}`)},
		{"empty strings into any", fill(`{"any":[`, `""`, `]}`)},
		{"small numbers into any", fill(`{"any":[`, `0`, `]}`)},
		{"empty strings into []string", fill(`{"tags":[`, `""`, `]}`)},
		{"members into a map", `{"labels":{` + mapMembers(size) + `}}`},
		{"escapes into a string", `{"name":"` + strings.Repeat(`\u00e9`, (size-20)/6) + `"}`},
		{"unknown members skipped", `{"name":"x",` + skipMembers(size) + `}`},
	}
	d := validate.MustNew(validate.Config{})
	loose := validate.MustNew(validate.Config{InsecureAllowUnknownFields: true})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.body) > size {
				t.Fatalf("body is %d bytes", len(tt.body))
			}
			data := []byte(tt.body)
			var err error
			used := allocated(func() {
				_, err = validate.Unmarshal[profile](context.Background(), loose, data, nil)
				_, _ = validate.Unmarshal[profile](context.Background(), d, data, nil)
			}) / 2
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			std := allocated(func() {
				var p profile
				_ = json.Unmarshal(data, &p)
			})
			t.Logf("%.1f bytes allocated per body byte (encoding/json: %.1f)", float64(used)/float64(len(data)), float64(std)/float64(len(data)))
			if used > 48*uint64(len(data)) {
				t.Fatalf("%d bytes allocated for a %d-byte body", used, len(data))
			}
		})
	}
}

func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// mapMembers returns distinct members "k0":0,"k1":0,... filling about n bytes.
func mapMembers(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n-40; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"k`)
		b.WriteString(itoa(i))
		b.WriteString(`":0`)
	}
	return b.String()
}

func skipMembers(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n-40; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"u`)
		b.WriteString(itoa(i))
		b.WriteString(`":[]`)
	}
	return b.String()
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var buf [20]byte
	n := len(buf)
	for ; i > 0; i /= 10 {
		n--
		buf[n] = byte('0' + i%10)
	}
	return string(buf[n:])
}

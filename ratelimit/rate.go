package ratelimit

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

var errRate = errors.New(`ratelimit: invalid rate: want "<count>/<unit>" such as "100/m", "10/s", "1000/h", "5/15m"`)

// ParseRate parses a rate written "<count>/<period>" into a [Policy] with
// that Limit and Window (Name empty, Algorithm GCRA):
//
//	"10/s"  "100/m"  "1000/h"  "5000/d"  "5/15m"  "20/30s"
//
// The units are s (also sec, second), m (min, minute), h (hour) and d
// (day), optionally preceded by a positive integer multiplier. The count is
// a decimal integer between 1 and MaxLimit. Nothing else (signs, spaces,
// fractions) is accepted.
func ParseRate(s string) (Policy, error) {
	if len(s) > 32 {
		return Policy{}, errRate
	}
	count, period, ok := strings.Cut(s, "/")
	if !ok {
		return Policy{}, errRate
	}
	n, ok := parseDigits(count)
	if !ok || n < 1 || n > MaxLimit {
		return Policy{}, errRate
	}
	i := 0
	for i < len(period) && period[i] >= '0' && period[i] <= '9' {
		i++
	}
	mult := 1
	if i > 0 {
		if mult, ok = parseDigits(period[:i]); !ok || mult < 1 {
			return Policy{}, errRate
		}
	}
	var unit time.Duration
	switch period[i:] {
	case "s", "sec", "second":
		unit = time.Second
	case "m", "min", "minute":
		unit = time.Minute
	case "h", "hour":
		unit = time.Hour
	case "d", "day":
		unit = 24 * time.Hour
	default:
		return Policy{}, errRate
	}
	if mult > int(MaxWindow/unit) {
		return Policy{}, errRate
	}
	return Policy{Limit: n, Window: time.Duration(mult) * unit}, nil
}

func parseDigits(s string) (int, bool) {
	if s == "" || len(s) > 10 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// String formats p's rate as ParseRate reads it, e.g. "100/m" or "5/15m".
func (p Policy) String() string {
	w := p.Window
	unit, suffix := time.Second, "s"
	switch {
	case w%(24*time.Hour) == 0:
		unit, suffix = 24*time.Hour, "d"
	case w%time.Hour == 0:
		unit, suffix = time.Hour, "h"
	case w%time.Minute == 0:
		unit, suffix = time.Minute, "m"
	}
	mult := ""
	if k := w / unit; k != 1 {
		mult = strconv.FormatInt(int64(k), 10)
	}
	return strconv.Itoa(p.Limit) + "/" + mult + suffix
}

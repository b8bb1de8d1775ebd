package audit

import (
	"errors"
	"strconv"
)

// ConfigError is one problem found in a configuration by [New],
// [NewHandler], [NewDetector], [NewChain] or [NewRecorder]. Each of them
// returns every problem it finds, joined with errors.Join.
type ConfigError struct {
	Field  string // the configuration field, e.g. "Detector.BruteForce.Window"
	Reason string
}

func (e *ConfigError) Error() string { return "audit: " + e.Field + ": " + e.Reason }

// ChainErrorKind classifies the first break [Verify] finds in a chained log.
type ChainErrorKind int

const (
	// Malformed: the line is not a chained record (no chain members, not
	// JSON-shaped, or too long).
	Malformed ChainErrorKind = iota + 1
	// Altered: the line is where it should be but its MAC does not match
	// its content: it was edited, or signed with another key.
	Altered
	// Removed: one or more records are missing before this line.
	Removed
	// Reordered: the line holds a record that belongs elsewhere in the
	// sequence (moved, swapped or duplicated).
	Reordered
)

func (k ChainErrorKind) String() string {
	switch k {
	case Malformed:
		return "malformed"
	case Altered:
		return "altered"
	case Removed:
		return "removed"
	case Reordered:
		return "reordered"
	}
	return "ChainErrorKind(" + strconv.Itoa(int(k)) + ")"
}

// ChainError reports the first line of a chained log that fails
// verification. Line is 1-based. Seq is the sequence number the line
// claims (0 if it has none) and Want the one expected at that position.
type ChainError struct {
	Kind ChainErrorKind
	Line int
	Seq  uint64
	Want uint64
}

func (e *ChainError) Error() string {
	msg := "audit: chain broken at line " + strconv.Itoa(e.Line) + ": " + e.Kind.String()
	switch e.Kind {
	case Removed:
		msg += " (expected record " + strconv.FormatUint(e.Want, 10) + ", found " + strconv.FormatUint(e.Seq, 10) + ")"
	case Reordered:
		msg += " (record " + strconv.FormatUint(e.Seq, 10) + " found where " + strconv.FormatUint(e.Want, 10) + " was expected)"
	case Altered:
		msg += " (record " + strconv.FormatUint(e.Seq, 10) + ")"
	}
	return msg
}

// Errors returned by a [Chain]'s Write.
var (
	// ErrNotARecord: the bytes written are not one JSON object ending in
	// "}\n", as slog's JSON handler writes. Nothing is written.
	ErrNotARecord = errors.New("audit: chain: write is not a single JSON object line")
)

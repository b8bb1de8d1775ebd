package audit

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"strconv"
	"sync"
)

// Anchor identifies a position in a chained log: the sequence number and
// MAC of its last record. The zero Anchor is the start of a new chain.
type Anchor struct {
	Seq uint64
	MAC [sha256.Size]byte
}

// ChainConfig configures a [Chain].
type ChainConfig struct {
	_ [0]func()

	// Out receives the chained lines. Required. Open files with
	// [OpenFile] (append-only, 0600).
	Out io.Writer

	// Key is the HMAC-SHA256 key, at least 32 bytes. Required. Keep it
	// out of the log host's reach (a secret manager, an environment
	// variable set by the orchestrator): whoever holds it can rewrite the
	// log undetectably.
	Key []byte

	// Start continues an existing chain, for example in a new file after
	// rotation: the Anchor returned by [Chain.Head] or [Verify] for the
	// previous file. Zero starts a new chain at sequence 1. To rotate the
	// key, start the next file with the new key and the old file's head;
	// each file then verifies with its own key.
	Start Anchor
}

// Chain is an io.Writer that makes a JSON log tamper-evident. Give it to
// slog.NewJSONHandler: each record the handler writes (one JSON object and
// a newline, in a single Write) gets two more members,
//
//	..., "chain_seq":42, "chain_mac":"<64 hex digits>"}
//
// where chain_mac is HMAC-SHA256(Key, seq as 8 big-endian bytes ‖ previous
// record's MAC ‖ the record exactly as the handler wrote it, without the
// newline). The first record's previous MAC is [ChainConfig.Start]'s (32
// zero bytes for a new chain). [Verify] and the auditverify command check
// a file and report the first altered, removed or reordered line.
//
// A chain shows tampering by anyone without the key; it cannot show that
// the last records were cut off unless the latest [Chain.Head] is kept
// elsewhere (shipped to a SIEM, say) and compared with what Verify
// returns.
//
// A Chain is safe for concurrent use. A failed write to Out does not
// advance the chain, so the next record takes the same sequence number. The
// zero value is not usable.
type Chain struct {
	mu   sync.Mutex
	out  io.Writer
	mac  hash.Hash
	head Anchor
	buf  []byte
	tmp  []byte // scratch for the MAC input and output, 32 bytes capacity
}

// NewChain checks cfg and returns a Chain. Every problem is reported,
// joined, as [*ConfigError] values.
func NewChain(cfg ChainConfig) (*Chain, error) {
	var errs []error
	if cfg.Out == nil {
		errs = append(errs, &ConfigError{Field: "Out", Reason: "is required"})
	}
	if len(cfg.Key) < minChainKeyLength {
		errs = append(errs, &ConfigError{Field: "Key", Reason: "must be at least 32 bytes, got " + strconv.Itoa(len(cfg.Key))})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &Chain{
		out:  cfg.Out,
		mac:  hmac.New(sha256.New, append([]byte(nil), cfg.Key...)),
		head: cfg.Start,
	}, nil
}

const minChainKeyLength = 32

// Head returns the Anchor of the last record written.
func (c *Chain) Head() Anchor {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.head
}

const (
	seqMember = `,"chain_seq":`
	macMember = `,"chain_mac":"`
)

// Write chains one record: p must be a JSON object with at least one
// member followed by "\n", as slog's JSON handler writes it. Otherwise it
// writes nothing and returns [ErrNotARecord]. On success it reports len(p).
func (c *Chain) Write(p []byte) (int, error) {
	if len(p) < 4 || p[0] != '{' || p[len(p)-1] != '\n' || p[len(p)-2] != '}' ||
		bytes.IndexByte(p[:len(p)-1], '\n') >= 0 {
		return 0, ErrNotARecord
	}
	record := p[:len(p)-1]
	c.mu.Lock()
	defer c.mu.Unlock()
	seq := c.head.Seq + 1
	if c.tmp == nil {
		c.tmp = make([]byte, 0, sha256.Size)
	}
	sum := chainMAC(c.mac, c.tmp, seq, &c.head.MAC, record)
	b := append(c.buf[:0], record[:len(record)-1]...)
	b = append(b, seqMember...)
	b = strconv.AppendUint(b, seq, 10)
	b = append(b, macMember...)
	b = hex.AppendEncode(b, sum[:])
	b = append(b, "\"}\n"...)
	c.buf = b
	if _, err := c.out.Write(b); err != nil {
		return 0, err
	}
	c.head = Anchor{Seq: seq, MAC: sum}
	return len(p), nil
}

// chainMAC computes a record's MAC. tmp is a scratch slice with room for
// 32 bytes, passed in so that nothing escapes to the heap per record.
func chainMAC(mac hash.Hash, tmp []byte, seq uint64, prev *[sha256.Size]byte, record []byte) [sha256.Size]byte {
	mac.Reset()
	mac.Write(binary.BigEndian.AppendUint64(tmp[:0], seq))
	mac.Write(prev[:])
	mac.Write(record)
	var sum [sha256.Size]byte
	copy(sum[:], mac.Sum(tmp[:0]))
	return sum
}

// MaxChainLineLength is the longest line [Verify] accepts.
const MaxChainLineLength = 1 << 20

// Verify reads a log written through a [Chain] with key, starting after
// start (the zero Anchor for a chain's first file), and returns the Anchor
// of its last record. The first line that does not verify is reported as
// a [*ChainError]: Altered (content or MAC changed), Removed (records
// missing before it), Reordered (a record out of its place) or Malformed.
// A read error is returned as is. Compare the returned Anchor with a head
// kept elsewhere to detect records cut from the end.
func Verify(r io.Reader, key []byte, start Anchor) (Anchor, error) {
	if len(key) < minChainKeyLength {
		return start, &ConfigError{Field: "key", Reason: "must be at least 32 bytes, got " + strconv.Itoa(len(key))}
	}
	mac := hmac.New(sha256.New, key)
	tmp := make([]byte, 0, sha256.Size)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxChainLineLength)
	head := start
	line := 0
	for sc.Scan() {
		line++
		want := head.Seq + 1
		record, seq, sum, ok := parseChained(sc.Bytes())
		if !ok {
			return head, &ChainError{Kind: Malformed, Line: line, Want: want}
		}
		switch {
		case seq < want:
			return head, &ChainError{Kind: Reordered, Line: line, Seq: seq, Want: want}
		case seq > want:
			kind := Removed
			if seqAhead(sc, want, seq) {
				kind = Reordered
			}
			return head, &ChainError{Kind: kind, Line: line, Seq: seq, Want: want}
		}
		got := chainMAC(mac, tmp, seq, &head.MAC, record)
		if !hmac.Equal(got[:], sum[:]) {
			return head, &ChainError{Kind: Altered, Line: line, Seq: seq, Want: want}
		}
		head = Anchor{Seq: seq, MAC: got}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return head, &ChainError{Kind: Malformed, Line: line + 1, Want: head.Seq + 1}
		}
		return head, err
	}
	return head, nil
}

// seqAhead reports whether a later line holds a record numbered from lo
// up to, not including, hi: the missing records were moved, not removed.
func seqAhead(sc *bufio.Scanner, lo, hi uint64) bool {
	for sc.Scan() {
		if _, seq, _, ok := parseChained(sc.Bytes()); ok && seq >= lo && seq < hi {
			return true
		}
	}
	return false
}

// parseChained splits a chained line into the record as it was MACed, its
// sequence number and its MAC. The record is rebuilt in place: the byte
// before the chain members becomes the closing brace.
func parseChained(line []byte) (record []byte, seq uint64, sum [sha256.Size]byte, ok bool) {
	const tail = 2 * sha256.Size // hex digits
	if len(line) < len(seqMember)+len(macMember)+tail+4 || line[0] != '{' ||
		!bytes.HasSuffix(line, []byte(`"}`)) {
		return nil, 0, sum, false
	}
	macStart := len(line) - 2 - tail
	if !bytes.HasSuffix(line[:macStart], []byte(macMember)) {
		return nil, 0, sum, false
	}
	if _, err := hex.Decode(sum[:], line[macStart:macStart+tail]); err != nil {
		return nil, 0, sum, false
	}
	rest := line[:macStart-len(macMember)]
	i := bytes.LastIndex(rest, []byte(seqMember))
	if i < 1 {
		return nil, 0, sum, false
	}
	digits := rest[i+len(seqMember):]
	if len(digits) == 0 || len(digits) > 20 || (digits[0] == '0') {
		return nil, 0, sum, false
	}
	seq, err := strconv.ParseUint(string(digits), 10, 64)
	if err != nil {
		return nil, 0, sum, false
	}
	record = line[:i+1]
	record[i] = '}'
	return record, seq, sum, true
}

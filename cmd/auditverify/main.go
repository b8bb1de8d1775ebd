// Command auditverify checks a log written through an audit.Chain and
// reports the first altered, removed or reordered line.
//
// Usage:
//
//	auditverify -key-file chain.key [-start-seq N -start-mac HEX] [-want-seq N] audit.log
//
// A log named "-" is read from standard input.
// The key file holds the chain key: raw bytes, or hex digits (whitespace
// around them is ignored). The key is never taken from the command line,
// where other users of the host could read it. -start-seq and -start-mac
// continue from the previous file of a rotated log (the values printed
// when that file was verified). -want-seq makes a file that ends before
// record N an error, to detect records cut from the end.
//
// Exit status: 0 if the log verifies, 1 if it does not, 2 on a usage or
// read error.
package main

import (
	"bytes"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/apisec-go/apisec/audit"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	return runWith(args, os.Stdin, stdout, stderr)
}

func runWith(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("auditverify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keyFile := fs.String("key-file", "", "file holding the chain key (raw, or hex)")
	startSeq := fs.Uint64("start-seq", 0, "sequence number of the last record of the previous file")
	startMAC := fs.String("start-mac", "", "chain_mac (hex) of the last record of the previous file")
	wantSeq := fs.Uint64("want-seq", 0, "fail unless the file reaches at least this sequence number")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *keyFile == "" || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: auditverify -key-file FILE [-start-seq N -start-mac HEX] [-want-seq N] LOG")
		return 2
	}
	key, err := readKey(*keyFile)
	if err != nil {
		fmt.Fprintln(stderr, "auditverify:", err)
		return 2
	}
	var start audit.Anchor
	start.Seq = *startSeq
	if *startMAC != "" || *startSeq != 0 {
		b, err := hex.DecodeString(*startMAC)
		if err != nil || len(b) != len(start.MAC) {
			fmt.Fprintln(stderr, "auditverify: -start-mac must be 64 hex digits when -start-seq is set")
			return 2
		}
		copy(start.MAC[:], b)
	}
	in := stdin
	if fs.Arg(0) != "-" {
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			fmt.Fprintln(stderr, "auditverify:", err)
			return 2
		}
		defer f.Close()
		in = f
	}
	head, err := audit.Verify(in, key, start)
	var ce *audit.ChainError
	switch {
	case errors.As(err, &ce):
		fmt.Fprintf(stdout, "%s: %v\n", fs.Arg(0), err)
		return 1
	case err != nil:
		fmt.Fprintln(stderr, "auditverify:", err)
		return 2
	case head.Seq < *wantSeq:
		fmt.Fprintf(stdout, "%s: truncated: last record is %d, want at least %d\n", fs.Arg(0), head.Seq, *wantSeq)
		return 1
	}
	fmt.Fprintf(stdout, "%s: ok: %d records; last chain_seq %d chain_mac %x\n", fs.Arg(0), head.Seq-start.Seq, head.Seq, head.MAC)
	return 0
}

// readKey reads a raw or hex-encoded key. A file holding only hex digits
// (and surrounding whitespace) is decoded.
func readKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if t := bytes.TrimSpace(b); len(t) > 0 && len(t)%2 == 0 {
		if k, err := hex.DecodeString(string(t)); err == nil {
			return k, nil
		}
	}
	return b, nil
}

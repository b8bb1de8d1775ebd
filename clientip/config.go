package clientip

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// Source names the forwarding header a [Resolver] reads when the direct peer
// is a trusted proxy.
type Source int

const (
	// SourceNone reads no header: the client is the direct peer. The default.
	SourceNone Source = iota
	// SourceXForwardedFor reads X-Forwarded-For, all field lines as one list.
	SourceXForwardedFor
	// SourceForwarded reads the RFC 7239 Forwarded header's "for" parameters.
	SourceForwarded
	// SourceXRealIP reads a single X-Real-IP value.
	SourceXRealIP
)

func (s Source) String() string {
	switch s {
	case SourceNone:
		return "none"
	case SourceXForwardedFor:
		return "X-Forwarded-For"
	case SourceForwarded:
		return "Forwarded"
	case SourceXRealIP:
		return "X-Real-IP"
	}
	return fmt.Sprintf("Source(%d)", int(s))
}

// DefaultMaxHops is the number of header entries a Resolver inspects when
// [Config.MaxHops] is zero.
const DefaultMaxHops = 16

// Config configures a [Resolver]. The zero value trusts no proxy and reads
// no header: the client is always the direct peer.
type Config struct {
	_ [0]func() // forces keyed literals; Config is not comparable

	// TrustedProxies lists the proxies, as CIDR prefixes ("10.0.0.0/8") or
	// single addresses ("192.0.2.1", "::1"), whose forwarding headers are
	// believed. Empty means none.
	TrustedProxies []string

	// Source is the header to read. Anything but SourceNone requires at
	// least one trusted proxy.
	Source Source

	// MaxHops caps how many header entries are inspected right to left
	// before giving up and falling back to the direct peer. Zero means
	// DefaultMaxHops; at most 256.
	MaxHops int
}

func (c *Config) compile() (*Resolver, error) {
	var errs []error
	res := &Resolver{source: c.Source, maxHops: c.MaxHops}
	for i, s := range c.TrustedProxies {
		field := fmt.Sprintf("TrustedProxies[%d]", i)
		p, err := parseTrusted(s)
		if err != nil {
			errs = append(errs, &ConfigError{Field: field, Reason: err.Error()})
			continue
		}
		res.trusted = append(res.trusted, p)
	}
	switch c.Source {
	case SourceNone, SourceXForwardedFor, SourceForwarded, SourceXRealIP:
	default:
		errs = append(errs, &ConfigError{Field: "Source", Reason: "unknown source " + c.Source.String()})
	}
	if c.Source != SourceNone && len(c.TrustedProxies) == 0 {
		errs = append(errs, &ConfigError{Field: "Source", Reason: c.Source.String() + " requires at least one TrustedProxies entry; without one the header would never be read"})
	}
	switch {
	case c.MaxHops < 0 || c.MaxHops > 256:
		errs = append(errs, &ConfigError{Field: "MaxHops", Reason: fmt.Sprintf("must be between 0 and 256, got %d", c.MaxHops)})
	case c.MaxHops == 0:
		res.maxHops = DefaultMaxHops
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return res, nil
}

func parseTrusted(s string) (netip.Prefix, error) {
	if s == "" {
		return netip.Prefix{}, errors.New("empty entry")
	}
	if strings.Contains(s, "%") {
		return netip.Prefix{}, fmt.Errorf("%q: zones are not allowed", s)
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not a CIDR prefix", s)
		}
		if p.Addr().Is4In6() {
			return netip.Prefix{}, fmt.Errorf("%q: write IPv4-mapped prefixes as IPv4", s)
		}
		if p != p.Masked() {
			return netip.Prefix{}, fmt.Errorf("%q has host bits set; did you mean %s?", s, p.Masked())
		}
		return p, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR prefix", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

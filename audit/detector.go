package audit

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/apisec-go/apisec/clientip"
)

// Rule is one detection threshold: Threshold matching events within
// Window raise an alert. The zero Rule means the rule's default.
type Rule struct {
	Threshold int           // events; 1 to 1000
	Window    time.Duration // at most 24h
	Disabled  bool          // turns the rule off
}

// Default rules of a [DetectorConfig].
var (
	defaultBruteForceUser     = Rule{Threshold: 5, Window: 15 * time.Minute}
	defaultBruteForceIP       = Rule{Threshold: 20, Window: 15 * time.Minute}
	defaultCredentialStuffing = Rule{Threshold: 10, Window: 15 * time.Minute}
	defaultExcess404          = Rule{Threshold: 50, Window: time.Minute}
	defaultExcess403          = Rule{Threshold: 10, Window: time.Minute}
)

// Defaults and limits of [DetectorConfig].
const (
	DefaultMaxKeys = 10000
	maxKeysLimit   = 1 << 20
	maxThreshold   = 1000
	maxWindow      = 24 * time.Hour
)

// Detection rule names, as found in [Alert.Rule] and in the "rule"
// attribute of alert events.
const (
	RuleBruteForceUser     = "brute_force_user"
	RuleBruteForceIP       = "brute_force_ip"
	RuleCredentialStuffing = "credential_stuffing"
	RuleExcess404          = "excess_404"
	RuleExcess403          = "excess_403"
)

// DetectorConfig configures a [Detector].
type DetectorConfig struct {
	_ [0]func()

	// Next receives every record the Detector is given and the alert
	// events it raises. Nil makes the Detector a sink that only counts
	// and calls OnAlert.
	Next slog.Handler

	// BruteForceUser counts authn_login_fail events per user (the "user"
	// attribute): default 5 in 15 minutes. Alert: authn_login_fail_max.
	BruteForceUser Rule
	// BruteForceIP counts authn_login_fail events per client address:
	// default 20 in 15 minutes. Alert: authn_login_fail_max.
	BruteForceIP Rule
	// CredentialStuffing counts distinct users with a failed login from
	// one client address: default 10 in 15 minutes. Alert:
	// malicious_credential_stuffing.
	CredentialStuffing Rule
	// Excess404 counts 404 responses per client address: default 50 in a
	// minute. Alert: malicious_excess_404.
	Excess404 Rule
	// Excess403 counts 403 responses per client address: default 10 in a
	// minute. Alert: malicious_excess_403.
	Excess403 Rule

	// MaxKeys bounds the users or addresses each rule tracks at once;
	// default DefaultMaxKeys, at most 1<<20. When full, expired entries are
	// dropped first, then random ones, so no one can pick which entry a
	// flood of fresh keys evicts; size it above your normal number of
	// active clients. Memory is at most
	// MaxKeys entries per rule, each holding up to Threshold timestamps
	// (8 bytes each) or users.
	MaxKeys int

	// IPv6PrefixBits groups IPv6 clients, who usually hold a whole /64,
	// into one key; 0 means 64 (see clientip.Prefix).
	IPv6PrefixBits int

	// OnAlert is called, synchronously and outside any lock, for every
	// alert: block the address, feed a rate limiter, require step-up
	// authentication. It must not block for long.
	OnAlert func(context.Context, Alert)

	// Now returns the current time; time.Now when nil. Tests inject it.
	Now func() time.Time
}

// Alert is one detection.
type Alert struct {
	Event    string        // the alert's event name, e.g. authn_login_fail_max
	Rule     string        // e.g. RuleBruteForceUser
	User     string        // the user of the event that raised the alert, if any
	ClientIP netip.Prefix  // its client address (an IPv6 /64 by default), if known
	Count    int           // events (or distinct users) within Window
	Window   time.Duration // the rule's window
	Time     time.Time
}

// Detector is a slog.Handler stage that counts security events per client
// address and per user over sliding windows, and raises alert events for
// brute force, credential stuffing and enumeration. Put it after a
// [Handler], whose cleaned records and request attributes it reads, and
// before the final handler.
//
// It counts what the [Middleware] and a [Recorder] log: authn_login_fail
// events (with a "user" attribute), and request events with status 404 or
// 403. The client address comes from the request context (the
// Middleware, or clientip), else from a "client_ip" attribute. It reads
// these attributes at the top level and in the groups the logger opened
// with WithGroup (on the Detector, or on a Handler right in front of it),
// where the record's own attributes go; never in groups logged as
// attributes.
//
// Memory is bounded by [DetectorConfig.MaxKeys] per rule and by each
// rule's threshold per key. A Detector and the handlers derived from it
// with WithAttrs and WithGroup share their counters. It is safe for
// concurrent use; the zero value is not usable.
type Detector struct {
	core *detectorCore
	next slog.Handler
	// Attributes given to WithAttrs that the rules read.
	user, ip string
	status   int
	// path names the groups a Handler in front opened with WithGroup: it
	// writes them into the record (around the record's own attributes)
	// instead of opening them here.
	path []string
}

type detectorCore struct {
	mu        sync.Mutex
	user      *tracker[uint64] // keyed by userKey
	seed      maphash.Seed
	ip        *tracker[netip.Prefix]
	stuffing  *tracker[netip.Prefix]
	excess404 *tracker[netip.Prefix]
	excess403 *tracker[netip.Prefix]
	ipv6Bits  int
	onAlert   func(context.Context, Alert)
	now       func() time.Time
}

// NewDetector checks cfg and returns a Detector. Every problem is
// reported, joined, as [*ConfigError] values.
func NewDetector(cfg DetectorConfig) (*Detector, error) {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &ConfigError{Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	maxKeys := orDefault(cfg.MaxKeys, DefaultMaxKeys)
	if cfg.MaxKeys < 0 || cfg.MaxKeys > maxKeysLimit {
		bad("MaxKeys", "must be between 0 and %d, got %d", maxKeysLimit, cfg.MaxKeys)
	}
	if cfg.IPv6PrefixBits < 0 || cfg.IPv6PrefixBits > 128 {
		bad("IPv6PrefixBits", "must be between 0 and 128, got %d", cfg.IPv6PrefixBits)
	}
	rule := func(name string, r, def Rule) (Rule, bool) {
		if r.Disabled {
			return r, false
		}
		if r.Threshold < 0 || r.Threshold > maxThreshold {
			bad(name+".Threshold", "must be between 0 and %d, got %d", maxThreshold, r.Threshold)
		}
		if r.Window < 0 || r.Window > maxWindow {
			bad(name+".Window", "must be between 0 and %s, got %s", maxWindow, r.Window)
		}
		if r.Threshold == 0 {
			r.Threshold = def.Threshold
		}
		if r.Window == 0 {
			r.Window = def.Window
		}
		return r, true
	}
	c := &detectorCore{
		seed:     maphash.MakeSeed(),
		ipv6Bits: cfg.IPv6PrefixBits,
		onAlert:  cfg.OnAlert,
		now:      cfg.Now,
	}
	if r, on := rule("BruteForceUser", cfg.BruteForceUser, defaultBruteForceUser); on {
		c.user = newTracker[uint64](RuleBruteForceUser, LoginFailMax, r, maxKeys)
	}
	if r, on := rule("BruteForceIP", cfg.BruteForceIP, defaultBruteForceIP); on {
		c.ip = newTracker[netip.Prefix](RuleBruteForceIP, LoginFailMax, r, maxKeys)
	}
	if r, on := rule("CredentialStuffing", cfg.CredentialStuffing, defaultCredentialStuffing); on {
		c.stuffing = newTracker[netip.Prefix](RuleCredentialStuffing, MaliciousCredentialStuff, r, maxKeys)
	}
	if r, on := rule("Excess404", cfg.Excess404, defaultExcess404); on {
		c.excess404 = newTracker[netip.Prefix](RuleExcess404, MaliciousExcess404, r, maxKeys)
	}
	if r, on := rule("Excess403", cfg.Excess403, defaultExcess403); on {
		c.excess403 = newTracker[netip.Prefix](RuleExcess403, MaliciousExcess403, r, maxKeys)
	}
	if c.now == nil {
		c.now = time.Now
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &Detector{core: c, next: cfg.Next}, nil
}

// Enabled reports true for Info and above, the levels of the events the
// Detector counts, and otherwise asks the next handler. So Info records
// reach the Detector (and are cleaned by a Handler in front of it) even
// when the next handler is set to a higher level and drops them.
func (d *Detector) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= slog.LevelInfo || d.next != nil && d.next.Enabled(ctx, level)
}

// WithAttrs returns a Detector that also reads the user, client_ip and
// status among attrs, and passes attrs to the next handler.
func (d *Detector) WithAttrs(attrs []slog.Attr) slog.Handler {
	d2 := *d
	for _, a := range attrs {
		d2.note(a)
	}
	if d.next != nil {
		d2.next = d.next.WithAttrs(attrs)
	}
	return &d2
}

// WithGroup returns a Detector whose next handler opens group name. The
// Detector still reads the user, client_ip and status of the records and
// attributes that follow, which go into that group.
func (d *Detector) WithGroup(name string) slog.Handler {
	if name == "" {
		return d
	}
	d2 := *d
	if d.next != nil {
		d2.next = d.next.WithGroup(name)
	}
	return &d2
}

// inRecordGroup returns a Detector that looks for the record's own
// attributes in the group name, inside those of d.path, of the records it
// handles: a Handler in front calls it for each group it opens.
func (d *Detector) inRecordGroup(name string) *Detector {
	d2 := *d
	d2.path = append(d.path[:len(d.path):len(d.path)], name)
	return &d2
}

// noteIn notes a, a record attribute, or, if it is the group path names
// first, the members along the rest of path.
func (d *Detector) noteIn(a slog.Attr, path []string) {
	if len(path) > 0 && a.Key == path[0] && a.Value.Kind() == slog.KindGroup {
		for _, m := range a.Value.Group() {
			d.noteIn(m, path[1:])
		}
		return
	}
	d.note(a)
}

func (d *Detector) note(a slog.Attr) {
	switch a.Key {
	case KeyUser:
		if a.Value.Kind() == slog.KindString {
			d.user = a.Value.String()
		}
	case KeyClientIP:
		if a.Value.Kind() == slog.KindString {
			d.ip = a.Value.String()
		}
	case KeyStatus:
		if a.Value.Kind() == slog.KindInt64 {
			d.status = int(a.Value.Int64())
		}
	}
}

// Handle counts r if the rules care about it, raises any alert, then
// passes r on.
func (d *Detector) Handle(ctx context.Context, r slog.Record) error {
	var alerts []Alert
	switch r.Message {
	case LoginFail, EventRequest, AuthzFail:
		alerts = d.observe(ctx, r)
	}
	var err error
	if d.next != nil && d.next.Enabled(ctx, r.Level) {
		err = d.next.Handle(ctx, r)
	}
	// The alert follows the event that raised it.
	for _, a := range alerts {
		if d.next != nil {
			err = errors.Join(err, d.next.Handle(ctx, alertRecord(ctx, a)))
		}
		if d.core.onAlert != nil {
			d.core.onAlert(ctx, a)
		}
	}
	return err
}

func (d *Detector) observe(ctx context.Context, r slog.Record) []Alert {
	v := *d
	r.Attrs(func(a slog.Attr) bool {
		v.noteIn(a, d.path)
		return true
	})
	c := d.core
	if r.Message != LoginFail && !(v.status == 404 && c.excess404 != nil || v.status == 403 && c.excess403 != nil) {
		return nil // a request event the rules do not count
	}
	addr := d.clientAddr(ctx, v.ip)
	var key netip.Prefix
	if addr.IsValid() {
		key = clientip.Prefix(addr, c.ipv6Bits)
	}
	now := c.now()
	t := now.UnixNano()
	var alerts []Alert
	fire := func(tr interface{ alert() Alert }, n int, user string, ip netip.Prefix) {
		a := tr.alert()
		a.Count, a.User, a.ClientIP, a.Time = n, user, ip, now
		alerts = append(alerts, a)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch r.Message {
	case LoginFail:
		if c.user != nil && v.user != "" {
			if n, ok := c.user.hit(c.userKey(v.user), t); ok {
				fire(c.user, n, v.user, key)
			}
		}
		if key.IsValid() {
			if c.ip != nil {
				if n, ok := c.ip.hit(key, t); ok {
					fire(c.ip, n, v.user, key)
				}
			}
			if c.stuffing != nil && v.user != "" {
				if n, ok := c.stuffing.distinct(key, c.userKey(v.user), t); ok {
					fire(c.stuffing, n, v.user, key)
				}
			}
		}
	default:
		if !key.IsValid() {
			break
		}
		switch {
		case v.status == 404 && c.excess404 != nil:
			if n, ok := c.excess404.hit(key, t); ok {
				fire(c.excess404, n, "", key)
			}
		case v.status == 403 && c.excess403 != nil:
			if n, ok := c.excess403.hit(key, t); ok {
				fire(c.excess403, n, "", key)
			}
		}
	}
	return alerts
}

// userKey stands for a user in the trackers: a keyed 64-bit hash, so that
// long or numerous usernames cost fixed memory and are not kept.
func (c *detectorCore) userKey(user string) uint64 {
	return maphash.String(c.seed, user)
}

// clientAddr finds the client address: the Middleware's, then clientip's,
// then the record's attribute.
func (d *Detector) clientAddr(ctx context.Context, attr string) netip.Addr {
	if s := stateFrom(ctx); s != nil && s.ip != "" {
		if a, err := netip.ParseAddr(s.ip); err == nil {
			return a
		}
	}
	if a, ok := clientip.FromContext(ctx); ok {
		return a
	}
	if attr != "" {
		if a, err := netip.ParseAddr(attr); err == nil {
			return a.Unmap()
		}
	}
	return netip.Addr{}
}

// alertLevel is the level of an alert event: Critical for credential
// stuffing, Warn for the others (OWASP levels).
func alertLevel(event string) slog.Level {
	if event == MaliciousCredentialStuff {
		return LevelCritical
	}
	return slog.LevelWarn
}

// Attribute keys of alert events.
const (
	KeyRule   = "rule"
	KeyCount  = "count"
	KeyWindow = "window"
)

func alertRecord(ctx context.Context, a Alert) slog.Record {
	r := slog.NewRecord(a.Time, alertLevel(a.Event), a.Event, 0)
	r.AddAttrs(slog.String(KeyRule, a.Rule))
	if a.User != "" {
		r.AddAttrs(slog.String(KeyUser, sanitize(a.User, maxSubjectLength)))
	}
	if a.ClientIP.IsValid() {
		if a.ClientIP.Bits() == a.ClientIP.Addr().BitLen() {
			r.AddAttrs(slog.String(KeyClientIP, a.ClientIP.Addr().String()))
		} else {
			r.AddAttrs(slog.String(KeyClientIP, a.ClientIP.String()))
		}
	}
	r.AddAttrs(slog.Int(KeyCount, a.Count), slog.Duration(KeyWindow, a.Window))
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String(KeyRequestID, id))
	}
	return r
}

// tracker counts events per key over a sliding window. Its owner's mutex
// guards it.
type tracker[K comparable] struct {
	rule      string
	event     string
	threshold int
	window    int64
	maxKeys   int
	m         map[K]*series
}

// series holds, for one key, the times of its last threshold events (a
// ring) or, for distinct counting, the last time each user (by its
// userKey) was seen.
type series struct {
	times []int64
	next  int
	n     int
	users []seen
	last  int64
}

type seen struct {
	user uint64 // userKey
	t    int64
}

func newTracker[K comparable](rule, event string, r Rule, maxKeys int) *tracker[K] {
	return &tracker[K]{
		rule: rule, event: event,
		threshold: r.Threshold, window: int64(r.Window), maxKeys: maxKeys,
		m: make(map[K]*series),
	}
}

func (tr *tracker[K]) alert() Alert {
	return Alert{Event: tr.event, Rule: tr.rule, Window: time.Duration(tr.window)}
}

func (tr *tracker[K]) get(key K, now int64) *series {
	s := tr.m[key]
	if s == nil {
		tr.makeRoom(now)
		s = &series{}
		tr.m[key] = s
	}
	s.last = now
	return s
}

// makeRoom keeps the map under maxKeys: it drops expired series, looking
// at no more than a few, and else one at random (map order is random).
func (tr *tracker[K]) makeRoom(now int64) {
	if len(tr.m) < tr.maxKeys {
		return
	}
	looked := 0
	var victim K
	for k, s := range tr.m {
		if now-s.last >= tr.window {
			delete(tr.m, k)
			return
		}
		if looked == 0 {
			victim = k
		}
		if looked++; looked >= 8 {
			break
		}
	}
	delete(tr.m, victim)
}

// hit records an event at now for key. It reports true, with the count,
// when threshold events fell within the window; the series then restarts,
// so a continuing attack raises one alert per threshold events.
func (tr *tracker[K]) hit(key K, now int64) (int, bool) {
	s := tr.get(key, now)
	if s.times == nil {
		s.times = make([]int64, tr.threshold)
	}
	s.times[s.next] = now
	s.next = (s.next + 1) % tr.threshold
	if s.n < tr.threshold {
		s.n++
	}
	if s.n == tr.threshold && now-s.times[s.next] < tr.window {
		s.n = 0
		return tr.threshold, true
	}
	return 0, false
}

// distinct records that user was seen at now for key. It reports true
// when threshold distinct users were seen within the window.
func (tr *tracker[K]) distinct(key K, user uint64, now int64) (int, bool) {
	s := tr.get(key, now)
	kept := s.users[:0]
	found := false
	for _, u := range s.users {
		if now-u.t >= tr.window {
			continue
		}
		if u.user == user {
			u.t = now
			found = true
		}
		kept = append(kept, u)
	}
	s.users = kept
	if !found {
		s.users = append(s.users, seen{user: user, t: now})
	}
	if len(s.users) >= tr.threshold {
		n := len(s.users)
		s.users = s.users[:0]
		return n, true
	}
	return 0, false
}

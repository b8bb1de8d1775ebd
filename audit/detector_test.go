package audit_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/apisec-go/apisec/audit"
	"github.com/apisec-go/apisec/clientip"
	"github.com/apisec-go/apisec/internal/testclock"
)

// alerts collects OnAlert calls.
type alerts struct {
	mu   sync.Mutex
	list []audit.Alert
}

func (a *alerts) add(_ context.Context, al audit.Alert) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.list = append(a.list, al)
}

func (a *alerts) rules() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, al := range a.list {
		out = append(out, al.Rule)
	}
	return out
}

type detectorRig struct {
	clk      *testclock.Clock
	got      *alerts
	c        *capture
	logger   *slog.Logger // through a Handler into the Detector
	rec      *audit.Recorder
	detector *audit.Detector
}

func newRig(t *testing.T, cfg audit.DetectorConfig) *detectorRig {
	t.Helper()
	rig := &detectorRig{clk: newClock(), got: &alerts{}, c: &capture{}}
	cfg.Next = jsonSink(rig.c)
	cfg.Now = rig.clk.Now
	cfg.OnAlert = rig.got.add
	d, err := audit.NewDetector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rig.detector = d
	rig.logger = auditLogger(t, rig.c, d)
	rig.rec, err = audit.NewRecorder(audit.RecorderConfig{Logger: rig.logger})
	if err != nil {
		t.Fatal(err)
	}
	return rig
}

func ipCtx(ip string) context.Context {
	return clientip.NewContext(context.Background(), netip.MustParseAddr(ip))
}

func TestDetectsBruteForcePerUser(t *testing.T) {
	rig := newRig(t, audit.DetectorConfig{BruteForceUser: audit.Rule{Threshold: 3, Window: time.Minute}})
	// From three addresses, so only the per-user rule can fire.
	for i, ip := range []string{"192.0.2.1", "192.0.2.2"} {
		rig.rec.LoginFailed(ipCtx(ip), "alice")
		rig.clk.Add(10 * time.Second)
		if n := len(rig.got.rules()); n != 0 {
			t.Fatalf("alert after %d failures", i+1)
		}
	}
	rig.rec.LoginFailed(ipCtx("192.0.2.3"), "bob") // another user does not count
	rig.rec.LoginFailed(ipCtx("192.0.2.3"), "alice")
	if got := rig.got.rules(); len(got) != 1 || got[0] != audit.RuleBruteForceUser {
		t.Fatalf("alerts %v", got)
	}
	al := rig.got.list[0]
	if al.User != "alice" || al.Count != 3 || al.Event != audit.LoginFailMax || al.Window != time.Minute || !al.Time.Equal(rig.clk.Now()) {
		t.Errorf("alert %+v", al)
	}
	ev := find(rig.c.records(t), audit.LoginFailMax)
	if len(ev) != 1 || ev[0]["user"] != "alice" || ev[0]["rule"] != audit.RuleBruteForceUser || ev[0]["level"] != "WARN" {
		t.Errorf("alert event %v", ev)
	}
}

func TestBruteForceWindowSlides(t *testing.T) {
	rig := newRig(t, audit.DetectorConfig{BruteForceUser: audit.Rule{Threshold: 3, Window: time.Minute}})
	ctx := ipCtx("192.0.2.1")
	rig.rec.LoginFailed(ctx, "alice") // t=0
	rig.clk.Add(40 * time.Second)     //
	rig.rec.LoginFailed(ctx, "alice") // t=40s
	rig.clk.Add(30 * time.Second)     //
	rig.rec.LoginFailed(ctx, "alice") // t=70s: the first is out of the window
	if got := rig.got.rules(); len(got) != 0 {
		t.Fatalf("alert with only 2 failures in the window: %v", got)
	}
	rig.clk.Add(19 * time.Second)
	rig.rec.LoginFailed(ctx, "alice") // t=89s: 40s, 70s, 89s are within a minute
	if got := rig.got.rules(); len(got) != 1 {
		t.Fatalf("alerts %v", got)
	}
	// The series restarts after an alert.
	rig.rec.LoginFailed(ctx, "alice")
	if got := rig.got.rules(); len(got) != 1 {
		t.Fatalf("alerts %v", got)
	}
}

func TestDetectsBruteForcePerIP(t *testing.T) {
	rig := newRig(t, audit.DetectorConfig{
		BruteForceIP:       audit.Rule{Threshold: 4, Window: time.Minute},
		BruteForceUser:     audit.Rule{Disabled: true},
		CredentialStuffing: audit.Rule{Disabled: true},
	})
	for i := range 4 {
		rig.rec.LoginFailed(ipCtx("2001:db8:1:2::"+fmt.Sprint(i+1)), "alice")
	}
	got := rig.got.list
	if len(got) != 1 || got[0].Rule != audit.RuleBruteForceIP || got[0].ClientIP != netip.MustParsePrefix("2001:db8:1:2::/64") {
		t.Fatalf("alerts %+v (IPv6 clients in one /64 count together)", got)
	}
	ev := find(rig.c.records(t), audit.LoginFailMax)
	if len(ev) != 1 || ev[0]["client_ip"] != "2001:db8:1:2::/64" {
		t.Errorf("alert event %v", ev)
	}
}

func TestDetectsCredentialStuffing(t *testing.T) {
	rig := newRig(t, audit.DetectorConfig{
		CredentialStuffing: audit.Rule{Threshold: 3, Window: time.Minute},
		BruteForceIP:       audit.Rule{Disabled: true},
	})
	ctx := ipCtx("198.51.100.4")
	for _, u := range []string{"a", "b", "a", "a", "b"} { // repeats do not count
		rig.rec.LoginFailed(ctx, u)
	}
	if got := rig.got.rules(); len(got) != 0 {
		t.Fatalf("alert with 2 distinct users: %v", got)
	}
	rig.rec.LoginFailed(ipCtx("198.51.100.5"), "c") // another address
	rig.clk.Add(59 * time.Second)
	rig.rec.LoginFailed(ctx, "c")
	got := rig.got.list
	if len(got) != 1 || got[0].Rule != audit.RuleCredentialStuffing || got[0].Count != 3 || got[0].Event != audit.MaliciousCredentialStuff {
		t.Fatalf("alerts %+v", got)
	}
	if ev := find(rig.c.records(t), audit.MaliciousCredentialStuff); len(ev) != 1 || ev[0]["level"] != "ERROR+4" || ev[0]["client_ip"] != "198.51.100.4" {
		t.Errorf("alert event %v", ev)
	}
}

func TestCredentialStuffingWindowExpires(t *testing.T) {
	rig := newRig(t, audit.DetectorConfig{CredentialStuffing: audit.Rule{Threshold: 3, Window: time.Minute}})
	ctx := ipCtx("198.51.100.4")
	rig.rec.LoginFailed(ctx, "a")
	rig.rec.LoginFailed(ctx, "b")
	rig.clk.Add(time.Minute)
	rig.rec.LoginFailed(ctx, "c")
	if got := rig.got.rules(); len(got) != 0 {
		t.Fatalf("users outside the window counted: %v", got)
	}
}

// TestDetectsEnumeration drives the Middleware: 404s and 403s from one
// address (OWASP malicious_excess_404).
func TestDetectsEnumeration(t *testing.T) {
	tests := []struct {
		status int
		rule   string
		event  string
	}{
		{404, audit.RuleExcess404, audit.MaliciousExcess404},
		{403, audit.RuleExcess403, audit.MaliciousExcess403},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("status=%d", tt.status), func(t *testing.T) {
			rig := newRig(t, audit.DetectorConfig{
				Excess404: audit.Rule{Threshold: 5, Window: 10 * time.Second},
				Excess403: audit.Rule{Threshold: 5, Window: 10 * time.Second},
			})
			m := newMiddleware(t, audit.Config{Logger: rig.logger, Now: rig.clk.Now})
			h := m.Handler(statusHandler(tt.status))
			do := func(ip string) {
				r := httptest.NewRequest("GET", "/users/1", nil)
				r.RemoteAddr = ip + ":1234"
				h.ServeHTTP(httptest.NewRecorder(), r)
				rig.clk.Add(time.Second)
			}
			for range 4 {
				do("203.0.113.7")
			}
			do("203.0.113.8")
			m.Handler(statusHandler(200)).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
			if got := rig.got.rules(); len(got) != 0 {
				t.Fatalf("alert too early: %v", got)
			}
			do("203.0.113.7")
			got := rig.got.list
			if len(got) != 1 || got[0].Rule != tt.rule || got[0].ClientIP.Addr().String() != "203.0.113.7" {
				t.Fatalf("alerts %+v", got)
			}
			ev := find(rig.c.records(t), tt.event)
			if len(ev) != 1 || ev[0]["request_id"] == nil || ev[0]["count"] != float64(5) {
				t.Errorf("alert event %v", ev)
			}
		})
	}
}

// TestDetectsEnumerationWithGroupedLogger: a logger with groups puts the
// request event's status inside them; the Detector still finds it,
// behind a Handler (which writes the groups into the record) or alone
// (which opens them on the next handler).
func TestDetectsEnumerationWithGroupedLogger(t *testing.T) {
	grouped := func(l *slog.Logger) *slog.Logger { return l.WithGroup("http") }
	nested := func(l *slog.Logger) *slog.Logger { return l.WithGroup("a").With("x", 1).WithGroup("b") }
	tests := []struct {
		name  string
		bare  bool
		group func(*slog.Logger) *slog.Logger
	}{
		{"handler, group", false, grouped},
		{"handler, nested groups", false, nested},
		{"bare detector, group", true, grouped},
		{"bare detector, nested groups", true, nested},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rig := newRig(t, audit.DetectorConfig{Excess404: audit.Rule{Threshold: 2, Window: time.Minute}})
			logger := rig.logger
			if tt.bare {
				logger = slog.New(rig.detector)
			}
			m := newMiddleware(t, audit.Config{Logger: tt.group(logger), Now: rig.clk.Now})
			h := m.Handler(statusHandler(404))
			for range 5 {
				r := httptest.NewRequest("GET", "/users/1", nil)
				r.RemoteAddr = "203.0.113.7:1234"
				h.ServeHTTP(httptest.NewRecorder(), r)
			}
			if got := rig.got.rules(); len(got) != 2 || got[0] != audit.RuleExcess404 {
				t.Fatalf("alerts %v, want 2 %s", got, audit.RuleExcess404)
			}
		})
	}
}

// TestDetectsBruteForceWithGroupedLogger: the user of a failed login
// logged through a grouped logger is counted.
func TestDetectsBruteForceWithGroupedLogger(t *testing.T) {
	for _, bare := range []bool{false, true} {
		t.Run(fmt.Sprintf("bare=%v", bare), func(t *testing.T) {
			rig := newRig(t, audit.DetectorConfig{BruteForceUser: audit.Rule{Threshold: 3, Window: time.Minute}})
			logger := rig.logger
			if bare {
				logger = slog.New(rig.detector)
			}
			rec, err := audit.NewRecorder(audit.RecorderConfig{Logger: logger.WithGroup("app")})
			if err != nil {
				t.Fatal(err)
			}
			for _, ip := range []string{"192.0.2.1", "192.0.2.2", "192.0.2.3"} {
				rec.LoginFailed(ipCtx(ip), "alice")
			}
			if got := rig.got.list; len(got) != 1 || got[0].User != "alice" {
				t.Fatalf("alerts %+v", got)
			}
		})
	}
}

func TestDetectorDisabledRules(t *testing.T) {
	off := audit.Rule{Disabled: true}
	rig := newRig(t, audit.DetectorConfig{BruteForceUser: off, BruteForceIP: off, CredentialStuffing: off, Excess404: off, Excess403: off})
	for i := range 100 {
		rig.rec.LoginFailed(ipCtx("192.0.2.1"), fmt.Sprint("u", i%3))
	}
	if got := rig.got.rules(); len(got) != 0 {
		t.Errorf("disabled rules fired: %v", got)
	}
}

// TestDetectorMemoryIsBounded: a flood of distinct users or addresses
// cannot grow the detector past MaxKeys, and tracking still works.
func TestDetectorMemoryIsBounded(t *testing.T) {
	rig := newRig(t, audit.DetectorConfig{
		MaxKeys:        16,
		BruteForceUser: audit.Rule{Threshold: 2, Window: time.Hour},
		BruteForceIP:   audit.Rule{Disabled: true},
	})
	for i := range 5000 {
		rig.rec.LoginFailed(ipCtx(netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}).String()), fmt.Sprint("user", i))
	}
	if got := rig.got.rules(); len(got) != 0 {
		t.Fatalf("distinct users raised %v", got)
	}
	rig.rec.LoginFailed(ipCtx("192.0.2.1"), "target")
	rig.rec.LoginFailed(ipCtx("192.0.2.1"), "target")
	if got := rig.got.rules(); len(got) != 1 || got[0] != audit.RuleBruteForceUser {
		t.Errorf("alerts after the flood %v", got)
	}
	if n := audit.TrackedKeys(rig.logger.Handler()); n > 16*2 { // per-user and stuffing trackers
		t.Errorf("tracking %d keys, bound is %d", n, 16*2)
	}
}

func TestDetectorReadsAttributes(t *testing.T) {
	rig := newRig(t, audit.DetectorConfig{BruteForceUser: audit.Rule{Threshold: 2, Window: time.Hour}})
	// The user given with With, the address as an attribute.
	l := rig.logger.With("user", "carol", "client_ip", "192.0.2.9")
	l.Warn(audit.LoginFail)
	l.Warn(audit.LoginFail)
	if got := rig.got.list; len(got) != 1 || got[0].User != "carol" {
		t.Fatalf("alerts %+v", got)
	}
}

func TestDetectorAsSink(t *testing.T) {
	got := &alerts{}
	d, err := audit.NewDetector(audit.DetectorConfig{OnAlert: got.add, BruteForceUser: audit.Rule{Threshold: 1}})
	if err != nil {
		t.Fatal(err)
	}
	slog.New(d).Warn(audit.LoginFail, "user", "dave")
	if len(got.rules()) != 1 {
		t.Errorf("alerts %v", got.rules())
	}
	if !d.Enabled(context.Background(), slog.LevelInfo) || d.Enabled(context.Background(), slog.LevelDebug) {
		t.Error("a sink wants Info and above only")
	}
}

func TestDetectorConcurrent(t *testing.T) {
	rig := newRig(t, audit.DetectorConfig{BruteForceUser: audit.Rule{Threshold: 10, Window: time.Hour}})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for range 100 {
				rig.rec.LoginFailed(ipCtx("192.0.2.1"), fmt.Sprint("u", g))
			}
		})
	}
	wg.Wait()
	n := 0
	for _, r := range rig.got.rules() {
		if r == audit.RuleBruteForceUser {
			n++
		}
	}
	if n != 80 {
		t.Errorf("got %d per-user alerts, want 80 (8 users x 100 / 10)", n)
	}
}

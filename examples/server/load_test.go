package main

import (
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestBoundedLoad drives the real server from 16 goroutines on loopback
// for a bounded time (5 s, at most 200,000 requests). It expects no 5xx and
// no transport errors, 429s with Retry-After and RateLimit headers once the
// per-IP limit is spent, admissions within what the limit allows, and
// memory that stays flat.
func TestBoundedLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load run skipped in -short mode")
	}
	const (
		limit    = 600 // per minute, per IP
		duration = 5 * time.Second
		workers  = 16
		maxReqs  = 200_000
	)
	s := startServer(t, "RATE_LIMIT="+strconv.Itoa(limit)+"/m", "LOGIN_RATE_LIMIT=100/m")
	s.register(t, "load@example.com", alicePassword, "Load", 25)
	token, _ := s.login(t, "load@example.com", alicePassword)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()

	rssBefore := rss(t, s.cmd.Process.Pid)
	var (
		sent, ok, limited, other, errs atomic.Int64
		badLimited                     atomic.Int64
		wg                             sync.WaitGroup
	)
	deadline := time.Now().Add(duration)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && sent.Add(1) <= maxReqs {
				req, _ := http.NewRequest("GET", s.URL+"/api/v2/users", nil)
				req.Header.Set("Authorization", "Bearer "+token)
				res, err := client.Do(req)
				if err != nil {
					errs.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				switch {
				case res.StatusCode == 200:
					ok.Add(1)
				case res.StatusCode == 429:
					limited.Add(1)
					ra, err := strconv.Atoi(res.Header.Get("Retry-After"))
					if err != nil || ra < 1 || res.Header.Get("Ratelimit") == "" || res.Header.Get("Ratelimit-Policy") == "" ||
						res.Header.Get("Content-Type") != "application/problem+json" {
						badLimited.Add(1)
					}
				default:
					other.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	rssAfter := rss(t, s.cmd.Process.Pid)
	t.Logf("sent %d: 200=%d 429=%d other=%d errors=%d; RSS %d kB -> %d kB", min(sent.Load(), maxReqs), ok.Load(), limited.Load(), other.Load(), errs.Load(), rssBefore, rssAfter)

	if errs.Load() != 0 || other.Load() != 0 {
		t.Fatalf("%d transport errors, %d unexpected statuses", errs.Load(), other.Load())
	}
	if limited.Load() == 0 {
		t.Fatal("the limit was never reached")
	}
	if badLimited.Load() != 0 {
		t.Fatalf("%d 429 responses lacked Retry-After, RateLimit headers or problem+json", badLimited.Load())
	}
	// At most the burst plus what refills during the run (10/s), plus
	// the three requests made before it.
	if max := int64(limit + int(duration.Seconds()+2)*limit/60); ok.Load() > max {
		t.Fatalf("admitted %d, more than the limit allows (%d)", ok.Load(), max)
	}
	if rssAfter-rssBefore > 64<<10 {
		t.Fatalf("RSS grew by %d kB under load", rssAfter-rssBefore)
	}
}

package redistest_test

import (
	"strings"
	"testing"

	"github.com/apisec-go/apisec/internal/redistest"
)

func TestStartServesRealRedis(t *testing.T) {
	s := redistest.Start(t)
	if got, err := s.Do("SET", "k", "v"); err != nil || got != "OK" {
		t.Fatalf("SET = %q, %v", got, err)
	}
	if got, err := s.Do("GET", "k"); err != nil || got != "v" {
		t.Fatalf("GET = %q, %v", got, err)
	}
	info, err := s.Do("INFO", "server")
	if err != nil || !strings.Contains(info, "redis_version:") {
		t.Fatalf("INFO = %q, %v", info, err)
	}
	// Persistence is off: no append-only file (RDB snapshots being off is
	// shown by TestStopAndRestart: data does not survive a restart).
	if p, err := s.Do("INFO", "persistence"); err != nil || !strings.Contains(p, "aof_enabled:0") {
		t.Fatalf("INFO persistence = %q, %v; want aof_enabled:0", p, err)
	}
}

func TestStopAndRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("restart test in -short mode")
	}
	s := redistest.Start(t)
	if _, err := s.Do("SET", "k", "v"); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	if _, err := s.Do("PING"); err == nil {
		t.Fatal("PING succeeded after Stop")
	}
	s.Restart()
	if got, err := s.Do("PING"); err != nil || got != "PONG" {
		t.Fatalf("PING after Restart = %q, %v", got, err)
	}
	if got, _ := s.Do("EXISTS", "k"); got != "0" {
		t.Fatalf("data survived a restart with persistence off: EXISTS = %q", got)
	}
}

func TestStartClusterServesRealCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster test in -short mode")
	}
	c := redistest.StartCluster(t)
	if len(c.Addrs) != 3 {
		t.Fatalf("got %d nodes", len(c.Addrs))
	}
	s := &redistest.Server{Addr: c.Addrs[0]}
	info, err := s.Do("CLUSTER", "INFO")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"cluster_state:ok", "cluster_size:3", "cluster_slots_assigned:16384"} {
		if !strings.Contains(info, want) {
			t.Errorf("CLUSTER INFO lacks %q:\n%s", want, info)
		}
	}
}

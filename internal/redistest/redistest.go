package redistest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apisec-go/apisec/internal/testenv"
)

// startTimeout bounds how long a server may take to answer PING.
const startTimeout = 15 * time.Second

// Server is one redis-server process started for a test.
type Server struct {
	// Addr is "127.0.0.1:port".
	Addr string

	t       testing.TB
	dir     string
	port    int
	args    []string
	cmd     *exec.Cmd
	done    chan struct{}
	managed bool // false when REDIS_URL named an external server
}

// needBinary skips the test when name is not on PATH, or fails it when the
// CI environment variable is "true", since CI must run every test.
func needBinary(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	testenv.Missing(t, name+" not found on PATH: install the Debian package redis-server (apt-get install -y redis-server)")
	return ""
}

// Start returns a running single-node Redis for the test. When REDIS_URL is
// set ("redis://127.0.0.1:6379/0"), that server is used and left running.
// Otherwise redis-server from PATH is started on a free loopback port with
// persistence off, and stopped by PID when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	if u := os.Getenv("REDIS_URL"); u != "" {
		pu, err := url.Parse(u)
		if err != nil || pu.Host == "" {
			t.Fatalf("redistest: REDIS_URL %q is not a redis:// URL", u)
		}
		return &Server{Addr: pu.Host, t: t}
	}
	bin := needBinary(t, "redis-server")
	port := freePort(t, false)
	s := &Server{
		Addr:    net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		t:       t,
		dir:     t.TempDir(),
		port:    port,
		managed: true,
	}
	s.args = baseArgs(port, s.dir)
	s.start(bin)
	t.Cleanup(s.Stop)
	return s
}

func baseArgs(port int, dir string) []string {
	return []string{
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--protected-mode", "yes",
		"--save", "",
		"--appendonly", "no",
		"--daemonize", "no",
		"--dir", dir,
		"--loglevel", "warning",
		"--logfile", filepath.Join(dir, "redis.log"),
	}
}

func (s *Server) start(bin string) {
	s.t.Helper()
	cmd := exec.Command(bin, s.args...)
	cmd.Dir = s.dir
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("redistest: starting redis-server: %v", err)
	}
	s.cmd = cmd
	s.done = make(chan struct{})
	go func() { _ = cmd.Wait(); close(s.done) }()
	if err := waitPing(s.Addr, s.done); err != nil {
		s.Stop()
		log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
		s.t.Fatalf("redistest: redis-server on %s did not start: %v\n%s", s.Addr, err, log)
	}
}

// Stop kills the server by its PID and waits for it to exit. It is safe to
// call more than once, and a no-op for an external REDIS_URL server.
func (s *Server) Stop() {
	if !s.managed || s.cmd == nil {
		return
	}
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Kill()
	<-s.done
}

// Restart starts the server again on the same port after [Server.Stop],
// for tests of recovery after an outage. The data is gone, as after a
// crash with persistence off.
func (s *Server) Restart() {
	s.t.Helper()
	if !s.managed {
		s.t.Skip("redistest: cannot restart an external REDIS_URL server")
	}
	s.Stop()
	s.start(needBinary(s.t, "redis-server"))
}

// Do sends one command over a fresh connection and returns the reply's
// first line (or the bulk string), for test assertions without a client
// library.
func (s *Server) Do(args ...string) (string, error) { return do(s.Addr, args...) }

// Cluster is a three-master Redis Cluster started for a test.
type Cluster struct {
	// Addrs are the seed addresses of the masters.
	Addrs []string
	nodes []*Server
}

// Stop stops every node of the cluster.
func (c *Cluster) Stop() {
	for _, n := range c.nodes {
		n.Stop()
	}
}

// StartCluster starts three redis-server nodes in cluster mode on free
// loopback ports, joins them with redis-cli --cluster create, and waits for
// cluster_state:ok. REDIS_CLUSTER_ADDRS ("host:port,host:port,...") names an
// external cluster instead.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	if v := os.Getenv("REDIS_CLUSTER_ADDRS"); v != "" {
		return &Cluster{Addrs: strings.Split(v, ",")}
	}
	bin := needBinary(t, "redis-server")
	cli := needBinary(t, "redis-cli")
	c := &Cluster{}
	t.Cleanup(c.Stop)
	for range 3 {
		port := freePort(t, true)
		s := &Server{
			Addr:    net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
			t:       t,
			dir:     t.TempDir(),
			port:    port,
			managed: true,
		}
		s.args = append(baseArgs(port, s.dir),
			"--cluster-enabled", "yes",
			"--cluster-config-file", filepath.Join(s.dir, "nodes.conf"),
			"--cluster-node-timeout", "5000",
		)
		s.start(bin)
		c.nodes = append(c.nodes, s)
		c.Addrs = append(c.Addrs, s.Addr)
	}
	args := append([]string{"--cluster", "create"}, c.Addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput(); err != nil {
		t.Fatalf("redistest: redis-cli --cluster create: %v\n%s", err, out)
	}
	deadline := time.Now().Add(startTimeout)
	for _, addr := range c.Addrs {
		for {
			info, err := do(addr, "CLUSTER", "INFO")
			if err == nil && strings.Contains(info, "cluster_state:ok") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("redistest: cluster node %s not ready: %v %s", addr, err, info)
			}
			time.Sleep(50 * time.Millisecond) // polling a real server's state, not a clock
		}
	}
	return c
}

// freePort finds a free 127.0.0.1 TCP port. For cluster nodes the bus port
// (port+10000) must be free too.
func freePort(t testing.TB, cluster bool) int {
	t.Helper()
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("redistest: %v", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
		if !cluster {
			return port
		}
		if port+10000 > 65535 {
			continue
		}
		bl, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port+10000)))
		if err != nil {
			continue
		}
		_ = bl.Close()
		return port
	}
	t.Fatal("redistest: no free port pair found")
	return 0
}

func waitPing(addr string, exited <-chan struct{}) error {
	deadline := time.Now().Add(startTimeout)
	for {
		reply, err := do(addr, "PING")
		if err == nil && reply == "PONG" {
			return nil
		}
		select {
		case <-exited:
			return errors.New("process exited")
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no PONG within %v: %v", startTimeout, err)
		}
		time.Sleep(20 * time.Millisecond) // polling a real server's readiness, not a clock
	}
}

// do speaks just enough RESP for test assertions: simple strings, errors,
// integers and bulk strings.
func do(addr string, args ...string) (string, error) {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := conn.Write([]byte(b.String())); err != nil {
		return "", err
	}
	br := bufio.NewReader(conn)
	line, err := br.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("empty reply")
	}
	switch line[0] {
	case '+', ':':
		return line[1:], nil
	case '-':
		return "", errors.New(line[1:])
	case '$', '=':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(br, buf); err != nil {
			return "", err
		}
		s := string(buf[:n])
		if line[0] == '=' && len(s) >= 4 {
			s = s[4:] // verbatim string: drop "txt:"
		}
		return s, nil
	}
	return line, nil
}

// Package redistest starts real redis-server processes for tests: a single
// node ([Start]) or a three-master Redis Cluster ([StartCluster]), each on
// free 127.0.0.1 ports with persistence off, stopped by PID at cleanup.
package redistest

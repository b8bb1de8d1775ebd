package redisstore

import (
	"context"
	"errors"
)

// errTimeout is returned when Redis has not answered within
// [Config.Timeout]. It matches context.DeadlineExceeded with errors.Is.
var errTimeout = errors.Join(errors.New("redisstore: no reply from Redis within the timeout"), context.DeadlineExceeded)

// ConfigError reports one problem with a [Config]. [New] returns every
// problem at once, joined with errors.Join.
type ConfigError struct {
	Field  string
	Reason string
}

func (e *ConfigError) Error() string { return "redisstore: " + e.Field + ": " + e.Reason }

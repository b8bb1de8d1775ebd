package redisstore

// ConfigError reports one problem with a [Config]. [New] returns every
// problem at once, joined with errors.Join.
type ConfigError struct {
	Field  string
	Reason string
}

func (e *ConfigError) Error() string { return "redisstore: " + e.Field + ": " + e.Reason }

package clientip

// ConfigError is one problem found by [New] in a [Config]. New joins every
// problem it finds with errors.Join.
type ConfigError struct {
	Field  string // the Config field, e.g. "TrustedProxies[2]"
	Reason string
}

func (e *ConfigError) Error() string { return "clientip: " + e.Field + ": " + e.Reason }

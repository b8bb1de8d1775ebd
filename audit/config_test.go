package audit_test

import (
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/apisec-go/apisec/audit"
	"github.com/apisec-go/apisec/internal/configtest"
)

func checkErrors(t *testing.T, err error, want []string) {
	t.Helper()
	got := configtest.Messages(err)
	if !slices.Equal(got, want) {
		t.Errorf("errors:\n got  %q\n want %q", got, want)
	}
	if err != nil {
		var ce *audit.ConfigError
		if !errors.As(err, &ce) || ce.Field == "" || ce.Reason == "" {
			t.Errorf("not a ConfigError: %v", err)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	tests := []struct {
		name string
		cfg  audit.Config
		want []string
	}{
		{"valid", audit.Config{Logger: logger}, nil},
		{"no logger", audit.Config{}, []string{"audit: Logger: is required"}},
		{"bad header", audit.Config{Logger: logger, RequestIDHeader: "X Request\nId"}, []string{`audit: RequestIDHeader: "X Request\nId" is not a valid header field name`}},
		{"id length", audit.Config{Logger: logger, MaxRequestIDLength: 129}, []string{"audit: MaxRequestIDLength: must be between 0 and 128, got 129"}},
		{"negative lengths", audit.Config{Logger: logger, MaxRequestIDLength: -1, MaxPathLength: -1, MaxUserAgentLength: 9000}, []string{
			"audit: MaxRequestIDLength: must be between 0 and 128, got -1",
			"audit: MaxPathLength: must be between 0 and 8192, got -1",
			"audit: MaxUserAgentLength: must be between 0 and 8192, got 9000",
		}},
		{"everything wrong", audit.Config{RequestIDHeader: "a:b", MaxPathLength: 8193}, []string{
			"audit: Logger: is required",
			`audit: RequestIDHeader: "a:b" is not a valid header field name`,
			"audit: MaxPathLength: must be between 0 and 8192, got 8193",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := audit.New(tt.cfg)
			checkErrors(t, err, tt.want)
			if (m == nil) == (err == nil) {
				t.Errorf("New returned %v and %v", m, err)
			}
		})
	}
}

func TestHandlerConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  audit.HandlerConfig
		want []string
	}{
		{"valid", audit.HandlerConfig{Next: slog.DiscardHandler, SensitiveKeys: []string{"iban"}}, nil},
		{"no next", audit.HandlerConfig{}, []string{"audit: Next: is required"}},
		{"everything wrong", audit.HandlerConfig{SensitiveKeys: []string{"ok", "--"}, DangerouslyAllowKeys: []string{""}, MaxValueLength: -1}, []string{
			"audit: Next: is required",
			`audit: SensitiveKeys[1]: "--" has no letter or digit`,
			"audit: DangerouslyAllowKeys[0]: is empty",
			"audit: MaxValueLength: must be between 0 and 1048576, got -1",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := audit.NewHandler(tt.cfg)
			checkErrors(t, err, tt.want)
		})
	}
}

func TestDetectorConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  audit.DetectorConfig
		want []string
	}{
		{"valid zero", audit.DetectorConfig{}, nil},
		{"disabled rule is not checked", audit.DetectorConfig{Excess404: audit.Rule{Threshold: -1, Disabled: true}}, nil},
		{"everything wrong", audit.DetectorConfig{
			MaxKeys:            -1,
			IPv6PrefixBits:     129,
			BruteForceUser:     audit.Rule{Threshold: -1},
			BruteForceIP:       audit.Rule{Threshold: 1001},
			CredentialStuffing: audit.Rule{Window: -time.Second},
			Excess404:          audit.Rule{Window: 25 * time.Hour},
			Excess403:          audit.Rule{Threshold: -2, Window: -1},
		}, []string{
			"audit: MaxKeys: must be between 0 and 1048576, got -1",
			"audit: IPv6PrefixBits: must be between 0 and 128, got 129",
			"audit: BruteForceUser.Threshold: must be between 0 and 1000, got -1",
			"audit: BruteForceIP.Threshold: must be between 0 and 1000, got 1001",
			"audit: CredentialStuffing.Window: must be between 0 and 24h0m0s, got -1s",
			"audit: Excess404.Window: must be between 0 and 24h0m0s, got 25h0m0s",
			"audit: Excess403.Threshold: must be between 0 and 1000, got -2",
			"audit: Excess403.Window: must be between 0 and 24h0m0s, got -1ns",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := audit.NewDetector(tt.cfg)
			checkErrors(t, err, tt.want)
		})
	}
}

func TestChainConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  audit.ChainConfig
		want []string
	}{
		{"valid", audit.ChainConfig{Out: &capture{}, Key: chainKey}, nil},
		{"short key", audit.ChainConfig{Out: &capture{}, Key: chainKey[:31]}, []string{"audit: Key: must be at least 32 bytes, got 31"}},
		{"nothing", audit.ChainConfig{}, []string{"audit: Out: is required", "audit: Key: must be at least 32 bytes, got 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := audit.NewChain(tt.cfg)
			checkErrors(t, err, tt.want)
		})
	}
	_, err := audit.Verify(nil, chainKey[:8], audit.Anchor{})
	checkErrors(t, err, []string{"audit: key: must be at least 32 bytes, got 8"})
}

func TestRecorderConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  audit.RecorderConfig
		want []string
	}{
		{"valid", audit.RecorderConfig{Logger: slog.New(slog.DiscardHandler)}, nil},
		{"everything wrong", audit.RecorderConfig{FailedLoginHashKey: []byte("short")}, []string{
			"audit: Logger: is required",
			"audit: FailedLoginHashKey: must be at least 32 bytes",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := audit.NewRecorder(tt.cfg)
			checkErrors(t, err, tt.want)
		})
	}
}

// TestConfigCopied: changing a Config's slices after New has no effect.
func TestConfigCopied(t *testing.T) {
	keys := []string{"iban"}
	var c capture
	h, _ := audit.NewHandler(audit.HandlerConfig{Next: jsonSink(&c), SensitiveKeys: keys})
	keys[0] = "other"
	slog.New(h).Info("m", "iban", "x", "other", "y")
	rec := c.records(t)[0]
	if rec["iban"] != audit.Redacted || rec["other"] != "y" {
		t.Errorf("got %v", rec)
	}
	key := append([]byte(nil), chainKey...)
	var buf capture
	ch, _ := audit.NewChain(audit.ChainConfig{Out: &buf, Key: key})
	key[0] ^= 1
	slog.New(slog.NewJSONHandler(ch, nil)).Info("m")
	if _, err := audit.Verify(&buf.buf, chainKey, audit.Anchor{}); err != nil {
		t.Errorf("chain used the mutated key: %v", err)
	}
}

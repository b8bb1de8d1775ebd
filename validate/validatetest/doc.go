// Package validatetest checks implementations of the interfaces validate
// lets users supply, as testing/slogtest does for slog.Handler.
package validatetest

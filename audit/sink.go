package audit

import (
	"log/slog"
	"os"
)

// OpenFile opens path for appending security events: created with mode
// 0600 if missing, opened write-only with O_APPEND so that each record
// (one Write) lands at the end even with several writers. Close it on
// shutdown. Rotation is best left to the platform (logrotate with
// copytruncate off and a restart or reopen, or a collector reading stdout).
func OpenFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
}

// ReplaceLevelNames is a slog.HandlerOptions.ReplaceAttr function that
// prints [LevelCritical] as "CRITICAL" rather than "ERROR+4". Other
// attributes pass unchanged. (Setting ReplaceAttr makes slog's handlers
// call it for every attribute, at some cost per record.)
func ReplaceLevelNames(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.LevelKey {
		if l, ok := a.Value.Any().(slog.Level); ok && l == LevelCritical {
			return slog.String(slog.LevelKey, "CRITICAL")
		}
	}
	return a
}

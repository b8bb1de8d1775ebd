package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"runtime"
	"time"
)

// LevelCritical is the level of the events the OWASP vocabulary marks
// CRITICAL. slog has no such level; [ReplaceLevelNames] prints it as
// "CRITICAL" instead of "ERROR+4".
const LevelCritical = slog.LevelError + 4

// Event names, from the [OWASP Application Logging Vocabulary] where it has
// one, in the same style where it does not (marked "apisec"). The comment
// gives the level the helpers log them at.
//
// [OWASP Application Logging Vocabulary]: https://cheatsheetseries.owasp.org/cheatsheets/Logging_Vocabulary_Cheat_Sheet.html
const (
	AuthnFail                 = "authn_fail"                    // Warn; apisec: a 401 response
	LoginSuccess              = "authn_login_success"           // Info
	LoginSuccessAfterFail     = "authn_login_successafterfail"  // Info
	LoginFail                 = "authn_login_fail"              // Warn
	LoginFailMax              = "authn_login_fail_max"          // Warn
	LoginLock                 = "authn_login_lock"              // Warn
	PasswordChange            = "authn_password_change"         // Info
	PasswordChangeFail        = "authn_password_change_fail"    // Critical
	TokenCreate               = "authn_token_created"           // Info
	TokenRevoke               = "authn_token_revoked"           // Info
	TokenReuse                = "authn_token_reuse"             // Critical
	TokenDelete               = "authn_token_delete"            // Warn
	TokenInvalid              = "authn_token_invalid"           // Warn
	AuthzFail                 = "authz_fail"                    // Critical
	AuthzChange               = "authz_change"                  // Warn
	AuthzAdmin                = "authz_admin"                   // Warn
	RateLimitExceeded         = "excess_rate_limit_exceeded"    // Warn
	InputValidationFail       = "input_validation_fail"         // Warn
	DecryptFail               = "crypt_decrypt_fail"            // Warn
	MaliciousExcess404        = "malicious_excess_404"          // Warn
	MaliciousExcess403        = "malicious_excess_403"          // Warn; apisec
	MaliciousCredentialStuff  = "malicious_credential_stuffing" // Critical; apisec
	MaliciousCORS             = "malicious_cors"                // Critical
	MaliciousDirectReference  = "malicious_direct_reference"    // Critical
	SensitiveCreate           = "sensitive_create"              // Warn
	SensitiveRead             = "sensitive_read"                // Warn
	SensitiveUpdate           = "sensitive_update"              // Warn
	SensitiveDelete           = "sensitive_delete"              // Warn
	SessionCreated            = "session_created"               // Info
	SessionRenewed            = "session_renewed"               // Info
	SessionExpired            = "session_expired"               // Info
	SessionUseAfterExpire     = "session_use_after_expire"      // Critical
	UserCreated               = "user_created"                  // Warn
	UserUpdated               = "user_updated"                  // Warn
	UserDeleted               = "user_deleted"                  // Warn
	PrivilegePermissionChange = "privilege_permissions_changed" // Warn
)

// Attribute keys the vocabulary helpers use.
const (
	KeyUser     = "user"     // the account the event is about
	KeyActor    = "actor"    // who did it, when not the user
	KeyResource = "resource" // what was touched
	KeyReason   = "reason"
	KeyFrom     = "from"
	KeyTo       = "to"
	KeyFailures = "failures"
	KeyFields   = "fields"
)

// Defaults of [RecorderConfig].
const minHashKeyLength = 32

// RecorderConfig configures a [Recorder].
type RecorderConfig struct {
	_ [0]func()

	// Logger receives the events. Required; give it a [Handler] so that
	// they carry the request attributes and are cleaned.
	Logger *slog.Logger

	// FailedLoginHashKey, when set, makes LoginFailed, LoginFailMax and
	// LoginLock log the username as "hmac:" followed by the first 16 bytes
	// of HMAC-SHA256(key, username) in hex, instead of in clear: people
	// type their password into the username field. The same username
	// always gives the same value, so failures still correlate (and a
	// [Detector] still counts them). At least 32 bytes; keep it secret and
	// stable. Nil logs usernames in clear.
	FailedLoginHashKey []byte
}

// Recorder logs the events of the vocabulary at their OWASP levels. It is
// safe for concurrent use; its configuration is fixed by [NewRecorder]. The
// zero value is not usable.
type Recorder struct {
	logger  *slog.Logger
	hashKey []byte
}

// NewRecorder checks cfg and returns a Recorder. Every problem is reported,
// joined, as [*ConfigError] values.
func NewRecorder(cfg RecorderConfig) (*Recorder, error) {
	var errs []error
	if cfg.Logger == nil {
		errs = append(errs, &ConfigError{Field: "Logger", Reason: "is required"})
	}
	if cfg.FailedLoginHashKey != nil && len(cfg.FailedLoginHashKey) < minHashKeyLength {
		errs = append(errs, &ConfigError{Field: "FailedLoginHashKey", Reason: "must be at least 32 bytes"})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &Recorder{logger: cfg.Logger, hashKey: append([]byte(nil), cfg.FailedLoginHashKey...)}, nil
}

// Event logs a custom event. Use it for names the helpers do not cover.
func (rec *Recorder) Event(ctx context.Context, level slog.Level, name string, attrs ...slog.Attr) {
	rec.log(ctx, level, name, "", false, nil, attrs)
}

func (rec *Recorder) user(ctx context.Context, level slog.Level, name, user string, attrs []slog.Attr, own ...slog.Attr) {
	rec.log(ctx, level, name, user, true, own, attrs)
}

// log builds the record itself so that its source location is the
// application's call of the helper, not this file. The record holds the
// user, then the helper's own attributes, then the caller's.
func (rec *Recorder) log(ctx context.Context, level slog.Level, name, user string, withUser bool, own, attrs []slog.Attr) {
	if ctx == nil {
		ctx = context.Background()
	}
	h := rec.logger.Handler()
	if !h.Enabled(ctx, level) {
		return
	}
	var pcs [1]uintptr
	skip := 3 // runtime.Callers, log, Event
	if withUser {
		skip = 4 // and user, called by the helper
	}
	runtime.Callers(skip, pcs[:])
	r := slog.NewRecord(time.Now(), level, name, pcs[0])
	if withUser {
		r.AddAttrs(slog.String(KeyUser, user))
	}
	r.AddAttrs(own...)
	r.AddAttrs(attrs...)
	_ = h.Handle(ctx, r) // like slog.Logger, ignore the handler's error
}

// failedUser returns user, or its keyed hash when configured.
func (rec *Recorder) failedUser(user string) string {
	if rec.hashKey == nil {
		return user
	}
	mac := hmac.New(sha256.New, rec.hashKey)
	mac.Write([]byte(user))
	return "hmac:" + hex.EncodeToString(mac.Sum(nil)[:16])
}

// LoginSucceeded logs authn_login_success (Info).
func (rec *Recorder) LoginSucceeded(ctx context.Context, user string, attrs ...slog.Attr) {
	rec.user(ctx, slog.LevelInfo, LoginSuccess, user, attrs)
}

// LoginSucceededAfterFail logs authn_login_successafterfail (Info) with
// the number of failures before the success.
func (rec *Recorder) LoginSucceededAfterFail(ctx context.Context, user string, failures int, attrs ...slog.Attr) {
	rec.user(ctx, slog.LevelInfo, LoginSuccessAfterFail, user, attrs, slog.Int(KeyFailures, failures))
}

// LoginFailed logs authn_login_fail (Warn). The username is hashed when
// [RecorderConfig.FailedLoginHashKey] is set. A [Detector] counts these
// events per user and per client address.
func (rec *Recorder) LoginFailed(ctx context.Context, user string, attrs ...slog.Attr) {
	rec.user(ctx, slog.LevelWarn, LoginFail, rec.failedUser(user), attrs)
}

// LoginFailMax logs authn_login_fail_max (Warn): user reached the limit of
// failed logins.
func (rec *Recorder) LoginFailMax(ctx context.Context, user string, attrs ...slog.Attr) {
	rec.user(ctx, slog.LevelWarn, LoginFailMax, rec.failedUser(user), attrs)
}

// LoginLocked logs authn_login_lock (Warn): the account was locked.
func (rec *Recorder) LoginLocked(ctx context.Context, user, reason string, attrs ...slog.Attr) {
	rec.user(ctx, slog.LevelWarn, LoginLock, rec.failedUser(user), attrs, slog.String(KeyReason, reason))
}

// PasswordChanged logs authn_password_change (Info).
func (rec *Recorder) PasswordChanged(ctx context.Context, user string, attrs ...slog.Attr) {
	rec.user(ctx, slog.LevelInfo, PasswordChange, user, attrs)
}

// PasswordChangeFailed logs authn_password_change_fail (Critical).
func (rec *Recorder) PasswordChangeFailed(ctx context.Context, user string, attrs ...slog.Attr) {
	rec.user(ctx, LevelCritical, PasswordChangeFail, user, attrs)
}

// TokenCreated logs authn_token_created (Info). Never pass the token: log
// its id.
func (rec *Recorder) TokenCreated(ctx context.Context, user string, attrs ...slog.Attr) {
	rec.user(ctx, slog.LevelInfo, TokenCreate, user, attrs)
}

// TokenRevoked logs authn_token_revoked (Info).
func (rec *Recorder) TokenRevoked(ctx context.Context, user string, attrs ...slog.Attr) {
	rec.user(ctx, slog.LevelInfo, TokenRevoke, user, attrs)
}

// TokenReused logs authn_token_reuse (Critical): a revoked or single-use
// token was presented again.
func (rec *Recorder) TokenReused(ctx context.Context, user string, attrs ...slog.Attr) {
	rec.user(ctx, LevelCritical, TokenReuse, user, attrs)
}

// TokenDeleted logs authn_token_delete (Warn).
func (rec *Recorder) TokenDeleted(ctx context.Context, user string, attrs ...slog.Attr) {
	rec.user(ctx, slog.LevelWarn, TokenDelete, user, attrs)
}

// AuthzFailed logs authz_fail (Critical): user tried to reach resource
// without the right.
func (rec *Recorder) AuthzFailed(ctx context.Context, user, resource string, attrs ...slog.Attr) {
	rec.user(ctx, LevelCritical, AuthzFail, user, attrs, slog.String(KeyResource, resource))
}

// AuthzChanged logs authz_change (Warn): user's role went from one value
// to another.
func (rec *Recorder) AuthzChanged(ctx context.Context, user, from, to string, attrs ...slog.Attr) {
	rec.user(ctx, slog.LevelWarn, AuthzChange, user, attrs, slog.String(KeyFrom, from), slog.String(KeyTo, to))
}

// AdminAction logs authz_admin (Warn): a privileged user acted.
func (rec *Recorder) AdminAction(ctx context.Context, user string, attrs ...slog.Attr) {
	rec.user(ctx, slog.LevelWarn, AuthzAdmin, user, attrs)
}

// UserCreated logs user_created (Warn): actor created user.
func (rec *Recorder) UserCreated(ctx context.Context, actor, user string, attrs ...slog.Attr) {
	rec.user(ctx, slog.LevelWarn, UserCreated, user, attrs, slog.String(KeyActor, actor))
}

// UserUpdated logs user_updated (Warn).
func (rec *Recorder) UserUpdated(ctx context.Context, actor, user string, attrs ...slog.Attr) {
	rec.user(ctx, slog.LevelWarn, UserUpdated, user, attrs, slog.String(KeyActor, actor))
}

// UserDeleted logs user_deleted (Warn).
func (rec *Recorder) UserDeleted(ctx context.Context, actor, user string, attrs ...slog.Attr) {
	rec.user(ctx, slog.LevelWarn, UserDeleted, user, attrs, slog.String(KeyActor, actor))
}

// SensitiveRead logs sensitive_read (Warn): user read resource, which is
// marked sensitive. SensitiveCreated, SensitiveUpdated and SensitiveDeleted
// do the same for the other operations.
func (rec *Recorder) SensitiveRead(ctx context.Context, user, resource string, attrs ...slog.Attr) {
	rec.user(ctx, slog.LevelWarn, SensitiveRead, user, attrs, slog.String(KeyResource, resource))
}

// SensitiveCreated logs sensitive_create (Warn).
func (rec *Recorder) SensitiveCreated(ctx context.Context, user, resource string, attrs ...slog.Attr) {
	rec.user(ctx, slog.LevelWarn, SensitiveCreate, user, attrs, slog.String(KeyResource, resource))
}

// SensitiveUpdated logs sensitive_update (Warn).
func (rec *Recorder) SensitiveUpdated(ctx context.Context, user, resource string, attrs ...slog.Attr) {
	rec.user(ctx, slog.LevelWarn, SensitiveUpdate, user, attrs, slog.String(KeyResource, resource))
}

// SensitiveDeleted logs sensitive_delete (Warn).
func (rec *Recorder) SensitiveDeleted(ctx context.Context, user, resource string, attrs ...slog.Attr) {
	rec.user(ctx, slog.LevelWarn, SensitiveDelete, user, attrs, slog.String(KeyResource, resource))
}

// SessionCreated logs session_created (Info). Never pass the session id.
func (rec *Recorder) SessionCreated(ctx context.Context, user string, attrs ...slog.Attr) {
	rec.user(ctx, slog.LevelInfo, SessionCreated, user, attrs)
}

// SessionExpired logs session_expired (Info).
func (rec *Recorder) SessionExpired(ctx context.Context, user, reason string, attrs ...slog.Attr) {
	rec.user(ctx, slog.LevelInfo, SessionExpired, user, attrs, slog.String(KeyReason, reason))
}

// SessionUsedAfterExpiry logs session_use_after_expire (Critical).
func (rec *Recorder) SessionUsedAfterExpiry(ctx context.Context, user string, attrs ...slog.Attr) {
	rec.user(ctx, LevelCritical, SessionUseAfterExpire, user, attrs)
}

// InputValidationFailed logs input_validation_fail (Warn) naming the
// fields that failed (never their values).
func (rec *Recorder) InputValidationFailed(ctx context.Context, user string, fields []string, attrs ...slog.Attr) {
	rec.user(ctx, slog.LevelWarn, InputValidationFail, user, attrs, slog.Any(KeyFields, fields))
}

// DecryptFailed logs crypt_decrypt_fail (Warn).
func (rec *Recorder) DecryptFailed(ctx context.Context, user string, attrs ...slog.Attr) {
	rec.user(ctx, slog.LevelWarn, DecryptFail, user, attrs)
}

// Package audit records security events on [log/slog]: one structured
// event per HTTP request, the [OWASP Application Logging Vocabulary] for
// application code, redaction of secrets, neutralisation of log injection,
// detection of brute force, credential stuffing and enumeration, and an
// optional tamper-evident hash chain. Any slog backend works.
//
// # What it protects against
//
//   - Missing evidence. Every request gets an event at a level chosen by
//     its outcome: 401 authn_fail, 403 authz_fail, 429
//     excess_rate_limit_exceeded, 400/413/415/422 input_validation_fail,
//     5xx sys_error, logged whatever [Config.SuccessLevel] says. Each
//     carries when (the record time), where (method, path, route), who
//     (client_ip from [clientip], subject from [principal]), what (status,
//     bytes, latency) and a request id echoed to the client.
//   - Log injection and forging (CWE-117). Requests control the path, the
//     user agent, usernames and more. CR, LF, NEL (U+0085), U+2028/2029,
//     DEL and other control, zero-width and bidirectional characters are
//     escaped in keys, values and messages ("\n", "\x7f", "\u2028"), so one
//     value can never start a new line or disguise itself; values are
//     length-capped. slog's JSON handler escapes CR and LF but not NEL or
//     DEL, which some log viewers treat as line breaks. An attribute named
//     like slog's own members ("level", "msg") is renamed, so that a line
//     never holds two of them.
//   - Secrets in logs. The [Handler] redacts the values of sensitive keys
//     (password, token, authorization, cookie, set-cookie, secret, key, ...
//     see [DefaultSensitiveKeys]) at any depth of groups, also inside maps
//     and structs logged with slog.Any (an http.Header's Authorization and
//     Cookie), and any string holding a JWT or a bearer or basic
//     credential. The Middleware never
//     logs query strings, headers other than User-Agent, or bodies. A
//     [Recorder] can hash the username of failed logins, which is often a
//     mistyped password.
//   - Undetected attacks. A [Detector] counts events per client address
//     and per user over sliding windows with bounded memory and raises
//     authn_login_fail_max, malicious_credential_stuffing,
//     malicious_excess_404 and malicious_excess_403, and calls
//     [DetectorConfig.OnAlert] so the application can block or demand
//     step-up authentication (for example by lowering a rate limit).
//   - Quiet edits. A [Chain] links every record to the previous one with
//     HMAC-SHA256; [Verify] and the auditverify command find the first
//     altered, removed or reordered line.
//
// It does not protect a log from someone who holds the chain key, nor
// records cut from the end of a file unless the last [Chain.Head] is kept
// elsewhere.
//
// # Wiring
//
// Records flow through Handler (adds request attributes, redacts,
// escapes), then Detector, then the sink: slog.NewJSONHandler over
// os.Stdout, a file from [OpenFile], or a Chain over that file.
//
//	sink := slog.NewJSONHandler(os.Stdout, nil)
//	det, _ := audit.NewDetector(audit.DetectorConfig{Next: sink, OnAlert: block})
//	h, _ := audit.NewHandler(audit.HandlerConfig{Next: det})
//	logger := slog.New(h)
//	mw, _ := audit.New(audit.Config{Logger: logger})
//	rec, _ := audit.NewRecorder(audit.RecorderConfig{Logger: logger})
//	srv := mw.Handler(mux)
//
// Use the same logger (or one derived with With) in the application, so
// every line carries the request id, client address and subject.
//
// # Place in the chain
//
// headers → cors → clientip → audit → ratelimit → auth → [Identify] → ...
// audit goes after clientip, whose resolved address it records, and
// before everything that can reject a request, so that it sees every
// outcome (a 429 from the rate limiter, a 401 from authentication).
// Because authentication runs inside it, put [Identify] right after the
// authenticator so the request event names the subject.
//
// # Shipping events to a SIEM
//
// Write JSON lines to stdout and let the platform's collector (Fluent Bit,
// Vector, the OpenTelemetry Collector, a cloud logging agent) forward them,
// or write to a file from OpenFile that an agent tails. Every event is one
// line with stable keys: "msg" is the event name, "level", "time", and the
// attributes listed as Key... constants. Alert on authn_login_fail_max,
// malicious_* and authz_fail; correlate by request_id, client_ip, subject
// and user. Keep the clocks synchronised (the record time is the
// server's) and the log host separate from the application host. With a
// Chain, ship [Chain.Head] periodically too, so truncation is visible.
// [ReplaceLevelNames] prints the Critical level by name.
//
// Standards: the OWASP [Logging Cheat Sheet] and [OWASP Application
// Logging Vocabulary]; CWE-117 (log neutralisation); [RFC 2104] (HMAC).
//
// [OWASP Application Logging Vocabulary]: https://cheatsheetseries.owasp.org/cheatsheets/Logging_Vocabulary_Cheat_Sheet.html
// [Logging Cheat Sheet]: https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html
// [RFC 2104]: https://www.rfc-editor.org/rfc/rfc2104
package audit

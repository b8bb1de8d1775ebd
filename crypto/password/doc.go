// Package password hashes and verifies passwords the way the OWASP Password
// Storage Cheat Sheet asks.
//
// New hashes are argon2id (RFC 9106) at m=19456 KiB, t=2, p=1 or stronger,
// written as PHC strings:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
//	$argon2id$v=19$m=19456,t=2,p=1,pepper=<key id>$<salt>$<hash>   (peppered)
//
// with standard base64 without padding, a 16-byte salt and a 32-byte hash.
// [Hasher.Verify] also accepts what older systems stored, so users can be
// migrated on their next login ([Hasher.NeedsRehash]):
//
//   - argon2id and argon2i PHC strings, version 19 (what argon2-cffi,
//     libsodium and the reference implementation write);
//   - bcrypt ($2a$, $2b$, $2y$; for example from `htpasswd -B`);
//   - scrypt as $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>, the same
//     PHC layout and base64 (see [Hasher.Verify] for the exact rules).
//
// # Threat model
//
// The hashes protect users when the password table leaks: argon2id with a
// per-password random salt makes offline guessing slow and memory-hard. An
// optional pepper (HMAC-SHA256 under a key kept outside the database, with a
// key id in the hash so it can rotate) makes a leaked table alone useless.
//
// The verifier also defends the server:
//
//   - a stored hash is parsed with strict bounds (memory, iterations,
//     lanes, salt and hash lengths, bcrypt cost, scrypt N, r, p) before any
//     work, so a tampered row claiming m=4 GiB is rejected in constant time
//     instead of exhausting memory;
//   - a concurrency limiter ([Config.MaxConcurrent]) caps the hashes in
//     flight: a login flood queues (up to [Config.MaxWait]) instead of
//     allocating 19 MiB per request until the process dies;
//   - [Hasher.VerifyDummy] spends the same time as a real verification, so
//     "unknown user" and "wrong password" cannot be told apart by timing;
//   - hashes are compared in constant time;
//   - bcrypt ignores everything after byte 72, so a longer password is
//     rejected rather than silently truncated, and passwords are capped at
//     [Config.MaxPasswordBytes] (default 1024; NIST SP 800-63B asks for at
//     least 64) so a megabyte "password" cannot be used to burn CPU.
//
// Password policy (length, blocklists) is not checked here; see the
// validate package.
//
// Cost: one argon2id hash at the default parameters takes about 20 ms of
// one core on the project's reference machine (2-core amd64 Xeon, Go 1.26:
// BenchmarkHash medians of 19 to 21 ms for Verify and VerifyDummy, 18 ms
// at best) and allocates 19 MiB; expect several times that while the cores
// are busy with other work. With MaxConcurrent at its default of
// GOMAXPROCS, such a machine verifies roughly 100 logins a second at most:
// size your login rate limits with that figure, and measure your own
// hardware.
//
// # Where it goes
//
// Call the Hasher from the login and sign-up handlers, behind the rate
// limiter keyed by client address and by account, so that guessing is
// throttled before any hashing is paid for.
//
// Standards: RFC 9106 (Argon2), the PHC string format, OWASP Password
// Storage Cheat Sheet, NIST SP 800-63B rev. 4 §3.1.1.2.
package password

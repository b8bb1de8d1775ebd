package headers

import "crypto/tls"

// TLSConfig returns a new *tls.Config for a server that terminates TLS
// itself: TLS 1.2 at least, only ECDHE key exchange with AEAD ciphers in
// TLS 1.2 (TLS 1.3's suites are all modern and not configurable), and key
// exchange groups led by the post-quantum hybrid X25519MLKEM768, then
// X25519, P-256 and P-384. Set Certificates or GetCertificate on the
// result. Each call returns a fresh value the caller may change.
func TLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
			tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
		CurvePreferences: []tls.CurveID{
			tls.X25519MLKEM768,
			tls.X25519,
			tls.CurveP256,
			tls.CurveP384,
		},
		NextProtos: []string{"h2", "http/1.1"},
	}
}

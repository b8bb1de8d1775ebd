package headers_test

import (
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/apisec-go/apisec/headers"
)

// TestTLSConfigHandshake runs real handshakes against a server using
// TLSConfig: a modern client gets TLS 1.3 with X25519MLKEM768, a TLS 1.2
// client gets an ECDHE AEAD suite, and TLS 1.1 and CBC-only clients fail.
func TestTLSConfigHandshake(t *testing.T) {
	srv := httptest.NewUnstartedServer(okHandler)
	cfg := headers.TLSConfig()
	cfg.Certificates = []tls.Certificate{mustCert(t)}
	srv.TLS = cfg
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	srv.StartTLS()
	defer srv.Close()
	addr := srv.Listener.Addr().String()

	cases := []struct {
		name   string
		client *tls.Config
		ok     bool
		check  func(t *testing.T, cs tls.ConnectionState)
	}{
		{"tls13 post-quantum", &tls.Config{InsecureSkipVerify: true}, true, func(t *testing.T, cs tls.ConnectionState) {
			if cs.Version != tls.VersionTLS13 || cs.CurveID != tls.X25519MLKEM768 {
				t.Errorf("version %x curve %v, want TLS 1.3 with X25519MLKEM768", cs.Version, cs.CurveID)
			}
		}},
		{"tls12 aead", &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12}, true, func(t *testing.T, cs tls.ConnectionState) {
			if cs.Version != tls.VersionTLS12 || cs.CipherSuite != tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 && cs.CipherSuite != tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 {
				t.Errorf("version %x suite %s", cs.Version, tls.CipherSuiteName(cs.CipherSuite))
			}
		}},
		{"tls11 refused", &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}, false, nil},
		{"cbc only refused", &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}}, false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := tls.Dial("tcp", addr, tc.client)
			if !tc.ok {
				if err == nil {
					conn.Close()
					t.Fatal("handshake succeeded, want failure")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			tc.check(t, conn.ConnectionState())
		})
	}
	if a, b := headers.TLSConfig(), headers.TLSConfig(); &a.CipherSuites[0] == &b.CipherSuites[0] {
		t.Error("TLSConfig shares slices between calls")
	}
}

// mustCert borrows httptest's self-signed certificate.
func mustCert(t *testing.T) tls.Certificate {
	t.Helper()
	s := httptest.NewTLSServer(http.NotFoundHandler())
	defer s.Close()
	return s.TLS.Certificates[0]
}

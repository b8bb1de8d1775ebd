package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// selfSigned writes a certificate for 127.0.0.1 and localhost and its key.
func selfSigned(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "apisec example test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestTLSHSTSAndRedirect runs the server with TLS_CERT/TLS_KEY: HTTPS
// responses carry HSTS; the plain-HTTP listener answers 308 to the same
// path on the HTTPS port for an allowed host, and refuses a forged Host
// instead of redirecting to it (no open redirect).
func TestTLSHSTSAndRedirect(t *testing.T) {
	cert, key := selfSigned(t)
	redirect := freeAddr(t)
	s := startServer(t, "TLS_CERT="+cert, "TLS_KEY="+key, "REDIRECT_ADDR="+redirect)

	r := s.do(t, "GET", "/healthz", "")
	if r.Status != 200 {
		t.Fatalf("https healthz: %d", r.Status)
	}
	if got := r.Header.Get("Strict-Transport-Security"); got != "max-age=63072000; includeSubDomains" {
		t.Fatalf("HSTS %q", got)
	}

	plain := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 10 * time.Second}
	res, err := plain.Post("http://"+redirect+"/api/login?x=1", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	_, tlsPort, _ := net.SplitHostPort(strings.TrimPrefix(s.URL, "https://"))
	if res.StatusCode != http.StatusPermanentRedirect || res.Header.Get("Location") != "https://127.0.0.1:"+tlsPort+"/api/login?x=1" {
		t.Fatalf("redirect: %d Location %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res.Header.Get("Strict-Transport-Security") != "" {
		t.Fatal("HSTS sent over plain HTTP")
	}

	req, _ := http.NewRequest("GET", "http://"+redirect+"/", nil)
	req.Host = "evil.example"
	res, err = plain.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode == http.StatusPermanentRedirect || strings.Contains(res.Header.Get("Location"), "evil.example") {
		t.Fatalf("open redirect to a forged Host: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res.StatusCode != http.StatusMisdirectedRequest {
		t.Fatalf("forged Host: status %d, want 421", res.StatusCode)
	}
}

package remote

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testPKI is a throwaway CA with a server and a client certificate, written
// as PEM files into a temp dir.
type testPKI struct {
	CA, ServerCert, ServerKey, ClientCert, ClientKey string
}

func newPKI(t *testing.T) testPKI {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fnkit test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	issue := func(serial int64, cn string, usage x509.ExtKeyUsage) (string, string) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kb, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return writeFile(t, dir, cn+".crt", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))),
			writeFile(t, dir, cn+".key", string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})))
	}
	p := testPKI{CA: writeFile(t, dir, "ca.crt", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})))}
	p.ServerCert, p.ServerKey = issue(2, "server", x509.ExtKeyUsageServerAuth)
	p.ClientCert, p.ClientKey = issue(3, "client", x509.ExtKeyUsageClientAuth)
	return p
}

// startTLS starts a redis-server that also listens with TLS; it returns the
// server and the TLS port.
func startTLS(t *testing.T, pki testPKI, authClients string) (*server, int) {
	t.Helper()
	port := freePort(t)
	s := startServer(t, "secret",
		"tls-port "+strconv.Itoa(port),
		"tls-cert-file "+pki.ServerCert,
		"tls-key-file "+pki.ServerKey,
		"tls-ca-cert-file "+pki.CA,
		"tls-auth-clients "+authClients,
	)
	return s, port
}

func TestTLS(t *testing.T) {
	pki := newPKI(t)
	s, port := startTLS(t, pki, "no")
	s.load(t, fixtureLibs(t, "inventory.lua").Libraries()[0].Code)
	ctx := ctxT(t)
	tlsURL, err := ParseURL("rediss://:secret@127.0.0.1:" + strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	// With the CA: pull and push work.
	p, err := Pull(ctx, tlsURL, Options{TLS: TLSOptions{CAFile: pki.CA}})
	if err != nil {
		t.Fatal(err)
	}
	if string(p.Payload) != s.dump(t) {
		t.Error("payload over TLS differs from FUNCTION DUMP")
	}
	if _, err := Push(ctx, fixtureLibs(t, "sessions.lua"), []*URL{tlsURL}, PushOptions{Options: Options{TLS: TLSOptions{CAFile: pki.CA}}}); err != nil {
		t.Fatal(err)
	}
	if got := s.list(t); len(got) != 2 {
		t.Fatalf("server holds %v", keys(got))
	}
	// Without the CA: the certificate is not trusted.
	_, err = Pull(ctx, tlsURL, Options{})
	if !errors.Is(err, ErrTLS) || !strings.HasPrefix(err.Error(), "127.0.0.1:"+strconv.Itoa(port)+": ") {
		t.Errorf("no CA: %v", err)
	}
	// Skipping verification works without the CA.
	if _, err := Pull(ctx, tlsURL, Options{TLS: TLSOptions{Insecure: true}}); err != nil {
		t.Errorf("insecure: %v", err)
	}
	// The wrong scheme either way is a clear error. A plain server never
	// answers a TLS hello (it waits for the end of an inline command), so
	// that case ends with the timeout.
	plainToTLS, _ := ParseURL("redis://:secret@127.0.0.1:" + strconv.Itoa(port))
	_, err = Pull(ctx, plainToTLS, Options{Timeout: 3 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "rediss://") {
		t.Errorf("redis:// to a TLS port: %v", err)
	}
	tlsToPlain, _ := ParseURL("rediss://:secret@" + s.Addr)
	_, err = Pull(ctx, tlsToPlain, Options{TLS: TLSOptions{CAFile: pki.CA}, Timeout: 3 * time.Second})
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "use redis://") {
		t.Errorf("rediss:// to a plain port: %v", err)
	}
}

func TestTLSClientCertificate(t *testing.T) {
	pki := newPKI(t)
	_, port := startTLS(t, pki, "yes")
	ctx := ctxT(t)
	u, _ := ParseURL("rediss://:secret@127.0.0.1:" + strconv.Itoa(port))
	_, err := Pull(ctx, u, Options{TLS: TLSOptions{CAFile: pki.CA}, Timeout: 3 * time.Second})
	if err == nil {
		t.Fatal("a server with tls-auth-clients yes accepted a client without a certificate")
	}
	t.Logf("without a client certificate: %v", err)
	if !strings.Contains(err.Error(), "--tls-cert") && !errors.Is(err, ErrTLS) {
		t.Errorf("error does not point at the client certificate: %v", err)
	}
	if _, err := Pull(ctx, u, Options{TLS: TLSOptions{CAFile: pki.CA, CertFile: pki.ClientCert, KeyFile: pki.ClientKey}}); err != nil {
		t.Fatal(err)
	}
}

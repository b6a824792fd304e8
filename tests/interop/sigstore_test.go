// The release's Sigstore bundle as sigstore-go checks it: public key, no transparency log, no timestamps.
package interop

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

// keyVerifier trusts exactly one Ed25519 key, whatever hint the bundle names (the hint is not signed).
func keyVerifier(t *testing.T, pub ed25519.PublicKey) *verify.Verifier {
	t.Helper()
	sv, err := signature.LoadED25519Verifier(pub)
	if err != nil {
		t.Fatal(err)
	}
	trusted := root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) {
		return root.NewExpiringKey(sv, time.Time{}, time.Time{}), nil
	})
	// With a key, not a certificate, the current time is the only time to check the key's validity at.
	v, err := verify.NewVerifier(trusted, verify.WithCurrentTime())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func eventKey(t *testing.T) ed25519.PublicKey {
	t.Helper()
	pub, err := cryptoutils.UnmarshalPEMToPublicKey(readFixture(t, "event-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return pub.(ed25519.PublicKey)
}

func loadBundle(t *testing.T, data []byte) (*bundle.Bundle, error) {
	t.Helper()
	var b bundle.Bundle
	return &b, b.UnmarshalJSON(data)
}

// tamperPayload re-encodes the DSSE payload with one substring replaced, keeping the signature.
func tamperPayload(t *testing.T, data []byte, from, to string) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	env := doc["dsseEnvelope"].(map[string]any)
	payload, _ := base64.StdEncoding.DecodeString(env["payload"].(string))
	changed := strings.Replace(string(payload), from, to, 1)
	if changed == string(payload) {
		t.Fatalf("payload holds no %q", from)
	}
	env["payload"] = base64.StdEncoding.EncodeToString([]byte(changed))
	out, _ := json.Marshal(doc)
	return out
}

func TestSigstoreGoVerifiesTheReleaseBundle(t *testing.T) {
	data := readFixture(t, "sigstore-bundle.json")
	b, err := loadBundle(t, data)
	if err != nil {
		t.Fatalf("bundle does not parse: %v", err)
	}
	digest := sha256.Sum256(readFixture(t, readManifest(t).Artifact))
	policy := verify.NewPolicy(verify.WithArtifactDigest("sha256", digest[:]), verify.WithKey())
	result, err := keyVerifier(t, eventKey(t)).Verify(b, policy)
	if err != nil {
		t.Fatalf("sigstore-go rejects the bundle: %v", err)
	}
	if result.Statement == nil || result.Statement.PredicateType != "https://maestro.dev/attestations/safety-case/v1" {
		t.Fatalf("statement: %+v", result.Statement)
	}

	t.Run("a changed payload fails", func(t *testing.T) {
		tb, err := loadBundle(t, tamperPayload(t, data, `"version":"1.0.0"`, `"version":"1.0.1"`))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := keyVerifier(t, eventKey(t)).Verify(tb, policy); err == nil {
			t.Fatal("a bundle with a changed payload verified")
		}
	})
	t.Run("another key fails", func(t *testing.T) {
		other, _, _ := ed25519.GenerateKey(nil)
		if _, err := keyVerifier(t, other).Verify(b, policy); err == nil {
			t.Fatal("the bundle verified with another key")
		}
	})
	t.Run("another artifact fails", func(t *testing.T) {
		wrong := sha256.Sum256([]byte("not the artifact"))
		if _, err := keyVerifier(t, eventKey(t)).Verify(b, verify.NewPolicy(verify.WithArtifactDigest("sha256", wrong[:]), verify.WithKey())); err == nil {
			t.Fatal("the bundle verified for an artifact it does not name")
		}
	})
}

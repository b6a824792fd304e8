// The real cosign CLI (pinned, installed by scripts/bootstrap-interop.sh) verifies the release's Sigstore bundle.
package interop

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// cosignPath is $COSIGN, else .tools/bin/cosign of this repository; the test fails without it (CI installs it).
func cosignPath(t *testing.T) string {
	t.Helper()
	path := os.Getenv("COSIGN")
	if path == "" {
		path, _ = filepath.Abs(filepath.Join("..", "..", ".tools", "bin", "cosign"))
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("cosign not found at %s: run sh scripts/bootstrap-interop.sh", path)
	}
	return path
}

func cosignVerify(t *testing.T, bundlePath string) ([]byte, error) {
	t.Helper()
	cmd := exec.Command(cosignPath(t), "verify-blob-attestation",
		"--bundle", bundlePath,
		"--key", filepath.Join(fixtures, "event-key.pem"),
		"--type", "https://maestro.dev/attestations/safety-case/v1",
		// Maestro's bundles are signed with its own key, without Rekor or a timestamp authority (auditor-guide.md).
		"--insecure-ignore-tlog=true", "--insecure-ignore-sct=true",
		filepath.Join(fixtures, readManifest(t).Artifact))
	// No TUF root is fetched for a key-based check; keep cosign's cache out of $HOME all the same.
	cmd.Env = append(os.Environ(), "TUF_ROOT="+t.TempDir(), "SIGSTORE_NO_CACHE=true")
	return cmd.CombinedOutput()
}

func TestCosignVerifiesTheReleaseBundle(t *testing.T) {
	data := readFixture(t, "sigstore-bundle.json")
	if out, err := cosignVerify(t, writeTemp(t, "bundle.json", data)); err != nil {
		t.Fatalf("cosign rejects the bundle: %v\n%s", err, out)
	}
	tampered := tamperPayload(t, data, `"version":"1.0.0"`, `"version":"1.0.1"`)
	if out, err := cosignVerify(t, writeTemp(t, "tampered.json", tampered)); err == nil {
		t.Fatalf("cosign accepted a bundle with a changed payload:\n%s", out)
	}
}

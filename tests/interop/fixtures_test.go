// Fixtures for every interop test: the folder MAESTRO_INTEROP_FIXTURES names, or one written here by the Node side.
package interop

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// fixtures is the folder tests/interop/write-fixtures.ts wrote: a published release and the log it is in.
var fixtures string

type manifest struct {
	Origin   string `json:"origin"`
	TreeSize int64  `json:"treeSize"`
	Artifact string `json:"artifact"`
}

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "interop:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	fixtures = os.Getenv("MAESTRO_INTEROP_FIXTURES")
	if fixtures == "" {
		dir, err := os.MkdirTemp("", "maestro-interop-")
		if err != nil {
			return 0, err
		}
		defer os.RemoveAll(dir)
		if err := writeFixtures(dir); err != nil {
			return 0, err
		}
		fixtures = dir
	}
	return m.Run(), nil
}

// writeFixtures runs the Node fixture writer from the repository root with the project's own Node 24.
func writeFixtures(dir string) error {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return err
	}
	node := filepath.Join(root, "node_modules", ".bin", "node")
	if _, err := os.Stat(node); err != nil {
		return fmt.Errorf("%s is missing: run npm ci in the repository first", node)
	}
	cmd := exec.Command(node, "tests/interop/write-fixtures.ts", dir)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("write-fixtures.ts: %w", err)
	}
	return nil
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func readManifest(t *testing.T) manifest {
	t.Helper()
	var m manifest
	if err := json.Unmarshal(readFixture(t, "manifest.json"), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// writeTemp writes data to a new file in the test's temp folder and returns its path.
func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

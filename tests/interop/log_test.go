// The log as golang.org/x/mod sees it: signed-note checkpoints (sumdb/note), C2SP tiles, RFC 6962 proofs (sumdb/tlog).
package interop

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// checkpoint is a C2SP tlog-checkpoint body: origin, size, base64 root, then optional extension lines.
type checkpoint struct {
	origin string
	tree   tlog.Tree
}

func openCheckpoint(t *testing.T, text []byte, verifiers note.Verifiers) checkpoint {
	t.Helper()
	n, err := note.Open(text, verifiers)
	if err != nil {
		t.Fatalf("note.Open: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 {
		t.Fatalf("checkpoint body has %d lines", len(lines))
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		t.Fatalf("checkpoint size: %v", err)
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		t.Fatalf("checkpoint root %q: %v", lines[2], err)
	}
	var h tlog.Hash
	copy(h[:], root)
	return checkpoint{origin: lines[0], tree: tlog.Tree{N: size, Hash: h}}
}

func checkpointVerifier(t *testing.T) note.Verifiers {
	t.Helper()
	v, err := note.NewVerifier(strings.TrimSpace(string(readFixture(t, "checkpoint.vkey"))))
	if err != nil {
		t.Fatalf("note.NewVerifier: %v", err)
	}
	return note.VerifierList(v)
}

// tileDir serves C2SP tlog-tiles from the fixture folder. Go's tlog names tiles tile/H/L/N; C2SP leaves H out (always 8).
type tileDir struct{ root string }

func (d tileDir) Height() int { return 8 }

func (d tileDir) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, tile := range tiles {
		path := strings.Replace(tile.Path(), fmt.Sprintf("tile/%d/", tile.H), "tile/", 1)
		data, err := os.ReadFile(filepath.Join(d.root, "tlog", path))
		if err != nil {
			return nil, err
		}
		out[i] = data
	}
	return out, nil
}

func (d tileDir) SaveTiles([]tlog.Tile, [][]byte) {}

// entries reads the C2SP entry bundles of a tree: each entry is a 16-bit big-endian length and the bytes.
func entries(t *testing.T, size int64) [][]byte {
	t.Helper()
	var out [][]byte
	for n := int64(0); n*256 < size; n++ {
		width := min(size-n*256, 256)
		tile := tlog.Tile{H: 8, L: -1, N: n, W: int(width)}
		path := strings.Replace(tile.Path(), "tile/8/data/", "tile/entries/", 1)
		data := readFixture(t, filepath.Join("tlog", path))
		for len(data) > 0 {
			if len(data) < 2 {
				t.Fatalf("%s: truncated length prefix", path)
			}
			l := int(data[0])<<8 | int(data[1])
			if len(data) < 2+l {
				t.Fatalf("%s: truncated entry", path)
			}
			out = append(out, data[2:2+l])
			data = data[2+l:]
		}
	}
	if int64(len(out)) != size {
		t.Fatalf("entry bundles hold %d entries, want %d", len(out), size)
	}
	return out
}

func TestCheckpointsOpenWithTheServedVkey(t *testing.T) {
	m := readManifest(t)
	verifiers := checkpointVerifier(t)
	files, err := filepath.Glob(filepath.Join(fixtures, "checkpoints", "*.note"))
	if err != nil || len(files) < 3 {
		t.Fatalf("want several stored checkpoints, got %d (%v)", len(files), err)
	}
	for _, f := range files {
		data, _ := os.ReadFile(f)
		if cp := openCheckpoint(t, data, verifiers); cp.origin != m.Origin {
			t.Errorf("%s: origin %q, want %q", f, cp.origin, m.Origin)
		}
	}
	// A changed byte in the body must not open.
	data := readFixture(t, "tlog/checkpoint")
	tampered := bytes.Replace(data, []byte(fmt.Sprintf("\n%d\n", m.TreeSize)), []byte(fmt.Sprintf("\n%d\n", m.TreeSize+1)), 1)
	if _, err := note.Open(tampered, verifiers); err == nil {
		t.Fatal("a checkpoint with a changed size opened")
	}
	// And a key of the same name but other bytes must not open it either.
	_, otherVkey, err := note.GenerateKey(nil, m.Origin)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := note.NewVerifier(otherVkey)
	if _, err := note.Open(data, note.VerifierList(other)); err == nil {
		t.Fatal("the checkpoint opened with another key")
	}
}

func TestTilesProveEveryEntryAndEveryCheckpoint(t *testing.T) {
	m := readManifest(t)
	verifiers := checkpointVerifier(t)
	latest := openCheckpoint(t, readFixture(t, "tlog/checkpoint"), verifiers)
	if latest.tree.N != m.TreeSize {
		t.Fatalf("checkpoint size %d, manifest %d", latest.tree.N, m.TreeSize)
	}
	// TileHashReader checks every tile it reads against the signed root before using it.
	hashes := tlog.TileHashReader(latest.tree, tileDir{root: fixtures})
	root, err := tlog.TreeHash(latest.tree.N, hashes)
	if err != nil || root != latest.tree.Hash {
		t.Fatalf("root from tiles %v (%v), signed %v", root, err, latest.tree.Hash)
	}
	for i, entry := range entries(t, latest.tree.N) {
		proof, err := tlog.ProveRecord(latest.tree.N, int64(i), hashes)
		if err != nil {
			t.Fatalf("ProveRecord(%d): %v", i, err)
		}
		if err := tlog.CheckRecord(proof, latest.tree.N, latest.tree.Hash, int64(i), tlog.RecordHash(entry)); err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(fixtures, "checkpoints", "*.note"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		older := openCheckpoint(t, data, verifiers)
		if older.tree.N >= latest.tree.N {
			continue
		}
		proof, err := tlog.ProveTree(latest.tree.N, older.tree.N, hashes)
		if err != nil {
			t.Fatalf("ProveTree(%d, %d): %v", latest.tree.N, older.tree.N, err)
		}
		if err := tlog.CheckTree(proof, latest.tree.N, latest.tree.Hash, older.tree.N, older.tree.Hash); err != nil {
			t.Fatalf("checkpoint %d is not consistent with %d: %v", older.tree.N, latest.tree.N, err)
		}
	}
	// An entry with one byte changed is not in the tree.
	entry := append([]byte(nil), entries(t, latest.tree.N)[0]...)
	entry[len(entry)/2] ^= 1
	proof, _ := tlog.ProveRecord(latest.tree.N, 0, hashes)
	if tlog.CheckRecord(proof, latest.tree.N, latest.tree.Hash, 0, tlog.RecordHash(entry)) == nil {
		t.Fatal("a changed entry verified")
	}
}

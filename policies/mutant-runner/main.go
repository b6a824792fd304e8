// Command mutant-runner runs a Rego test suite against one mutant after another in one process, for
// `maestro policy mutate`. Started once per job, it parses the policy directory once; each mutant then
// costs one parse of the changed file, one compile and the tests up to the first failure, instead of a
// whole `opa test` process (start, load, parse every file, run every test).
//
// It speaks JSON lines: the first line on stdin names the directory, {"dir": "..."}; each further line
// is a mutant, {"file": "match.rego", "source": "..."}, answered by one line on stdout,
// {"outcome": "killed" | "survived" | "not-compiling", "detail": "..."}. The compiler and runner are
// set up as `opa test` sets them up (cmd/test.go in OPA v1.22.0), so verdicts match the CLI's.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

type request struct {
	Dir    string `json:"dir"`
	File   string `json:"file"`
	Source string `json:"source"`
}

type answer struct {
	Outcome string `json:"outcome"`
	Detail  string `json:"detail,omitempty"`
}

var parserOptions = ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true}

func main() {
	timeout := flag.Duration("timeout", 10*time.Second, "time limit per test, as opa test --timeout")
	flag.Parse()
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := json.NewEncoder(os.Stdout)
	if !in.Scan() {
		fail("expected a first line naming the policy directory")
	}
	var first request
	if err := json.Unmarshal(in.Bytes(), &first); err != nil || first.Dir == "" {
		fail("the first line must be {\"dir\": \"...\"}")
	}
	modules, err := parseDir(first.Dir)
	if err != nil {
		fail(err.Error())
	}
	for in.Scan() {
		var mutant request
		if err := json.Unmarshal(in.Bytes(), &mutant); err != nil {
			fail("a mutant line is not JSON: " + err.Error())
		}
		if _, known := modules[mutant.File]; !known {
			fail("no such policy file: " + mutant.File)
		}
		if err := out.Encode(run(modules, mutant, *timeout)); err != nil {
			fail(err.Error())
		}
	}
	if err := in.Err(); err != nil {
		fail(err.Error())
	}
}

func fail(message string) {
	fmt.Fprintln(os.Stderr, "mutant-runner: "+message)
	os.Exit(1)
}

// parseDir parses every .rego file under dir, keyed by its path relative to dir with "/" separators, as
// `maestro policy mutate` names the mutants' files.
func parseDir(dir string) (map[string]*ast.Module, error) {
	modules := map[string]*ast.Module{}
	err := filepath.WalkDir(dir, func(path string, entry fs.DirEntry, err error) error {
		if err != nil || entry.IsDir() || !strings.HasSuffix(path, ".rego") {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		source, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		module, err := ast.ParseModuleWithOpts(name, string(source), parserOptions)
		if err != nil {
			return err
		}
		modules[name] = module
		return nil
	})
	if err == nil && len(modules) == 0 {
		err = errors.New("no .rego files in " + dir)
	}
	return modules, err
}

// run swaps the mutant in for its file, compiles and runs the tests one at a time, stopping at the first
// that fails or errors: any such test kills the mutant, as a non-zero `opa test` exit does.
func run(modules map[string]*ast.Module, mutant request, timeout time.Duration) answer {
	module, err := ast.ParseModuleWithOpts(mutant.File, mutant.Source, parserOptions)
	if err != nil {
		return answer{Outcome: "not-compiling", Detail: firstError(err)}
	}
	mutated := make(map[string]*ast.Module, len(modules))
	for name, m := range modules {
		mutated[name] = m.Copy()
	}
	mutated[mutant.File] = module
	compiler := ast.NewCompiler().
		SetErrorLimit(10).
		WithEnablePrintStatements(true).
		WithCapabilities(ast.CapabilitiesForThisVersion()).
		WithUseTypeCheckAnnotations(true)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	results, err := tester.NewRunner().
		SetCompiler(compiler).
		SetStore(inmem.NewWithOpts(inmem.OptRoundTripOnWrite(false))).
		CapturePrintOutput(true).
		SetTimeout(timeout).
		SetParallel(1).
		SetModules(mutated).
		RunTests(ctx, nil)
	if err != nil {
		return answer{Outcome: "not-compiling", Detail: firstError(err)}
	}
	verdict := answer{Outcome: "survived"}
	for result := range results {
		if verdict.Outcome == "survived" && (result.Fail || result.Error != nil) {
			verdict = answer{Outcome: "killed", Detail: result.Package + "." + result.Name}
			cancel() // the tests not yet started are skipped; the channel drains and closes
		}
	}
	return verdict
}

// firstError words a parse or compile failure as opa test's first error line does, without the location.
func firstError(err error) string {
	var list ast.Errors
	if errors.As(err, &list) && len(list) > 0 {
		return list[0].Code + ": " + list[0].Message
	}
	return strings.SplitN(err.Error(), "\n", 2)[0]
}

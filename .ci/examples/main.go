// Command examples counts the exported top-level functions of the public
// packages that have a runnable Example (a function ExampleF or ExampleF_x
// in a _test.go file whose comment ends with "// Output:"), and lists those
// that have none. With -min P it exits 1 when fewer than P percent have
// one. Run from the module's root:
//
//	go run ./.ci/examples -min 90 templates render identity mailer mailer/mailtest inbound outbox
package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	min := flag.Float64("min", 0, "exit 1 when fewer than `P` percent of the functions have an Example")
	verbose := flag.Bool("v", false, "list the functions that have an Example too")
	flag.Parse()
	total, covered := 0, 0
	for _, dir := range flag.Args() {
		funcs, examples, err := scan(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "examples:", err)
			os.Exit(2)
		}
		n := 0
		for _, f := range funcs {
			if examples[f] {
				n++
				if *verbose {
					fmt.Printf("  %s.%s: ok\n", dir, f)
				}
			} else {
				fmt.Printf("  %s.%s: no Example\n", dir, f)
			}
		}
		fmt.Printf("%s: %d of %d functions have an Example\n", dir, n, len(funcs))
		total += len(funcs)
		covered += n
	}
	pct := 100.0
	if total > 0 {
		pct = 100 * float64(covered) / float64(total)
	}
	fmt.Printf("total: %d of %d (%.0f %%)\n", covered, total, pct)
	if pct < *min {
		fmt.Printf("under %.0f %%\n", *min)
		os.Exit(1)
	}
}

// scan returns the exported top-level functions of the package in dir and
// the set of function names that a runnable Example covers.
func scan(dir string) (funcs []string, examples map[string]bool, err error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, nil, err
	}
	examples = make(map[string]bool)
	fset := token.NewFileSet()
	for _, file := range files {
		f, err := parser.ParseFile(fset, file, nil, parser.ParseComments)
		if err != nil {
			return nil, nil, err
		}
		test := strings.HasSuffix(file, "_test.go")
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv != nil {
				continue
			}
			name := fd.Name.Name
			switch {
			case !test && ast.IsExported(name):
				funcs = append(funcs, name)
			case test && strings.HasPrefix(name, "Example") && hasOutput(f, fd):
				target, _, _ := strings.Cut(strings.TrimPrefix(name, "Example"), "_")
				examples[target] = true
			}
		}
	}
	sort.Strings(funcs)
	return funcs, examples, nil
}

// hasOutput reports whether an Example function's body holds an
// "Output:" comment, so that go test runs it and checks what it prints.
func hasOutput(f *ast.File, fd *ast.FuncDecl) bool {
	for _, cg := range f.Comments {
		if cg.Pos() < fd.Body.Lbrace || cg.End() > fd.Body.Rbrace {
			continue
		}
		for _, c := range cg.List {
			t := strings.TrimSpace(strings.TrimPrefix(c.Text, "//"))
			if strings.HasPrefix(t, "Output:") || strings.HasPrefix(t, "Unordered output:") {
				return true
			}
		}
	}
	return false
}

package futures_test

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// notCalled lists the exported functions and methods a user does not call by
// name (the error and fmt interfaces, and Workers, which ExampleNew shows):
// they need no example of their own. The Go 1.27 methods of methods.go are
// each exactly a function that has one.
var notCalled = []string{
	"IndexError_Error", "IndexError_Unwrap", "PanicError_Error", "PanicError_Unwrap",
	"State_String", "Executor_Workers",
}

// TestEveryExportedNameHasAnExample keeps the README's promise: every
// function and method a user calls has a runnable example.
func TestEveryExportedNameHasAnExample(t *testing.T) {
	want := map[string]bool{}
	for _, f := range parseFiles(t, func(name string) bool {
		return !strings.HasSuffix(name, "_test.go") && name != "methods.go"
	}) {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || !fd.Name.IsExported() {
				continue
			}
			name := fd.Name.Name
			if fd.Recv != nil {
				recv := fd.Recv.List[0].Type
				if star, ok := recv.(*ast.StarExpr); ok {
					recv = star.X
				}
				if idx, ok := recv.(*ast.IndexExpr); ok {
					recv = idx.X
				}
				typ := recv.(*ast.Ident)
				if !typ.IsExported() {
					continue
				}
				name = typ.Name + "_" + name
			}
			want[name] = true
		}
	}
	have := map[string]bool{}
	examples := parseFiles(t, func(name string) bool {
		return strings.HasPrefix(name, "example") && strings.HasSuffix(name, "_test.go") &&
			name != "example_methods_test.go"
	})
	for _, ex := range doc.Examples(examples...) {
		if ex.Output != "" || ex.Unordered {
			have[withoutSuffix(ex.Name)] = true
		}
	}
	for name := range want {
		if !slices.Contains(notCalled, name) {
			assert.True(t, have[name], "no example with checked output for %s", name)
		}
	}
}

// parseFiles parses the package's Go files whose names keep accepts.
func parseFiles(t *testing.T, keep func(name string) bool) []*ast.File {
	t.Helper()
	names, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range names {
		if keep(name) {
			f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
			require.NoError(t, err)
			files = append(files, f)
		}
	}
	return files
}

// withoutSuffix drops an example name's lower-case suffix: "Map_failFast" is
// an example of Map, "Future_Result_timeout" of Future_Result.
func withoutSuffix(name string) string {
	if i := strings.LastIndex(name, "_"); i >= 0 && i+1 < len(name) && name[i+1] >= 'a' && name[i+1] <= 'z' {
		return name[:i]
	}
	return name
}

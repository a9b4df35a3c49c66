package codecheck

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// maxLines is the longest a Go file may be.
const maxLines = 250

// tooLongForNow are files over maxLines that other work is splitting, each
// with that work. Remove an entry once it has landed.
var tooLongForNow = map[string]string{}

// goFiles lists the module's Go files, relative to its root.
func goFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir("../..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && p != "../.." || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".go") {
			files = append(files, strings.TrimPrefix(p, "../../"))
		}
		return nil
	})
	require.NoError(t, err)
	require.NotEmpty(t, files)
	return files
}

func TestNoGoFileIsLongerThan250Lines(t *testing.T) {
	t.Parallel()
	for _, f := range goFiles(t) {
		fh, err := os.Open(filepath.Join("../..", f))
		require.NoError(t, err)
		n := 0
		for sc := bufio.NewScanner(fh); sc.Scan(); {
			n++
		}
		fh.Close()
		if why, ok := tooLongForNow[f]; ok {
			t.Logf("%s: %d lines, allowed for now: %s", f, n, why)
			continue
		}
		assert.LessOrEqual(t, n, maxLines, "%s: split it", f)
	}
}

func TestEveryExportedIdentifierHasADocComment(t *testing.T) {
	t.Parallel()
	for _, f := range goFiles(t) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), filepath.Join("../..", f), nil, parser.ParseComments)
		require.NoError(t, err)
		for _, name := range undocumented(file) {
			t.Errorf("%s: %s has no doc comment", f, name)
		}
	}
}

// undocumented lists the exported names of file declared without a doc
// comment: functions, methods of exported types, types, constants and
// variables (a group's comment counts for its members).
func undocumented(file *ast.File) []string {
	var out []string
	for _, decl := range file.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() || d.Doc != nil || !exportedReceiver(d) {
				continue
			}
			out = append(out, d.Name.Name)
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				for _, name := range specNames(spec) {
					if name.IsExported() && d.Doc == nil && specDoc(spec) == nil {
						out = append(out, name.Name)
					}
				}
			}
		}
	}
	return out
}

// exportedReceiver reports whether d is a function, or a method of an
// exported type.
func exportedReceiver(d *ast.FuncDecl) bool {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return true
	}
	t := d.Recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	if idx, ok := t.(*ast.IndexExpr); ok {
		t = idx.X
	}
	id, ok := t.(*ast.Ident)
	return ok && id.IsExported()
}

func specNames(spec ast.Spec) []*ast.Ident {
	switch s := spec.(type) {
	case *ast.TypeSpec:
		return []*ast.Ident{s.Name}
	case *ast.ValueSpec:
		return s.Names
	}
	return nil
}

func specDoc(spec ast.Spec) *ast.CommentGroup {
	switch s := spec.(type) {
	case *ast.TypeSpec:
		return s.Doc
	case *ast.ValueSpec:
		if s.Doc != nil {
			return s.Doc
		}
		return s.Comment
	}
	return nil
}

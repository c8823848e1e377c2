package zfs_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const goZFSImport = "github.com/mistifyio/go-zfs/v3"

// goZFSListingFuncs are the go-zfs functions that parse a dataset listing,
// directly or through GetDataset, and so panic on illumos.
var goZFSListingFuncs = []string{
	"GetDataset", "Datasets", "Snapshots", "Filesystems", "Volumes",
	"CreateFilesystem", "CreateVolume", "ReceiveSnapshot",
}

// goZFSListingMethods are the *Dataset methods that do the same.
var goZFSListingMethods = []string{
	"Snapshot", "Clone", "Children", "Rename", "Mount", "Unmount", "Snapshots",
}

// TestNoGoZFSListingCalls fails when any non-test Go file of the module
// references a go-zfs function or *Dataset method that parses a dataset
// listing (see internal/zfs/gozfs for why they are forbidden).
func TestNoGoZFSListingCalls(t *testing.T) {
	root := moduleRoot(t)
	fset := token.NewFileSet()
	var scanned, importers int
	var findings []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == root {
				return nil
			}
			name := d.Name()
			if name == "vendor" || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			// A file that does not parse does not build either.
			t.Logf("skipping %s: %v", p, err)
			return nil
		}
		scanned++
		if goZFSName(f) != "" {
			importers++
		}
		findings = append(findings, forbiddenGoZFSUses(fset, f)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// internal/zfs/gozfs imports go-zfs: a scan that did not see it
	// looked in the wrong place.
	if importers == 0 {
		t.Fatalf("scanned %d files under %s and none imports %s", scanned, root, goZFSImport)
	}
	for _, f := range findings {
		t.Errorf("forbidden go-zfs listing call: %s", f)
	}
}

// moduleRoot walks up from the package directory to the go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package directory")
		}
		dir = parent
	}
}

// goZFSName returns the name a file imports go-zfs under: "zfs", an
// alias, "." for a dot import, or "" when it does not import it (or only
// for its side effects).
func goZFSName(f *ast.File) string {
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p != goZFSImport {
			continue
		}
		switch {
		case imp.Name == nil:
			return "zfs"
		case imp.Name.Name == "_":
			return ""
		default:
			return imp.Name.Name
		}
	}
	return ""
}

// forbiddenGoZFSUses lists the references in f to goZFSListingFuncs, and
// to goZFSListingMethods on an expression of a go-zfs type. Without type
// checking, "of a go-zfs type" means: a variable, parameter, result or
// struct field whose declared type or assigned value mentions the go-zfs
// package, or an expression that mentions it itself. Shadowing is
// ignored, which can only report too much.
func forbiddenGoZFSUses(fset *token.FileSet, f *ast.File) []string {
	pkg := goZFSName(f)
	if pkg == "" {
		return nil
	}
	mentions := func(n ast.Node) bool {
		found := false
		ast.Inspect(n, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if id, ok := n.X.(*ast.Ident); ok && id.Name == pkg {
					found = true
				}
			case *ast.Ident:
				if pkg == "." && n.Name == "Dataset" {
					found = true
				}
			}
			return !found
		})
		return found
	}
	mentionsAny := func(exprs []ast.Expr) bool {
		return slices.ContainsFunc(exprs, func(e ast.Expr) bool { return mentions(e) })
	}

	typed := map[string]bool{}
	addIdents := func(exprs ...ast.Expr) {
		for _, e := range exprs {
			if id, ok := e.(*ast.Ident); ok {
				typed[id.Name] = true
			}
		}
	}
	var isGoZFSValue func(e ast.Expr) bool
	isGoZFSValue = func(e ast.Expr) bool {
		switch e := e.(type) {
		case *ast.ParenExpr:
			return isGoZFSValue(e.X)
		case *ast.StarExpr:
			return isGoZFSValue(e.X)
		case *ast.UnaryExpr:
			return isGoZFSValue(e.X)
		case *ast.Ident:
			return typed[e.Name]
		case *ast.SelectorExpr:
			return typed[e.Sel.Name] || mentions(e.X)
		case *ast.IndexExpr:
			return isGoZFSValue(e.X)
		default:
			return mentions(e)
		}
	}

	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Field:
			if mentions(n.Type) {
				for _, id := range n.Names {
					typed[id.Name] = true
				}
			}
		case *ast.ValueSpec:
			if (n.Type != nil && mentions(n.Type)) || mentionsAny(n.Values) {
				for _, id := range n.Names {
					typed[id.Name] = true
				}
			}
		case *ast.AssignStmt:
			if mentionsAny(n.Rhs) {
				addIdents(n.Lhs...)
			}
		case *ast.RangeStmt:
			if isGoZFSValue(n.X) {
				addIdents(n.Key, n.Value)
			}
		}
		return true
	})

	var out []string
	report := func(n ast.Node, what string) {
		out = append(out, fmt.Sprintf("%s: %s", fset.Position(n.Pos()), what))
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok && id.Name == pkg {
				if slices.Contains(goZFSListingFuncs, n.Sel.Name) {
					report(n, pkg+"."+n.Sel.Name)
				}
				return true
			}
			if slices.Contains(goZFSListingMethods, n.Sel.Name) && isGoZFSValue(n.X) {
				report(n, "(*Dataset)."+n.Sel.Name)
			}
		case *ast.Ident:
			if pkg == "." && slices.Contains(goZFSListingFuncs, n.Name) {
				report(n, n.Name)
			}
		}
		return true
	})
	return out
}

func TestForbiddenGoZFSUses(t *testing.T) {
	const imp = `import zfs "github.com/mistifyio/go-zfs/v3"` + "\n"
	tests := []struct {
		name string
		src  string
		want []string // reported references, without positions
	}{
		{"GetDataset", imp + `func f() { zfs.GetDataset("p/a") }`, []string{"zfs.GetDataset"}},
		{"all functions", imp + `func f() {
			zfs.Datasets(""); zfs.Snapshots(""); zfs.Filesystems(""); zfs.Volumes("")
			zfs.CreateFilesystem("p/a", nil); zfs.CreateVolume("p/v", 1, nil); zfs.ReceiveSnapshot(nil, "p/a")
		}`, []string{"zfs.Datasets", "zfs.Snapshots", "zfs.Filesystems", "zfs.Volumes", "zfs.CreateFilesystem", "zfs.CreateVolume", "zfs.ReceiveSnapshot"}},
		{"function value", imp + `var create = zfs.CreateFilesystem`, []string{"zfs.CreateFilesystem"}},
		{"alias", `import gz "github.com/mistifyio/go-zfs/v3"` + "\n" + `func f() { gz.Volumes("") }`, []string{"gz.Volumes"}},
		{"default name", `import "github.com/mistifyio/go-zfs/v3"` + "\n" + `func f() { zfs.GetDataset("p") }`, []string{"zfs.GetDataset"}},
		{"dot import", `import . "github.com/mistifyio/go-zfs/v3"` + "\n" + `func f() { GetDataset("p") }`, []string{"GetDataset"}},
		{"method on literal", imp + `func f() { (&zfs.Dataset{Name: "p/a"}).Snapshot("s", false) }`, []string{"(*Dataset).Snapshot"}},
		{"method on variable", imp + `func f() { d := &zfs.Dataset{Name: "p/a@s"}; d.Clone("p/b", nil) }`, []string{"(*Dataset).Clone"}},
		{"method on var decl", imp + `func f() { var d zfs.Dataset; d.Mount(false, nil) }`, []string{"(*Dataset).Mount"}},
		{"method on parameter", imp + `func f(d *zfs.Dataset) { d.Children(0); d.Unmount(false) }`, []string{"(*Dataset).Children", "(*Dataset).Unmount"}},
		{"method on field", imp + `type h struct{ ds *zfs.Dataset }
			func (x h) f() { x.ds.Rename("p/b", false, false) }`, []string{"(*Dataset).Rename"}},
		{"method on range value", imp + `func f(all []*zfs.Dataset) { for _, d := range all { d.Snapshots() } }`, []string{"(*Dataset).Snapshots"}},
		{"method value", imp + `func f(d *zfs.Dataset) { g := d.Snapshot; _ = g }`, []string{"(*Dataset).Snapshot"}},
		{"safe calls", imp + `func f() {
			d := &zfs.Dataset{Name: "p/a"}
			d.Destroy(zfs.DestroyRecursive); d.SetProperty("a", "b"); d.GetProperty("a")
			(&zfs.Dataset{Name: "p/a@s", Type: zfs.DatasetSnapshot}).Rollback(false)
			zfs.GetZpool("p"); zfs.ListZpools()
		}`, nil},
		{"same names elsewhere", imp + `import "strings"
			type own struct{}
			func (own) Clone() own { return own{} }
			func f(o own, s string) { o.Clone(); strings.Clone(s) }`, nil},
		{"no go-zfs import", `import zfs "github.com/zonemgr/zonemgr/internal/zfs"
			func f() { zfs.Snapshot(nil, nil, nil, false, nil); zfs.GetDataset() }`, nil},
		{"blank import", `import _ "github.com/mistifyio/go-zfs/v3"` + "\n" + `func f() { zfs.GetDataset() }`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, "x.go", "package x\n"+tt.src, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range forbiddenGoZFSUses(fset, f) {
				got = append(got, s[strings.LastIndex(s, ": ")+2:])
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("found %q, want %q", got, tt.want)
			}
		})
	}
}

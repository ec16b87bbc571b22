package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// translated are the packages whose user-visible text must come from the catalog:
// no Chinese or French text in their Go code.
var translated = []string{
	"internal/web", "internal/api", "internal/server", "internal/public", "internal/connect",
	"internal/platform/wechat", "internal/checks", "internal/visit",
	"internal/notify", "internal/csvout", "internal/occasions",
}

// literalAllowed are language-specific units of number formatting; the fixed Chinese
// words of the credit line added to a WeChat article's body (web/rights.go): article
// content, always Chinese whatever the interface's language, not messages; the solar
// terms by which the lunar calendar library is asked for Qingming and the winter
// solstice (occasions); and the initials before which French elides "de" (occasions).
var literalAllowed = map[string]bool{"万": true, "亿": true, "摄影：": true, "图片来源：": true,
	"清明": true, "冬至": true, "aeiouyhàâäéèêëîïôöùûüÿœæ": true}

// goFiles parses the non-test Go files under dir (relative to the module root).
func goFiles(t *testing.T, dir string, each func(path string, fset *token.FileSet, f *ast.File)) {
	t.Helper()
	root := filepath.Join("..", "..", dir)
	if _, err := os.Stat(root); err != nil {
		return
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "bench" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		each(p, fset, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func isTranslatedText(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) || strings.ContainsRune("àâçéèêëîïôûùüÿœÀÂÇÉÈÊÎÔÛ«»", r) {
			return true
		}
	}
	return false
}

// No Chinese or French text is written in the Go code of the translated packages: it
// belongs in a catalog file.
func TestNoTextOutsideTheCatalog(t *testing.T) {
	t.Parallel()
	seen := 0
	for _, dir := range translated {
		goFiles(t, dir, func(path string, fset *token.FileSet, f *ast.File) {
			seen++
			ast.Inspect(f, func(n ast.Node) bool {
				bl, ok := n.(*ast.BasicLit)
				if !ok || bl.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(bl.Value)
				if err == nil && isTranslatedText(s) && !literalAllowed[s] {
					t.Errorf("%s: %q belongs in a catalog (internal/i18n)", fset.Position(bl.Pos()), s)
				}
				return true
			})
		})
	}
	if seen < 50 {
		t.Fatalf("scanned only %d files: the scan is broken", seen)
	}
}

// Every message of a domain error, anywhere in the module, is in the catalog as "msg."
// + its English text (its format, when it has values), so the interface and the API
// can show it translated.
func TestDomainMessagesInTheCatalog(t *testing.T) {
	t.Parallel()
	l := fullCatalog(t).Localizer("zh-Hans")
	found := 0
	check := func(fset *token.FileSet, e ast.Expr) {
		bl, ok := e.(*ast.BasicLit)
		if !ok || bl.Kind != token.STRING {
			return
		}
		s, err := strconv.Unquote(bl.Value)
		// A message that is only a value ("%s") passes another message through.
		if err != nil || s == "" || s == "%s" || s == "%v" {
			return
		}
		found++
		if !l.Has("msg." + s) {
			t.Errorf("%s: the message %q is not in the catalog as %q", fset.Position(bl.Pos()), s, "msg."+s)
		}
	}
	for _, dir := range []string{".", "internal", "cmd"} {
		goFiles(t, dir, func(path string, fset *token.FileSet, f *ast.File) {
			if dir == "." && filepath.Dir(path) != filepath.Join("..", "..") {
				return
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.CallExpr:
					sel, ok := x.Fun.(*ast.SelectorExpr)
					if !ok || sel.Sel.Name != "Errorf" || len(x.Args) < 2 {
						return true
					}
					if id, ok := sel.X.(*ast.Ident); ok && id.Name == "passerelle" {
						check(fset, x.Args[1])
					}
				case *ast.CompositeLit:
					if sel, ok := x.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Error" {
						if id, ok := sel.X.(*ast.Ident); ok && id.Name == "passerelle" {
							for _, el := range x.Elts {
								if kv, ok := el.(*ast.KeyValueExpr); ok {
									if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Message" {
										check(fset, kv.Value)
									}
								}
							}
						}
					}
				}
				return true
			})
		})
	}
	if found < 50 {
		t.Fatalf("found only %d messages: the scan is broken", found)
	}
}

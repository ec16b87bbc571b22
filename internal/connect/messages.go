package connect

import "github.com/passerelle-oss/passerelle/internal/i18n"

// tr returns the catalog message id ("connect.…", internal/i18n) in lang, formatted
// with args.
func tr(lang, id string, args ...any) string {
	return i18n.Shared().Localizer(lang).T(id, args...)
}

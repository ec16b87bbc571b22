package checks

import "github.com/passerelle-oss/passerelle/internal/i18n"

// message renders the catalog entry "checks."+code (internal/i18n, files
// messages/checks.<lang>.json) in lang, replacing {name} by params[name]; a message
// with plural forms takes the one of params["count"].
func message(lang, code string, params map[string]string) string {
	return i18n.Shared().Localizer(normalizeLang(lang)).Fill(msgPrefix+code, params)
}

// msgPrefix starts the ids of this package's messages in the shared catalog.
const msgPrefix = "checks."

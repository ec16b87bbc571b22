package web

import (
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Every action the audit log records, and every prefix its filter offers, reads as
// words in the three languages, not as the code stored in the log.
func TestAuditActionsHaveLabels(t *testing.T) {
	t.Parallel()
	c, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	actions := []string{store.AuditSignIn, store.AuditSignInFailed, store.AuditUserCreate, store.AuditUserUpdate, store.AuditPasswordSet,
		store.AuditCredentialsSet, store.AuditTokenCreate, store.AuditTokenRevoke, store.AuditPublicationForce, store.AuditSettingsUpdate,
		store.AuditKeysRotate, store.AuditOrgExport, store.AuditFollowerErase, "user.", "credentials.", "token."}
	for _, lang := range passerelle.Locales {
		l := c.localizer(lang)
		for _, a := range actions {
			if got := l.Or("walk.audit.action.", a); got == a {
				t.Errorf("%s: audit action %q has no label", lang, a)
			}
		}
		for _, o := range []string{"account", "follower", "institution", "organization", "publication", "token", "user"} {
			// French and English share some words with the codes; Chinese shares none.
			if got := l.Or("walk.audit.object.", o); got == o && lang == "zh-Hans" {
				t.Errorf("%s: audit object %q has no label", lang, o)
			}
		}
	}
}

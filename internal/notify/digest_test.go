package notify

import (
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle/internal/store"
)

// The digest speaks the recipient's language, from the catalog, with the plural of
// the count and the publishing engine's reason translated.
func TestDigestInTheRecipientsLanguage(t *testing.T) {
	items := []*store.Notification{{Kind: store.KindNeedsCheck, PostID: 7, PostTitle: "Degas", Detail: "Only a WeChat article can be mass-sent to followers."}}
	for _, c := range []struct{ locale, subject, kind, detail string }{
		{"fr", "Passerelle : 1 publication vous attend", "issue inconnue : à vérifier", "Seul un article WeChat"},
		{"zh-Hans", "Passerelle：1 条发布需要您处理", "结果未知，请核实", "只有微信文章"},
		{"en", "Passerelle: 1 publication needs you", "outcome unknown: check it", "Only a WeChat article"},
		{"de", "Passerelle: 1 publication needs you", "outcome unknown: check it", "Only a WeChat article"},
	} {
		subject, body := digest(&store.DigestRecipient{Locale: c.locale, Items: items}, "https://p.example")
		if subject != c.subject || !strings.Contains(body, c.kind) || !strings.Contains(body, c.detail) || !strings.Contains(body, "https://p.example/posts/7") {
			t.Errorf("%s: %q\n%s", c.locale, subject, body)
		}
	}
	two := append(items, items[0])
	if subject, _ := digest(&store.DigestRecipient{Locale: "fr", Items: two}, ""); subject != "Passerelle : 2 publications vous attendent" {
		t.Errorf("plural: %q", subject)
	}
}

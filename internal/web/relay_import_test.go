package web_test

import (
	"context"
	"html"
	"net/url"
	"os"
	"regexp"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/partners"
)

// relayImportCampaign is a campaign of an organization whose owner is
// owner@example.org: Shanghai Museum (Weibo) relayed, Suzhou Museum (WeChat) invited.
func relayImportCampaign(t *testing.T) (*app, *partners.Service, int64) {
	t.Helper()
	a, ps := newPartnersApp(t)
	ctx := context.Background()
	owner := a.org("Agence", "owner@example.org", "correct-horse-battery")
	inst := a.institution(owner, "Petit Palais")
	acc := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.Weibo, Kind: passerelle.AccountManaged, Handle: "petitpalais"}
	if err := a.DB.CreateAccount(ctx, owner.OrgID, acc); err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	s, err := a.Ed.CreatePost(ctx, owner, &editorial.PostInput{InstitutionID: &inst.ID, Title: str("Les Nabis"), Theme: str("collection"), SourceLang: str("fr"),
		TextZH: str("纳比派。"), Publications: &[]editorial.PublicationInput{{AccountID: acc.ID, Mode: passerelle.ModeAssisted}}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, p := range []*passerelle.Partner{
		{Name: "Shanghai Museum", NameZH: "上海博物馆", Kind: passerelle.PartnerMuseum, Accounts: []passerelle.PartnerAccount{{Platform: passerelle.Weibo, Handle: "shmuseum"}}},
		{Name: "Suzhou Museum", Kind: passerelle.PartnerMuseum, Accounts: []passerelle.PartnerAccount{{Platform: passerelle.WeChat, Handle: "szmuseum"}}},
	} {
		if err := ps.CreatePartner(ctx, owner, p); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	camp, err := ps.CreateCampaign(ctx, owner, partners.CampaignInput{PostID: s.Post.ID, PartnerIDs: ids})
	if err != nil {
		t.Fatal(err)
	}
	relayed := passerelle.RelayRelayed
	if _, err := ps.UpdateRelay(ctx, owner, camp.ID, ids[0], partners.RelayInput{Status: &relayed, URL: str("https://weibo.com/1234567890/Nabis1234")}); err != nil {
		t.Fatal(err)
	}
	return a, ps, camp.ID
}

// TestRelayFiguresImportPage: an owner uploads the partners' figures on the campaign
// page, sees each row matched to its relay (or its problem, in their language), then
// imports them; the campaign page then says the figures were imported and when.
func TestRelayFiguresImportPage(t *testing.T) {
	t.Parallel()
	a, ps, campID := relayImportCampaign(t)
	ctx := context.Background()
	owner, _, err := a.DB.UserByEmail(ctx, "owner@example.org")
	if err != nil {
		t.Fatal(err)
	}
	cl := a.client()
	cl.login("owner@example.org", "correct-horse-battery")
	campaign := "/campaigns/" + itoa(campID)
	if page := cl.get(campaign); page.Status != 200 || !regexp.MustCompile(`action="`+campaign+`/relay-figures"`).MatchString(page.Body) {
		t.Fatalf("the campaign page offers no import: %d", page.Status)
	}
	// A row naming a partner not in the campaign: the preview says so, nothing to import.
	bad := cl.uploadPage(campaign+"/relay-figures", "figures.csv", []byte("合作方,阅读数\n故宫博物院,10\n"), map[string]string{"action": "preview"})
	if bad.Status != 422 {
		t.Fatalf("bad file: %d", bad.Status)
	}
	wantContains(t, bad.Body, "no partner of this campaign has this name or handle")
	if regexp.MustCompile(`id="relay-import-commit"`).MatchString(bad.Body) {
		t.Fatal("a bad file can be imported")
	}
	data, err := os.ReadFile("../partners/testdata/relay_figures_utf8.csv")
	if err != nil {
		t.Fatal(err)
	}
	preview := cl.uploadPage(campaign+"/relay-figures", "figures.csv", data, map[string]string{"action": "preview"})
	if preview.Status != 200 {
		t.Fatalf("preview: %d %s", preview.Status, preview.Body)
	}
	wantContains(t, preview.Body, "2 rows are ready to import.", "12,000", "100,000+", "recorded as relayed", "Import 2 rows")
	if c, _ := ps.Campaign(ctx, owner, campID); c.Relays[0].Views != nil {
		t.Fatal("the preview wrote figures")
	}
	m := regexp.MustCompile(`name="file64" value="([^"]+)"`).FindStringSubmatch(preview.Body)
	if m == nil {
		t.Fatal("no file in the preview's form")
	}
	done := cl.post(campaign+"/relay-figures", url.Values{"action": {"import"}, "file64": {html.UnescapeString(m[1])}})
	if done.Status != 303 {
		t.Fatalf("import: %d %s", done.Status, done.Body)
	}
	c, _ := ps.Campaign(ctx, owner, campID)
	if c.Totals.PartnerViews != 112_000 || c.Relays[1].Status != passerelle.RelayRelayed || c.Relays[0].FiguresSource != passerelle.FiguresImport {
		t.Fatalf("after import %+v", c.Totals)
	}
	cl.header.Set("Accept-Language", "en")
	wantContains(t, cl.get(campaign).Body, "100,000+") // the WeChat relay's 10万+ stays a lower bound
	for lang, want := range map[string]string{"en": "Imported 0 min ago", "fr": "Importé il y a 0 min", "zh-Hans": "导入于0 分钟前"} {
		cl.header.Set("Accept-Language", lang)
		wantContains(t, cl.get(campaign).Body, want)
	}
}

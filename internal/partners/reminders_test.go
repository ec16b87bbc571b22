package partners_test

import (
	"context"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/partners"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

func TestCampaignTemplates(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		tpl := &passerelle.CampaignTemplate{Name: " Musées amis ", MessageZH: "{partner}您好，《{title}》：{link}"}
		if err := b.svc.SaveTemplate(ctx, b.owner, tpl); err != nil {
			t.Fatal(err)
		}
		if tpl.Name != "Musées amis" || tpl.ID == 0 {
			t.Fatalf("saved %+v", tpl)
		}
		// Refusals change nothing: same name, empty message, another organization, a viewer.
		code(t, b.svc.SaveTemplate(ctx, b.owner, &passerelle.CampaignTemplate{Name: "Musées amis", MessageZH: "x"}), passerelle.EINVALID)
		code(t, b.svc.SaveTemplate(ctx, b.owner, &passerelle.CampaignTemplate{Name: "Vide", MessageZH: "  "}), passerelle.EINVALID)
		code(t, b.svc.SaveTemplate(ctx, b.foreign, &passerelle.CampaignTemplate{ID: tpl.ID, Name: "Volé", MessageZH: "x"}), passerelle.ENOTFOUND)
		code(t, b.svc.DeleteTemplate(ctx, b.foreign, tpl.ID), passerelle.ENOTFOUND)
		viewer := b.user(b.org, false, passerelle.Membership{InstitutionID: b.inst, Role: passerelle.RoleViewer})
		code(t, b.svc.SaveTemplate(ctx, viewer, &passerelle.CampaignTemplate{ID: tpl.ID, Name: "Changé", MessageZH: "x"}), passerelle.EFORBIDDEN)
		if got, err := b.svc.Templates(ctx, viewer); err != nil || len(got) != 1 || got[0].Name != "Musées amis" {
			t.Fatalf("templates %+v %v", got, err)
		}
		// A campaign takes the template's message, filled per partner.
		pt := b.partner("Musée de Shanghai", passerelle.PartnerAccount{Platform: passerelle.Weibo, Handle: "shbwg"})
		c, err := b.svc.CreateCampaign(ctx, b.owner, partners.CampaignInput{PostID: b.post.ID, PartnerIDs: []int64{pt.ID}, TemplateID: tpl.ID})
		if err != nil {
			t.Fatal(err)
		}
		want := "Musée de Shanghai您好，《Les Nabis》：" + c.Relays[0].Link
		if c.MessageZH != tpl.MessageZH || c.Relays[0].Invitation != want {
			t.Fatalf("invitation %q, want %q", c.Relays[0].Invitation, want)
		}
		_, err = b.svc.CreateCampaign(ctx, b.foreign, partners.CampaignInput{PostID: b.post.ID, PartnerIDs: []int64{pt.ID}, TemplateID: tpl.ID})
		code(t, err, passerelle.ENOTFOUND)
		// Editing the template does not change the campaign's copy.
		tpl.MessageZH = "新的文案 {link}"
		if err := b.svc.SaveTemplate(ctx, b.owner, tpl); err != nil {
			t.Fatal(err)
		}
		if got, _ := b.svc.Campaign(ctx, b.owner, c.ID); got.MessageZH != "{partner}您好，《{title}》：{link}" {
			t.Fatalf("campaign's message changed with the template: %q", got.MessageZH)
		}
		if err := b.svc.DeleteTemplate(ctx, b.owner, tpl.ID); err != nil {
			t.Fatal(err)
		}
		code(t, b.svc.DeleteTemplate(ctx, b.owner, tpl.ID), passerelle.ENOTFOUND)
	})
}

func TestRelayReminders(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		editor := b.user(b.org, false, passerelle.Membership{InstitutionID: b.inst, Role: passerelle.RoleEditor})
		quiet := b.partner("Silencieux", passerelle.PartnerAccount{Platform: passerelle.Weibo, Handle: "quiet"})
		prompt := b.partner("Réactif", passerelle.PartnerAccount{Platform: passerelle.Weibo, Handle: "prompt"})
		_, err := b.svc.CreateCampaign(ctx, editor, partners.CampaignInput{PostID: b.post.ID, PartnerIDs: []int64{quiet.ID}, RemindAfterDays: 91})
		code(t, err, passerelle.EINVALID)
		c, err := b.svc.CreateCampaign(ctx, editor, partners.CampaignInput{PostID: b.post.ID, PartnerIDs: []int64{quiet.ID, prompt.ID}, RemindAfterDays: 3})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.svc.UpdateRelay(ctx, editor, c.ID, prompt.ID, partners.RelayInput{Status: status(passerelle.RelayAccepted)}); err != nil {
			t.Fatal(err)
		}
		due := func() map[int64]bool {
			t.Helper()
			got, err := b.svc.Campaign(ctx, editor, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			m := map[int64]bool{}
			for _, r := range got.Relays {
				m[r.PartnerID] = r.Due
			}
			return m
		}
		notes := func() []*store.Notification {
			t.Helper()
			ns, err := db.Notifications(ctx, editor.ID, false, 10)
			if err != nil {
				t.Fatal(err)
			}
			return ns
		}
		b.clock.add(2*24*time.Hour + 23*time.Hour)
		if n, err := b.svc.NotifyDue(ctx); err != nil || n != 0 || due()[quiet.ID] {
			t.Fatalf("before 3 days: %d due (%v), flags %v", n, err, due())
		}
		b.clock.add(2 * time.Hour)
		if d := due(); !d[quiet.ID] || d[prompt.ID] {
			t.Fatalf("after 3 days: flags %v (only the invited partner is due)", d)
		}
		// The job notifies the campaign's author once, however often it runs.
		for range 2 {
			if n, err := b.svc.NotifyDue(ctx); err != nil || n != 1 {
				t.Fatalf("due relays %d (%v)", n, err)
			}
		}
		if ns := notes(); len(ns) != 1 || ns[0].Kind != store.KindRelayDue || ns[0].PostID != b.post.ID {
			t.Fatalf("notifications %+v", ns)
		}
		if ns, _ := db.Notifications(ctx, b.owner.ID, false, 10); len(ns) != 0 {
			t.Fatalf("the owner was notified although the author is there: %+v", ns)
		}
		// The change of delay moves the flag; a reminder restarts it and is counted.
		if _, err := b.svc.SetRemindAfter(ctx, editor, c.ID, 10); err != nil {
			t.Fatal(err)
		}
		if due()[quiet.ID] {
			t.Fatal("still due with a 10-day delay")
		}
		_, err = b.svc.SetRemindAfter(ctx, editor, c.ID, 0)
		code(t, err, passerelle.EINVALID)
		_, err = b.svc.SetRemindAfter(ctx, b.foreign, c.ID, 5)
		code(t, err, passerelle.ENOTFOUND)
		if _, err := b.svc.SetRemindAfter(ctx, editor, c.ID, 3); err != nil {
			t.Fatal(err)
		}
		r, err := b.svc.Remind(ctx, editor, c.ID, quiet.ID)
		if err != nil || r.Reminders != 1 {
			t.Fatalf("reminder %+v %v", r, err)
		}
		if r.RemindedAt == nil || r.Link == "" {
			t.Fatalf("reminder without its stamp or link: %+v", r)
		}
		// The store stamps the reminder with the wall clock, three days behind the
		// test's: the new round is due at once and notified once more.
		for range 2 {
			if _, err := b.svc.NotifyDue(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if ns := notes(); len(ns) != 2 {
			t.Fatalf("%d notifications after the second round, want 2", len(ns))
		}
	})
}

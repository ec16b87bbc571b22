package web

import (
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/publish"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// The publishing pages build keys from the engine's values: every one is in the
// catalogs, and the kits' checklists and the mode reasons are translated.
func TestPublishingKeysTranslated(t *testing.T) {
	t.Parallel()
	c, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, s := range passerelle.DeliveryStates {
		keys = append(keys, "delivery.state."+string(s))
	}
	for _, o := range []string{passerelle.OutcomeStarted, passerelle.OutcomePublished, passerelle.OutcomeFailed, passerelle.OutcomeRetry, passerelle.OutcomeRateLimited,
		passerelle.OutcomeNeedsReauth, passerelle.OutcomeAmbiguous, passerelle.OutcomeDraftUploaded, passerelle.OutcomeSubmitted, passerelle.OutcomeNotPublished} {
		keys = append(keys, "delivery.outcome."+o)
	}
	for _, k := range []string{store.KindFailed, store.KindNeedsCheck, store.KindNeedsReauth, store.KindKitDue, store.KindDraftReady, store.KindPublished} {
		keys = append(keys, "notifications.kind."+k)
	}
	for _, s := range []string{"available", "cancelled", "completed", "discarded", "pending", "retryable", "running", "scheduled"} {
		keys = append(keys, "jobs.state."+s)
	}
	keys = append(keys, "jobs.kind."+publish.DeliverArgs{}.Kind(), "jobs.kind."+publish.ReconcileArgs{}.Kind())
	for _, p := range passerelle.Modes {
		for _, m := range p {
			keys = append(keys, "mode."+m)
		}
	}
	for _, k := range keys {
		for _, lang := range passerelle.Locales {
			if _, ok := c.byLang[lang][k]; !ok {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
	}
	msgs := []string{publish.ReasonWeiboShortLink, publish.ReasonWeiboNotAPI, publish.ReasonWeiboNoAuth, publish.ReasonWeChatVerified,
		publish.ReasonWeChatNoAPI, publish.ReasonAssistedOnly, publish.ReasonEditorsOverride,
		publish.MsgInstitutionArchived, publish.MsgAccountArchived, publish.MsgAccountWatched}
	post := &passerelle.Post{TextZH: "奥赛博物馆的睡莲\n莫奈"}
	video := &store.MediaAsset{MIME: "video/mp4"}
	img := &store.MediaAsset{MIME: "image/jpeg"}
	for p := range publish.KitRules {
		for _, format := range []string{passerelle.FormatPhotoText, passerelle.FormatVideo} {
			k := publish.BuildKit(post, &passerelle.Publication{Platform: p, Format: format, Topics: []string{"莫奈"}}, []*store.MediaAsset{img, video})
			for _, c := range k.Checklist {
				msgs = append(msgs, c.Key)
			}
		}
	}
	for _, lang := range []string{"fr", "zh-Hans"} {
		l := c.localizer(lang)
		for _, m := range msgs {
			if l.Msg(m) == m {
				t.Errorf("%s: %q is not translated", lang, m)
			}
		}
	}
}

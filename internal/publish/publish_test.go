package publish_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertest"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/jobs"
	"github.com/passerelle-oss/passerelle/internal/publish"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// setup is a SQLite store with River's tables, the engine's hook installed, and one
// approved post with a Weibo publication.
func setup(t testing.TB) (*store.DB, *publish.Service, *passerelle.Post, int64) {
	t.Helper()
	ctx := context.Background()
	db := storetest.SQLite(t)
	if err := jobs.Migrate(ctx, db, nil); err != nil {
		t.Fatal(err)
	}
	jc, err := jobs.New(db, jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc := publish.New(publish.Options{DB: db, Jobs: jc})
	db.SetPostHook(svc.Sync)
	org, err := db.CreateOrganization(ctx, "Agence")
	if err != nil {
		t.Fatal(err)
	}
	inst := &passerelle.Institution{OrgID: org.ID, Name: "Louvre"}
	if err := db.CreateInstitution(ctx, inst); err != nil {
		t.Fatal(err)
	}
	acc := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.Weibo, Handle: "louvre"}
	if err := db.CreateAccount(ctx, org.ID, acc); err != nil {
		t.Fatal(err)
	}
	p := &passerelle.Post{InstitutionID: inst.ID, Title: "Bateaux", Theme: "collection", SourceLang: "fr", TextZH: "船", Status: passerelle.StatusApproved,
		Publications: []*passerelle.Publication{{AccountID: acc.ID, Format: passerelle.FormatText, Mode: passerelle.ModeAssisted}}}
	if err := db.CreatePost(ctx, org.ID, p, passerelle.Actor{Name: "Léa"}); err != nil {
		t.Fatal(err)
	}
	return db, svc, p, org.ID
}

func schedule(at time.Time) func(p *passerelle.Post) (store.PostWrite, error) {
	return func(p *passerelle.Post) (store.PostWrite, error) {
		p.Publications[0].ScheduledAt = &at
		p.Status = passerelle.StatusScheduled
		return store.PostWrite{}, nil
	}
}

// TestScheduleEnqueuesInTheSameTransaction: scheduling a post inserts its delivery job
// in the write's transaction; a write that rolls back leaves no job behind.
func TestScheduleEnqueuesInTheSameTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, svc, p, orgID := setup(t)
	at := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	drv := riversqlite.New(db.SQL())

	// The hook runs, then the write fails: nothing is enqueued, nothing is scheduled.
	db.SetPostHook(func(ctx context.Context, tx *store.Tx, before []passerelle.Publication, after *passerelle.Post) error {
		if err := svc.Sync(ctx, tx, before, after); err != nil {
			return err
		}
		return errors.New("the write fails after the hook")
	})
	if _, err := db.UpdatePost(ctx, orgID, p.ID, passerelle.Actor{Name: "Léa"}, schedule(at)); err == nil {
		t.Fatal("the failing write succeeded")
	}
	rivertest.RequireNotInserted(ctx, t, drv, &publish.DeliverArgs{}, nil)
	if d, _ := db.Delivery(ctx, p.Publications[0].ID); d.Publication.State != passerelle.DeliveryPending || d.JobID != 0 {
		t.Fatalf("after a rolled-back write: %s, job %d", d.Publication.State, d.JobID)
	}

	// The same write committed: one job, available a lead before the instant.
	db.SetPostHook(svc.Sync)
	if _, err := db.UpdatePost(ctx, orgID, p.ID, passerelle.Actor{Name: "Léa"}, schedule(at)); err != nil {
		t.Fatal(err)
	}
	job := rivertest.RequireInserted(ctx, t, drv, &publish.DeliverArgs{}, &rivertest.RequireInsertedOpts{Queue: jobs.QueuePublish})
	if job.Args.PublicationID != p.Publications[0].ID || !job.ScheduledAt.Equal(at.Add(-publish.DefaultLead)) {
		t.Fatalf("job %+v scheduled at %v", job.Args, job.ScheduledAt)
	}
	d, _ := db.Delivery(ctx, p.Publications[0].ID)
	if d.Publication.State != passerelle.DeliveryScheduled || d.JobID != job.ID || d.Publication.Generation != job.Args.Generation {
		t.Fatalf("delivery %+v, job %d", d.Publication, d.JobID)
	}

	// Unscheduled: the job is cancelled and the publication pending again.
	if _, err := db.UpdatePost(ctx, orgID, p.ID, passerelle.Actor{Name: "Léa"}, func(p *passerelle.Post) (store.PostWrite, error) {
		p.Status = passerelle.StatusApproved
		return store.PostWrite{}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if d, _ := db.Delivery(ctx, p.Publications[0].ID); d.Publication.State != passerelle.DeliveryPending || d.Publication.Generation <= job.Args.Generation {
		t.Fatalf("after unscheduling: %+v", d.Publication)
	}
}

// TestPublishingTimeCannotMove: once an attempt is claimed (from DefaultAhead before the
// instant), the publication's time can no longer change; its text can.
func TestPublishingTimeCannotMove(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _, p, orgID := setup(t)
	at := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	if _, err := db.UpdatePost(ctx, orgID, p.ID, passerelle.Actor{Name: "Léa"}, schedule(at)); err != nil {
		t.Fatal(err)
	}
	d, _ := db.Delivery(ctx, p.Publications[0].ID)
	if _, err := db.ClaimAttempt(ctx, d.Publication.ID, d.Publication.Generation, "test"); err != nil {
		t.Fatal(err)
	}
	_, err := db.UpdatePost(ctx, orgID, p.ID, passerelle.Actor{Name: "Léa"}, schedule(at.Add(time.Hour)))
	if passerelle.ErrorCode(err) != passerelle.ECONFLICT {
		t.Fatalf("moving a publication being published: %v", err)
	}
	if d, _ := db.Delivery(ctx, p.Publications[0].ID); !d.Publication.ScheduledAt.Equal(at) {
		t.Fatalf("its time moved to %v", d.Publication.ScheduledAt)
	}
	if _, err := db.UpdatePost(ctx, orgID, p.ID, passerelle.Actor{Name: "Léa"}, schedule(at)); err != nil {
		t.Fatalf("a write that keeps its time: %v", err)
	}
}

// TestArchivedAccountDoesNotPublish: a publication scheduled before its account was
// archived does not go out at its time; it fails with the reason.
func TestArchivedAccountDoesNotPublish(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, svc, p, orgID := setup(t)
	at := time.Now().Add(200 * time.Millisecond).UTC()
	if _, err := db.UpdatePost(ctx, orgID, p.ID, passerelle.Actor{Name: "Léa"}, schedule(at)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateAccount(ctx, orgID, p.Publications[0].AccountID, func(a *passerelle.Account) error {
		now := time.Now().UTC()
		a.ArchivedAt = &now
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	d, _ := db.Delivery(ctx, p.Publications[0].ID)
	w := &publish.DeliverWorker{Service: svc}
	if err := w.Work(ctx, &river.Job[publish.DeliverArgs]{Args: publish.DeliverArgs{PublicationID: d.Publication.ID, Generation: d.Publication.Generation}}); err != nil {
		t.Fatal(err)
	}
	d, _ = db.Delivery(ctx, p.Publications[0].ID)
	if d.Publication.State != passerelle.DeliveryFailed || d.Publication.LastError != publish.MsgAccountArchived {
		t.Fatalf("after its time on an archived account: %s %q", d.Publication.State, d.Publication.LastError)
	}
}

func TestChooseMode(t *testing.T) {
	t.Parallel()
	link := "卢浮宫的船 https://passerelle.example.org/e/1"
	for name, c := range map[string]struct {
		platform   passerelle.Platform
		canPublish bool
		pub        passerelle.Publication
		text       string
		images     int
		want       string
	}{
		"weibo short link":     {passerelle.Weibo, true, passerelle.Publication{Format: passerelle.FormatPhotoText}, link, 1, passerelle.ModeAPI},
		"weibo not authorised": {passerelle.Weibo, false, passerelle.Publication{Format: passerelle.FormatPhotoText}, link, 1, passerelle.ModeAssisted},
		"weibo two images":     {passerelle.Weibo, true, passerelle.Publication{Format: passerelle.FormatPhotoText}, link, 2, passerelle.ModeAssisted},
		"weibo topic":          {passerelle.Weibo, true, passerelle.Publication{Format: passerelle.FormatPhotoText, Topics: []string{"卢浮宫"}}, link, 0, passerelle.ModeAssisted},
		"weibo hash in text":   {passerelle.Weibo, true, passerelle.Publication{Format: passerelle.FormatText}, link + " #卢浮宫#", 0, passerelle.ModeAssisted},
		"weibo no link":        {passerelle.Weibo, true, passerelle.Publication{Format: passerelle.FormatText}, "卢浮宫的船", 0, passerelle.ModeAssisted},
		"weibo long":           {passerelle.Weibo, true, passerelle.Publication{Format: passerelle.FormatText}, link + strings.Repeat("船", 140), 0, passerelle.ModeAssisted},
		"weibo video":          {passerelle.Weibo, true, passerelle.Publication{Format: passerelle.FormatVideo}, link, 0, passerelle.ModeAssisted},
		"wechat verified":      {passerelle.WeChat, true, passerelle.Publication{Format: passerelle.FormatArticle}, "", 0, passerelle.ModeAPI},
		"wechat not verified":  {passerelle.WeChat, false, passerelle.Publication{Format: passerelle.FormatArticle}, "", 0, passerelle.ModeAssisted},
		"xiaohongshu is a kit": {passerelle.Xiaohongshu, true, passerelle.Publication{Format: passerelle.FormatPhotoText}, "", 0, passerelle.ModeAssisted},
		"channels is a kit":    {passerelle.Channels, true, passerelle.Publication{Format: passerelle.FormatVideo}, "", 0, passerelle.ModeAssisted},
	} {
		got, reason := publish.ChooseMode(c.platform, c.canPublish, &c.pub, c.text, c.images)
		if got != c.want || reason == "" {
			t.Errorf("%s: %s (%s), want %s", name, got, reason, c.want)
		}
	}
}

func TestPostURL(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		platform passerelle.Platform
		url, uid string
		id       string // "" with ok: accepted without an id; "!" refused
	}{
		{passerelle.Weibo, "https://weibo.com/5012345678/NqXyZ1a2b", "5012345678", "NqXyZ1a2b"},
		{passerelle.Weibo, "https://weibo.com/5099999999/NqXyZ1a2b", "5012345678", "!"},
		{passerelle.Weibo, "https://m.weibo.cn/status/4890123456789012", "", "4890123456789012"},
		{passerelle.Weibo, "https://m.weibo.cn/detail/4890123456789012?x=1", "", "4890123456789012"},
		{passerelle.Weibo, "https://www.xiaohongshu.com/explore/65a1b2c3d4e5f60718293a4b", "", "!"},
		{passerelle.Weibo, "javascript:alert(1)", "", "!"},
		{passerelle.Xiaohongshu, "https://www.xiaohongshu.com/explore/65a1b2c3d4e5f60718293a4b?xsec=1", "", "65a1b2c3d4e5f60718293a4b"},
		{passerelle.Xiaohongshu, "https://www.xiaohongshu.com/discovery/item/65a1b2c3d4e5f60718293a4b", "", "65a1b2c3d4e5f60718293a4b"},
		{passerelle.Xiaohongshu, "http://xhslink.com/a/AbCdEf12", "", ""},
		{passerelle.Xiaohongshu, "https://www.xiaohongshu.com/user/profile/123", "", "!"},
		{passerelle.Douyin, "https://www.douyin.com/video/7312345678901234567", "", "7312345678901234567"},
		{passerelle.Douyin, "https://v.douyin.com/iAbCdEf/", "", ""},
		{passerelle.Douyin, "https://www.douyin.com/video/123", "", "!"},
		{passerelle.WeChat, "https://mp.weixin.qq.com/s/AbCdEfGhIjKlMnOp", "", "AbCdEfGhIjKlMnOp"},
		{passerelle.WeChat, "https://mp.weixin.qq.com/s?__biz=MzA&mid=2247&idx=1&sn=x", "", "2247_1"},
		{passerelle.WeChat, "https://example.org/s/AbCdEfGhIjKlMnOp", "", "!"},
		{passerelle.Channels, "export/UzFfAgtgekIEAQAAAAAA", "", "export/UzFfAgtgekIEAQAAAAAA"},
		{passerelle.Channels, "https://channels.weixin.qq.com/web/pages/feed?id=1", "", ""},
		{passerelle.Channels, "https://example.org/feed", "", "!"},
	} {
		_, id, err := publish.PostURL(c.platform, c.url, c.uid)
		switch {
		case c.id == "!" && err == nil:
			t.Errorf("%s %q accepted", c.platform, c.url)
		case c.id == "!" && passerelle.ErrorCode(err) != passerelle.EINVALID:
			t.Errorf("%s %q: %v, want invalid", c.platform, c.url, err)
		case c.id != "!" && (err != nil || id != c.id):
			t.Errorf("%s %q = %q, %v; want %q", c.platform, c.url, id, err, c.id)
		}
	}
}

func FuzzPostURL(f *testing.F) {
	for _, s := range []string{"https://weibo.com/5012345678/NqXyZ1a2b", "https://m.weibo.cn/status/1", "http://xhslink.com/a/x", "export/x", "", "https://user:pw@weibo.com/1/2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range passerelle.Platforms {
			norm, _, err := publish.PostURL(p, s, "")
			if err != nil {
				if passerelle.ErrorCode(err) != passerelle.EINVALID {
					t.Fatalf("%s %q: %v", p, s, err)
				}
				continue
			}
			if _, _, err := publish.PostURL(p, norm, ""); err != nil {
				t.Fatalf("%s: %q accepted, its normal form %q refused: %v", p, s, norm, err)
			}
		}
	})
}

package main

import (
	"bytes"
	"context"
	"flag"
	"image"
	"image/png"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/config"
	"github.com/passerelle-oss/passerelle/internal/demo"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/publish"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// bootDemo starts the demo with a short publishing lead.
func bootDemo(t *testing.T, extra ...string) *Main {
	t.Helper()
	return bootDemoTuned(t, nil, extra...)
}

// bootDemoTuned is bootDemo with a chance to set Main's fields before it opens.
func bootDemoTuned(t *testing.T, tune func(*Main), extra ...string) *Main {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	build := config.Flags(fs, func(string) string { return "" })
	args := append([]string{"--addr", "127.0.0.1:0", "--data", migratedDir(t), "--demo", "--log-level", "error", "--publish-lead", "1s", "--publish-settle", "3s"}, extra...)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	cfg, err := build()
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg, ReconcileEvery: time.Second, Logger: testLogger(t)}
	if tune != nil {
		tune(m)
	}
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func demoAccount(t *testing.T, m *Main, owner *passerelle.User, handle string) *passerelle.Account {
	t.Helper()
	accounts, err := m.DB.Accounts(context.Background(), store.AccountFilter{OrgID: owner.OrgID})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accounts {
		if a.Handle == handle {
			return a
		}
	}
	t.Fatalf("no demo account %s", handle)
	return nil
}

// approvedPost writes a post with one publication on acc and takes it to approved.
func approvedPost(t *testing.T, edit *editorial.Service, owner *passerelle.User, acc *passerelle.Account, pub editorial.PublicationInput, text string) *passerelle.Post {
	t.Helper()
	ctx := context.Background()
	pub.AccountID = acc.ID
	title, theme, lang := "Les Nymphéas", "collection", "fr"
	inst := acc.InstitutionID
	saved, err := edit.CreatePost(ctx, owner, &editorial.PostInput{InstitutionID: &inst, Title: &title, Theme: &theme, SourceLang: &lang, TextZH: &text,
		Publications: &[]editorial.PublicationInput{pub}})
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []passerelle.Status{passerelle.StatusReview, passerelle.StatusApproved} {
		if _, err := edit.Transition(ctx, owner, saved.Post.ID, to, ""); err != nil {
			t.Fatalf("to %s: %v (findings %+v)", to, err, saved.Findings)
		}
	}
	p, err := edit.Post(ctx, owner, saved.Post.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func waitState(t *testing.T, m *Main, pubID int64, want passerelle.DeliveryState, within time.Duration) *store.Delivery {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		d, err := m.DB.Delivery(context.Background(), pubID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Publication.State == want {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("publication %d is %s (%s; ref %v, job ref %q, next check %v), want %s", pubID, d.Publication.State, d.Publication.LastError, d.Ref, d.JobRef, d.NextCheckAt, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestPublishWeChatArticleOnTime schedules a WeChat article on the demo's verified
// Orsay account: it goes out by API at its time, once, and the post becomes published.
func TestPublishWeChatArticleOnTime(t *testing.T) {
	t.Parallel()
	m := bootDemo(t)
	ctx := context.Background()
	owner, _, _ := m.DB.UserByEmail(ctx, demo.OwnerEmail)
	wx := demoAccount(t, m, owner, "gh_orsay")
	if res, err := m.Connect.Test(ctx, owner, wx.ID, "en"); err != nil || !res.CanPublish {
		t.Fatalf("connection test: %+v %v", res, err)
	}
	edit := editorial.New(editorial.Options{DB: m.DB, DataDir: m.Config.DataDir})
	p := approvedPost(t, edit, owner, wx, editorial.PublicationInput{WeChat: &editorial.ArticleInput{Title: "莫奈的睡莲", Digest: "奥赛博物馆", BodyHTML: "<p>莫奈的睡莲</p>", CoverMediaID: demoImage(t, m, owner, wx)}}, "莫奈的睡莲")
	b := p.Publications[0]
	if b.Mode != passerelle.ModeAPI || !b.ModeAuto {
		t.Fatalf("mode %s (auto %v): %s", b.Mode, b.ModeAuto, b.ModeReason)
	}
	due := scheduleIn(t, edit, owner, p, 3*time.Second)
	d := waitState(t, m, b.ID, passerelle.DeliveryScheduled, time.Second)
	if d.JobID == 0 {
		t.Fatal("scheduled without a job")
	}
	d = waitState(t, m, b.ID, passerelle.DeliveryPublished, 30*time.Second)
	if d.Publication.PlatformPostID == "" || d.Publication.Attempts != 1 || d.Publication.PublishedAt == nil {
		t.Fatalf("published %+v", d.Publication)
	}
	if late := d.Publication.PublishedAt.Sub(due); late < 0 {
		t.Fatalf("published %v before its time", -late)
	}
	// The attempt is claimed and the draft uploaded shortly ahead; the submit that
	// makes it public never comes before its time.
	attempts, _ := m.DB.Attempts(ctx, b.ID)
	if len(attempts) != 1 || attempts[0].StartedAt.Before(due.Add(-publish.DefaultAhead)) {
		t.Fatalf("attempts %+v (due %v)", attempts, due)
	}
	creds, _ := m.DB.Credentials(ctx, wx.ID)
	arts, err := m.Sim.WeChatArticles(creds["appid"])
	if err != nil || len(arts) != 1 || arts[0].SubmittedAt.Before(due) {
		t.Fatalf("published at the platform %+v %v (due %v)", arts, err, due)
	}
	post, _ := edit.Post(ctx, owner, p.ID)
	if post.Status != passerelle.StatusPublished {
		t.Fatalf("post is %s", post.Status)
	}
}

// TestUnscheduleCancelsDelivery: taking a post off the schedule cancels its job; the
// publication never goes out.
func TestUnscheduleCancelsDelivery(t *testing.T) {
	t.Parallel()
	m := bootDemo(t)
	ctx := context.Background()
	owner, _, _ := m.DB.UserByEmail(ctx, demo.OwnerEmail)
	wx := demoAccount(t, m, owner, "gh_orsay")
	edit := editorial.New(editorial.Options{DB: m.DB, DataDir: m.Config.DataDir})
	p := approvedPost(t, edit, owner, wx, editorial.PublicationInput{Mode: passerelle.ModeAssisted, WeChat: &editorial.ArticleInput{Title: "睡莲", BodyHTML: "<p>睡莲</p>", CoverMediaID: demoImage(t, m, owner, wx)}}, "睡莲")
	b := p.Publications[0]
	// Due far enough ahead for the two transitions to happen before it, even under
	// -race on a busy machine; then wait past it.
	due := time.Now().Add(10 * time.Second)
	if _, err := edit.Schedule(ctx, owner, b.ID, &due); err != nil {
		t.Fatal(err)
	}
	if _, err := edit.Transition(ctx, owner, p.ID, passerelle.StatusScheduled, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := edit.Transition(ctx, owner, p.ID, passerelle.StatusApproved, ""); err != nil {
		t.Fatal(err)
	}
	if time.Now().After(due) {
		t.Fatalf("unscheduled %v after the due time: the test's setup is too slow for it", time.Since(due))
	}
	waitState(t, m, b.ID, passerelle.DeliveryPending, time.Second)
	time.Sleep(time.Until(due) + 4*time.Second)
	if d2, _ := m.DB.Delivery(ctx, b.ID); d2.Publication.State != passerelle.DeliveryPending || d2.Publication.Attempts != 0 {
		t.Fatalf("after unscheduling: %s, %d attempts", d2.Publication.State, d2.Publication.Attempts)
	}
}

// TestAssistedKitDueThenMarkedPublished: an assisted publication is due as a kit, then a
// person records its URL, which must be a post of the platform.
func TestAssistedKitDueThenMarkedPublished(t *testing.T) {
	t.Parallel()
	m := bootDemo(t)
	ctx := context.Background()
	owner, _, _ := m.DB.UserByEmail(ctx, demo.OwnerEmail)
	wb := demoAccount(t, m, owner, demoWeiboHandle(t, m, owner))
	edit := editorial.New(editorial.Options{DB: m.DB, DataDir: m.Config.DataDir})
	p := approvedPost(t, edit, owner, wb, editorial.PublicationInput{Topics: []string{"印象派"}}, "莫奈的睡莲 #印象派#")
	b := p.Publications[0]
	if b.Mode != passerelle.ModeAssisted {
		t.Fatalf("mode %s", b.Mode)
	}
	// Due far enough ahead for scheduling to happen before it, even under -race on a
	// busy machine (2 s was not: the demo's own writes hold the writer meanwhile).
	due := time.Now().Add(10 * time.Second)
	if _, err := edit.Schedule(ctx, owner, b.ID, &due); err != nil {
		t.Fatal(err)
	}
	if _, err := edit.Transition(ctx, owner, p.ID, passerelle.StatusScheduled, ""); err != nil {
		t.Fatal(err)
	}
	waitState(t, m, b.ID, passerelle.DeliveryAwaitingManual, 40*time.Second)
	notes, _ := m.DB.Notifications(ctx, owner.ID, true, 10)
	if len(notes) == 0 || notes[0].Kind != store.KindKitDue {
		t.Fatalf("notifications %+v", notes)
	}
	if _, err := m.Publish.MarkPublished(ctx, owner, b.ID, "https://www.xiaohongshu.com/explore/65a1b2c3d4e5f60718293a4b"); passerelle.ErrorCode(err) != passerelle.EINVALID {
		t.Fatalf("a Xiaohongshu URL for a Weibo post: %v", err)
	}
	row, err := m.Publish.MarkPublished(ctx, owner, b.ID, "https://m.weibo.cn/status/4890123456789012")
	if err != nil || row.State != passerelle.DeliveryPublished || row.PlatformPostID != "4890123456789012" {
		t.Fatalf("marked: %+v %v", row, err)
	}
}

func demoWeiboHandle(t *testing.T, m *Main, owner *passerelle.User) string {
	accounts, _ := m.DB.Accounts(context.Background(), store.AccountFilter{OrgID: owner.OrgID})
	for _, a := range accounts {
		if a.Platform == passerelle.Weibo && a.Kind == passerelle.AccountManaged {
			return a.Handle
		}
	}
	t.Fatal("no managed Weibo account in the demo")
	return ""
}

func demoImage(t *testing.T, m *Main, owner *passerelle.User, acc *passerelle.Account) int64 {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 900, 500))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	edit := editorial.New(editorial.Options{DB: m.DB, DataDir: m.Config.DataDir})
	a, _, err := edit.Upload(context.Background(), owner, acc.InstitutionID, "cover.png", &buf)
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg"
	"net/url"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
)

// TestPublishingPages: the post page shows each publication's delivery and the
// automatic mode's reason; a Xiaohongshu kit gives its text, its images as a 3:4 zip
// and a QR code; a wrong address is refused in the page and a right one marks it
// published; the outbox and the notifications list it; another organization sees none
// of it.
func TestPublishingPages(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	ctx := context.Background()
	xhs := &passerelle.Account{InstitutionID: n.inst.ID, Platform: passerelle.Xiaohongshu, Kind: passerelle.AccountManaged, Handle: "orsay_xhs", DisplayName: "奥赛博物馆"}
	if err := a.Ten.CreateAccount(ctx, n.owner, xhs); err != nil {
		t.Fatal(err)
	}
	m, _, err := a.Ed.Upload(ctx, n.owner, n.inst.ID, "nympheas.png", bytes.NewReader(pngFile(t, 900, 600)))
	if err != nil {
		t.Fatal(err)
	}
	in := &editorial.PostInput{InstitutionID: &n.inst.ID, Title: ptr("Nymphéas"), Theme: ptr("exhibition"), SourceLang: ptr("fr"), TextZH: ptr("奥赛博物馆的睡莲\n莫奈晚年的杰作。"),
		MediaIDs: &[]int64{m.ID}, Publications: &[]editorial.PublicationInput{{AccountID: xhs.ID, Format: passerelle.FormatPhotoText, Mode: passerelle.ModeAuto, Topics: []string{"印象派"}}}}
	saved, err := a.Ed.CreatePost(ctx, n.editor, in)
	if err != nil {
		t.Fatal(err)
	}
	post := saved.Post
	pub := post.Publications[0]
	for _, to := range []passerelle.Status{passerelle.StatusReview, passerelle.StatusApproved} {
		if _, err := a.Ed.Transition(ctx, n.owner, post.ID, to, ""); err != nil {
			t.Fatal(err)
		}
	}
	editor := a.signedIn("editor@example.org")
	postPage := fmt.Sprintf("/posts/%d", post.ID)
	kit := fmt.Sprintf("/publications/%d/kit", pub.ID)

	r := editor.get(postPage)
	wantContains(t, r.Body, `id="publishing"`, fmt.Sprintf(`id="publication-%d" data-state="pending"`, pub.ID),
		"This platform has no publishing API for third parties", `href="`+kit+`"`)
	// A new post leaves the mode to Passerelle unless the editor picks one.
	wantContains(t, editor.get(fmt.Sprintf("/posts/new?institution_id=%d", n.inst.ID)).Body, `<option value="auto" selected>Automatic</option><option value="assisted">`)

	r = editor.get(kit)
	wantContains(t, r.Body, "#印象派", "Title: 8 characters of 20 at most.", "images.zip", "qr.png", fmt.Sprintf(`id="mark-url-%d"`, pub.ID))
	if r = editor.get(kit + "/qr.png"); r.Status != 200 || !strings.HasPrefix(r.Body, "\x89PNG") {
		t.Fatalf("QR: %d", r.Status)
	}
	r = editor.get(kit + "/images.zip")
	zr, err := zip.NewReader(strings.NewReader(r.Body), int64(len(r.Body)))
	if r.Status != 200 || err != nil || len(zr.File) != 1 {
		t.Fatalf("zip: %d %v", r.Status, err)
	}
	f, _ := zr.File[0].Open()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil || cfg.Width*4 != cfg.Height*3 {
		t.Fatalf("zip image %s: %dx%d %v, want 3:4", zr.File[0].Name, cfg.Width, cfg.Height, err)
	}

	// A Weibo address for a Xiaohongshu note: refused, shown on the page, nothing changes.
	r = editor.post(fmt.Sprintf("/publications/%d/mark-published", pub.ID), url.Values{"url": {"https://m.weibo.cn/status/4890123456789012"}, "next": {kit}})
	if r.Status != 303 || r.Location != kit {
		t.Fatalf("refused mark: %d %s", r.Status, r.Location)
	}
	wantContains(t, editor.follow(r).Body, "flash-error", "Not the address of a Xiaohongshu note")
	r = editor.post(fmt.Sprintf("/publications/%d/mark-published", pub.ID), url.Values{"url": {"https://www.xiaohongshu.com/explore/65a1b2c3d4e5f60718293a4b"}, "next": {kit}})
	wantContains(t, editor.follow(r).Body, "flash-ok", `data-state="published"`, `href="https://www.xiaohongshu.com/explore/65a1b2c3d4e5f60718293a4b"`)

	// The viewer sees the kit without the actions; another organization sees nothing.
	viewer := a.signedIn("viewer@example.org")
	if r = viewer.get(kit); r.Status != 200 || strings.Contains(r.Body, "mark-published") {
		t.Fatalf("viewer's kit: %d", r.Status)
	}
	other := a.signedIn("other@example.org")
	for _, p := range []string{kit, kit + "/images.zip", kit + "/qr.png"} {
		if r = other.get(p); r.Status != 404 {
			t.Errorf("%s for another organization: %d", p, r.Status)
		}
	}
	if r = other.post(fmt.Sprintf("/publications/%d/publish-now", pub.ID), url.Values{}); r.Status != 404 {
		t.Errorf("publish-now for another organization: %d", r.Status)
	}
	if r = other.get("/outbox"); strings.Contains(r.Body, "Nymphéas") {
		t.Error("another organization's outbox lists the post")
	}

	// Jobs: editors may not open the page.
	if r = editor.get("/jobs"); r.Status != 403 {
		t.Errorf("jobs for an editor: %d", r.Status)
	}
	if r = a.signedIn("owner@example.org").get("/jobs"); r.Status != 200 {
		t.Errorf("jobs for the owner: %d", r.Status)
	}
	if r = editor.get("/notifications"); r.Status != 200 || !strings.Contains(r.Body, "notifications.empty") && !strings.Contains(r.Body, "No notifications.") {
		t.Errorf("notifications: %d", r.Status)
	}
}

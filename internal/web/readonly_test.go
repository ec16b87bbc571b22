package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
)

// TestReadOnlyPublications: once its account or its institution is archived, a
// publication's post page and kit offer no schedule, publish-now or mark-published
// action and say why; a stale form posted anyway is refused with the same message and
// changes nothing.
func TestReadOnlyPublications(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	ctx := context.Background()
	xhs := &passerelle.Account{InstitutionID: n.inst.ID, Platform: passerelle.Xiaohongshu, Kind: passerelle.AccountManaged, Handle: "orsay_xhs", DisplayName: "奥赛博物馆"}
	if err := a.Ten.CreateAccount(ctx, n.owner, xhs); err != nil {
		t.Fatal(err)
	}
	in := &editorial.PostInput{InstitutionID: &n.inst.ID, Title: ptr("Nymphéas"), Theme: ptr("exhibition"), SourceLang: ptr("fr"), TextZH: ptr("奥赛博物馆的睡莲\n莫奈晚年的杰作。"),
		Publications: &[]editorial.PublicationInput{{AccountID: xhs.ID, Format: passerelle.FormatPhotoText, Mode: passerelle.ModeAuto}}}
	saved, err := a.Ed.CreatePost(ctx, n.editor, in)
	if err != nil {
		t.Fatal(err)
	}
	post, pub := saved.Post, saved.Post.Publications[0]
	for _, to := range []passerelle.Status{passerelle.StatusReview, passerelle.StatusApproved} {
		if _, err := a.Ed.Transition(ctx, n.owner, post.ID, to, ""); err != nil {
			t.Fatal(err)
		}
	}
	editor := a.signedIn("editor@example.org")
	postPage, kit := fmt.Sprintf("/posts/%d", post.ID), fmt.Sprintf("/publications/%d/kit", pub.ID)
	actions := []string{fmt.Sprintf(`id="mark-url-%d"`, pub.ID), fmt.Sprintf(`id="at-%d"`, pub.ID), `data-move="scheduled"`}

	// Active: the actions are there.
	wantContains(t, editor.get(postPage).Body, actions...)

	for _, c := range []struct {
		name    string
		archive func(bool)
		why     string
	}{
		{"archived account", func(on bool) {
			if _, err := a.Ten.ArchiveAccount(ctx, n.owner, xhs.ID, on); err != nil {
				t.Fatal(err)
			}
		}, "The account is archived"},
		{"archived institution", func(on bool) {
			if _, err := a.Ten.ArchiveInstitution(ctx, n.owner, n.inst.ID, on); err != nil {
				t.Fatal(err)
			}
		}, "The institution is archived"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.archive(true)
			defer c.archive(false)
			for _, page := range []string{postPage, kit} {
				r := editor.get(page)
				if r.Status != 200 {
					t.Fatalf("%s: %d", page, r.Status)
				}
				wantContains(t, r.Body, c.why)
				for _, s := range append(actions, "publish-now") {
					if strings.Contains(r.Body, s) {
						t.Errorf("%s of a read-only publication offers %s", page, s)
					}
				}
			}
			r := editor.post(fmt.Sprintf("/publications/%d/mark-published", pub.ID), url.Values{"url": {"https://www.xiaohongshu.com/explore/65a1b2c3d4e5f60718293a4b"}, "next": {kit}})
			if r.Status != 303 || r.Location != kit {
				t.Fatalf("stale mark: %d %s", r.Status, r.Location)
			}
			wantContains(t, editor.follow(r).Body, "flash-error", c.why)
			r = editor.post(fmt.Sprintf("/publications/%d/schedule", pub.ID), url.Values{"at": {"2099-05-01T10:00"}, "next": {postPage}})
			if r.Status == 303 {
				r = editor.follow(r)
			}
			wantContains(t, r.Body, c.why)
			d, err := a.DB.Delivery(ctx, pub.ID)
			if err != nil || d.Publication.State != passerelle.DeliveryPending || d.Publication.ScheduledAt != nil {
				t.Fatalf("refused actions changed the publication: %+v %v", d.Publication, err)
			}
		})
	}
}

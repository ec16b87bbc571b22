package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// TestNotificationsDoneWhenActedOn: a kit that falls due notifies the editor and shows
// overdue in the outbox; once it is marked published the notification no longer
// counts as unread — the bell shows what still needs someone.
func TestNotificationsDoneWhenActedOn(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	ctx := context.Background()
	xhs := &passerelle.Account{InstitutionID: n.inst.ID, Platform: passerelle.Xiaohongshu, Kind: passerelle.AccountManaged, Handle: "orsay_xhs", DisplayName: "奥赛博物馆"}
	if err := a.Ten.CreateAccount(ctx, n.owner, xhs); err != nil {
		t.Fatal(err)
	}
	saved, err := a.Ed.CreatePost(ctx, n.editor, &editorial.PostInput{InstitutionID: &n.inst.ID, Title: ptr("Nymphéas"), Theme: ptr("exhibition"), SourceLang: ptr("fr"),
		TextZH: ptr("奥赛博物馆的睡莲\n莫奈晚年的杰作。"), Publications: &[]editorial.PublicationInput{{AccountID: xhs.ID, Format: passerelle.FormatPhotoText}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []passerelle.Status{passerelle.StatusReview, passerelle.StatusApproved} {
		if _, err := a.Ed.Transition(ctx, n.owner, saved.Post.ID, to, ""); err != nil {
			t.Fatal(err)
		}
	}
	pub := saved.Post.Publications[0].ID
	at := time.Now().Add(2 * time.Second)
	if _, err := a.Ed.Schedule(ctx, n.owner, pub, &at); err != nil {
		t.Fatal(err)
	}
	// The engine's kit-due step: the kit waits for a person, who is notified.
	if ok, err := a.DB.MoveDelivery(ctx, pub, []passerelle.DeliveryState{passerelle.DeliveryPending}, passerelle.DeliveryAwaitingManual, "", store.KindKitDue); err != nil || !ok {
		t.Fatalf("kit due: %v %v", ok, err)
	}
	if c, _ := a.DB.UnreadNotifications(ctx, n.editor.ID); c != 1 {
		t.Fatalf("unread before: %d", c)
	}
	time.Sleep(time.Until(at) + 100*time.Millisecond)
	editor := a.signedIn("editor@example.org")
	wantContains(t, editor.get("/outbox").Body, fmt.Sprintf(`data-publication="%d"`, pub), "Overdue", `id="bell-count"`)

	editor.post(fmt.Sprintf("/publications/%d/mark-published", pub), url.Values{"url": {"https://www.xiaohongshu.com/explore/65a1b2c3d4e5f60718293a4b"}})
	for _, u := range []*passerelle.User{n.editor, n.owner} {
		if c, _ := a.DB.UnreadNotifications(ctx, u.ID); c != 0 {
			t.Errorf("%s: %d unread after the kit was marked published", u.Email, c)
		}
	}
	if r := editor.get("/outbox"); strings.Contains(r.Body, `id="bell-count"`) {
		t.Error("the bell still counts the kit")
	}
}

package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
)

// TestKitPhoneLink: the kit page's QR code carries a signed link that opens the kit
// on a phone without signing in — its text and its images in the platform's shape,
// and nothing else. A tampered link is not found; the link stops as soon as the
// publication is marked published, and when the post is taken back for changes.
func TestKitPhoneLink(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	ctx := context.Background()
	xhs := &passerelle.Account{InstitutionID: n.inst.ID, Platform: passerelle.Xiaohongshu, Kind: passerelle.AccountManaged, Handle: "orsay_xhs", DisplayName: "奥赛博物馆"}
	if err := a.Ten.CreateAccount(ctx, n.owner, xhs); err != nil {
		t.Fatal(err)
	}
	img, _, err := a.Ed.Upload(ctx, n.owner, n.inst.ID, "nympheas.png", bytes.NewReader(pngFile(t, 900, 600)))
	if err != nil {
		t.Fatal(err)
	}
	// Another medium of the institution, not in the kit.
	other, _, err := a.Ed.Upload(ctx, n.owner, n.inst.ID, "secret.png", bytes.NewReader(pngFile(t, 300, 300)))
	if err != nil {
		t.Fatal(err)
	}
	newKit := func(title string) (*passerelle.Post, int64) {
		t.Helper()
		in := &editorial.PostInput{InstitutionID: &n.inst.ID, Title: ptr(title), Theme: ptr("exhibition"), SourceLang: ptr("fr"), SourceText: ptr("Texte source interne."),
			TextZH: ptr("奥赛博物馆的睡莲\n莫奈晚年的杰作。"), MediaIDs: &[]int64{img.ID},
			Publications: &[]editorial.PublicationInput{{AccountID: xhs.ID, Format: passerelle.FormatPhotoText, Mode: passerelle.ModeAuto, Topics: []string{"印象派"}}}}
		saved, err := a.Ed.CreatePost(ctx, n.editor, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range []passerelle.Status{passerelle.StatusReview, passerelle.StatusApproved} {
			if _, err := a.Ed.Transition(ctx, n.owner, saved.Post.ID, to, ""); err != nil {
				t.Fatal(err)
			}
		}
		return saved.Post, saved.Post.Publications[0].ID
	}
	post, pub := newKit("Nymphéas (titre interne)")
	editor := a.signedIn("editor@example.org")
	kitPage := fmt.Sprintf("/publications/%d/kit", pub)
	wantContains(t, editor.get(kitPage).Body, `id="kit-phone-until"`, "qr.png")
	if r := editor.get(kitPage + "/qr.png"); r.Status != 200 || !strings.HasPrefix(r.Body, "\x89PNG") {
		t.Fatalf("QR: %d", r.Status)
	}
	token, expires, err := a.Publish.KitLink(ctx, n.editor, pub)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(expires); d < 70*time.Hour || d > 73*time.Hour {
		t.Fatalf("the link expires in %s", d)
	}

	// A phone, signed in nowhere.
	phone := a.client()
	phone.header.Set("Accept-Language", "en")
	r := phone.get("/k/" + token)
	if r.Status != 200 {
		t.Fatalf("phone kit: %d %s", r.Status, r.Body)
	}
	wantContains(t, r.Body, "奥赛博物馆的睡莲", "#印象派", `id="copy-text"`, "/k/"+token+"/media/1")
	for _, secret := range []string{"titre interne", "Texte source interne", "Musée d'Orsay", "/posts/", "/publications/", "mainnav", "mark-published", "/media/2"} {
		if strings.Contains(r.Body, secret) {
			t.Errorf("the phone kit shows %q", secret)
		}
	}
	if got := r.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy %q", got)
	}
	r = phone.get("/k/" + token + "/media/1")
	cfg, _, err := image.DecodeConfig(strings.NewReader(r.Body))
	if r.Status != 200 || err != nil || cfg.Width*4 != cfg.Height*3 {
		t.Fatalf("phone image: %d %v %dx%d, want 3:4", r.Status, err, cfg.Width, cfg.Height)
	}
	// Only the kit's media, by their number in the kit.
	for _, p := range []string{"/media/0", "/media/2", "/media/-1", "/media/x", fmt.Sprintf("/media/%d", other.ID)} {
		if r := phone.get("/k/" + token + p); r.Status != 404 {
			t.Errorf("%s: %d", p, r.Status)
		}
	}
	// The link opens nothing that needs signing in.
	for _, p := range []string{kitPage, kitPage + "/images.zip", "/review/" + token, fmt.Sprintf("/posts/%d", post.ID)} {
		if r := phone.get(p); r.Status == 200 {
			t.Errorf("%s opens with the kit link's client", p)
		}
	}

	// Tampering.
	payload, sig, _ := strings.Cut(token, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(payload)
	raw[7]++ // another publication id, same signature
	forged := base64.RawURLEncoding.EncodeToString(raw) + "." + sig
	for _, bad := range []string{forged, payload + "." + sig[:len(sig)-2] + "AA", payload, payload + ".", "." + sig, token + "x", url.PathEscape(token + "=="), strings.Repeat("A", 300)} {
		if r := phone.get("/k/" + bad); r.Status != 404 {
			t.Errorf("tampered link %q: %d", bad, r.Status)
		}
	}

	// Marked published: the link stops at once, with a message saying why.
	editor.post(fmt.Sprintf("/publications/%d/mark-published", pub), url.Values{"url": {"https://www.xiaohongshu.com/explore/65a1b2c3d4e5f60718293a4b"}})
	if d, _ := a.DB.Delivery(ctx, pub); d.Publication.State != passerelle.DeliveryPublished {
		t.Fatalf("not marked: %s", d.Publication.State)
	}
	for _, p := range []string{"/k/" + token, "/k/" + token + "/media/1"} {
		if r := phone.get(p); r.Status != 403 || (p == "/k/"+token && !strings.Contains(r.Body, "This kit is closed")) {
			t.Errorf("%s after publication: %d", p, r.Status)
		}
	}
	wantContains(t, editor.get(kitPage).Body, `id="kit-phone-closed"`)
	if r := editor.get(kitPage + "/qr.png"); r.Status != 403 {
		t.Errorf("QR of a published kit: %d", r.Status)
	}

	// Taken back for changes (no longer approved): closed too.
	post2, pub2 := newKit("Deuxième")
	token2, _, err := a.Publish.KitLink(ctx, n.editor, pub2)
	if err != nil {
		t.Fatal(err)
	}
	if r := phone.get("/k/" + token2); r.Status != 200 {
		t.Fatalf("second kit: %d", r.Status)
	}
	if _, err := a.Ed.Transition(ctx, n.owner, post2.ID, passerelle.StatusDraft, "À revoir."); err != nil {
		t.Fatal(err)
	}
	if r := phone.get("/k/" + token2); r.Status != 403 {
		t.Errorf("kit of a post taken back: %d", r.Status)
	}
}

package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// audienceSeed publishes two Weibo posts of the newsroom in the past and returns
// their publications' ids, in the order of their platform ids 4900000000000001 and
// 4900000000000002.
func audienceSeed(t *testing.T, a *app, n *newsroom) []int64 {
	t.Helper()
	ctx := context.Background()
	at := time.Now().In(analytics.Beijing).AddDate(0, 0, -5)
	var load store.AudienceLoad
	for _, id := range []string{"4900000000000001", "4900000000000002"} {
		load.Posts = append(load.Posts, store.AudiencePost{InstitutionID: n.inst.ID, Title: "Post " + id, Theme: "collection", PublishedAt: at,
			Publications: []store.AudiencePublication{{AccountID: n.weibo.ID, Format: "photo_text", PlatformPostID: id, URL: "https://weibo.com/7000000001/" + id}}})
	}
	if err := a.DB.LoadAudience(ctx, n.owner.OrgID, load); err != nil {
		t.Fatal(err)
	}
	tracked, err := a.DB.TrackedPublications(ctx, n.owner.OrgID, n.weibo.ID)
	if err != nil || len(tracked) != 2 {
		t.Fatalf("tracked: %v %v", tracked, err)
	}
	return []int64{tracked[0].ID, tracked[1].ID}
}

func snapshotCount(t *testing.T, a *app, orgID int64, pubs []int64) int {
	t.Helper()
	n := 0
	for _, id := range pubs {
		s, err := a.DB.PublicationSnapshots(context.Background(), orgID, id)
		if err != nil {
			t.Fatal(err)
		}
		n += len(s)
	}
	return n
}

var uploadLocation = regexp.MustCompile(`^/institutions/\d+/analytics/import/\d+$`)

// A file of figures goes through the analytics page: upload, preview with every row and
// every refused row by line number, refusal of the whole file, import of the good rows
// when asked, and a second import of the same file that changes nothing.
func TestAnalyticsImportFlow(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	pubs := audienceSeed(t, a, n)
	ed := a.signedIn("editor@example.org")
	page := "/institutions/" + itoa(n.inst.ID) + "/analytics"

	r := ed.get(page)
	if r.Status != http.StatusOK {
		t.Fatalf("analytics page: %d", r.Status)
	}
	wantContains(t, r.Body, `id="import-form"`, `name="account"`, `value="`+itoa(n.weibo.ID)+`"`)
	// A viewer sees the figures but no import form.
	if r := a.signedIn("viewer@example.org").get(page); r.Status != http.StatusOK || strings.Contains(r.Body, `id="import-form"`) {
		t.Fatalf("viewer: %d, form shown: %v", r.Status, strings.Contains(r.Body, `id="import-form"`))
	}

	day := time.Now().In(analytics.Beijing).AddDate(0, 0, -1).Format(time.DateOnly)
	file := "博文ID,日期,阅读数,转发数,评论数,点赞数\n" +
		"4900000000000001," + day + ",1.2万,10,5,300\n" +
		"4900000000000002," + day + ",abc,1,1,1\n" +
		"4999999999999999," + day + ",100,1,1,1\n" +
		"4900000000000002," + day + ",10万+,-3,2,40\n"
	r = ed.upload(page+"/import", "weibo.csv", []byte(file), map[string]string{"account": itoa(n.weibo.ID), "at": day})
	if r.Status != http.StatusSeeOther || !uploadLocation.MatchString(r.Location) {
		t.Fatalf("upload: %d %q", r.Status, r.Location)
	}
	preview := r.Location
	r = ed.get(preview)
	if r.Status != http.StatusOK {
		t.Fatalf("preview: %d %s", r.Status, excerpt(r.Body))
	}
	wantContains(t, r.Body, "Weibo data centre export", `id="import-rows">4<`, `id="import-good">1<`, `id="import-bad">3<`,
		"12,000", `Views “abc”: not a number`, "no published post of this account has this id or address",
		`Reposts and shares “-3”: a figure cannot be negative`, `<th scope="row">3</th>`, `<th scope="row">4</th>`, `<th scope="row">5</th>`, `id="skip-bad"`)
	if got := snapshotCount(t, a, n.owner.OrgID, pubs); got != 0 {
		t.Fatalf("the preview wrote %d readings", got)
	}

	// All or nothing: without "skip", nothing is imported.
	r = ed.post(preview+"/commit", url.Values{})
	if r.Status != http.StatusSeeOther || r.Location != preview {
		t.Fatalf("commit: %d %q", r.Status, r.Location)
	}
	r = ed.get(preview)
	wantContains(t, r.Body, "nothing was imported", `id="import-commit"`)
	if got := snapshotCount(t, a, n.owner.OrgID, pubs); got != 0 {
		t.Fatalf("a refused file wrote %d readings", got)
	}

	// Skipping the bad rows imports the good one.
	r = ed.post(preview+"/commit", url.Values{"skip_bad": {"1"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("commit with skip: %d", r.Status)
	}
	r = ed.get(preview)
	wantContains(t, r.Body, "The figures are imported.", `id="import-done"`, "readings recorded: 1; rows skipped: 3")
	snaps, err := a.DB.PublicationSnapshots(context.Background(), n.owner.OrgID, pubs[0])
	if err != nil || len(snaps) != 1 || *snaps[0].Views != 12000 || *snaps[0].Likes != 300 || snaps[0].Source != store.PubSourceImport {
		t.Fatalf("imported: %+v %v", snaps, err)
	}
	// Committing again (a second click, the back button) changes nothing.
	ed.post(preview+"/commit", url.Values{"skip_bad": {"1"}})
	if got := snapshotCount(t, a, n.owner.OrgID, pubs); got != 1 {
		t.Fatalf("second commit: %d readings", got)
	}

	// The same file uploaded again: the preview says so, and importing changes nothing.
	r = ed.upload(page+"/import", "weibo.csv", []byte(file), map[string]string{"account": itoa(n.weibo.ID), "at": day})
	again := r.Location
	r = ed.get(again)
	wantContains(t, r.Body, `id="import-previous"`, "importing it again changes nothing")
	ed.post(again+"/commit", url.Values{"skip_bad": {"1"}})
	if got := snapshotCount(t, a, n.owner.OrgID, pubs); got != 1 {
		t.Fatalf("re-import: %d readings", got)
	}

	// An upload is its uploader's: the owner of the organization does not find it, nor
	// does anyone through another institution.
	if r := a.signedIn("owner@example.org").get(again); r.Status != http.StatusNotFound {
		t.Fatalf("another person's upload: %d", r.Status)
	}
	if r := ed.get("/institutions/" + itoa(n.otherInst.ID) + "/analytics/import/1"); r.Status != http.StatusNotFound {
		t.Fatalf("foreign institution: %d", r.Status)
	}
	// An account of another organization is not found; a viewer may not import.
	if r := ed.upload(page+"/import", "weibo.csv", []byte(file), map[string]string{"account": "999999"}); r.Status != http.StatusNotFound {
		t.Fatalf("unknown account: %d", r.Status)
	}
	if r := a.signedIn("viewer@example.org").upload(page+"/import", "weibo.csv", []byte(file), map[string]string{"account": itoa(n.weibo.ID)}); r.Status != http.StatusForbidden {
		t.Fatalf("viewer upload: %d", r.Status)
	}

	// A file that is no export at all is refused as a whole, with the reason.
	r = ed.upload(page+"/import", "notes.csv", []byte("hello,world\n1,2\n"), map[string]string{"account": itoa(n.weibo.ID)})
	r = ed.get(r.Location)
	wantContains(t, r.Body, `id="import-refused"`, "No header row found")
	// A date in the future is refused before anything is kept.
	r = ed.upload(page+"/import", "weibo.csv", []byte(file), map[string]string{"account": itoa(n.weibo.ID), "at": "2999-01-01"})
	if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Location, "#import") {
		t.Fatalf("future date: %d %q", r.Status, r.Location)
	}

	// Discarding an upload forgets it.
	r = ed.upload(page+"/import", "weibo.csv", []byte(file), map[string]string{"account": itoa(n.weibo.ID)})
	up := r.Location
	if r := ed.post(up+"/discard", url.Values{}); r.Status != http.StatusSeeOther {
		t.Fatalf("discard: %d", r.Status)
	}
	if r := ed.get(up); r.Status != http.StatusNotFound {
		t.Fatalf("discarded upload: %d", r.Status)
	}
}

// Figures read on the platform are entered from the post page, checked, and shown.
func TestManualFigures(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	pubs := audienceSeed(t, a, n)
	postID, err := a.DB.PublicationPost(context.Background(), n.owner.OrgID, pubs[0])
	if err != nil {
		t.Fatal(err)
	}
	ed := a.signedIn("editor@example.org")
	postPage := "/posts/" + itoa(postID)
	r := ed.get(postPage)
	if r.Status != http.StatusOK {
		t.Fatalf("post page: %d", r.Status)
	}
	wantContains(t, r.Body, `id="figures-`+itoa(pubs[0])+`"`, "No figure yet.", `action="/publications/`+itoa(pubs[0])+`/figures"`)
	action := "/publications/" + itoa(pubs[0]) + "/figures"
	for _, c := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"views": {"-5"}}, "A figure cannot be negative."},
		{url.Values{"likes": {"99999999999999"}}, "A figure is too large to be true."},
		{url.Values{"comments": {"3.5"}}, "A figure is not a whole number."},
		{url.Values{"views": {"abc"}}, "A figure is not a whole number."},
		{url.Values{}, "Give at least one figure."},
		{url.Values{"likes": {"3"}, "lower_bound": {"1"}}, "Only a number of views can be a lower bound."},
		{url.Values{"likes": {"10万+"}}, "Only a number of views can be a lower bound."},
	} {
		c.form.Set("next", postPage)
		r := ed.post(action, c.form)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("%v: %d", c.form, r.Status)
		}
		wantContains(t, ed.follow(r).Body, c.want)
	}
	if got := snapshotCount(t, a, n.owner.OrgID, pubs[:1]); got != 0 {
		t.Fatalf("refused figures wrote %d readings", got)
	}
	r = ed.post(action, url.Values{"next": {postPage}, "views": {"10万+"}, "likes": {"17,609"}, "comments": {"744"}, "reposts": {"1.2万"}})
	if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Location, "#publication-"+itoa(pubs[0])) {
		t.Fatalf("record: %d %q", r.Status, r.Location)
	}
	page := ed.follow(r).Body
	wantContains(t, page, "The figures are recorded.", "100,000+", "17,609", "744", "12,000", "entered by hand")
	snaps, err := a.DB.PublicationSnapshots(context.Background(), n.owner.OrgID, pubs[0])
	if err != nil || len(snaps) != 1 || !snaps[0].LowerBound || *snaps[0].Views != 100000 || snaps[0].Source != store.PubSourceManual {
		t.Fatalf("recorded: %+v %v", snaps, err)
	}
	// A viewer sees the figures but no form, and may not post one.
	v := a.signedIn("viewer@example.org")
	if body := v.get(postPage).Body; strings.Contains(body, `id="figures-form-`) || !strings.Contains(body, "17,609") {
		t.Fatal("viewer: the form is offered or the figures are not shown")
	}
	if r := v.post(action, url.Values{"views": {"5"}}); r.Status != http.StatusForbidden {
		t.Fatalf("viewer records: %d", r.Status)
	}
}

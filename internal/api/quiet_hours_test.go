package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// TestQuietHoursAPI reads and sets an institution's quiet hours (Beijing time), on
// both engines; bad times answer 422 with the field and change nothing; an editor
// may read them but not change them.
func TestQuietHoursAPI(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, b *bundle) {
		inst := b.institution(b.org, "Musée Guimet")
		p := fmt.Sprintf("/api/v1/institutions/%d/quiet-hours", inst.ID)
		var got struct{ Start, End, TimeZone string }
		b.api.Do("GET", p, nil).Want(t, http.StatusOK).JSON(t, &got)
		if got.Start != "23:00" || got.End != "07:00" {
			t.Fatalf("default: %+v", got)
		}
		b.api.Do("PUT", p, map[string]any{"start": "22:30", "end": "06:00"}).Want(t, http.StatusOK)
		b.api.Do("GET", p, nil).Want(t, http.StatusOK).JSON(t, &got)
		if got.Start != "22:30" || got.End != "06:00" {
			t.Fatalf("after PUT: %+v", got)
		}
		for _, bad := range []map[string]any{{"start": "24:00", "end": "06:00"}, {"start": "22:00"}, {"start": "x", "end": "y"}} {
			b.api.Do("PUT", p, bad).Want(t, http.StatusUnprocessableEntity)
		}
		b.api.Do("PUT", p, `{"start": "22:00", "end": "06:00", "extra": 1}`).Want(t, http.StatusUnprocessableEntity)
		qs, err := b.db.QuietHours(context.Background(), b.org, []int64{inst.ID})
		if err != nil || qs[inst.ID] != (passerelle.QuietHours{Start: 22*60 + 30, End: 6 * 60}) {
			t.Fatalf("stored: %+v, %v", qs, err)
		}
		ed := b.as(b.user(b.org, false, passerelle.Membership{InstitutionID: inst.ID, Role: passerelle.RoleEditor}))
		ed.Do("GET", p, nil).Want(t, http.StatusOK)
		ed.Do("PUT", p, map[string]any{"start": "01:00", "end": "02:00"}).Want(t, http.StatusForbidden)
	})
}

// TestScheduleImportAPI: a dry run answers the rows and writes nothing; the import
// creates the drafts; a bad row answers 422 by line and creates none.
func TestScheduleImportAPI(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, b *bundle) {
		inst := b.institution(b.org, "Musée Guimet")
		acc := b.account(b.org, inst.ID, passerelle.Weibo, passerelle.AccountManaged)
		p := fmt.Sprintf("/api/v1/institutions/%d/schedule-import", inst.ID)
		y := time.Now().Year() + 1
		csv := fmt.Sprintf("date,account,platform,title,text,theme\n%d-03-08 10:00,%s,weibo,Titre,中文。,collection\n", y, acc.Handle)
		var res struct {
			Created bool
			Items   []struct {
				Beijing string
				PostID  int64 `json:"post_id"`
			}
		}
		b.api.Do("POST", p+"?dry_run=1", csv).Want(t, http.StatusOK).JSON(t, &res)
		if res.Created || len(res.Items) != 1 || res.Items[0].Beijing != fmt.Sprintf("%d-03-08 17:00", y) || res.Items[0].PostID != 0 {
			t.Fatalf("dry run: %+v", res)
		}
		bad := csv + fmt.Sprintf("%d-03-09 10:00,nobody,weibo,Titre,中文。,collection\n", y)
		r := b.api.Do("POST", p, bad).Want(t, http.StatusUnprocessableEntity)
		if !strings.Contains(string(r.Body), `"line 3"`) {
			t.Errorf("422 without the line: %s", r.Body)
		}
		b.api.Do("POST", p, csv).Want(t, http.StatusOK).JSON(t, &res)
		if !res.Created || res.Items[0].PostID == 0 {
			t.Fatalf("import: %+v", res)
		}
		post, err := b.db.Post(context.Background(), b.org, res.Items[0].PostID)
		if err != nil || len(post.Publications) != 1 || post.Publications[0].ScheduledAt == nil || post.Status != passerelle.StatusDraft {
			t.Fatalf("post: %+v, %v", post, err)
		}
	})
}

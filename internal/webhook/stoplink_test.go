package webhook_test

import (
	"context"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/desk"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
	"github.com/passerelle-oss/passerelle/internal/visit"
)

// TestStopNumberReply: a follower who sends a stop number gets the link of that stop
// of the institution's published audioguide; a number no published tour has, or any
// other text, falls through to the keyword rules.
func TestStopNumberReply(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		vis := visit.New(db, nil, "https://museum.example", nil)
		svc := &desk.Service{DB: db, StopLinks: vis}
		b := setupDesk(t, db, true, svc)
		ctx := context.Background()
		owner := &passerelle.User{ID: 1, OrgID: b.org, Owner: true}
		tour := &passerelle.Tour{InstitutionID: b.account.InstitutionID, TitleZH: "镇馆之宝"}
		if err := vis.CreateTour(ctx, owner, tour); err != nil {
			t.Fatal(err)
		}
		if err := vis.AddStop(ctx, owner, &passerelle.Stop{TourID: tour.ID, Number: 12, TitleZH: "睡莲"}); err != nil {
			t.Fatal(err)
		}
		addRule(t, db, b.account.ID, desk.MatchExact, "默认", "12", "13")
		now := time.Now().Unix()
		reply := func(nonce string, id int, text string) string {
			code, resp := post(t, b.plainPush(nonce), textMsg("oVisitor9", now, id, text))
			if code != 200 {
				t.Fatalf("push: %d %s", code, resp)
			}
			var r replyXML
			if resp != "success" {
				if err := xml.Unmarshal([]byte(resp), &r); err != nil {
					t.Fatalf("reply %q: %v", resp, err)
				}
			}
			return r.Content
		}
		// Unpublished: the rules answer.
		if got := reply("s1", 9001, "12"); got != "默认" {
			t.Fatalf("unpublished tour: %q", got)
		}
		_, url, err := vis.PublishTour(ctx, owner, tour.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		if got := reply("s2", 9002, " １２ "); got != "第12站："+url+"/12" || !strings.HasPrefix(url, "https://museum.example/v/t/") {
			t.Fatalf("stop 12: %q", got)
		}
		if got := reply("s3", 9003, "13"); got != "默认" {
			t.Fatalf("no stop 13: %q", got)
		}
	})
}

package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// TestMassSendQuota: on both engines, a mass send is reserved within the account's
// quota window (a Beijing day for a subscription account, a Beijing month of four for
// a service account); a repeat of the same publication finds its reservation instead
// of taking another; a refusal releases it; concurrent reservations of different
// publications never exceed the quota; the account's type and the publication's flag
// are stored.
func TestMassSendQuota(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org, inst, _, wx := setupInstitution(t, db)
		if wx.WeChatType != passerelle.WeChatSubscription {
			t.Fatalf("default type %q", wx.WeChatType)
		}
		at := time.Date(2031, 3, 4, 2, 0, 0, 0, time.UTC) // 10:00 in Beijing
		pubs := make([]int64, 6)
		for i := range pubs {
			p := &passerelle.Post{InstitutionID: inst.ID, Title: "Degas", Theme: "collection", SourceLang: "fr", TextZH: "德加", Status: passerelle.StatusDraft,
				Publications: []*passerelle.Publication{{AccountID: wx.ID, Format: passerelle.FormatArticle, MassSend: true, WeChat: &passerelle.Article{Title: "德加"}}}}
			if err := db.CreatePost(ctx, org.ID, p, passerelle.Actor{Name: "Léa"}); err != nil {
				t.Fatal(err)
			}
			got, err := db.Post(ctx, org.ID, p.ID)
			if err != nil || !got.Publications[0].MassSend {
				t.Fatalf("stored publication %+v %v", got.Publications[0], err)
			}
			pubs[i] = p.Publications[0].ID
		}
		id := passerelle.MassClientMsgID

		m, err := db.ReserveMassSend(ctx, wx.ID, pubs[0], id(pubs[0]), at)
		if err != nil || m.State != store.MassSending {
			t.Fatalf("first reservation %+v %v", m, err)
		}
		// The same publication again (a retry after a lost answer): its reservation.
		again, err := db.ReserveMassSend(ctx, wx.ID, pubs[0], id(pubs[0]), at)
		if err != nil || again.ID != m.ID {
			t.Fatalf("repeat %+v %v", again, err)
		}
		// Another publication the same Beijing day: refused.
		_, err = db.ReserveMassSend(ctx, wx.ID, pubs[1], id(pubs[1]), at.Add(10*time.Hour)) // 20:00 Beijing
		if !errors.Is(err, store.ErrMassQuota) || passerelle.ErrorCode(err) != passerelle.ECONFLICT {
			t.Fatalf("second the same day: %v", err)
		}
		// The next Beijing day (16:00 UTC is midnight in Beijing): allowed.
		next := time.Date(2031, 3, 4, 16, 0, 0, 0, time.UTC)
		if _, err := db.ReserveMassSend(ctx, wx.ID, pubs[1], id(pubs[1]), next); err != nil {
			t.Fatalf("next day: %v", err)
		}
		// The first is sent: its ids are kept; a repeat answers it as sent.
		if err := db.FinishMassSend(ctx, wx.ID, id(pubs[0]), store.MassSent, "1000000001", "2247490001"); err != nil {
			t.Fatal(err)
		}
		if again, err = db.ReserveMassSend(ctx, wx.ID, pubs[0], id(pubs[0]), at); err != nil || again.State != store.MassSent || again.MsgID != "1000000001" || again.MsgDataID != "2247490001" {
			t.Fatalf("after sending %+v %v", again, err)
		}
		u, err := db.MassQuota(ctx, wx.ID, at, 0)
		if err != nil || u.Limit != 1 || u.Sent != 1 || u.Left() != 0 || !u.To.Equal(next) {
			t.Fatalf("quota %+v %v", u, err)
		}
		// A refusal releases the day's quota.
		if err := db.FinishMassSend(ctx, wx.ID, id(pubs[1]), store.MassFailed, "", ""); err != nil {
			t.Fatal(err)
		}
		if u, _ := db.MassQuota(ctx, wx.ID, next, 0); u.Sent != 0 || u.Left() != 1 {
			t.Fatalf("after a refusal %+v", u)
		}
		// The push's report is recorded against the mass send.
		err = db.InTx(ctx, func(tx *store.Tx) error {
			pub, err := tx.MassSendReport(ctx, wx.ID, "1000000001", "send success", 10, 9, 1)
			if err == nil && pub != pubs[0] {
				t.Errorf("report for publication %d", pub)
			}
			return err
		})
		if rec, _ := db.PublicationMassSend(ctx, pubs[0]); err != nil || rec.ReportStatus != "send success" || rec.SentCount == nil || *rec.SentCount != 9 {
			t.Fatalf("report %+v %v", rec, err)
		}

		// A service account: four a Beijing month, counted concurrently.
		if _, err := db.UpdateAccount(ctx, org.ID, wx.ID, func(a *passerelle.Account) error { a.WeChatType = passerelle.WeChatService; return nil }); err != nil {
			t.Fatal(err)
		}
		if a, _ := db.Account(ctx, org.ID, wx.ID); a.WeChatType != passerelle.WeChatService {
			t.Fatalf("type %q", a.WeChatType)
		}
		month := time.Date(2031, 5, 10, 2, 0, 0, 0, time.UTC)
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, refused := 0, 0
		for _, p := range pubs[1:] {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := db.ReserveMassSend(ctx, wx.ID, p, id(p), month)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, store.ErrMassQuota):
					refused++
				default:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if ok != 4 || refused != 1 {
			t.Fatalf("service account: %d reserved, %d refused", ok, refused)
		}
		if u, _ := db.MassQuota(ctx, wx.ID, month, 0); u.Limit != 4 || u.Sent != 4 || u.From.Format(time.RFC3339) != "2031-04-30T16:00:00Z" {
			t.Fatalf("service quota %+v", u)
		}
	})
}

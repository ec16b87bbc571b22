package store_test

import (
	"context"
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// TestDeliveryStateMachine drives one publication at a time through random sequences
// of what the engine, the reconciler and people do, concurrently with stale workers,
// and checks after each step that the stored state only moved along the machine's
// edges, that a published publication never changes again, that attempts only grow and
// at most one is open, and that a stale generation or attempt number never moves it.
func TestDeliveryStateMachine(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org, inst, weibo, _ := setupInstitution(t, db)
		var allowed = func(from, to passerelle.DeliveryState) bool { return from == to || from.CanMove(to) }
		n := 0
		rapid.Check(t, func(rt *rapid.T) {
			n++
			p := &passerelle.Post{InstitutionID: inst.ID, Title: fmt.Sprintf("Post %d", n), Theme: "collection", SourceLang: "fr", TextZH: "德加",
				Status: passerelle.StatusApproved, Publications: []*passerelle.Publication{{AccountID: weibo.ID, Format: passerelle.FormatPhotoText}}}
			if err := db.CreatePost(ctx, org.ID, p, passerelle.Actor{Name: "Léa"}); err != nil {
				rt.Fatal(err)
			}
			id := p.Publications[0].ID
			load := func() *store.Delivery {
				d, err := db.Delivery(ctx, id)
				if err != nil {
					rt.Fatal(err)
				}
				return d
			}
			gen, attempt := 0, 0
			prev := load().Publication
			everPublished := false
			steps := rapid.IntRange(1, 12).Draw(rt, "steps")
			for range steps {
				cur := load().Publication
				op := rapid.SampledFrom([]string{"schedule", "claim", "claim_stale", "finish", "finish_stale", "needs_check", "reschedule", "resolve", "await_kit"}).Draw(rt, "op")
				switch op {
				case "schedule":
					err := db.InTx(ctx, func(tx *store.Tx) error {
						if cur.State != passerelle.DeliveryPending && cur.State != passerelle.DeliveryScheduled {
							return nil
						}
						gen = cur.Generation + 1
						return tx.SetSchedule(ctx, id, passerelle.DeliveryScheduled, gen, 0)
					})
					if err != nil {
						rt.Fatal(err)
					}
				case "claim", "claim_stale":
					g := gen
					if op == "claim_stale" {
						g = gen - 1
					}
					num, err := db.ClaimAttempt(ctx, id, g, "test")
					switch {
					case err == nil:
						if op == "claim_stale" || (cur.State != passerelle.DeliveryScheduled && cur.State != passerelle.DeliveryPending) {
							rt.Fatalf("claimed from %s with generation %d (current %d)", cur.State, g, cur.Generation)
						}
						attempt = num
					case passerelle.ErrorCode(err) != passerelle.ECONFLICT:
						rt.Fatal(err)
					}
				case "finish", "finish_stale":
					to := rapid.SampledFrom([]passerelle.DeliveryState{passerelle.DeliveryPublished, passerelle.DeliveryFailed, passerelle.DeliveryNeedsCheck,
						passerelle.DeliveryNeedsReauth, passerelle.DeliveryPublishing}).Draw(rt, "to")
					num := attempt
					if op == "finish_stale" {
						num = attempt - 1
					}
					r := store.AttemptResult{Outcome: string(to), State: to}
					if to == passerelle.DeliveryPublished {
						r.PlatformPostID = fmt.Sprintf("49%014d", id)
					}
					moved, err := db.FinishAttempt(ctx, id, num, r)
					if err != nil {
						rt.Fatal(err)
					}
					if moved && (num != cur.Attempts || num == 0) {
						rt.Fatalf("attempt %d moved a publication at attempt %d", num, cur.Attempts)
					}
				case "needs_check":
					if _, err := db.MoveDelivery(ctx, id, []passerelle.DeliveryState{passerelle.DeliveryPublishing}, passerelle.DeliveryNeedsCheck, "lost", ""); err != nil {
						rt.Fatal(err)
					}
				case "reschedule":
					_, err := db.Reschedule(ctx, id, []passerelle.DeliveryState{passerelle.DeliveryNeedsCheck, passerelle.DeliveryNeedsReauth, passerelle.DeliveryFailed}, "again",
						func(tx *store.Tx, g int) (int64, error) { gen = g; return 0, nil })
					if err != nil {
						rt.Fatal(err)
					}
				case "resolve":
					err := db.Resolve(ctx, id, []passerelle.DeliveryState{passerelle.DeliveryNeedsCheck, passerelle.DeliveryAwaitingManual},
						store.AttemptResult{Outcome: passerelle.OutcomePublished, State: passerelle.DeliveryPublished, URL: "https://m.weibo.cn/status/1"})
					if err != nil && passerelle.ErrorCode(err) != passerelle.ECONFLICT {
						rt.Fatal(err)
					}
					if err == nil {
						attempt = load().Publication.Attempts
					}
				case "await_kit":
					if _, err := db.MoveDelivery(ctx, id, []passerelle.DeliveryState{passerelle.DeliveryScheduled}, passerelle.DeliveryAwaitingManual, "", ""); err != nil {
						rt.Fatal(err)
					}
				}
				next := load().Publication
				if !allowed(prev.State, next.State) {
					rt.Fatalf("%s moved %s → %s", op, prev.State, next.State)
				}
				if everPublished && next.State != passerelle.DeliveryPublished {
					rt.Fatalf("a published publication became %s", next.State)
				}
				if next.Attempts < prev.Attempts {
					rt.Fatalf("attempts went from %d to %d", prev.Attempts, next.Attempts)
				}
				attempts, err := db.Attempts(ctx, id)
				if err != nil {
					rt.Fatal(err)
				}
				open := 0
				for _, a := range attempts {
					if a.Outcome == passerelle.OutcomeStarted {
						open++
					}
				}
				if open > 1 || len(attempts) != next.Attempts {
					rt.Fatalf("%d attempts recorded, %d counted, %d open", len(attempts), next.Attempts, open)
				}
				everPublished = everPublished || next.State == passerelle.DeliveryPublished
				prev = next
			}
		})
	})
}

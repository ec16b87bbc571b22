package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// A transaction on SQLite runs a query unprepared the first time, the write pool
// prepares it after the transaction (in the background), and later transactions reuse that statement with
// the right results: RETURNING rows, upserts, rollbacks.
func TestTransactionsReusePreparedStatements(t *testing.T) {
	t.Parallel()
	db := storetest.SQLite(t)
	ctx := context.Background()
	org := setupOrg(t, db)
	inst := &passerelle.Institution{OrgID: org.ID, Name: "Musée Guimet"}
	if err := db.CreateInstitution(ctx, inst); err != nil {
		t.Fatal(err)
	}
	acc := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.WeChat, DisplayName: "吉美博物馆"}
	if err := db.CreateAccount(ctx, org.ID, acc); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	inbound := func(tx *store.Tx, openID string, n int) error {
		return tx.RecordInbound(ctx, acc.ID, openID, "text", fmt.Sprintf("message %d", n), at.Add(time.Duration(n)*time.Second))
	}
	if err := db.InTx(ctx, func(tx *store.Tx) error { return inbound(tx, "oA", 0) }); err != nil {
		t.Fatal(err)
	}
	db.WaitPrepared()
	cached := db.WriteStmts()
	if cached < 2 {
		t.Fatalf("%d statements prepared after the first transaction, want RecordInbound's 2", cached)
	}
	for round := 1; round <= 3; round++ {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for i, openID := range []string{"oA", "oB", "oA", "oC"} {
				if err := inbound(tx, openID, 10*round+i); err != nil {
					return err
				}
			}
			if n := tx.BoundStmts(); n != 2 {
				return fmt.Errorf("%d statements bound to the transaction, want RecordInbound's 2", n)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := db.WriteStmts(); n != cached {
		t.Fatalf("%d statements prepared, was %d: the same queries were prepared again", n, cached)
	}
	// A rolled-back transaction's statements leave nothing behind.
	refused := errors.New("refused")
	if err := db.InTx(ctx, func(tx *store.Tx) error {
		if err := inbound(tx, "oD", 99); err != nil {
			return err
		}
		return refused
	}); !errors.Is(err, refused) {
		t.Fatalf("rolled back: %v", err)
	}
	convs, err := db.Conversations(ctx, store.ConversationFilter{AccountID: acc.ID})
	if err != nil {
		t.Fatal(err)
	}
	messages := map[string]int{}
	for _, c := range convs {
		full, err := db.Conversation(ctx, org.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		messages[c.OpenID] = len(full.Messages)
	}
	want := map[string]int{"oA": 1 + 3*2, "oB": 3, "oC": 3}
	if fmt.Sprint(messages) != fmt.Sprint(want) {
		t.Fatalf("messages per follower %v, want %v", messages, want)
	}
}

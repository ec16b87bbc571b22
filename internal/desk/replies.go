package desk

import (
	"context"
	"log/slog"
	"time"

	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// PassiveReply returns the text to answer a push with, "" for none: a subscribe
// through a placement's code gets the placement's welcome text; a text message, and a
// menu click (by its key), the first matching keyword reply or the default reply. The
// account's rules are read from a short cache; when they cannot be read before ctx
// ends the push gets no reply (it is stored all the same).
func (s *Service) PassiveReply(ctx context.Context, accountID int64, m *wechat.Message) string {
	var text string
	switch {
	case m.MsgType == wechat.MsgTypeText:
		text = m.Content
		// visit13: a stop number gets the stop's link (see stoplink.go).
		if reply, ok := s.stopLinkReply(ctx, accountID, text); ok {
			return reply
		}
	case m.MsgType == wechat.MsgTypeEvent && m.Event == wechat.EventClick:
		text = m.EventKey
	case m.MsgType == wechat.MsgTypeEvent && m.Event == wechat.EventSubscribe:
	default:
		return ""
	}
	ar := s.replies(ctx, accountID)
	if ar == nil {
		return ""
	}
	if m.Event == wechat.EventSubscribe {
		scene, ok := m.Scene()
		if !ok {
			return ""
		}
		return ar.welcome[scene]
	}
	return ar.rules.answer(text, s.now())
}

// replies returns the account's cached rules (an immutable snapshot), loading them
// once for all waiters; a stale snapshot answers while a fresh one loads. nil when ctx
// ends before any snapshot exists.
func (s *Service) replies(ctx context.Context, accountID int64) *replySnapshot {
	now := s.now()
	s.mu.Lock()
	if s.cache == nil {
		s.cache = map[int64]*accountReplies{}
	}
	e := s.cache[accountID]
	if e == nil {
		e = &accountReplies{}
		s.cache[accountID] = e
	}
	if e.snap != nil && now.Before(e.expires) {
		snap := e.snap
		s.mu.Unlock()
		return snap
	}
	if e.loading == nil {
		e.loading = make(chan struct{})
		go s.load(accountID, e)
	}
	snap, wait := e.snap, e.loading
	s.mu.Unlock()
	if snap != nil {
		return snap
	}
	select {
	case <-wait:
	case <-ctx.Done():
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return e.snap
}

func (s *Service) load(accountID int64, e *accountReplies) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rules, err := s.DB.ReplyRules(ctx, accountID)
	var placements []*store.Placement
	if err == nil {
		placements, err = s.DB.AccountPlacements(ctx, accountID)
	}
	var snap *replySnapshot
	if err != nil {
		s.logger().Warn("desk: reply rules not loaded", slog.Int64("account_id", accountID), slog.Any("error", err))
	} else {
		snap = &replySnapshot{rules: make(ruleSet, len(rules)), welcome: map[string]string{}}
		for i, r := range rules {
			snap.rules[i] = compile(r)
		}
		for _, p := range placements {
			if p.WelcomeText != "" {
				snap.welcome[p.Scene] = p.WelcomeText
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if snap != nil {
		e.snap, e.expires = snap, s.now().Add(cacheTTL)
	}
	close(e.loading)
	e.loading = nil
}

// forget drops an account's cached rules after a change in this process (other
// instances see it within cacheTTL).
func (s *Service) forget(accountID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.cache[accountID]; e != nil {
		e.expires = time.Time{}
		if e.loading == nil {
			e.snap = nil
		}
	}
}

// ApplyTx applies a stored push to the desk inside the drain's transaction:
// attribution per placement and Beijing day, and followers' messages into the inbox.
func (s *Service) ApplyTx(ctx context.Context, tx *store.Tx, e *store.WeChatEvent) error {
	day := e.SentAt.In(beijing).Format(time.DateOnly)
	switch {
	case e.MsgType == wechat.MsgTypeEvent && e.Event == wechat.EventSubscribe:
		if e.Scene != "" {
			if err := tx.RecordFollow(ctx, e.AccountID, e.FromUser, e.Scene, day, e.SentAt); err != nil {
				return err
			}
		} else if err := tx.RecordPlainFollow(ctx, e.AccountID, e.FromUser); err != nil {
			return err
		}
		return tx.RecordInteraction(ctx, e.AccountID, e.FromUser, e.SentAt)
	case e.MsgType == wechat.MsgTypeEvent && e.Event == wechat.EventScan:
		if e.Scene != "" {
			if err := tx.RecordScan(ctx, e.AccountID, e.Scene, day); err != nil {
				return err
			}
		}
		return tx.RecordInteraction(ctx, e.AccountID, e.FromUser, e.SentAt)
	case e.MsgType == wechat.MsgTypeEvent && e.Event == wechat.EventUnsubscribe:
		return tx.RecordUnfollow(ctx, e.AccountID, e.FromUser, day, e.SentAt)
	case e.MsgType == wechat.MsgTypeEvent && (e.Event == wechat.EventClick || e.Event == wechat.EventView):
		return tx.RecordInteraction(ctx, e.AccountID, e.FromUser, e.SentAt)
	case e.MsgType == wechat.MsgTypeText || e.MsgType == wechat.MsgTypeImage || e.MsgType == wechat.MsgTypeVoice:
		m, err := wechat.ParseMessage([]byte(e.Payload))
		if err != nil {
			return nil // stored as received; nothing to apply
		}
		content := m.Content
		switch e.MsgType {
		case wechat.MsgTypeImage:
			content = m.PicURL
		case wechat.MsgTypeVoice:
			content = m.Recognition
		}
		return tx.RecordInbound(ctx, e.AccountID, e.FromUser, e.MsgType, content, e.SentAt)
	}
	return nil
}

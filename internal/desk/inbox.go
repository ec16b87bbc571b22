package desk

import (
	"context"
	"encoding/json"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/platform"
	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
	"github.com/passerelle-oss/passerelle/internal/store"
)

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// ConversationView is a conversation with its window: the remaining seconds to reply
// (0 once closed).
type ConversationView struct {
	*store.Conversation
	WindowEndsAt     time.Time `json:"window_ends_at"`
	WindowRemainingS int64     `json:"window_remaining_seconds"`
}

func (s *Service) view(c *store.Conversation) *ConversationView {
	end := c.InteractedAt.Add(ReplyWindow)
	rem := int64(end.Sub(s.now()) / time.Second)
	return &ConversationView{Conversation: c, WindowEndsAt: end, WindowRemainingS: max(rem, 0)}
}

// Conversations lists an account's conversations, latest first (status filters).
func (s *Service) Conversations(ctx context.Context, u *passerelle.User, accountID int64, status string) ([]*ConversationView, error) {
	return s.ListConversations(ctx, u, accountID, ConversationQuery{Status: status})
}

// Conversation returns a conversation with its messages.
func (s *Service) Conversation(ctx context.Context, u *passerelle.User, id int64) (*ConversationView, *passerelle.Account, error) {
	c, err := s.DB.Conversation(ctx, u.OrgID, id)
	if err != nil {
		return nil, nil, err
	}
	a, err := s.Tenancy.Account(ctx, u, c.AccountID)
	if err != nil {
		return nil, nil, err
	}
	return s.view(c), a, nil
}

// Reply sends staff's text to the follower through the customer-service API, within
// the 48-hour window (ECONFLICT after it, whether our clock or WeChat's says so).
func (s *Service) Reply(ctx context.Context, u *passerelle.User, conversationID int64, text string) (*store.Message, error) {
	c, a, err := s.Conversation(ctx, u, conversationID)
	if err != nil {
		return nil, err
	}
	if err := u.Allow(a.InstitutionID, passerelle.PermWrite); err != nil {
		return nil, err
	}
	if err := CheckReplyText("text", text); err != nil {
		return nil, err
	}
	if c.WindowRemainingS <= 0 {
		return nil, passerelle.Errorf(passerelle.ECONFLICT, "WeChat's 48-hour window to answer this follower has closed; they must write again first.")
	}
	client, err := s.Clients.WeChat(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	if err := client.SendText(ctx, c.OpenID, text); err != nil {
		if platform.CodeOf(err) == wechat.CodeReplyWindow {
			return nil, passerelle.Errorf(passerelle.ECONFLICT, "WeChat says the 48-hour window to answer this follower has closed (or they unfollowed).")
		}
		if platform.KindOf(err) == platform.Ambiguous {
			return nil, passerelle.Errorf(passerelle.EUNAVAILABLE, "WeChat did not confirm the message; check with the follower before sending it again.")
		}
		return nil, platformErr(ctx, s.logger(), "message/custom/send", err)
	}
	return s.DB.RecordReply(ctx, c.ID, u.ID, text)
}

// ConversationChange sets a conversation's status and assignee.
type ConversationChange struct {
	Status     *string `json:"status"`
	AssigneeID *int64  `json:"assignee_id"`
}

// UpdateConversation changes status or assignee; the assignee must be a member of the
// organization who sees the institution.
func (s *Service) UpdateConversation(ctx context.Context, u *passerelle.User, id int64, ch ConversationChange) (*ConversationView, error) {
	c, a, err := s.Conversation(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if err := u.Allow(a.InstitutionID, passerelle.PermWrite); err != nil {
		return nil, err
	}
	status, assignee := c.Status, c.AssigneeID
	if ch.Status != nil {
		switch *ch.Status {
		case store.ConversationOpen, store.ConversationAnswered, store.ConversationClosed:
			status = *ch.Status
		default:
			return nil, fieldErr("status", "Use open, answered or closed.")
		}
	}
	if ch.AssigneeID != nil {
		if *ch.AssigneeID == 0 {
			assignee = nil
		} else {
			m, err := s.DB.User(ctx, u.OrgID, *ch.AssigneeID)
			if err != nil || !m.Can(a.InstitutionID, passerelle.PermView) || m.DisabledAt != nil {
				return nil, fieldErr("assignee_id", "Choose a member of the team who sees this institution.")
			}
			assignee = ch.AssigneeID
		}
	}
	if err := s.DB.UpdateConversation(ctx, c.ID, status, assignee); err != nil {
		return nil, err
	}
	v, _, err := s.Conversation(ctx, u, id)
	return v, err
}

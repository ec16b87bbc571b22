package desk

import (
	"context"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/checks"
	"github.com/passerelle-oss/passerelle/internal/csvout"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// The inbox's working tools: the filter by assignee, canned answers, the glossary's
// renderings suggested in replies, followers worth knowing (ambassadors) with staff's
// tags and their CSV export, and deleting the custom menu.

// GlossaryFunc returns the checker of an institution (its glossary merged over the
// organization's), as editorial.Service.Checker does.
type GlossaryFunc func(ctx context.Context, orgID, institutionID int64) (*checks.Checker, error)

// ConversationQuery filters an account's inbox: Status ("", open, answered, closed)
// and Assignee ("" for all, "me", "none", or a member's id).
type ConversationQuery struct {
	Status   string
	Assignee string
}

// ListConversations lists an account's conversations, latest first, filtered.
func (s *Service) ListConversations(ctx context.Context, u *passerelle.User, accountID int64, q ConversationQuery) ([]*ConversationView, error) {
	a, err := s.wechatAccount(ctx, u, accountID, passerelle.PermView)
	if err != nil {
		return nil, err
	}
	f := store.ConversationFilter{AccountID: a.ID, Status: q.Status, Limit: 500}
	switch q.Status {
	case "", store.ConversationOpen, store.ConversationAnswered, store.ConversationClosed:
	default:
		return nil, fieldErr("status", "Use open, answered or closed.")
	}
	switch q.Assignee {
	case "":
	case "me":
		f.AssigneeID = u.ID
	case "none":
		f.Unassigned = true
	default:
		id, err := strconv.ParseInt(q.Assignee, 10, 64)
		if err != nil || id <= 0 {
			return nil, fieldErr("assignee", "Use me, none or a member's id.")
		}
		f.AssigneeID = id
	}
	cs, err := s.DB.Conversations(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]*ConversationView, len(cs))
	for i, c := range cs {
		out[i] = s.view(c)
	}
	return out, nil
}

// Assignees lists the members a conversation of the account can be assigned to: the
// organization's active members who see the account's institution.
func (s *Service) Assignees(ctx context.Context, u *passerelle.User, accountID int64) ([]*passerelle.User, error) {
	a, err := s.wechatAccount(ctx, u, accountID, passerelle.PermView)
	if err != nil {
		return nil, err
	}
	all, err := s.DB.Users(ctx, u.OrgID)
	if err != nil {
		return nil, err
	}
	var out []*passerelle.User
	for _, m := range all {
		if m.DisabledAt == nil && m.Can(a.InstitutionID, passerelle.PermView) {
			out = append(out, m)
		}
	}
	return out, nil
}

// Canned answers: an account's named answers in Chinese, kept by those who reply.

// CannedAnswerInput is a new canned answer.
type CannedAnswerInput struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

// maxAnswerName bounds an answer's name, in characters.
const maxAnswerName = 60

// CannedAnswers lists an account's answers by name.
func (s *Service) CannedAnswers(ctx context.Context, u *passerelle.User, accountID int64) ([]*store.CannedAnswer, error) {
	a, err := s.wechatAccount(ctx, u, accountID, passerelle.PermView)
	if err != nil {
		return nil, err
	}
	return s.DB.CannedAnswers(ctx, a.ID)
}

// CreateCannedAnswer adds an answer; its text obeys the limits of a reply.
func (s *Service) CreateCannedAnswer(ctx context.Context, u *passerelle.User, accountID int64, in CannedAnswerInput) (*store.CannedAnswer, error) {
	a, err := s.wechatAccount(ctx, u, accountID, passerelle.PermWrite)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSpace(in.Name)
	switch {
	case name == "":
		return nil, fieldErr("name", "Give the answer a name.")
	case utf8.RuneCountInString(name) > maxAnswerName || !validText(name) || strings.ContainsAny(name, "\r\n"):
		return nil, fieldErr("name", "A name is one line of at most 60 characters.")
	}
	if err := CheckReplyText("text", in.Text); err != nil {
		return nil, err
	}
	c := &store.CannedAnswer{AccountID: a.ID, Name: name, Text: in.Text}
	if err := s.DB.CreateCannedAnswer(ctx, c); err != nil {
		if passerelle.ErrorCode(err) == passerelle.ECONFLICT {
			return nil, fieldErr("name", "This account already has an answer of that name.")
		}
		return nil, err
	}
	return c, nil
}

// DeleteCannedAnswer deletes an account's answer.
func (s *Service) DeleteCannedAnswer(ctx context.Context, u *passerelle.User, accountID, id int64) error {
	a, err := s.wechatAccount(ctx, u, accountID, passerelle.PermWrite)
	if err != nil {
		return err
	}
	return s.DB.DeleteCannedAnswer(ctx, a.ID, id)
}

// Suggestion is a glossary name met in the follower's messages or staff's draft, with
// the Chinese rendering to use: Found is what the text says (a French or English name,
// or a non-preferred Chinese rendering when Variant), ZH the glossary's rendering.
type Suggestion struct {
	Found   string `json:"found"`
	Source  string `json:"source"`
	ZH      string `json:"zh"`
	Variant bool   `json:"variant"`
	Note    string `json:"note,omitempty"`
	// In is where it was found: "messages" (the follower's) or "draft".
	In string `json:"in"`
}

// suggestionMessages is how many of the follower's latest messages are read.
const suggestionMessages = 10

// Suggestions lists the glossary's renderings for the names in the follower's latest
// messages and in draft, each rendering once (the draft's first).
func (s *Service) Suggestions(ctx context.Context, u *passerelle.User, conversationID int64, draft string) ([]Suggestion, error) {
	c, a, err := s.Conversation(ctx, u, conversationID)
	if err != nil {
		return nil, err
	}
	if len(draft) > 4*1024 {
		return nil, fieldErr("text", "The draft is too long to look for glossary names in it.")
	}
	out := []Suggestion{}
	if s.Glossary == nil {
		return out, nil
	}
	checker, err := s.Glossary(ctx, u.OrgID, a.InstitutionID)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	add := func(text, in string) {
		for _, t := range checker.SourceTerms(text) {
			if !seen[t.ZH] && !strings.Contains(draft, t.ZH) {
				seen[t.ZH] = true
				out = append(out, Suggestion{Found: t.Source, Source: t.Source, ZH: t.ZH, Note: t.Note, In: in})
			}
		}
		for _, t := range checker.VariantTerms(text) {
			if !seen[t.ZH] && !strings.Contains(draft, t.ZH) {
				seen[t.ZH] = true
				out = append(out, Suggestion{Found: t.Found, Source: t.Source, ZH: t.ZH, Note: t.Note, Variant: true, In: in})
			}
		}
	}
	add(draft, "draft")
	n := 0
	for _, m := range slices.Backward(c.Messages) {
		if m.Direction != "in" || m.MsgType != "text" {
			continue
		}
		if n++; n > suggestionMessages {
			break
		}
		add(m.Content, "messages")
	}
	return out, nil
}

// Followers worth knowing (ambassadors).

// maxTags bounds the tags of one follower; maxTagRunes one tag.
const (
	maxTags     = 10
	maxTagRunes = 32
)

// NormalizeTags cleans staff's tags: trimmed, lower-cased, without duplicates, in
// order; a tag is 1–32 characters of one line without commas.
func NormalizeTags(tags []string) ([]string, error) {
	var out []string
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" {
			continue
		}
		if utf8.RuneCountInString(t) > maxTagRunes || !validText(t) || strings.ContainsAny(t, ",，\r\n\t") || strings.IndexFunc(t, unicode.IsControl) >= 0 {
			return nil, fieldErr("tags", "A tag is one word or short phrase of at most 32 characters, without commas.")
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	if len(out) > maxTags {
		return nil, fieldErr("tags", "A follower has at most 10 tags.")
	}
	slices.Sort(out)
	return out, nil
}

// FollowerTags returns the tags of a conversation's follower.
func (s *Service) FollowerTags(ctx context.Context, u *passerelle.User, conversationID int64) ([]string, error) {
	c, _, err := s.Conversation(ctx, u, conversationID)
	if err != nil {
		return nil, err
	}
	tags, err := s.DB.FollowerTags(ctx, c.ID)
	if tags == nil {
		tags = []string{}
	}
	return tags, err
}

// SetFollowerTags replaces the tags of a conversation's follower.
func (s *Service) SetFollowerTags(ctx context.Context, u *passerelle.User, conversationID int64, tags []string) ([]string, error) {
	c, a, err := s.Conversation(ctx, u, conversationID)
	if err != nil {
		return nil, err
	}
	if err := u.Allow(a.InstitutionID, passerelle.PermWrite); err != nil {
		return nil, err
	}
	clean, err := NormalizeTags(tags)
	if err != nil {
		return nil, err
	}
	if err := s.DB.SetFollowerTags(ctx, c.ID, clean); err != nil {
		return nil, err
	}
	if clean == nil {
		clean = []string{}
	}
	return clean, nil
}

// maxFollowers bounds the list of followers.
const maxFollowers = 200

// Followers lists the followers who wrote to an account, those who wrote most first,
// with the placement they came through and their tags; tag filters.
func (s *Service) Followers(ctx context.Context, u *passerelle.User, accountID int64, tag string) ([]*store.Follower, error) {
	a, err := s.wechatAccount(ctx, u, accountID, passerelle.PermView)
	if err != nil {
		return nil, err
	}
	tag = strings.ToLower(strings.TrimSpace(tag))
	if utf8.RuneCountInString(tag) > maxTagRunes {
		return nil, fieldErr("tag", "A tag is one word or short phrase of at most 32 characters, without commas.")
	}
	fs, err := s.DB.Followers(ctx, store.FollowerFilter{AccountID: a.ID, Tag: tag, Limit: maxFollowers})
	if fs == nil {
		fs = []*store.Follower{}
	}
	return fs, err
}

// AccountTags lists the tags in use on an account's followers.
func (s *Service) AccountTags(ctx context.Context, u *passerelle.User, accountID int64) ([]string, error) {
	a, err := s.wechatAccount(ctx, u, accountID, passerelle.PermView)
	if err != nil {
		return nil, err
	}
	return s.DB.AccountTags(ctx, a.ID)
}

// FollowersCSV writes the account's followers (tag filters) as CSV for the account's
// own use, with their openids: managers of the institution only. The file starts with
// a UTF-8 byte order mark, as every CSV Passerelle hands out for spreadsheets.
func (s *Service) FollowersCSV(ctx context.Context, u *passerelle.User, accountID int64, tag string, w io.Writer, o csvout.Options) error {
	a, err := s.wechatAccount(ctx, u, accountID, passerelle.PermManage)
	if err != nil {
		return err
	}
	tag = strings.ToLower(strings.TrimSpace(tag))
	fs, err := s.DB.Followers(ctx, store.FollowerFilter{AccountID: a.ID, Tag: tag})
	if err != nil {
		return err
	}
	o.BOM = true
	cw := csvout.NewWriter(w, o)
	if err := cw.Header([]string{"openid", "messages", "first_message_at", "last_message_at", "placement_key", "placement_name", "tags"}); err != nil {
		return err
	}
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(beijing).Format("2006-01-02 15:04")
	}
	for _, f := range fs {
		var key, name string
		if f.PlacementKey != nil {
			key, name = *f.PlacementKey, *f.PlacementName
		}
		if err := cw.Write([]string{f.OpenID, strconv.FormatInt(f.Messages, 10), stamp(f.FirstMessageAt), stamp(f.LastMessageAt), key, name, strings.Join(f.Tags, ", ")}); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// DeleteMenu removes the account's custom menu on WeChat (menu/delete) and then the
// stored copy; when WeChat refuses, nothing changes.
func (s *Service) DeleteMenu(ctx context.Context, u *passerelle.User, accountID int64) error {
	a, err := s.wechatAccount(ctx, u, accountID, passerelle.PermManage)
	if err != nil {
		return err
	}
	client, err := s.Clients.WeChat(ctx, a.ID)
	if err != nil {
		return err
	}
	if err := client.DeleteMenu(ctx); err != nil {
		return platformErr(ctx, s.logger(), "menu/delete", err)
	}
	return s.DB.DeleteMenu(ctx, a.ID)
}

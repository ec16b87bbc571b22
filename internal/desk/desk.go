// Package desk is the WeChat Official Account as the museum's service desk:
// placements and their follow QR codes, attribution of follows per placement and
// Beijing day, welcome messages and keyword replies answered as passive replies from
// the push endpoint, the custom menu, and the inbox of followers' messages answered
// within WeChat's 48-hour customer-service window. Its operations are called alike by
// the API, the web pages and the push endpoint; the drain applies pushes through
// ApplyTx.
package desk

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/clients"
	"github.com/passerelle-oss/passerelle/internal/platform"
	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// ReplyWindow is WeChat's customer-service window after a follower's last message or
// interaction.
const ReplyWindow = 48 * time.Hour

// Service holds the desk's operations.
type Service struct {
	DB      *store.DB
	Tenancy *tenancy.Service
	Clients *clients.Factory
	Logger  *slog.Logger
	Now     func() time.Time
	// StopLinks, when set, answers a text that is only a stop number with the link
	// of that stop of the institution's published audioguide (stoplink.go).
	StopLinks StopLinker
	// Glossary, when set, gives the glossary whose renderings the inbox suggests in
	// replies (desk13.go).
	Glossary GlossaryFunc

	mu    sync.Mutex
	cache map[int64]*accountReplies
}

// cacheTTL bounds how long a rule change takes to reach the push endpoint.
const cacheTTL = 5 * time.Second

// accountReplies is an account's cache entry: the current snapshot, until when it is
// fresh, and the load under way (closed when it ends).
type accountReplies struct {
	snap    *replySnapshot
	expires time.Time
	loading chan struct{}
}

// replySnapshot is what a load read; never changed once made.
type replySnapshot struct {
	rules   ruleSet
	welcome map[string]string // scene → welcome text
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *Service) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// wechatAccount returns a WeChat account the user may see, with perm checked.
func (s *Service) wechatAccount(ctx context.Context, u *passerelle.User, id int64, perm passerelle.Permission) (*passerelle.Account, error) {
	a, err := s.Tenancy.Account(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if a.ArchivedAt != nil {
		return nil, passerelle.ErrNotFound
	}
	if err := u.Allow(a.InstitutionID, perm); err != nil {
		return nil, err
	}
	if a.Platform != passerelle.WeChat {
		return nil, passerelle.Errorf(passerelle.EINVALID, "This is not a WeChat Official Account.")
	}
	return a, nil
}

// PlacementInput is a new placement.
type PlacementInput struct {
	AccountID   int64  `json:"account_id"`
	Name        string `json:"name"`
	Key         string `json:"key"`
	WelcomeText string `json:"welcome_text"`
}

var keyPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// Scene is the QR code scene of a placement key: the key itself, stable as long as
// the placement lives (1–64 characters, within WeChat's scene_str limit).
func Scene(key string) string { return key }

// CreatePlacement adds a placement to an institution and creates its permanent
// parametric QR code through the account's connector. An unverified account (WeChat
// refuses parametric codes: 48001) gets the account's plain code from its profile
// address instead, marked not attributed.
func (s *Service) CreatePlacement(ctx context.Context, u *passerelle.User, institutionID int64, in PlacementInput) (*store.Placement, error) {
	inst, err := s.Tenancy.Institution(ctx, u, institutionID)
	if err != nil {
		return nil, err
	}
	if inst.ArchivedAt != nil {
		return nil, passerelle.ErrNotFound
	}
	if err := u.Allow(institutionID, passerelle.PermManage); err != nil {
		return nil, err
	}
	f := passerelle.FieldErrors{}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 100 || !validText(in.Name) {
		f.Add("name", "Give a name of 1 to 100 characters.")
	}
	if !keyPattern.MatchString(in.Key) {
		f.Add("key", "Use 1 to 64 letters, digits, '-', '_' or '.'.")
	}
	if in.WelcomeText != "" {
		if err := CheckReplyText("welcome_text", in.WelcomeText); err != nil {
			for k, v := range passerelle.ErrorFields(err) {
				f.Add(k, v)
			}
		}
	}
	var acct *passerelle.Account
	if in.AccountID <= 0 {
		f.Add("account_id", "Choose the institution's WeChat account.")
	} else if acct, err = s.Tenancy.Account(ctx, u, in.AccountID); err != nil || acct.InstitutionID != institutionID || acct.Platform != passerelle.WeChat || acct.ArchivedAt != nil {
		f.Add("account_id", "Choose a WeChat account of this institution.")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if used, err := s.DB.PlacementKeyUsed(ctx, acct.ID, in.Key); err != nil {
		return nil, err
	} else if used {
		return nil, fieldErr("key", "Another placement of this account has this key.")
	}
	p := &store.Placement{InstitutionID: institutionID, AccountID: acct.ID, Key: in.Key, Name: in.Name, Scene: Scene(in.Key), WelcomeText: in.WelcomeText, Attributed: true}
	client, err := s.Clients.WeChat(ctx, acct.ID)
	if err != nil {
		if passerelle.ErrorCode(err) == passerelle.EINVALID {
			return nil, fieldErr("account_id", passerelle.ErrorMessage(err))
		}
		return nil, err
	}
	_, qrURL, err := client.CreateQRCode(ctx, p.Scene, true, 0)
	switch {
	case err == nil:
		p.QRURL = qrURL
	case platform.CodeOf(err) == wechat.CodeUnauthorized:
		if acct.ProfileURL == "" {
			return nil, fieldErr("account_id", "This account is not verified: WeChat makes no parametric codes for it. Enter the account's own QR code link as its profile address to print it (follows are then not attributed).")
		}
		p.QRURL, p.Attributed = acct.ProfileURL, false
	default:
		s.logger().WarnContext(ctx, "desk: QR code not created", slog.Int64("account_id", acct.ID), slog.Any("error", err))
		return nil, passerelle.Errorf(passerelle.EUNAVAILABLE, "WeChat did not create the QR code; try again in a moment.")
	}
	if err := s.DB.CreatePlacement(ctx, p); err != nil {
		if passerelle.ErrorCode(err) == passerelle.ECONFLICT {
			return nil, fieldErr("key", "Another placement of this account has this key.")
		}
		return nil, err
	}
	s.forget(acct.ID)
	return p, nil
}

// Placement returns a placement the user may see.
func (s *Service) Placement(ctx context.Context, u *passerelle.User, id int64) (*store.Placement, error) {
	p, err := s.DB.Placement(ctx, u.OrgID, id)
	if err != nil {
		return nil, err
	}
	if !u.Can(p.InstitutionID, passerelle.PermView) {
		return nil, passerelle.ErrNotFound
	}
	return p, nil
}

// Placements lists an institution's placements.
func (s *Service) Placements(ctx context.Context, u *passerelle.User, institutionID int64) ([]*store.Placement, error) {
	if _, err := s.Tenancy.Institution(ctx, u, institutionID); err != nil {
		return nil, err
	}
	return s.DB.Placements(ctx, institutionID)
}

// DeletePlacement deletes a placement; later pushes of its code are stored and
// counted under no placement.
func (s *Service) DeletePlacement(ctx context.Context, u *passerelle.User, id int64) error {
	p, err := s.Placement(ctx, u, id)
	if err != nil {
		return err
	}
	if err := u.Allow(p.InstitutionID, passerelle.PermManage); err != nil {
		return err
	}
	if err := s.DB.DeletePlacement(ctx, id); err != nil {
		return err
	}
	s.forget(p.AccountID)
	return nil
}

// ParseDay reads a YYYY-MM-DD day.
func ParseDay(field, s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fieldErr(field, "Use a date YYYY-MM-DD.")
	}
	return t, nil
}

// Stats sums an institution's placement counts over Beijing days from..to.
func (s *Service) Stats(ctx context.Context, u *passerelle.User, institutionID int64, from, to string) ([]*store.PlacementStat, error) {
	if _, err := s.Tenancy.Institution(ctx, u, institutionID); err != nil {
		return nil, err
	}
	f, err := ParseDay("from", from)
	if err != nil {
		return nil, err
	}
	t, err := ParseDay("to", to)
	if err != nil {
		return nil, err
	}
	if t.Before(f) {
		return nil, fieldErr("to", "The end comes before the start.")
	}
	if t.Sub(f) > 366*24*time.Hour {
		return nil, fieldErr("to", "At most a year at a time.")
	}
	return s.DB.PlacementStats(ctx, institutionID, from, to)
}

// FollowsByDay lists an institution's new follows per day and placement.
func (s *Service) FollowsByDay(ctx context.Context, u *passerelle.User, institutionID int64, from, to string) ([]store.DailyFollows, error) {
	if _, err := s.Tenancy.Institution(ctx, u, institutionID); err != nil {
		return nil, err
	}
	return s.DB.PlacementFollowsByDay(ctx, institutionID, from, to)
}

// CreateRule adds a keyword reply (or default reply) to an account.
func (s *Service) CreateRule(ctx context.Context, u *passerelle.User, accountID int64, in RuleInput) (*store.ReplyRule, error) {
	a, err := s.wechatAccount(ctx, u, accountID, passerelle.PermManage)
	if err != nil {
		return nil, err
	}
	r, err := in.rule(a.ID)
	if err != nil {
		return nil, err
	}
	if err := s.DB.CreateReplyRule(ctx, r); err != nil {
		return nil, err
	}
	s.forget(a.ID)
	return r, nil
}

// Rules lists an account's rules in the order they are tried.
func (s *Service) Rules(ctx context.Context, u *passerelle.User, accountID int64) ([]*store.ReplyRule, error) {
	a, err := s.wechatAccount(ctx, u, accountID, passerelle.PermView)
	if err != nil {
		return nil, err
	}
	return s.DB.ReplyRules(ctx, a.ID)
}

// DeleteRule deletes a rule of an account.
func (s *Service) DeleteRule(ctx context.Context, u *passerelle.User, accountID, ruleID int64) error {
	a, err := s.wechatAccount(ctx, u, accountID, passerelle.PermManage)
	if err != nil {
		return err
	}
	if err := s.DB.DeleteReplyRule(ctx, a.ID, ruleID); err != nil {
		return err
	}
	s.forget(a.ID)
	return nil
}

// PutMenu validates WeChat's menu JSON, pushes it with menu/create and stores it. A
// menu WeChat refuses changes nothing.
func (s *Service) PutMenu(ctx context.Context, u *passerelle.User, accountID int64, raw []byte) (*store.Menu, error) {
	a, err := s.wechatAccount(ctx, u, accountID, passerelle.PermManage)
	if err != nil {
		return nil, err
	}
	m, err := ParseMenu(raw)
	if err != nil {
		return nil, err
	}
	body, err := jsonMarshal(m)
	if err != nil {
		return nil, err
	}
	client, err := s.Clients.WeChat(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	if err := client.CreateMenu(ctx, body); err != nil {
		return nil, platformErr(ctx, s.logger(), "menu/create", err)
	}
	if err := s.DB.SaveMenu(ctx, a.ID, body); err != nil {
		return nil, err
	}
	return s.DB.AccountMenu(ctx, a.ID)
}

// GetMenu returns the menu last pushed.
func (s *Service) GetMenu(ctx context.Context, u *passerelle.User, accountID int64) (*store.Menu, error) {
	a, err := s.wechatAccount(ctx, u, accountID, passerelle.PermView)
	if err != nil {
		return nil, err
	}
	m, err := s.DB.AccountMenu(ctx, a.ID)
	if passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
		return nil, passerelle.Errorf(passerelle.ENOTFOUND, "No menu was pushed for this account yet.")
	}
	return m, err
}

// platformErr turns a platform failure into what the user can act on.
func platformErr(ctx context.Context, log *slog.Logger, op string, err error) error {
	var pe *platform.Error
	if !errors.As(err, &pe) {
		return err
	}
	log.WarnContext(ctx, "desk: platform call failed", slog.String("op", op), slog.Int("code", pe.Code), slog.String("kind", string(pe.Kind)))
	switch pe.Kind {
	case platform.Permanent:
		return passerelle.Errorf(passerelle.EINVALID, "WeChat refused it (code %d): %s", pe.Code, pe.Message)
	case platform.RateLimited:
		return passerelle.Errorf(passerelle.ERATELIMITED, "WeChat's quota is reached; try again later.")
	case platform.AuthExpired:
		return passerelle.Errorf(passerelle.EINVALID, "WeChat refused the account's credentials: test the connection on the account's page.")
	}
	return passerelle.Errorf(passerelle.EUNAVAILABLE, "WeChat did not answer; try again in a moment.")
}

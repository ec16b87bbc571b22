package editorial

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/checks"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Check runs the pre-publication checks on a post, with messages in lang.
func (s *Service) Check(ctx context.Context, u *passerelle.User, id int64, lang string) ([]checks.Finding, error) {
	p, err := s.readable(ctx, u, id)
	if err != nil {
		return nil, err
	}
	return s.check(ctx, p, lang)
}

func (s *Service) check(ctx context.Context, p *passerelle.Post, lang string) ([]checks.Finding, error) {
	c, err := s.Checker(ctx, p.OrgID, p.InstitutionID)
	if err != nil {
		return nil, err
	}
	in, err := s.checkInput(ctx, p, lang)
	if err != nil {
		return nil, err
	}
	out := c.Check(in)
	if out == nil {
		out = []checks.Finding{}
	}
	return out, nil
}

// CheckDraft runs the checks on a post as it would be with the changes of in, without
// saving anything: the editor calls it while one types. It also returns each Weibo
// publication's length by the rule the checks apply, by account.
func (s *Service) CheckDraft(ctx context.Context, u *passerelle.User, id int64, in *PostInput, lang string) ([]checks.Finding, map[int64]int, *passerelle.Post, error) {
	p, err := s.post(ctx, u, id)
	if err != nil {
		return nil, nil, nil, err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, nil, nil, err
	}
	draft := &passerelle.Post{}
	if err := json.Unmarshal(b, draft); err != nil {
		return nil, nil, nil, err
	}
	draft.OrgID, draft.InstitutionID = p.OrgID, p.InstitutionID
	return s.checkDraft(ctx, u, draft, in, lang)
}

// CheckNewDraft is CheckDraft for a post not saved yet, in the institution: for the
// composer of a new post. The user must be allowed to write posts there.
func (s *Service) CheckNewDraft(ctx context.Context, u *passerelle.User, institutionID int64, in *PostInput, lang string) ([]checks.Finding, map[int64]int, *passerelle.Post, error) {
	if err := s.institution(ctx, u, institutionID, passerelle.PermWrite); err != nil {
		return nil, nil, nil, err
	}
	draft := &passerelle.Post{OrgID: u.OrgID, InstitutionID: institutionID, Status: passerelle.StatusDraft}
	return s.checkDraft(ctx, u, draft, in, lang)
}

// checkDraft applies the form to draft and checks it as saving would.
func (s *Service) checkDraft(ctx context.Context, u *passerelle.User, draft *passerelle.Post, in *PostInput, lang string) ([]checks.Finding, map[int64]int, *passerelle.Post, error) {
	in.apply(draft, u.Locale)
	// A publication ticked in the form but not yet saved takes its account's platform,
	// and the mode Passerelle would choose, as saving would give them.
	accounts, err := s.db.Accounts(ctx, store.AccountFilter{OrgID: draft.OrgID, InstitutionID: draft.InstitutionID})
	if err != nil {
		return nil, nil, nil, err
	}
	for _, b := range draft.Publications {
		if i := slices.IndexFunc(accounts, func(a *passerelle.Account) bool { return a.ID == b.AccountID }); i >= 0 && b.Platform == "" {
			b.Platform = accounts[i].Platform
		}
	}
	draft.Normalize()
	s.chooseModes(ctx, draft)
	fs, err := s.check(ctx, draft, lang)
	if err != nil {
		return nil, nil, nil, err
	}
	lengths := map[int64]int{}
	for _, pub := range draft.Publications {
		if pub.Platform == passerelle.Weibo {
			lengths[pub.AccountID] = checks.WeiboLength(WeiboStatus(pub, draft))
		}
	}
	return fs, lengths, draft, nil
}

// checkInput turns a post into what the checks read: each Weibo status exactly as it
// will be posted (its topics appended when the text does not carry them).
func (s *Service) checkInput(ctx context.Context, p *passerelle.Post, lang string) (checks.Input, error) {
	in := checks.Input{Lang: lang, SourceLang: p.SourceLang, SourceText: p.SourceText, TextZH: p.TextZH}
	quiet, err := s.db.QuietHours(ctx, p.OrgID, []int64{p.InstitutionID})
	if err != nil {
		return in, err
	}
	if q, ok := quiet[p.InstitutionID]; ok && !q.Off() {
		in.Quiet = &q
	}
	inst, err := s.db.Institution(ctx, p.OrgID, p.InstitutionID)
	if err != nil {
		return in, err
	}
	in.Zone, in.Now = inst.TimeZone, s.now()
	accounts, err := s.db.Accounts(ctx, store.AccountFilter{OrgID: p.OrgID, InstitutionID: p.InstitutionID})
	if err != nil {
		return in, err
	}
	handles := map[int64]string{}
	for _, a := range accounts {
		handles[a.ID] = a.Handle
	}
	var ids []int64
	for _, b := range p.Publications {
		ids = append(ids, b.ImageIDs(p)...)
	}
	assets := map[int64]*store.MediaAsset{}
	if len(ids) > 0 {
		slices.Sort(ids)
		list, err := s.db.MediaAssets(ctx, store.MediaFilter{OrgID: p.OrgID, InstitutionID: p.InstitutionID, IDs: slices.Compact(ids)})
		if err != nil {
			return in, err
		}
		for _, a := range list {
			assets[a.ID] = a
		}
	}
	for _, b := range p.Publications {
		pi := checks.PublicationInput{ID: b.ID, Platform: b.Platform, Mode: b.Mode, Topics: b.Topics, ScheduledAt: b.ScheduledAt,
			Label: handles[b.AccountID]}
		for _, id := range b.MediaIDs {
			if a := assets[id]; a != nil && strings.HasPrefix(a.MIME, "video/") {
				pi.Videos++
			} else {
				pi.Images++
			}
		}
		for _, id := range b.ImageIDs(p) {
			if a := assets[id]; a != nil && a.RightsUntil != "" {
				pi.Rights = append(pi.Rights, checks.ImageRights{Name: cmp.Or(a.Filename, "#"+strconv.FormatInt(a.ID, 10)), Until: a.RightsUntil,
					Cover: b.WeChat != nil && b.WeChat.CoverMediaID == id})
			}
		}
		switch b.Platform {
		case passerelle.Weibo:
			pi.Text = WeiboStatus(b, p)
			if b.Mode == passerelle.ModeAPI {
				// The app's safe domain is a setting of the account's connection.
				if creds, err := s.db.Credentials(ctx, b.AccountID); err == nil {
					pi.SafeDomain = creds["safe_domain"]
				}
			}
		case passerelle.WeChat:
			if a := b.WeChat; a != nil {
				pi.WeChat = &checks.WeChatFields{Title: a.Title, Author: a.Author, Digest: a.Digest, BodyHTML: a.BodyHTML, CoverSet: a.CoverMediaID > 0, SourceURL: a.SourceURL}
			}
		}
		in.Publications = append(in.Publications, pi)
	}
	return in, nil
}

// WeiboStatus is the text a Weibo publication posts: its text (or the post's), then
// the topics it does not already carry, as #话题#.
func WeiboStatus(b *passerelle.Publication, p *passerelle.Post) string {
	text := b.Text(p)
	var extra []string
	for _, t := range b.Topics {
		if tag := "#" + t + "#"; !strings.Contains(text, tag) {
			extra = append(extra, tag)
		}
	}
	if len(extra) == 0 {
		return text
	}
	if text == "" {
		return strings.Join(extra, "")
	}
	return text + " " + strings.Join(extra, "")
}

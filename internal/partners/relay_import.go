package partners

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/platform/weibo"
)

// Relay figures import: a CSV or XLSX file of the partners' figures for one campaign
// (what a partner sent from the Weibo data centre or the WeChat back office, or the
// agency's spreadsheet) becomes readings of the relays (source "import"). Columns, a
// header row in any order, in English or as the platforms' exports name them:
//
//	url       the relay's post (url, post_url, link, 链接, 博文链接, 微博链接, 文章链接, 原文链接)
//	partner   the partner's name, Chinese name or handle (partner, name, handle,
//	          account, 合作方, 合作伙伴, 名称, 账号, 昵称, 博主, 公众号); url or partner
//	id        the Weibo post's id (post_id, 博文ID, 微博ID, mid), instead of the url
//	views     阅读数, 阅读量, 阅读次数, 播放量 ("10万+" is a lower bound)
//	reposts   转发数, 转发, 分享数
//	likes     点赞数, 点赞, 赞
//	comments  评论数, 评论, 留言数
//	date      optional: when the figures were read (日期, 统计日期); the import's instant otherwise
//
// Figures are written as the Weibo and WeChat exports write them (12,345, 1.2万, 3亿,
// 10万+). Every row is checked before anything is written; one bad row and nothing
// is. A row whose figures were imported for the same relay and post already changes
// nothing, so importing a file again changes nothing.

// MaxRelayImportBytes bounds a relay figures file (a campaign has at most
// MaxRelaysPerCampaign relays).
const MaxRelayImportBytes = 2 << 20

// colPartner is the column naming the partner.
const colPartner = "partner"

var partnerHeaders = map[string]bool{"partner": true, "partner_name": true, "name": true, "name_zh": true, "handle": true, "account": true,
	"合作方": true, "合作伙伴": true, "名称": true, "账号": true, "帐号": true, "账号名称": true, "昵称": true, "博主": true, "公众号": true, "公众号名称": true}

// RelayFiguresRow is a row of a relay figures file as read, before it is matched to
// the campaign's relays.
type RelayFiguresRow struct {
	Line    int       `json:"line"`
	Partner string    `json:"partner,omitempty"`
	URL     string    `json:"url,omitempty"`
	PostID  string    `json:"post_id,omitempty"`
	At      time.Time `json:"at,omitzero"`
	// RelayFigures: ViewsLowerBound says the views were given as "10万+" (at least).
	passerelle.RelayFigures
	// Error is what is wrong with the row (empty when it can be imported).
	Error string `json:"error,omitempty"`
}

// ParseRelayFigures reads a relay figures file (CSV in UTF-8, UTF-16 or GBK, or XLSX)
// and checks each row on its own; a row's problems are in its Error. It fails for a
// file it cannot read as a whole (encoding, no header, too large, too many rows), with
// an EINVALID error.
func ParseRelayFigures(data []byte) (rows []RelayFiguresRow, encoding string, err error) {
	if len(data) > MaxRelayImportBytes {
		return nil, "", passerelle.Errorf(passerelle.EINVALID, "The file is larger than 2 MiB.")
	}
	records, encoding, err := analytics.ReadTable(data)
	if err != nil {
		var ie *analytics.ImportError
		if errors.As(err, &ie) && ie.Reason != "" {
			return nil, "", passerelle.Errorf(passerelle.EINVALID, "%s", ie.Reason)
		}
		return nil, "", passerelle.Errorf(passerelle.EINVALID, "The file cannot be read as CSV or XLSX.")
	}
	header := -1
	var cols map[int]string
	for i := 0; i < len(records) && i < 10 && header < 0; i++ {
		cols = relayColumns(records[i])
		if cols != nil {
			header = i
		}
	}
	if header < 0 {
		return nil, "", passerelle.Errorf(passerelle.EINVALID, "No header row found: the file needs a column naming the relay (url or partner, 链接, 合作方…) and at least one figure (views, reposts, likes, comments, 阅读数, 转发数, 点赞数, 评论数).")
	}
	for i := header + 1; i < len(records); i++ {
		if strings.TrimSpace(strings.Join(records[i], "")) == "" {
			continue
		}
		if len(rows) == MaxRelaysPerCampaign*2 {
			return nil, "", passerelle.Errorf(passerelle.EINVALID, "The file has more than %d rows.", MaxRelaysPerCampaign*2)
		}
		rows = append(rows, relayRow(records[i], cols, i+1))
	}
	if len(rows) == 0 {
		return nil, "", passerelle.Errorf(passerelle.EINVALID, "The file has a header but no rows.")
	}
	return rows, encoding, nil
}

// relayColumns maps a header row's columns, or returns nil when the row is no header.
func relayColumns(rec []string) map[int]string {
	cols := map[int]string{}
	seen := map[string]bool{}
	for i, h := range rec {
		c := analytics.Column(h)
		if partnerHeaders[strings.ToLower(strings.TrimSpace(strings.Trim(h, "\ufeff\"")))] {
			c = colPartner
		}
		if c != "" && !seen[c] {
			cols[i], seen[c] = c, true
		}
	}
	if !(seen["url"] || seen["id"] || seen[colPartner]) || !(seen["views"] || seen["reposts"] || seen["likes"] || seen["comments"]) {
		return nil
	}
	return cols
}

func relayRow(rec []string, cols map[int]string, line int) RelayFiguresRow {
	cells, reasons := analytics.ParseCells(rec, cols)
	r := RelayFiguresRow{Line: line, URL: cells.URL, PostID: cells.ID, At: cells.At,
		RelayFigures: passerelle.RelayFigures{Views: cells.Views, Reposts: cells.Reposts, Likes: cells.Likes, Comments: cells.Comments, ViewsLowerBound: cells.LowerBound && cells.Views != nil}}
	for i, c := range cols {
		if c == colPartner && i < len(rec) {
			r.Partner = strings.TrimPrefix(strings.TrimSpace(strings.ToValidUTF8(rec[i], "\uFFFD")), "@")
		}
	}
	switch {
	case r.Partner == "" && r.URL == "" && r.PostID == "":
		reasons = append(reasons, "no partner, post id or URL")
	case r.Empty() && len(reasons) == 0:
		reasons = append(reasons, "no figure")
	}
	r.Error = strings.Join(reasons, "; ")
	return r
}

// RelayImport says what an import of relay figures did, or would do (DryRun).
type RelayImport struct {
	Encoding string `json:"encoding"`
	// At is the import's instant: the readings of rows without a date are taken then.
	At     time.Time        `json:"at"`
	DryRun bool             `json:"dry_run"`
	Rows   []RelayImportRow `json:"rows"`
	// Errors counts the refused rows (nothing is written when there is one), Imported
	// the readings written (or to write, on a dry run), Unchanged the rows imported
	// already.
	Errors    int `json:"errors"`
	Imported  int `json:"imported"`
	Unchanged int `json:"unchanged"`
}

// RelayImportRow is a row of the file matched to its relay.
type RelayImportRow struct {
	RelayFiguresRow
	PartnerID   int64  `json:"partner_id,omitempty"`
	PartnerName string `json:"partner_name,omitempty"`
	// Relayed: the row records the relay as relayed with its URL (it was not yet).
	Relayed bool `json:"relayed,omitempty"`
	// Unchanged: these figures were imported for this relay already.
	Unchanged bool `json:"unchanged,omitempty"`
}

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

// ImportRelayFigures reads a file of the partners' figures for a campaign and records
// each row as an imported reading of its relay (relay_snapshots, source "import"),
// with the precedence of every reading (passerelle.Relay.Take). A row names its relay
// by the partner (name, Chinese name or handle), the post's URL or Weibo id; a URL must
// be a post of the partner's platforms, and records a relay not yet relayed as
// relayed. With one bad row, or on a dry run, nothing is written and every row is
// returned with what is wrong with it.
func (s *Service) ImportRelayFigures(ctx context.Context, u *passerelle.User, campaignID int64, data []byte, dryRun bool) (*RelayImport, error) {
	c, err := s.Campaign(ctx, u, campaignID)
	if err != nil {
		return nil, err
	}
	if err := u.Allow(c.InstitutionID, passerelle.PermSchedule); err != nil {
		return nil, err
	}
	rows, enc, err := ParseRelayFigures(data)
	if err != nil {
		return nil, err
	}
	pts := map[int64]*passerelle.Partner{}
	for _, r := range c.Relays {
		pt, err := s.db.Partner(ctx, u.OrgID, r.PartnerID)
		if err != nil {
			return nil, err
		}
		pts[r.PartnerID] = pt
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	res := &RelayImport{Encoding: enc, At: now, DryRun: dryRun}
	_, err = s.db.ImportRelays(ctx, u.OrgID, campaignID, func(c *passerelle.Campaign, imported map[int64][]passerelle.RelayReading) error {
		res.Rows, res.Errors, res.Imported, res.Unchanged = nil, 0, 0, 0
		seen := map[int64]int{}
		for _, row := range rows {
			ir := RelayImportRow{RelayFiguresRow: row}
			if ir.Error == "" {
				ir.Error = applyRelayRow(c, pts, imported, seen, &ir, now)
			}
			switch {
			case ir.Error != "":
				res.Errors++
			case ir.Unchanged:
				res.Unchanged++
			default:
				res.Imported++
			}
			res.Rows = append(res.Rows, ir)
		}
		if res.Errors > 0 || dryRun {
			return errDryRun
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return nil, err
	}
	if res.Errors > 0 && !dryRun {
		return res, passerelle.Errorf(passerelle.EINVALID, "Some rows are invalid; nothing was imported.")
	}
	return res, nil
}

// applyRelayRow matches a checked row to its relay in c and applies its figures as an
// imported reading; it returns what is wrong with the row.
func applyRelayRow(c *passerelle.Campaign, pts map[int64]*passerelle.Partner, imported map[int64][]passerelle.RelayReading, seen map[int64]int, ir *RelayImportRow, now time.Time) string {
	if !ir.At.IsZero() && ir.At.After(now) {
		return "the date is in the future"
	}
	r, reason := matchRelay(c, pts, ir)
	if r == nil {
		return reason
	}
	ir.PartnerID, ir.PartnerName = r.PartnerID, r.PartnerName
	if first, dup := seen[r.PartnerID]; dup {
		return fmt.Sprintf("the same relay as line %d", first)
	}
	url := ""
	if ir.URL != "" {
		u, _, err := PartnerPostURL(pts[r.PartnerID], ir.URL)
		if err != nil {
			return "the URL is not a post of the partner's platforms"
		}
		url = u
	}
	if r.Status != passerelle.RelayRelayed {
		if url == "" {
			return "the partner has not relayed the post: give the URL of their post"
		}
		if err := r.Move(passerelle.RelayRelayed, url, now); err != nil {
			return passerelle.ErrorMessage(err)
		}
		r.StatusID, r.URLAt = relayStatusID(r.URL), nil
		if r.StatusID != "" {
			r.URLAt = &now
		}
		ir.Relayed = true
	} else if url != "" && url != r.URL && (relayStatusID(url) == "" || relayStatusID(url) != r.StatusID) {
		return "the partner relayed another post: " + r.URL
	}
	seen[r.PartnerID] = ir.Line
	at := ir.At
	if at.IsZero() {
		at = now
	}
	rd := passerelle.RelayReading{Source: passerelle.FiguresImport, At: at.UTC(), StatusID: r.StatusID, RelayFigures: ir.RelayFigures}
	for _, old := range imported[r.ID] {
		if old.StatusID == rd.StatusID && sameFigures(old.RelayFigures, rd.RelayFigures) {
			ir.Unchanged = true
			return ""
		}
	}
	r.Take(rd)
	return ""
}

// matchRelay finds the relay a row names: by partner (name, Chinese name or a handle,
// any case), else by the Weibo post's id, else by the post's URL.
func matchRelay(c *passerelle.Campaign, pts map[int64]*passerelle.Partner, ir *RelayImportRow) (*passerelle.Relay, string) {
	if ir.Partner != "" {
		for i := range c.Relays {
			if pt := pts[c.Relays[i].PartnerID]; pt != nil && partnerNamed(pt, ir.Partner) {
				return &c.Relays[i], ""
			}
		}
		return nil, "no partner of this campaign has this name or handle"
	}
	sid := ""
	if ir.PostID != "" {
		sid = weibo.StatusID(ir.PostID)
	} else if ir.URL != "" {
		sid = relayStatusID(ir.URL)
	}
	for i := range c.Relays {
		r := &c.Relays[i]
		if r.Status != passerelle.RelayRelayed {
			continue
		}
		if sid != "" && r.StatusID == sid {
			return r, ""
		}
		if ir.URL != "" {
			if u, _, err := PartnerPostURL(pts[r.PartnerID], ir.URL); err == nil && u == r.URL {
				return r, ""
			}
		}
	}
	return nil, "no relay of this campaign has this post"
}

func partnerNamed(pt *passerelle.Partner, name string) bool {
	if strings.EqualFold(pt.Name, name) || pt.NameZH == name {
		return true
	}
	for _, a := range pt.Accounts {
		if strings.EqualFold(strings.TrimPrefix(a.Handle, "@"), name) {
			return true
		}
	}
	return false
}

func sameFigures(a, b passerelle.RelayFigures) bool {
	eq := func(x, y *int64) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return eq(a.Views, b.Views) && eq(a.Reposts, b.Reposts) && eq(a.Likes, b.Likes) && eq(a.Comments, b.Comments) && a.ViewsLowerBound == b.ViewsLowerBound
}

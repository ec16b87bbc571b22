package editorial

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"html"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Schedule import: a CSV of planned publications becomes draft posts, each with one
// publication at its time. The columns (a header row, any order, English, French or
// Chinese names, comma, semicolon or tab separated, UTF-8 with or without BOM or
// GBK):
//
//	date      2027-03-08, or with the time: 2027-03-08 10:00, 2027-03-08T10:00,
//	          2027-03-08T10:00+08:00 (an offset makes it an instant)
//	time      10:00 (when date has none), in the institution's zone
//	account   the account's handle or display name
//	platform  weibo or wechat (微博, 微信)
//	title     the post's title (and the WeChat article's)
//	text      the Chinese text (the Weibo status, the WeChat article's body)
//	source    optional: the source-language text
//	theme     optional: one of the organization's themes (default: the first)
//	lang      optional: the source language, fr or en (default fr)
//
// Every row is checked before anything is written; one bad row and nothing is.

// MaxScheduleImportRows and MaxScheduleImportBytes bound one import.
const (
	MaxScheduleImportRows  = 500
	MaxScheduleImportBytes = 2 << 20
)

// ScheduleRow is a row as read from the file, before it is matched to accounts.
type ScheduleRow struct {
	Line     int    `json:"line"`
	Date     string `json:"date"`
	Time     string `json:"time"`
	Account  string `json:"account"`
	Platform string `json:"platform"`
	Title    string `json:"title"`
	Text     string `json:"text"`
	Source   string `json:"source"`
	Theme    string `json:"theme"`
	Lang     string `json:"lang"`
}

// scheduleColumns maps header names (lower case) to fields.
var scheduleColumns = map[string]string{
	"date": "date", "day": "date", "datetime": "date", "date/time": "date", "at": "date", "scheduled_at": "date", "jour": "date", "日期": "date",
	"time": "time", "heure": "time", "时间": "time",
	"account": "account", "compte": "account", "handle": "account", "账号": "account", "帐号": "account",
	"platform": "platform", "plateforme": "platform", "平台": "platform",
	"title": "title", "titre": "title", "标题": "title",
	"text": "text", "texte": "text", "text_zh": "text", "chinese": "text", "chinois": "text", "中文": "text", "正文": "text", "文本": "text",
	"source": "source", "source_text": "source", "原文": "source",
	"theme": "theme", "thème": "theme", "主题": "theme",
	"lang": "lang", "source_lang": "lang", "langue": "lang", "语言": "lang",
}

// ParseScheduleCSV reads the rows of a schedule file. It refuses a file it cannot
// read as a whole (encoding, no header, missing columns, too many rows); a row's own
// problems are left to the import, which reports them by line.
func ParseScheduleCSV(data []byte) ([]ScheduleRow, error) {
	if len(data) > MaxScheduleImportBytes {
		return nil, passerelle.Errorf(passerelle.EINVALID, "The file is larger than 2 MiB.")
	}
	text, _, err := analytics.DecodeText(data)
	if err != nil {
		return nil, passerelle.Errorf(passerelle.EINVALID, "The file's encoding is not recognised: save it as UTF-8 or GBK CSV.")
	}
	first, _, _ := strings.Cut(text, "\n")
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = ','
	if strings.Count(first, ";") > strings.Count(first, ",") {
		r.Comma = ';'
	}
	if strings.Count(first, "\t") > strings.Count(first, string(r.Comma)) {
		r.Comma = '\t'
	}
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var cols map[int]string
	var out []ScheduleRow
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return nil, passerelle.Errorf(passerelle.EINVALID, "Line %d cannot be read as CSV.", line)
		}
		if blankRecord(rec) {
			continue
		}
		if cols == nil {
			cols = map[int]string{}
			seen := map[string]bool{}
			for i, h := range rec {
				if f, ok := scheduleColumns[strings.ToLower(strings.TrimSpace(h))]; ok && !seen[f] {
					cols[i], seen[f] = f, true
				}
			}
			var missing []string
			for _, f := range []string{"date", "account", "platform", "title", "text"} {
				if !seen[f] {
					missing = append(missing, f)
				}
			}
			if len(missing) > 0 {
				return nil, passerelle.Errorf(passerelle.EINVALID, "The first line must name the columns; missing: %s.", strings.Join(missing, ", "))
			}
			continue
		}
		if len(out) == MaxScheduleImportRows {
			return nil, passerelle.Errorf(passerelle.EINVALID, "The file has more than %d rows.", MaxScheduleImportRows)
		}
		row := ScheduleRow{Line: line}
		for i, v := range rec {
			v = strings.TrimSpace(strings.ToValidUTF8(v, "\uFFFD"))
			switch cols[i] {
			case "date":
				row.Date = v
			case "time":
				row.Time = v
			case "account":
				row.Account = v
			case "platform":
				row.Platform = v
			case "title":
				row.Title = v
			case "text":
				row.Text = v
			case "source":
				row.Source = v
			case "theme":
				row.Theme = v
			case "lang":
				row.Lang = strings.ToLower(v)
			}
		}
		out = append(out, row)
	}
	if cols == nil {
		return nil, passerelle.Errorf(passerelle.EINVALID, "The file is empty.")
	}
	if len(out) == 0 {
		return nil, passerelle.Errorf(passerelle.EINVALID, "The file has no rows under its header.")
	}
	return out, nil
}

func blankRecord(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// ScheduleItem is a row of the import as it will be created, or why it cannot be.
type ScheduleItem struct {
	ScheduleRow
	AccountID   int64               `json:"account_id,omitempty"`
	AccountName string              `json:"account_name,omitempty"`
	PlatformID  passerelle.Platform `json:"platform_id,omitempty"`
	At          *time.Time          `json:"at,omitempty"`
	// Local and Beijing are the time in the institution's zone and in Beijing,
	// "2027-03-08 10:00".
	Local   string `json:"local,omitempty"`
	Beijing string `json:"beijing,omitempty"`
	// Errors are user-safe messages (English; translated by the caller).
	Errors []string `json:"errors,omitempty"`
	PostID int64    `json:"post_id,omitempty"`
}

// ScheduleImport is the answer of an import: every row, and whether the posts were
// created (never when a row has an error, nor in a dry run).
type ScheduleImport struct {
	InstitutionID int64          `json:"institution_id"`
	TimeZone      string         `json:"time_zone"`
	Items         []ScheduleItem `json:"items"`
	Errors        int            `json:"errors"`
	Created       bool           `json:"created"`
}

// ImportSchedule reads a schedule file for an institution and, unless dryRun or a row
// is wrong, creates a draft post per row with its publication at the row's time, all
// in one transaction. It takes the rights to write posts and to schedule.
func (s *Service) ImportSchedule(ctx context.Context, u *passerelle.User, institutionID int64, data []byte, dryRun bool) (*ScheduleImport, error) {
	if err := s.institution(ctx, u, institutionID, passerelle.PermWrite); err != nil {
		return nil, err
	}
	if err := u.Allow(institutionID, passerelle.PermSchedule); err != nil {
		return nil, err
	}
	inst, err := s.db.Institution(ctx, u.OrgID, institutionID)
	if err != nil {
		return nil, err
	}
	if inst.ArchivedAt != nil {
		return nil, passerelle.Errorf(passerelle.ECONFLICT, "The institution is archived.")
	}
	rows, err := ParseScheduleCSV(data)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(inst.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	bj, _ := time.LoadLocation(passerelle.BeijingZone)
	accounts, err := s.db.Accounts(ctx, store.AccountFilter{OrgID: u.OrgID, InstitutionID: institutionID})
	if err != nil {
		return nil, err
	}
	themes, err := s.db.Themes(ctx, u.OrgID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := &ScheduleImport{InstitutionID: institutionID, TimeZone: loc.String(), Items: make([]ScheduleItem, 0, len(rows))}
	var posts []*passerelle.Post
	for _, row := range rows {
		it := ScheduleItem{ScheduleRow: row}
		fail := func(msg string) { it.Errors = append(it.Errors, msg) }
		switch strings.ToLower(row.Platform) {
		case "weibo", "微博", "sina weibo", "新浪微博":
			it.PlatformID = passerelle.Weibo
		case "wechat", "weixin", "微信", "微信公众号":
			it.PlatformID = passerelle.WeChat
		default:
			fail("Unknown platform: use weibo or wechat.")
		}
		var acc *passerelle.Account
		if row.Account == "" {
			fail("The account is missing.")
		} else {
			name := strings.TrimPrefix(strings.ToLower(row.Account), "@")
			for _, a := range accounts {
				if a.Kind != passerelle.AccountManaged || a.ArchivedAt != nil || (it.PlatformID != "" && a.Platform != it.PlatformID) {
					continue
				}
				if strings.ToLower(a.Handle) == name || strings.ToLower(a.DisplayName) == name || strconv.FormatInt(a.ID, 10) == name {
					acc = a
					break
				}
			}
			if acc == nil {
				fail("No managed account of the institution on this platform has this name.")
			} else {
				it.AccountID, it.AccountName = acc.ID, cmpOr(acc.DisplayName, acc.Handle)
			}
		}
		if at, msg := scheduleTime(row.Date, row.Time, loc); msg != "" {
			fail(msg)
		} else {
			switch {
			case !at.After(now):
				fail("The time is in the past.")
			case at.After(now.AddDate(2, 0, 0)):
				fail("Choose a time within two years.")
			}
			it.At = &at
			it.Local, it.Beijing = at.In(loc).Format("2006-01-02 15:04"), at.In(bj).Format("2006-01-02 15:04")
		}
		if row.Title == "" {
			fail("The title is missing.")
		}
		if row.Text == "" {
			fail("The Chinese text is missing.")
		}
		if len(it.Errors) == 0 {
			if it.Theme == "" && len(themes) > 0 {
				it.Theme = themes[0]
			}
			if it.Lang == "" {
				it.Lang = "fr"
			}
			p, err := s.importedPost(ctx, u, inst, it, acc)
			if err != nil {
				if passerelle.ErrorCode(err) != passerelle.EINVALID {
					return nil, err
				}
				fields := passerelle.ErrorFields(err)
				if len(fields) == 0 {
					fail(passerelle.ErrorMessage(err))
				}
				for _, k := range slices.Sorted(maps.Keys(fields)) {
					fail(fields[k])
				}
			} else {
				posts = append(posts, p)
			}
		}
		if len(it.Errors) > 0 {
			out.Errors++
		}
		out.Items = append(out.Items, it)
	}
	if out.Errors > 0 || dryRun {
		return out, nil
	}
	if err := s.db.CreatePosts(ctx, u.OrgID, posts, actorOf(u, institutionID)); err != nil {
		return nil, err
	}
	for i := range out.Items {
		out.Items[i].PostID = posts[i].ID
	}
	out.Created = true
	s.db.Audit(ctx, store.AuditEntry{OrgID: u.OrgID, ActorID: u.ID, Actor: u.Email, Action: store.AuditSettingsUpdate, Object: "institution", ObjectID: store.ID(institutionID),
		Detail: fmt.Sprintf("schedule import: %d draft posts", len(posts))})
	return out, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// importedPost builds the draft of a row as the editor's form would, its publication
// at the row's time.
func (s *Service) importedPost(ctx context.Context, u *passerelle.User, inst *passerelle.Institution, it ScheduleItem, acc *passerelle.Account) (*passerelle.Post, error) {
	pub := PublicationInput{AccountID: acc.ID}
	if acc.Platform == passerelle.WeChat {
		pub.Format = passerelle.FormatArticle
		var body strings.Builder
		for _, para := range strings.Split(strings.ReplaceAll(it.Text, "\r\n", "\n"), "\n") {
			if para = strings.TrimSpace(para); para != "" {
				body.WriteString("<p>" + html.EscapeString(para) + "</p>")
			}
		}
		pub.WeChat = &ArticleInput{Title: it.Title, BodyHTML: body.String()}
	} else {
		pub.Format = passerelle.FormatText
	}
	in := &PostInput{InstitutionID: &inst.ID, Title: &it.Title, TextZH: &it.Text, Theme: &it.Theme, SourceLang: &it.Lang, Publications: &[]PublicationInput{pub}}
	if it.Source != "" {
		in.SourceText = &it.Source
	}
	p := &passerelle.Post{InstitutionID: inst.ID, Status: passerelle.StatusDraft}
	in.apply(p, u.Locale)
	if err := s.prepare(ctx, u.OrgID, p); err != nil {
		return nil, err
	}
	for _, b := range p.Publications {
		at := it.At.UTC().Truncate(time.Second)
		b.ScheduledAt = &at
	}
	return p, nil
}

// scheduleTime reads a row's date and time: a date and a separate time, or a date
// with its time, in loc unless it carries an offset.
func scheduleTime(date, clock string, loc *time.Location) (time.Time, string) {
	v := strings.TrimSpace(date)
	if clock = strings.TrimSpace(clock); clock != "" {
		v += "T" + clock
	}
	v = strings.Replace(v, " ", "T", 1)
	v = strings.ReplaceAll(v, "/", "-")
	if v == "" {
		return time.Time{}, "The date is missing."
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02T15:04-0700", "2006-01-02T15:04:05-0700", "2006-01-02T15:04 Z07:00", "2006-01-02T15:04 -0700"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), ""
		}
	}
	if !strings.Contains(v, "T") {
		return time.Time{}, "Give a time: 2027-03-08 10:00, or a time column."
	}
	// One-digit hours ("9:30") as people type them.
	if d, c, ok := strings.Cut(v, "T"); ok && len(c) == 4 && c[1] == ':' {
		v = d + "T0" + c
	}
	t, err := passerelle.LocalInstant(v, loc)
	if err != nil {
		if slices.Contains([]string{"Give a date and a time such as 2030-06-01T10:00."}, passerelle.ErrorMessage(err)) {
			return time.Time{}, "Give a date and time such as 2027-03-08 10:00."
		}
		return time.Time{}, passerelle.ErrorMessage(err)
	}
	return t, ""
}

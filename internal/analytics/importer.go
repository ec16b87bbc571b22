package analytics

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Layouts of the files the importer reads, detected from their headers.
const (
	LayoutWeibo   = "weibo_datacenter"  // the Weibo data centre's export of posts
	LayoutWeChat  = "wechat_backoffice" // the WeChat back office's export of articles
	LayoutGeneric = "generic"           // Passerelle's documented CSV (docs/analytics.md)
)

// Canonical columns.
const (
	colID       = "id"
	colURL      = "url"
	colAt       = "at"
	colViews    = "views"
	colLikes    = "likes"
	colComments = "comments"
	colReposts  = "reposts"
)

// aliases maps a header (trimmed, lower case) to its column. Chinese headers are those
// of the platforms' exports.
var aliases = map[string]string{
	"post_id": colID, "platform_post_id": colID, "id": colID, "博文id": colID, "微博id": colID, "mid": colID,
	"作品id": colID, "笔记id": colID, "视频id": colID, "动态id": colID,
	"url": colURL, "post_url": colURL, "link": colURL, "链接": colURL, "博文链接": colURL, "微博链接": colURL,
	"文章链接": colURL, "原文链接": colURL, "作品链接": colURL, "笔记链接": colURL, "内容链接": colURL,
	"at": colAt, "date": colAt, "日期": colAt, "统计日期": colAt, "数据日期": colAt, "时间": colAt,
	"views": colViews, "reads": colViews, "阅读数": colViews, "阅读量": colViews, "阅读次数": colViews, "阅读": colViews,
	"播放量": colViews, "播放数": colViews, "浏览量": colViews, "观看次数": colViews, "观看量": colViews,
	"likes": colLikes, "点赞数": colLikes, "点赞": colLikes, "点赞量": colLikes, "赞": colLikes,
	"comments": colComments, "评论数": colComments, "评论": colComments, "评论量": colComments, "留言数": colComments, "留言": colComments,
	"reposts": colReposts, "shares": colReposts, "转发数": colReposts, "转发": colReposts, "转发量": colReposts,
	"分享数": colReposts, "分享次数": colReposts, "分享": colReposts,
}

// Limits of an import.
const (
	MaxImportRows  = 200_000
	MaxImportBytes = 64 << 20
	headerSearch   = 10 // a header may follow a few title lines
)

// RowError is a refused row, numbered as a spreadsheet shows it (1 is the first line).
type RowError struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// ImportError refuses a file: a reason for the whole file, or rows.
type ImportError struct {
	Reason string
	Rows   []RowError
}

func (e *ImportError) Error() string {
	if e.Reason != "" {
		return e.Reason
	}
	var b strings.Builder
	for i, r := range e.Rows {
		if i == 20 {
			fmt.Fprintf(&b, "\n… and %d more", len(e.Rows)-20)
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "line %d: %s", r.Line, r.Reason)
	}
	return b.String()
}

// ImportRow is one parsed row.
type ImportRow struct {
	Line       int
	ID, URL    string
	At         time.Time // zero: the file's instant
	Views      *int64
	LowerBound bool
	Likes      *int64
	Comments   *int64
	Reposts    *int64
}

// Parsed is a file read and checked, before matching to publications.
type Parsed struct {
	Layout   string
	Encoding string
	Rows     []ImportRow
	Errors   []RowError
}

// Parse reads a CSV (UTF-8, UTF-16 with a BOM, GBK/GB18030) or XLSX file and checks
// every row. It fails only for the file as a whole; row errors are in Parsed.Errors.
func Parse(data []byte) (*Parsed, error) {
	if len(data) > MaxImportBytes {
		return nil, &ImportError{Reason: "The file is too large (64 MB at most)."}
	}
	records, enc, err := ReadTable(data)
	if err != nil {
		return nil, err
	}
	p := &Parsed{Encoding: enc}
	header, cols := -1, map[int]string(nil)
	for i := 0; i < len(records) && i < headerSearch; i++ {
		if c := mapHeader(records[i]); c != nil {
			header, cols = i, c
			break
		}
	}
	if header < 0 {
		return nil, &ImportError{Reason: "No header row found: the file needs a column naming the post (post_id or url, 博文ID, 链接…) and at least one figure (views, likes, comments, reposts, 阅读数, 点赞数…)."}
	}
	p.Layout = layout(records[header])
	if len(records)-header-1 > MaxImportRows {
		return nil, &ImportError{Reason: fmt.Sprintf("The file has more than %d rows.", MaxImportRows)}
	}
	for i := header + 1; i < len(records); i++ {
		rec := records[i]
		if blank(rec) {
			continue
		}
		row, reason := parseRow(rec, cols)
		row.Line = i + 1
		if reason != "" {
			p.Errors = append(p.Errors, RowError{Line: i + 1, Reason: reason})
			continue
		}
		p.Rows = append(p.Rows, row)
	}
	if len(p.Rows) == 0 && len(p.Errors) == 0 {
		return nil, &ImportError{Reason: "The file has a header but no rows."}
	}
	return p, nil
}

// ReadTable reads a CSV (UTF-8, UTF-16 with a BOM, GBK/GB18030; comma, semicolon or
// tab) or the first sheet of an XLSX file as rows of cells, with the file's encoding
// ("xlsx" for a spreadsheet): the reading shared by the importers of figures. The
// error is an *ImportError whose Reason is safe to show.
func ReadTable(data []byte) (records [][]string, encoding string, err error) {
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		records, err = readXLSX(data)
		return records, "xlsx", err
	}
	text, enc, err := decodeText(data)
	if err != nil {
		return nil, "", err
	}
	records, err = readCSV(text)
	return records, enc, err
}

// Column is the figure column a header names ("views", "reposts", "likes",
// "comments"), or the post's ("url", "id") or date's ("at"), in English or as the
// Weibo data centre and the WeChat back office name them (阅读数, 转发数…); "" for
// another header.
func Column(header string) string {
	return aliases[strings.ToLower(strings.TrimSpace(strings.Trim(header, "\ufeff\"")))]
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// decodeText returns the file as UTF-8 and the encoding it was in.
func decodeText(data []byte) (string, string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		out, _, err := transform.Bytes(unicode.BOMOverride(unicode.UTF8.NewDecoder()), data)
		if err != nil || !utf8.Valid(out) {
			return "", "", &ImportError{Reason: "The file's encoding is not recognised (UTF-16 that does not decode)."}
		}
		return string(out), "utf-16", nil
	}
	if utf8.Valid(data) {
		if bytes.IndexByte(data, 0) >= 0 {
			return "", "", &ImportError{Reason: "The file is not text (save it as CSV or XLSX)."}
		}
		return string(data), "utf-8", nil
	}
	out, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), data)
	if err != nil || !utf8.Valid(out) || bytes.ContainsRune(out, utf8.RuneError) || bytes.IndexByte(out, 0) >= 0 {
		return "", "", &ImportError{Reason: "The file's encoding is not recognised: save it as UTF-8 or GBK (GB18030) CSV, or as XLSX."}
	}
	return string(out), "gb18030", nil
}

func readCSV(text string) ([][]string, error) {
	first, _, _ := strings.Cut(text, "\n")
	sep := ','
	if strings.Count(first, ";") > strings.Count(first, ",") {
		sep = ';'
	}
	if strings.Count(first, "\t") > strings.Count(first, string(sep)) {
		sep = '\t'
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = sep
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var out [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return nil, &ImportError{Rows: []RowError{{Line: line, Reason: "The CSV cannot be read here (" + err.Error() + ")."}}}
		}
		if len(out) > MaxImportRows+headerSearch {
			return nil, &ImportError{Reason: fmt.Sprintf("The file has more than %d rows.", MaxImportRows)}
		}
		out = append(out, rec)
	}
}

func readXLSX(data []byte) (_ [][]string, err error) {
	bad := &ImportError{Reason: "The XLSX file cannot be read (is it a spreadsheet saved as .xlsx?)."}
	defer func() {
		// The spreadsheet library is large; a malformed file must not take the
		// server down with it.
		if recover() != nil {
			err = bad
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 256 << 20, UnzipXMLSizeLimit: 128 << 20})
	if err != nil {
		return nil, bad
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, bad
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, bad
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		cols, err := rows.Columns()
		if err != nil {
			return nil, bad
		}
		if len(out) > MaxImportRows+headerSearch {
			return nil, &ImportError{Reason: fmt.Sprintf("The file has more than %d rows.", MaxImportRows)}
		}
		out = append(out, cols)
	}
	return out, nil
}

// mapHeader maps a header row's columns, or returns nil when the row is no header.
func mapHeader(rec []string) map[int]string {
	cols := map[int]string{}
	seen := map[string]bool{}
	for i, h := range rec {
		if c := Column(h); c != "" && !seen[c] {
			cols[i], seen[c] = c, true
		}
	}
	if !(seen[colID] || seen[colURL]) || !(seen[colViews] || seen[colLikes] || seen[colComments] || seen[colReposts]) {
		return nil
	}
	return cols
}

func layout(rec []string) string {
	joined := strings.Join(rec, "|")
	switch {
	case strings.Contains(joined, "博文") || strings.Contains(joined, "微博") || strings.Contains(joined, "转发数"):
		return LayoutWeibo
	case strings.Contains(joined, "阅读次数") || strings.Contains(joined, "文章") || strings.Contains(joined, "留言"):
		return LayoutWeChat
	}
	return LayoutGeneric
}

// dateLayouts are the forms of a date the importer accepts (in Beijing time).
var dateLayouts = []string{time.DateOnly, "2006/01/02", "2006/1/2", "2006-1-2", "2006-01-02 15:04", "2006-01-02 15:04:05",
	"2006/01/02 15:04", "2006/01/02 15:04:05", "2006年01月02日", "2006年1月2日", "20060102"}

// ParseDay reads a date in one of the accepted forms, in Beijing time.
func ParseDay(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range dateLayouts {
		if t, err := time.ParseInLocation(l, s, Beijing); err == nil && t.Year() >= 2000 && t.Year() <= 2100 {
			return t, true
		}
	}
	return time.Time{}, false
}

func parseRow(rec []string, cols map[int]string) (ImportRow, string) {
	r, reasons := ParseCells(rec, cols)
	if r.ID == "" && r.URL == "" {
		reasons = append(reasons, "no post id or URL")
	}
	if r.Views == nil && r.Likes == nil && r.Comments == nil && r.Reposts == nil && len(reasons) == 0 {
		reasons = append(reasons, "no figure")
	}
	return r, strings.Join(reasons, "; ")
}

// ParseCells reads the cells of a row in the columns cols maps to Column's names (the
// post's id and URL, the date, the figures; other columns are left to the caller) and
// returns what is wrong with them, in the words the analytics import pages translate.
func ParseCells(rec []string, cols map[int]string) (ImportRow, []string) {
	var r ImportRow
	var reasons []string
	for i, c := range cols {
		if i >= len(rec) {
			continue
		}
		v := strings.TrimSpace(rec[i])
		switch c {
		case colID:
			r.ID = strings.TrimPrefix(v, "'")
		case colURL:
			r.URL = v
		case colAt:
			if v == "" {
				continue
			}
			t, ok := ParseDay(v)
			if !ok {
				reasons = append(reasons, fmt.Sprintf("the date %q is not in a known form (use YYYY-MM-DD)", clip(v)))
				continue
			}
			r.At = t
		case colViews, colLikes, colComments, colReposts:
			n, lower, ok, err := ParseCount(v)
			if err != nil {
				reasons = append(reasons, fmt.Sprintf("%s %q: %v", c, clip(v), err))
				continue
			}
			if !ok {
				continue
			}
			switch c {
			case colViews:
				r.Views, r.LowerBound = &n, lower
			case colLikes:
				r.Likes = &n
			case colComments:
				r.Comments = &n
			case colReposts:
				r.Reposts = &n
			}
			if lower && c != colViews {
				reasons = append(reasons, fmt.Sprintf("%s %q: only views can be a lower bound", c, clip(v)))
			}
		}
	}
	return r, reasons
}

func clip(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:40]) + "…"
	}
	return s
}

// ImportOptions tune an import.
type ImportOptions struct {
	// At is the instant of rows without a date (the export's instant): required.
	At time.Time
	// SkipBad imports the good rows of a partly bad file; otherwise any bad row
	// refuses the whole file.
	SkipBad bool
	// DryRun checks and matches without writing (the UI's preview).
	DryRun bool
	// Progress, when set, is told how many rows of the total are done.
	Progress func(done, total int)
}

// ImportResult says what an import did.
type ImportResult struct {
	Layout   string     `json:"layout"`
	Encoding string     `json:"encoding"`
	Rows     int        `json:"rows"`
	Imported int        `json:"imported"`
	Skipped  []RowError `json:"skipped"`
}

// normURL makes two spellings of a post's address compare equal.
func normURL(u string) string {
	u = strings.TrimSpace(u)
	u, _, _ = strings.Cut(u, "#")
	for _, p := range []string{"https://", "http://"} {
		if len(u) >= len(p) && strings.EqualFold(u[:len(p)], p) {
			u = u[len(p):]
		}
	}
	host, rest, _ := strings.Cut(u, "/")
	return strings.ToLower(strings.TrimPrefix(host, "www.")) + "/" + strings.TrimSuffix(rest, "/")
}

// Import reads a file of figures for an account of the user's organization and
// records them as readings (source "import"). Rows are matched to the account's
// published publications by platform post id or URL. Without SkipBad, a file with a
// bad row imports nothing and the error lists every bad row.
func (s *Service) Import(ctx context.Context, orgID, accountID int64, data []byte, o ImportOptions) (*ImportResult, error) {
	if _, err := s.DB.Account(ctx, orgID, accountID); err != nil {
		return nil, err
	}
	p, err := Parse(data)
	if err != nil {
		return nil, err
	}
	tracked, err := s.DB.TrackedPublications(ctx, orgID, accountID)
	if err != nil {
		return nil, err
	}
	byID, byURL := map[string]int64{}, map[string]int64{}
	for _, t := range tracked {
		if t.PlatformPostID != "" {
			byID[t.PlatformPostID] = t.ID
		}
		if t.URL != "" {
			byURL[normURL(t.URL)] = t.ID
		}
	}
	res := &ImportResult{Layout: p.Layout, Encoding: p.Encoding, Rows: len(p.Rows) + len(p.Errors)}
	bad := append([]RowError(nil), p.Errors...)
	now := s.now()
	type key struct {
		pub int64
		at  time.Time
	}
	seen := map[key]int{}
	var snaps []*store.PublicationSnapshot
	for _, r := range p.Rows {
		pub, ok := byID[r.ID]
		if !ok && r.URL != "" {
			pub, ok = byURL[normURL(r.URL)]
		}
		if !ok && r.ID == "" {
			pub, ok = byID[lastSegment(r.URL)]
		}
		if !ok {
			bad = append(bad, RowError{Line: r.Line, Reason: "no published post of this account has this id or URL"})
			continue
		}
		at := r.At
		if at.IsZero() {
			at = o.At
		}
		if at.IsZero() {
			bad = append(bad, RowError{Line: r.Line, Reason: "the row has no date and the import no instant"})
			continue
		}
		if at.After(now) {
			bad = append(bad, RowError{Line: r.Line, Reason: "the date is in the future"})
			continue
		}
		k := key{pub, at.UTC()}
		if first, dup := seen[k]; dup {
			bad = append(bad, RowError{Line: r.Line, Reason: fmt.Sprintf("the same post and date as line %d", first)})
			continue
		}
		seen[k] = r.Line
		snaps = append(snaps, &store.PublicationSnapshot{PublicationID: pub, TakenAt: at, Source: store.PubSourceImport,
			Views: r.Views, LowerBound: r.LowerBound, Likes: r.Likes, Comments: r.Comments, Reposts: r.Reposts})
	}
	sortRowErrors(bad)
	res.Skipped = bad
	if res.Skipped == nil {
		res.Skipped = []RowError{}
	}
	if len(bad) > 0 && !o.SkipBad {
		return res, &ImportError{Rows: bad}
	}
	if o.DryRun {
		res.Imported = len(snaps)
		return res, nil
	}
	// All rows in one transaction: a failure leaves nothing half imported. The store
	// writes them with multi-row statements and each publication's figures once.
	n, err := s.DB.ImportPublicationSnapshots(ctx, orgID, snaps, o.Progress)
	if err != nil {
		if passerelle.ErrorCode(err) == passerelle.EINVALID {
			return res, &ImportError{Reason: passerelle.ErrorMessage(err)}
		}
		return res, err
	}
	res.Imported = n
	return res, nil
}

func lastSegment(u string) string {
	u = strings.TrimSuffix(normURL(u), "/")
	if i := strings.LastIndexByte(u, '/'); i >= 0 {
		return u[i+1:]
	}
	return u
}

func sortRowErrors(r []RowError) {
	slices.SortStableFunc(r, func(a, b RowError) int { return cmp.Compare(a.Line, b.Line) })
}

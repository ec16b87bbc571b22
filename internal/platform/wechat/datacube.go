package wechat

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/passerelle-oss/passerelle/internal/platform"
)

// MaxUserSpan is the longest span getusersummary and getusercumulate accept.
const MaxUserSpan = 7

// UserSummary is one day of follower gains and losses by source.
type UserSummary struct {
	RefDate    string // YYYY-MM-DD
	UserSource int
	NewUser    int64
	CancelUser int64
}

// UserCumulate is the follower count at the end of one day.
type UserCumulate struct {
	RefDate      string
	CumulateUser int64
}

type listAnswer[T any] struct {
	List *[]T `json:"list"`
}

func (a *listAnswer[T]) validate() error {
	if a.List == nil {
		return errors.New("no list")
	}
	return nil
}

// checkSpan validates begin and end (YYYY-MM-DD, begin ≤ end, at most maxDays days).
func checkSpan(op, begin, end string, maxDays int) error {
	b, err1 := time.Parse(time.DateOnly, begin)
	e, err2 := time.Parse(time.DateOnly, end)
	if err1 != nil || err2 != nil || e.Before(b) {
		return &platform.Error{Platform: "wechat", Op: op, Kind: platform.Permanent,
			Message: "dates must be YYYY-MM-DD with begin ≤ end"}
	}
	if maxDays > 0 && int(e.Sub(b)/(24*time.Hour))+1 > maxDays {
		return &platform.Error{Platform: "wechat", Op: op, Kind: platform.Permanent,
			Message: "the date span is too long for this endpoint"}
	}
	return nil
}

func datacube[T any](ctx context.Context, c *Client, name, begin, end string, maxDays int) ([]T, error) {
	op := "datacube/" + name
	if err := checkSpan(op, begin, end, maxDays); err != nil {
		return nil, err
	}
	var a listAnswer[T]
	err := c.call(ctx, request{
		op:         op,
		idempotent: true,
		body:       jsonBody(map[string]string{"begin_date": begin, "end_date": end}),
	}, &a)
	if err != nil {
		return nil, err
	}
	return *a.List, nil
}

type userSummaryJSON struct {
	RefDate    string `json:"ref_date"`
	UserSource count  `json:"user_source"`
	NewUser    count  `json:"new_user"`
	CancelUser count  `json:"cancel_user"`
}

// UserSummaries reads follower gains and losses (datacube/getusersummary, ≤ 7 days).
func (c *Client) UserSummaries(ctx context.Context, begin, end string) ([]UserSummary, error) {
	rows, err := datacube[userSummaryJSON](ctx, c, "getusersummary", begin, end, MaxUserSpan)
	if err != nil {
		return nil, err
	}
	out := make([]UserSummary, len(rows))
	for i, r := range rows {
		out[i] = UserSummary{RefDate: r.RefDate, UserSource: int(r.UserSource), NewUser: int64(r.NewUser), CancelUser: int64(r.CancelUser)}
	}
	return out, nil
}

type userCumulateJSON struct {
	RefDate      string `json:"ref_date"`
	CumulateUser count  `json:"cumulate_user"`
}

// UserCumulates reads follower totals (datacube/getusercumulate, ≤ 7 days).
func (c *Client) UserCumulates(ctx context.Context, begin, end string) ([]UserCumulate, error) {
	rows, err := datacube[userCumulateJSON](ctx, c, "getusercumulate", begin, end, MaxUserSpan)
	if err != nil {
		return nil, err
	}
	out := make([]UserCumulate, len(rows))
	for i, r := range rows {
		out[i] = UserCumulate{RefDate: r.RefDate, CumulateUser: int64(r.CumulateUser)}
	}
	return out, nil
}

// ArticleStat is one article's figures for one day, from either generation of the
// article analytics. Fields an endpoint does not report are zero.
type ArticleStat struct {
	RefDate  string // the day the figures are for (or the publication day, see StatDate)
	StatDate string // getarticletotal/getarticletotaldetail: the day counted up to
	// MsgID is "<msg_data_id>_<index>".
	MsgID          string
	Title          string
	ReadUser       int64
	ReadCount      int64
	ShareUser      int64
	ShareCount     int64
	FavUser        int64 // add_to_fav_user / collection_user
	LikeUser       int64 // thumbs-up
	ZaikanUser     int64 // "wow"/在看
	CommentCount   int64
	OriginReadUser int64 // "read more" page (older endpoints only)
	// Endpoint names the datacube endpoint the figures came from.
	Endpoint string
	// Raw is the row as WeChat sent it, for the fields this type does not carry.
	Raw json.RawMessage
}

// articleRowJSON reads the union of the article endpoints' fields: the older ones
// (int_page_read_user…) and the newer ones (read_user, zaikan_user…, documented
// field by field; their full shape is unconfirmed, hence Raw).
type articleRowJSON struct {
	RefDate  string `json:"ref_date"`
	StatDate string `json:"stat_date"`
	MsgID    string `json:"msgid"`
	Title    string `json:"title"`
	// Older endpoints.
	IntPageReadUser  count `json:"int_page_read_user"`
	IntPageReadCount count `json:"int_page_read_count"`
	OriPageReadUser  count `json:"ori_page_read_user"`
	ShareUser        count `json:"share_user"`
	ShareCount       count `json:"share_count"`
	AddToFavUser     count `json:"add_to_fav_user"`
	// Newer endpoints.
	ReadUser       count `json:"read_user"`
	ReadCount      count `json:"read_count"`
	ZaikanUser     count `json:"zaikan_user"`
	LikeUser       count `json:"like_user"`
	CommentCount   count `json:"comment_count"`
	CollectionUser count `json:"collection_user"`
	// Nested figures: getarticletotal's details, getbizsummary's detail,
	// getarticletotaldetail's detail_list.
	Details    []json.RawMessage `json:"details"`
	DetailList []json.RawMessage `json:"detail_list"`
	Detail     json.RawMessage   `json:"detail"`
}

func (r articleRowJSON) stat(endpoint string, raw json.RawMessage) ArticleStat {
	return ArticleStat{
		RefDate: r.RefDate, StatDate: r.StatDate, MsgID: r.MsgID, Title: r.Title,
		ReadUser:       int64(max(r.ReadUser, r.IntPageReadUser)),
		ReadCount:      int64(max(r.ReadCount, r.IntPageReadCount)),
		ShareUser:      int64(r.ShareUser),
		ShareCount:     int64(r.ShareCount),
		FavUser:        int64(max(r.CollectionUser, r.AddToFavUser)),
		LikeUser:       int64(r.LikeUser),
		ZaikanUser:     int64(r.ZaikanUser),
		CommentCount:   int64(r.CommentCount),
		OriginReadUser: int64(r.OriPageReadUser),
		Endpoint:       endpoint,
		Raw:            raw,
	}
}

// articleStats reads an article endpoint and flattens nested figures: a row with
// details yields one stat per detail, carrying the row's date, msgid and title.
func (c *Client) articleStats(ctx context.Context, endpoint, begin, end string) ([]ArticleStat, error) {
	rows, err := datacube[json.RawMessage](ctx, c, endpoint, begin, end, 0)
	if err != nil {
		return nil, err
	}
	var out []ArticleStat
	for _, raw := range rows {
		var r articleRowJSON
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, c.fail(request{op: "datacube/" + endpoint}, platform.Retryable, "unexpected row", err)
		}
		nested := append(r.Details, r.DetailList...)
		if len(r.Detail) > 0 && string(r.Detail) != "null" {
			nested = append(nested, r.Detail)
		}
		if len(nested) == 0 {
			out = append(out, r.stat(endpoint, raw))
			continue
		}
		for _, d := range nested {
			var x articleRowJSON
			if err := json.Unmarshal(d, &x); err != nil {
				return nil, c.fail(request{op: "datacube/" + endpoint}, platform.Retryable, "unexpected detail", err)
			}
			x.RefDate, x.MsgID, x.Title = r.RefDate, r.MsgID, r.Title
			out = append(out, x.stat(endpoint, d))
		}
	}
	return out, nil
}

// Article analytics endpoints. The newer ones replace the unmaintained older ones;
// their spans are unconfirmed, so query one day at a time.
const (
	EndpointArticleRead        = "getarticleread"
	EndpointArticleShare       = "getarticleshare"
	EndpointBizSummary         = "getbizsummary"
	EndpointArticleTotalDetail = "getarticletotaldetail"
	EndpointArticleSummary     = "getarticlesummary" // older
	EndpointArticleTotal       = "getarticletotal"   // older
)

// ArticleStats reads one article endpoint as is.
func (c *Client) ArticleStats(ctx context.Context, endpoint, begin, end string) ([]ArticleStat, error) {
	switch endpoint {
	case EndpointArticleRead, EndpointArticleShare, EndpointBizSummary, EndpointArticleTotalDetail,
		EndpointArticleSummary, EndpointArticleTotal:
	default:
		return nil, &platform.Error{Platform: "wechat", Op: "datacube/" + endpoint, Kind: platform.Permanent,
			Message: "unknown article analytics endpoint"}
	}
	return c.articleStats(ctx, endpoint, begin, end)
}

// ArticleDaily reads each article's figures for the day (getarticleread), falling back
// to the older getarticlesummary when WeChat refuses the newer endpoint permanently.
func (c *Client) ArticleDaily(ctx context.Context, day string) ([]ArticleStat, error) {
	return c.withFallback(ctx, EndpointArticleRead, EndpointArticleSummary, day)
}

// ArticleTotals reads the cumulated figures of the articles published on day
// (getarticletotaldetail), falling back to the older getarticletotal.
func (c *Client) ArticleTotals(ctx context.Context, day string) ([]ArticleStat, error) {
	return c.withFallback(ctx, EndpointArticleTotalDetail, EndpointArticleTotal, day)
}

func (c *Client) withFallback(ctx context.Context, newer, older, day string) ([]ArticleStat, error) {
	stats, err := c.articleStats(ctx, newer, day, day)
	if err == nil || platform.KindOf(err) != platform.Permanent || platform.CodeOf(err) == 0 {
		return stats, err
	}
	c.log.InfoContext(ctx, "wechat analytics endpoint refused, using the older one",
		"endpoint", newer, "code", platform.CodeOf(err))
	return c.articleStats(ctx, older, day, day)
}

package weibo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/netip"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MaxPictureBytes is share.json's picture limit (strictly less than 5 MB).
const MaxPictureBytes = 5 << 20

// MaxBatch is how many ids statuses/count and users/counts accept per call.
const MaxBatch = 100

// Share is a post for statuses/share.json. Its text must contain a URL on the app's
// safe domain and must respect the platform's length rule; the platform judges both.
type Share struct {
	Status string
	// Picture is an optional JPEG, GIF or PNG of fewer than MaxPictureBytes bytes.
	Picture []byte
	// RIP is the real IP address of the person publishing (required by Weibo).
	RIP string
}

// Status is a published post.
type Status struct {
	// ID is the post's idstr: exact, never a float.
	ID        string
	MID       string
	Text      string
	CreatedAt time.Time
	// UID is the author's idstr.
	UID string
	// PictureURL is the original-size picture, when one was attached.
	PictureURL string
}

type statusResponse struct {
	ID          idString `json:"id"`
	IDStr       idString `json:"idstr"`
	MID         idString `json:"mid"`
	Text        string   `json:"text"`
	CreatedAt   string   `json:"created_at"`
	OriginalPic string   `json:"original_pic"`
	User        *struct {
		ID    idString `json:"id"`
		IDStr idString `json:"idstr"`
	} `json:"user"`
}

func (r *statusResponse) validate() error {
	if !validID(string(r.IDStr)) && !validID(string(r.ID)) {
		return errors.New("no status id")
	}
	return nil
}

// ShareStatus posts s for the user of accessToken. It is never retried: an error of
// Kind platform.Ambiguous means the post may exist, and must be checked, not re-sent.
func (c *Client) ShareStatus(ctx context.Context, accessToken string, s Share) (Status, error) {
	const op = "statuses/share"
	if accessToken == "" {
		return Status{}, invalid(op, "empty access token")
	}
	if strings.TrimSpace(s.Status) == "" {
		return Status{}, invalid(op, "empty status text")
	}
	if _, err := netip.ParseAddr(s.RIP); err != nil {
		return Status{}, invalid(op, "rip must be the publishing user's IP address")
	}
	fields := url.Values{"status": {s.Status}, "rip": {s.RIP}}
	body := formBody(fields)
	if len(s.Picture) > 0 {
		ctype := http.DetectContentType(s.Picture)
		ext, ok := pictureTypes[ctype]
		if !ok {
			return Status{}, invalid(op, "picture must be JPEG, GIF or PNG, not "+ctype)
		}
		if len(s.Picture) >= MaxPictureBytes {
			return Status{}, invalid(op, fmt.Sprintf("picture of %d bytes is not under 5 MB", len(s.Picture)))
		}
		body = multipartBody(fields, s.Picture, ctype, "pic"+ext)
	}
	var r statusResponse
	err := c.do(ctx, call{
		op: op, method: http.MethodPost, path: "/2/statuses/share.json",
		token: accessToken, body: body,
	}, &r)
	if err != nil {
		return Status{}, err
	}
	return r.status(), nil
}

// status converts a decoded post, preferring the exact idstr fields.
func (r *statusResponse) status() Status {
	st := Status{
		ID:         string(r.IDStr),
		MID:        string(r.MID),
		Text:       r.Text,
		CreatedAt:  weiboTime(r.CreatedAt),
		PictureURL: r.OriginalPic,
	}
	if !validID(st.ID) {
		st.ID = string(r.ID)
	}
	if r.User != nil {
		st.UID = string(r.User.IDStr)
		if !validID(st.UID) {
			st.UID = string(r.User.ID)
		}
	}
	return st
}

var pictureTypes = map[string]string{"image/jpeg": ".jpg", "image/gif": ".gif", "image/png": ".png"}

func multipartBody(fields url.Values, pic []byte, ctype, filename string) func() (io.Reader, string, error) {
	return func() (io.Reader, string, error) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		for k, vs := range fields {
			for _, v := range vs {
				if err := w.WriteField(k, v); err != nil {
					return nil, "", err
				}
			}
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="pic"; filename=%q`, filename))
		h.Set("Content-Type", ctype)
		part, err := w.CreatePart(h)
		if err != nil {
			return nil, "", err
		}
		if _, err := part.Write(pic); err != nil {
			return nil, "", err
		}
		if err := w.Close(); err != nil {
			return nil, "", err
		}
		return &buf, w.FormDataContentType(), nil
	}
}

// StatusCount is the interaction counts of one post.
type StatusCount struct {
	ID        string
	Comments  int64
	Reposts   int64
	Attitudes int64 // likes
}

type countItem struct {
	ID        idString `json:"id"`
	Comments  flexInt  `json:"comments"`
	Reposts   flexInt  `json:"reposts"`
	Attitudes flexInt  `json:"attitudes"`
}

type countResponse []countItem

func (r *countResponse) validate() error {
	for _, it := range *r {
		if !validID(string(it.ID)) {
			return errors.New("count without a valid id")
		}
	}
	return nil
}

// StatusCounts reads the counts of the given posts of the authorising account, MaxBatch
// ids per call. Unknown or deleted posts are simply absent from the result.
func (c *Client) StatusCounts(ctx context.Context, accessToken string, ids []string) ([]StatusCount, error) {
	const op = "statuses/count"
	if err := checkIDs(op, accessToken, ids); err != nil {
		return nil, err
	}
	out := make([]StatusCount, 0, len(ids))
	for batch := range chunks(ids) {
		var r countResponse
		err := c.do(ctx, call{
			op: op, method: http.MethodGet, path: "/2/statuses/count.json",
			query: url.Values{"ids": {strings.Join(batch, ",")}},
			token: accessToken, idempotent: true,
		}, &r)
		if err != nil {
			return nil, err
		}
		for _, it := range r {
			out = append(out, StatusCount{
				ID: string(it.ID), Comments: int64(it.Comments),
				Reposts: int64(it.Reposts), Attitudes: int64(it.Attitudes),
			})
		}
	}
	return out, nil
}

func checkIDs(op, accessToken string, ids []string) error {
	if accessToken == "" {
		return invalid(op, "empty access token")
	}
	for _, id := range ids {
		if !validID(id) {
			return invalid(op, fmt.Sprintf("invalid id %.30q", id))
		}
	}
	return nil
}

// chunks yields ids in slices of at most MaxBatch.
func chunks(ids []string) func(func([]string) bool) {
	return func(yield func([]string) bool) {
		for len(ids) > 0 {
			n := min(len(ids), MaxBatch)
			if !yield(ids[:n]) {
				return
			}
			ids = ids[n:]
		}
	}
}

// MaxTimelineCount is the most posts statuses/user_timeline returns per call.
const MaxTimelineCount = 100

type timelineResponse struct {
	Statuses []statusResponse `json:"statuses"`
}

func (r *timelineResponse) validate() error {
	for i := range r.Statuses {
		if err := r.Statuses[i].validate(); err != nil {
			return err
		}
	}
	return nil
}

// UserTimeline reads the latest count (1 to MaxTimelineCount) posts of uid, newest
// first. A third-party app sees only the authorising account's own posts, which is what
// a publisher needs to find out whether a share whose answer was lost went out.
// Idempotent: transient faults are retried.
func (c *Client) UserTimeline(ctx context.Context, accessToken, uid string, count int) ([]Status, error) {
	const op = "statuses/user_timeline"
	if err := checkIDs(op, accessToken, []string{uid}); err != nil {
		return nil, err
	}
	if count < 1 || count > MaxTimelineCount {
		return nil, invalid(op, fmt.Sprintf("count must be between 1 and %d", MaxTimelineCount))
	}
	var r timelineResponse
	err := c.do(ctx, call{
		op: op, method: http.MethodGet, path: "/2/statuses/user_timeline.json",
		query: url.Values{"uid": {uid}, "count": {strconv.Itoa(count)}},
		token: accessToken, idempotent: true,
	}, &r)
	if err != nil {
		return nil, err
	}
	out := make([]Status, 0, len(r.Statuses))
	for i := range r.Statuses {
		out = append(out, r.Statuses[i].status())
	}
	return out, nil
}

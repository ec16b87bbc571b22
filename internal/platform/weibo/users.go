package weibo

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// User is the public profile of a Weibo account.
type User struct {
	ID             string
	ScreenName     string
	FollowersCount int64
	FriendsCount   int64
	StatusesCount  int64
}

type userResponse struct {
	ID             idString `json:"id"`
	IDStr          idString `json:"idstr"`
	ScreenName     string   `json:"screen_name"`
	FollowersCount flexInt  `json:"followers_count"`
	FriendsCount   flexInt  `json:"friends_count"`
	StatusesCount  flexInt  `json:"statuses_count"`
}

func (r *userResponse) validate() error {
	if !validID(string(r.IDStr)) && !validID(string(r.ID)) {
		return errors.New("no user id")
	}
	return nil
}

// ShowUser reads the profile of uid (the authorising account, for a third-party app).
func (c *Client) ShowUser(ctx context.Context, accessToken, uid string) (User, error) {
	const op = "users/show"
	if err := checkIDs(op, accessToken, []string{uid}); err != nil {
		return User{}, err
	}
	var r userResponse
	err := c.do(ctx, call{
		op: op, method: http.MethodGet, path: "/2/users/show.json",
		query: url.Values{"uid": {uid}}, token: accessToken, idempotent: true,
	}, &r)
	if err != nil {
		return User{}, err
	}
	id := string(r.IDStr)
	if !validID(id) {
		id = string(r.ID)
	}
	return User{
		ID: id, ScreenName: r.ScreenName, FollowersCount: int64(r.FollowersCount),
		FriendsCount: int64(r.FriendsCount), StatusesCount: int64(r.StatusesCount),
	}, nil
}

// UserCount is the follower, following and post counts of one account.
type UserCount struct {
	ID             string
	FollowersCount int64
	FriendsCount   int64
	StatusesCount  int64
}

type userCountItem struct {
	ID             idString `json:"id"`
	FollowersCount flexInt  `json:"followers_count"`
	FriendsCount   flexInt  `json:"friends_count"`
	StatusesCount  flexInt  `json:"statuses_count"`
}

type userCountsResponse []userCountItem

func (r *userCountsResponse) validate() error {
	for _, it := range *r {
		if !validID(string(it.ID)) {
			return errors.New("count without a valid id")
		}
	}
	return nil
}

// UserCounts reads the counts of the given accounts, MaxBatch uids per call.
func (c *Client) UserCounts(ctx context.Context, accessToken string, uids []string) ([]UserCount, error) {
	const op = "users/counts"
	if err := checkIDs(op, accessToken, uids); err != nil {
		return nil, err
	}
	out := make([]UserCount, 0, len(uids))
	for batch := range chunks(uids) {
		var r userCountsResponse
		err := c.do(ctx, call{
			op: op, method: http.MethodGet, path: "/2/users/counts.json",
			query: url.Values{"uids": {strings.Join(batch, ",")}},
			token: accessToken, idempotent: true,
		}, &r)
		if err != nil {
			return nil, err
		}
		for _, it := range r {
			out = append(out, UserCount{
				ID: string(it.ID), FollowersCount: int64(it.FollowersCount),
				FriendsCount: int64(it.FriendsCount), StatusesCount: int64(it.StatusesCount),
			})
		}
	}
	return out, nil
}

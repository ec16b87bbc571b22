package passerelle

import (
	"strconv"
	"time"
)

// WeChat account types: they set the mass-send quota.
const (
	// WeChatSubscription (订阅号): one mass send a day.
	WeChatSubscription = "subscription"
	// WeChatService (服务号): four mass sends a calendar month.
	WeChatService = "service"
)

// MassWindow is the quota period a mass send at some instant counts against, and how
// many mass sends it allows.
type MassWindow struct {
	From, To time.Time // [From, To): To is when the quota renews
	Limit    int
}

// MassQuota is the window of a mass send at t for an account of the given type: a
// Beijing day for a subscription account (1 mass send), a Beijing calendar month for a
// service account (4; WeChat lets a service account call the API more often, but each
// follower receives at most 4 a month, so more would reach nobody). See
// docs/publishing.md for the sources.
func MassQuota(wechatType string, t time.Time) MassWindow {
	b := t.In(beijing())
	if wechatType == WeChatService {
		from := time.Date(b.Year(), b.Month(), 1, 0, 0, 0, 0, beijing())
		return MassWindow{From: from.UTC(), To: from.AddDate(0, 1, 0).UTC(), Limit: 4}
	}
	from := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, beijing())
	return MassWindow{From: from.UTC(), To: from.AddDate(0, 0, 1).UTC(), Limit: 1}
}

// MassClientMsgID is the clientmsgid of a publication's mass send: derived from the
// publication alone, so that a repeat after a lost answer, a crash or a retry is
// refused by WeChat as a duplicate (errcode 45065) instead of sent twice. WeChat
// accepts at most 64 characters.
func MassClientMsgID(publicationID int64) string {
	return "passerelle-publication-" + strconv.FormatInt(publicationID, 10)
}

package api_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// TestCollectionSettingsAPI: the defaults until set, owners change them, invalid
// values answer 422 with the field and change nothing; an account's state shows an
// expired authorisation and another organization's account is not found.
func TestCollectionSettingsAPI(t *testing.T) {
	engines(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		var got store.CollectionSettings
		b.api.Do("GET", "/api/v1/analytics/collection-settings", nil).Want(t, http.StatusOK).JSON(t, &got)
		if got.WeiboDays != 10 || got.WeChatDays != 7 || len(got.Hours) != 5 || got.WeiboReadsPerHour != 150 {
			t.Fatalf("defaults %+v", got)
		}
		in := map[string]any{"hours": []int{2, 6, 24}, "weibo_days": 14, "wechat_days": 7, "weibo_reads_per_hour": 100, "wechat_calls_per_day": 300}
		b.api.Do("PUT", "/api/v1/analytics/collection-settings", in).Want(t, http.StatusOK).JSON(t, &got)
		if got.WeiboDays != 14 || len(got.Hours) != 3 || got.Hours[0] != 2 || got.WeChatCallsPerDay != 300 {
			t.Fatalf("set %+v", got)
		}
		for _, bad := range []map[string]any{
			{"hours": []int{6, 3}, "weibo_days": 10, "wechat_days": 7, "weibo_reads_per_hour": 100, "wechat_calls_per_day": 300},
			{"hours": []int{1}, "weibo_days": 10, "wechat_days": 8, "weibo_reads_per_hour": 100, "wechat_calls_per_day": 300},
			{"hours": []int{1}, "weibo_days": 0, "wechat_days": 7, "weibo_reads_per_hour": -1, "wechat_calls_per_day": 300},
		} {
			b.api.Do("PUT", "/api/v1/analytics/collection-settings", bad).Want(t, http.StatusUnprocessableEntity)
		}
		b.api.Do("GET", "/api/v1/analytics/collection-settings", nil).Want(t, http.StatusOK).JSON(t, &got)
		if got.WeiboDays != 14 {
			t.Fatalf("an invalid write changed the settings: %+v", got)
		}
		admin := b.user(b.org, false, passerelle.Membership{InstitutionID: b.institution(b.org, "Orsay").ID, Role: passerelle.RoleAdmin})
		b.as(admin).Do("PUT", "/api/v1/analytics/collection-settings", in).Want(t, http.StatusForbidden)

		inst := b.institution(b.org, "Louvre")
		acc := b.account(b.org, inst.ID, passerelle.Weibo, passerelle.AccountManaged)
		var st struct {
			NeedsReauth  bool       `json:"needs_reauth"`
			BlockedUntil *time.Time `json:"blocked_until"`
			LastError    string     `json:"last_error"`
			Limit        int        `json:"limit"`
		}
		b.api.Do("GET", "/api/v1/accounts/"+strconv.FormatInt(acc.ID, 10)+"/collection", nil).Want(t, http.StatusOK).JSON(t, &st)
		if st.NeedsReauth || st.Limit != 100 {
			t.Fatalf("fresh account %+v", st)
		}
		if err := b.db.MarkCollectionReauth(ctx, acc.ID, "weibo statuses/count: auth_expired"); err != nil {
			t.Fatal(err)
		}
		b.api.Do("GET", "/api/v1/accounts/"+strconv.FormatInt(acc.ID, 10)+"/collection", nil).Want(t, http.StatusOK).JSON(t, &st)
		if !st.NeedsReauth || st.LastError == "" {
			t.Fatalf("expired account %+v", st)
		}
		other := b.account(b.foreign, b.institution(b.foreign, "Ailleurs").ID, passerelle.Weibo, passerelle.AccountManaged)
		b.api.Do("GET", "/api/v1/accounts/"+strconv.FormatInt(other.ID, 10)+"/collection", nil).Want(t, http.StatusNotFound)
	})
}

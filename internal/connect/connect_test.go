package connect_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/connect"
	"github.com/passerelle-oss/passerelle/internal/platform/sim"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

type bundle struct {
	db      *store.DB
	svc     *connect.Service
	sim     *sim.Simulator
	simURL  string
	owner   *passerelle.User
	viewer  *passerelle.User
	inst    *passerelle.Institution
	stopSim func()
}

func setup(t *testing.T) *bundle {
	t.Helper()
	ctx := context.Background()
	db := storetest.SQLite(t)
	org, _ := db.CreateOrganization(ctx, "Agence")
	inst := &passerelle.Institution{OrgID: org.ID, Name: "Musée d'Orsay"}
	if err := db.CreateInstitution(ctx, inst); err != nil {
		t.Fatal(err)
	}
	owner := &passerelle.User{OrgID: org.ID, Email: "o@example.org", Owner: true, Memberships: []passerelle.Membership{}}
	viewer := &passerelle.User{OrgID: org.ID, Email: "v@example.org", Memberships: []passerelle.Membership{{InstitutionID: inst.ID, Role: passerelle.RoleViewer}}}
	for _, u := range []*passerelle.User{owner, viewer} {
		if err := db.CreateUser(ctx, u, "h"); err != nil {
			t.Fatal(err)
		}
	}
	s := sim.New(sim.Config{Seed: 7,
		WeChatAccounts: []sim.WeChatAccount{
			{AppID: "wxverified00000001", Secret: "good", Verified: true},
			{AppID: "wxunverified000002", Secret: "good"},
			{AppID: "wxwhitelist0000003", Secret: "good", Verified: true, WhitelistedIPs: []string{"203.0.113.9"}},
		},
		WeiboApps: []sim.WeiboApp{{ClientID: "3490000001", ClientSecret: "appsecret", SafeDomain: "museum.example"}},
	})
	ts := httptest.NewServer(s)
	t.Cleanup(func() { ts.Close(); s.Close() })
	svc := &connect.Service{DB: db, Tenancy: &tenancy.Service{DB: db}, WeiboAPI: ts.URL, WeChatAPI: ts.URL, BaseURL: "https://passerelle.example"}
	return &bundle{db: db, svc: svc, sim: s, simURL: ts.URL, owner: owner, viewer: viewer, inst: inst, stopSim: ts.Close}
}

func (b *bundle) account(t *testing.T, platform passerelle.Platform, creds map[string]string) int64 {
	t.Helper()
	ctx := context.Background()
	a := &passerelle.Account{InstitutionID: b.inst.ID, Platform: platform, Handle: "h" + strings.Repeat("x", len(creds)), DisplayName: "奥赛博物馆"}
	if err := b.db.CreateAccount(ctx, b.owner.OrgID, a); err != nil {
		t.Fatal(err)
	}
	if len(creds) > 0 {
		if err := b.db.SetCredentials(ctx, b.owner.OrgID, a.ID, creds); err != nil {
			t.Fatal(err)
		}
	}
	return a.ID
}

func TestWeChatDiagnosis(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	tests := []struct {
		name         string
		creds        map[string]string
		ok           bool
		key          string
		canPublish   bool
		assistedOnly bool
		messageHas   string
	}{
		{"verified account", map[string]string{"appid": "wxverified00000001", "app_secret": "good"}, true, "ok", true, false, "fonctionne"},
		{"unverified account", map[string]string{"appid": "wxunverified000002", "app_secret": "good"}, true, "not_verified", false, true, "assist"},
		{"IP not whitelisted", map[string]string{"appid": "wxwhitelist0000003", "app_secret": "good"}, false, "ip_whitelist", false, false, "127.0.0.1"},
		{"wrong secret", map[string]string{"appid": "wxverified00000001", "app_secret": "bad"}, false, "credentials", false, false, "AppSecret"},
		{"no credentials", nil, false, "missing", false, false, "AppID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := b.account(t, passerelle.WeChat, tt.creds)
			res, err := b.svc.Test(ctx, b.owner, id, "fr")
			if err != nil {
				t.Fatal(err)
			}
			if res.OK != tt.ok || res.DiagnosisKey != tt.key || res.CanPublish != tt.canPublish || res.AssistedOnly != tt.assistedOnly {
				t.Fatalf("result = %+v", res)
			}
			if !strings.Contains(res.Message, tt.messageHas) {
				t.Fatalf("message %q lacks %q", res.Message, tt.messageHas)
			}
			c, err := b.svc.Connection(ctx, b.owner, id)
			if err != nil || c == nil || c.DiagnosisKey != tt.key {
				t.Fatalf("stored connection = %+v, %v", c, err)
			}
			a, _ := b.db.Account(ctx, b.owner.OrgID, id)
			if (res.Followers != nil) != (a.Followers != nil) || (res.Followers != nil && *a.Followers != *res.Followers) {
				t.Fatalf("account followers %v, test found %v", a.Followers, res.Followers)
			}
			if tt.canPublish && res.Followers == nil {
				t.Fatal("a verified account's follower count was not read")
			}
		})
	}
}

func TestWeChatUnreachable(t *testing.T) {
	t.Parallel()
	b := setup(t)
	id := b.account(t, passerelle.WeChat, map[string]string{"appid": "wxverified00000001", "app_secret": "good"})
	b.stopSim()
	res, err := b.svc.Test(context.Background(), b.owner, id, "zh-Hans")
	if err != nil {
		t.Fatal(err)
	}
	if res.OK || res.DiagnosisKey != "unreachable" {
		t.Fatalf("result = %+v", res)
	}
}

func TestRoles(t *testing.T) {
	t.Parallel()
	b := setup(t)
	id := b.account(t, passerelle.WeChat, map[string]string{"appid": "wxverified00000001", "app_secret": "good"})
	if _, err := b.svc.Test(context.Background(), b.viewer, id, "en"); passerelle.ErrorCode(err) != passerelle.EFORBIDDEN {
		t.Fatalf("viewer test: %v", err)
	}
	stranger := &passerelle.User{OrgID: b.owner.OrgID + 99, Owner: true}
	if _, err := b.svc.Test(context.Background(), stranger, id, "en"); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
		t.Fatalf("foreign test: %v", err)
	}
}

// TestWeiboOAuth plays the whole authorisation against the simulator, as a browser
// would: authorize page, consent, redirect back with the code and state.
func TestWeiboOAuth(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	id := b.account(t, passerelle.Weibo, map[string]string{"app_key": "3490000001", "app_secret": "appsecret"})

	res, err := b.svc.Test(ctx, b.owner, id, "en")
	if err != nil || res.DiagnosisKey != "authorize" {
		t.Fatalf("before authorisation: %+v %v", res, err)
	}
	authURL, err := b.svc.WeiboAuthorizeURL(ctx, b.owner, "session-A", id)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(authURL)
	q := u.Query()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.PostForm(b.simURL+"/oauth2/authorize", url.Values{"client_id": {q.Get("client_id")}, "redirect_uri": {q.Get("redirect_uri")}, "state": {q.Get("state")}, "screen_name": {"奥赛博物馆"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(back.String(), "https://passerelle.example/oauth/weibo/callback") {
		t.Fatalf("redirect = %q (%d)", resp.Header.Get("Location"), resp.StatusCode)
	}
	code, state := back.Query().Get("code"), back.Query().Get("state")

	if _, _, err := b.svc.WeiboCallback(ctx, b.owner, "session-B", state, code, "en"); passerelle.ErrorCode(err) != passerelle.EFORBIDDEN {
		t.Fatalf("state from another session: %v", err)
	}
	// The state was not consumed by the foreign attempt? It was bound to session-A,
	// so the right session still completes, and resumes what waited for the account.
	var resumedFor []int64
	b.svc.Resume = func(_ context.Context, accountID int64) (int, error) {
		resumedFor = append(resumedFor, accountID)
		return 2, nil
	}
	got, resumed, err := b.svc.WeiboCallback(ctx, b.owner, "session-A", state, code, "en")
	if err != nil || got != id || resumed != 2 || len(resumedFor) != 1 || resumedFor[0] != id {
		t.Fatalf("callback: %d %v, resumed %d for %v", got, err, resumed, resumedFor)
	}
	if _, _, err := b.svc.WeiboCallback(ctx, b.owner, "session-A", state, code, "en"); passerelle.ErrorCode(err) != passerelle.EFORBIDDEN {
		t.Fatalf("state reused: %v", err)
	}
	c, err := b.svc.Connection(ctx, b.owner, id)
	if err != nil || c == nil || c.TokenExpiresAt == nil || c.TokenExpiresAt.Before(time.Now().Add(24*time.Hour)) {
		t.Fatalf("connection = %+v, %v", c, err)
	}
	res, err = b.svc.Test(ctx, b.owner, id, "fr")
	if err != nil || !res.OK || !res.CanPublish || res.Followers == nil {
		t.Fatalf("after authorisation: %+v %v", res, err)
	}
	creds, _ := b.db.Credentials(ctx, id)
	if creds["access_token"] == "" {
		t.Fatal("token not stored")
	}
}

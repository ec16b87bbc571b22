// Package connect links managed accounts to their platforms: it tests credentials and
// explains failures in plain language, detects what an account may do by API (publish,
// read analytics), runs Weibo's OAuth authorisation, and reminds admins before a
// Weibo token expires.
package connect

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/auth"
	"github.com/passerelle-oss/passerelle/internal/clients"
	"github.com/passerelle-oss/passerelle/internal/platform"
	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
	"github.com/passerelle-oss/passerelle/internal/platform/weibo"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// Service connects accounts.
type Service struct {
	DB      *store.DB
	Tenancy *tenancy.Service
	// WeiboAPI and WeChatAPI are the platforms' base URLs (a simulator in tests).
	WeiboAPI, WeChatAPI string
	// BaseURL is this server's public address, for callback and redirect URLs.
	BaseURL    string
	HTTPClient *http.Client
	Logger     *slog.Logger
	Now        func() time.Time
	// Clients builds the platform clients; one from the fields above when nil.
	Clients *clients.Factory
	// Resume puts an account's publications waiting for re-authorisation back on the
	// schedule and says how many: called once a reconnection proves the account may
	// publish again (the publishing engine's Reconnected). Nil: nothing waits.
	Resume func(ctx context.Context, accountID int64) (int, error)

	// The outbound address is looked up at most every outboundTTL: the connection page
	// shows it, and the lookup resolves the platform's host name.
	outboundMu sync.Mutex
	outbound   string
	outboundAt time.Time
}

const outboundTTL = 10 * time.Minute

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Result is what a connection test found, with a message in the user's language.
type Result struct {
	OK           bool       `json:"ok"`
	DiagnosisKey string     `json:"diagnosis_key"`
	Message      string     `json:"message"`
	CanPublish   bool       `json:"can_publish"`
	CanAnalytics bool       `json:"can_analytics"`
	AssistedOnly bool       `json:"assisted_only"`
	Followers    *int64     `json:"followers"`
	ExpiresAt    *time.Time `json:"token_expires_at"`
	CheckedAt    time.Time  `json:"checked_at"`
	// PlatformUID and PlatformName are the Weibo identity the token belongs to.
	PlatformUID  string `json:"platform_uid,omitempty"`
	PlatformName string `json:"platform_name,omitempty"`
	// Resumed counts the publications that waited for re-authorisation and are back on
	// the schedule since this test.
	Resumed int `json:"resumed"`
}

// CallbackURL is the URL to paste into the WeChat console for an account.
func (s *Service) CallbackURL(accountID int64) string {
	return s.BaseURL + "/wechat/callback/" + strconv.FormatInt(accountID, 10)
}

// WeiboRedirectURI is the OAuth callback to register for the Weibo app.
func (s *Service) WeiboRedirectURI() string { return s.BaseURL + "/oauth/weibo/callback" }

// OutboundIP returns the local address this server uses to reach WeChat: the address
// to whitelist when the server is not behind NAT (a test that fails with 40164 tells
// the address WeChat actually saw). No packet is sent.
func (s *Service) OutboundIP() string {
	s.outboundMu.Lock()
	defer s.outboundMu.Unlock()
	if now := s.now(); s.outboundAt.IsZero() || now.Sub(s.outboundAt) > outboundTTL {
		s.outbound, s.outboundAt = s.lookupOutboundIP(), now
	}
	return s.outbound
}

func (s *Service) lookupOutboundIP() string {
	u, err := url.Parse(s.WeChatAPI)
	if err != nil || u.Host == "" {
		return ""
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "443")
	}
	c, err := net.DialTimeout("udp", host, 2*time.Second)
	if err != nil {
		return ""
	}
	defer c.Close()
	if a, ok := c.LocalAddr().(*net.UDPAddr); ok {
		return a.IP.String()
	}
	return ""
}

// manage returns an account the user manages.
func (s *Service) manage(ctx context.Context, u *passerelle.User, accountID int64) (*passerelle.Account, error) {
	a, err := s.Tenancy.Account(ctx, u, accountID)
	if err != nil {
		return nil, err
	}
	if !u.Can(a.InstitutionID, passerelle.PermManage) {
		return nil, passerelle.Errorf(passerelle.EFORBIDDEN, "Your role does not allow this.")
	}
	if a.Kind != passerelle.AccountManaged {
		return nil, passerelle.Errorf(passerelle.EINVALID, "Only managed accounts connect to their platform.")
	}
	return a, nil
}

// Test checks an account's credentials against its platform, stores what it found and
// explains it in lang.
func (s *Service) Test(ctx context.Context, u *passerelle.User, accountID int64, lang string) (*Result, error) {
	a, err := s.manage(ctx, u, accountID)
	if err != nil {
		return nil, err
	}
	creds, err := s.DB.Credentials(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	var res *Result
	switch a.Platform {
	case passerelle.WeChat:
		res = s.testWeChat(ctx, creds, lang)
	case passerelle.Weibo:
		res = s.testWeibo(ctx, creds, lang)
	default:
		return nil, passerelle.Errorf(passerelle.EINVALID, "This platform has no API for third parties: publish in assisted mode.")
	}
	res.CheckedAt = s.now().UTC()
	status := "error"
	if res.OK {
		status = "ok"
	}
	c := &store.Connection{AccountID: a.ID, Status: status, DiagnosisKey: res.DiagnosisKey, CanPublish: res.CanPublish, CanAnalytics: res.CanAnalytics, TokenExpiresAt: res.ExpiresAt,
		PlatformUID: res.PlatformUID, PlatformName: res.PlatformName}
	if err := s.DB.SaveConnection(ctx, c); err != nil {
		return nil, err
	}
	if res.Followers != nil {
		// A reading from the platform: the barometer and analytics use it, and it
		// updates the account's last known count.
		n := *res.Followers
		snap := &store.AccountSnapshot{AccountID: a.ID, TakenAt: res.CheckedAt, Followers: &n, Source: store.SourceAPI, Note: "connection test"}
		if _, err := s.DB.RecordSnapshots(ctx, u.OrgID, []*store.AccountSnapshot{snap}); err != nil {
			return nil, err
		}
	}
	if res.OK && res.CanPublish {
		if res.Resumed, err = s.resume(ctx, a.ID); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// resume puts back on the schedule what waited for this account's re-authorisation.
func (s *Service) resume(ctx context.Context, accountID int64) (int, error) {
	if s.Resume == nil {
		return 0, nil
	}
	n, err := s.Resume(ctx, accountID)
	if err != nil {
		return 0, fmt.Errorf("resume publications: %w", err)
	}
	return n, nil
}

func (s *Service) factory() *clients.Factory {
	if s.Clients != nil {
		return s.Clients
	}
	return &clients.Factory{DB: s.DB, WeiboAPI: s.WeiboAPI, WeChatAPI: s.WeChatAPI, WeiboRedirectURI: s.WeiboRedirectURI(), HTTPClient: s.HTTPClient, Logger: s.Logger, Now: s.Now}
}

func (s *Service) wechatClient(creds map[string]string) (*wechat.Client, error) {
	return s.factory().NewWeChat(clients.WeChatCredentials{AppID: creds["appid"], AppSecret: creds["app_secret"]})
}

// testWeChat fetches a token (credentials, IP whitelist), then probes analytics, which
// like publishing needs a verified account.
func (s *Service) testWeChat(ctx context.Context, creds map[string]string, lang string) *Result {
	if creds["appid"] == "" || creds["app_secret"] == "" {
		return &Result{DiagnosisKey: "missing", Message: tr(lang, "connect.missing_wechat")}
	}
	c, err := s.wechatClient(creds)
	if err != nil {
		return &Result{DiagnosisKey: "credentials", Message: wechat.Diagnose(err, lang).Message}
	}
	if _, err := c.StableToken(ctx, false); err != nil {
		d := wechat.Diagnose(err, lang)
		return &Result{DiagnosisKey: d.Key, Message: d.Message, AssistedOnly: d.AssistedOnly}
	}
	yesterday := s.now().In(beijing).AddDate(0, 0, -1).Format(time.DateOnly)
	res := &Result{OK: true, DiagnosisKey: "ok"}
	cum, err := c.UserCumulates(ctx, yesterday, yesterday)
	switch {
	case err == nil:
		res.CanPublish, res.CanAnalytics = true, true
		res.Message = wechat.Diagnose(nil, lang).Message
		if len(cum) > 0 {
			n := cum[len(cum)-1].CumulateUser
			res.Followers = &n
		}
	case platform.CodeOf(err) == wechat.CodeUnauthorized || platform.CodeOf(err) == wechat.CodeAPIForbidden:
		d := wechat.Diagnose(err, lang)
		res.DiagnosisKey, res.Message, res.AssistedOnly = d.Key, d.Message, true
	default:
		d := wechat.Diagnose(err, lang)
		res.OK, res.DiagnosisKey, res.Message = false, d.Key, d.Message
	}
	return res
}

func (s *Service) weiboClient(creds map[string]string) (*weibo.Client, error) {
	return s.factory().NewWeibo(clients.WeiboCredentials{AppKey: creds["app_key"], AppSecret: creds["app_secret"]})
}

func (s *Service) testWeibo(ctx context.Context, creds map[string]string, lang string) *Result {
	if creds["app_key"] == "" || creds["app_secret"] == "" {
		return &Result{DiagnosisKey: "missing", Message: tr(lang, "connect.missing_weibo")}
	}
	if creds["access_token"] == "" {
		return &Result{DiagnosisKey: "authorize", Message: tr(lang, "connect.authorize")}
	}
	c, err := s.weiboClient(creds)
	if err != nil {
		return &Result{DiagnosisKey: "credentials", Message: tr(lang, "connect.weibo_auth")}
	}
	info, err := c.TokenInfo(ctx, creds["access_token"])
	if err != nil {
		return weiboFailure(err, lang)
	}
	exp := info.ExpiresAt.UTC()
	res := &Result{OK: true, DiagnosisKey: "ok", CanPublish: true, ExpiresAt: &exp, Message: tr(lang, "connect.weibo_ok"), PlatformUID: info.UID}
	if user, err := c.ShowUser(ctx, creds["access_token"], info.UID); err == nil {
		n := user.FollowersCount
		res.Followers = &n
		res.CanAnalytics = true
		res.PlatformName = user.ScreenName
	}
	if exp.Sub(s.now()) < ReminderLead {
		res.DiagnosisKey, res.Message = "expiring", tr(lang, "connect.expiring")
	}
	return res
}

func weiboFailure(err error, lang string) *Result {
	switch platform.KindOf(err) {
	case platform.AuthExpired:
		return &Result{DiagnosisKey: "authorize", Message: tr(lang, "connect.weibo_auth")}
	case platform.RateLimited:
		return &Result{DiagnosisKey: "rate_limited", Message: tr(lang, "connect.rate")}
	case platform.Retryable, platform.Ambiguous:
		return &Result{DiagnosisKey: "unreachable", Message: tr(lang, "connect.unreachable")}
	}
	return &Result{DiagnosisKey: "other", Message: tr(lang, "connect.other")}
}

// ReminderLead is how long before a Weibo token expires its admins are reminded.
const ReminderLead = 5 * 24 * time.Hour

// oauthTTL bounds the time between "Connect Weibo" and the callback.
const oauthTTL = 15 * time.Minute

// WeiboAuthorizeURL starts the OAuth flow for an account: the state is bound to the
// browser session that asked.
func (s *Service) WeiboAuthorizeURL(ctx context.Context, u *passerelle.User, sessionHash string, accountID int64) (string, error) {
	a, err := s.manage(ctx, u, accountID)
	if err != nil {
		return "", err
	}
	if a.Platform != passerelle.Weibo {
		return "", passerelle.Errorf(passerelle.EINVALID, "Only Weibo accounts connect with OAuth.")
	}
	creds, err := s.DB.Credentials(ctx, a.ID)
	if err != nil {
		return "", err
	}
	if creds["app_key"] == "" || creds["app_secret"] == "" {
		return "", passerelle.Errorf(passerelle.EINVALID, "Enter the Weibo app key and app secret first.")
	}
	state := auth.NewSecret("", 20)
	if err := s.DB.CreateOAuthState(ctx, auth.Hash(state), sessionHash, a.ID, s.now().Add(oauthTTL)); err != nil {
		return "", err
	}
	c, err := s.weiboClient(creds)
	if err != nil {
		return "", err
	}
	return c.AuthorizeURL(state), nil
}

// WeiboCallback completes the OAuth flow: it checks the state against the session,
// exchanges the code, checks that the Weibo identity that authorised is the account's,
// and stores the sealed token with its expiry and that identity. A refusal names the
// identity in lang and still returns the account's id. Publications that waited for
// this re-authorisation go back on the schedule; resumed says how many.
func (s *Service) WeiboCallback(ctx context.Context, u *passerelle.User, sessionHash, state, code, lang string) (accountID int64, resumed int, err error) {
	if state == "" || code == "" || len(state) > 200 || len(code) > 500 {
		return 0, 0, passerelle.Errorf(passerelle.EINVALID, "The authorisation answer is incomplete; try again.")
	}
	accountID, err = s.DB.TakeOAuthState(ctx, auth.Hash(state), sessionHash)
	if err != nil {
		if passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
			return 0, 0, passerelle.Errorf(passerelle.EFORBIDDEN, "This authorisation link expired or was started in another browser; try again.")
		}
		return 0, 0, err
	}
	a, err := s.manage(ctx, u, accountID)
	if err != nil {
		return 0, 0, err
	}
	creds, err := s.DB.Credentials(ctx, a.ID)
	if err != nil {
		return 0, 0, err
	}
	c, err := s.weiboClient(creds)
	if err != nil {
		return 0, 0, err
	}
	tok, err := c.ExchangeCode(ctx, code)
	if err != nil {
		return 0, 0, passerelle.Errorf(passerelle.EUNAVAILABLE, "Weibo refused the authorisation: %s", weiboFailure(err, "en").Message)
	}
	var name string
	if who, err := c.ShowUser(ctx, tok.AccessToken, tok.UID); err == nil {
		name = who.ScreenName
	}
	var prevUID string
	if prev, err := s.DB.Connection(ctx, a.ID); err == nil {
		prevUID = prev.PlatformUID
	}
	if !sameIdentity(a, prevUID, tok.UID, name) {
		return a.ID, 0, passerelle.Errorf(passerelle.EINVALID, "%s", tr(lang, "connect.wrong_identity", name, tok.UID, accountLabel(a)))
	}
	if err := s.DB.SetCredentials(ctx, u.OrgID, a.ID, map[string]string{"access_token": tok.AccessToken}); err != nil {
		return 0, 0, err
	}
	s.DB.Audit(ctx, store.AuditEntry{OrgID: u.OrgID, ActorID: u.ID, Actor: u.Email, Action: store.AuditCredentialsSet, Object: "account", ObjectID: store.ID(a.ID), Detail: "access_token (Weibo authorisation)"})
	exp := tok.ExpiresAt.UTC()
	if info, err := c.TokenInfo(ctx, tok.AccessToken); err == nil {
		exp = info.ExpiresAt.UTC()
	}
	if err := s.DB.SaveConnection(ctx, &store.Connection{AccountID: a.ID, Status: "ok", DiagnosisKey: "ok", CanPublish: true, PlatformUID: tok.UID, PlatformName: name, TokenExpiresAt: &exp}); err != nil {
		return 0, 0, err
	}
	if resumed, err = s.resume(ctx, a.ID); err != nil {
		return a.ID, 0, err
	}
	return a.ID, resumed, nil
}

// sameIdentity reports whether the Weibo user (uid, screen name) that authorised is
// the account: the uid already connected, or the account's handle or display name.
// An identity Weibo would not name (no read permission) is accepted on first
// connection only.
func sameIdentity(a *passerelle.Account, prevUID, uid, name string) bool {
	if prevUID != "" && prevUID == uid {
		return true
	}
	handle := strings.TrimPrefix(strings.TrimSpace(a.Handle), "@")
	switch {
	case uid == handle:
		return true
	case name != "" && (strings.EqualFold(name, handle) || name == strings.TrimSpace(a.DisplayName)):
		return true
	}
	return name == "" && prevUID == ""
}

func accountLabel(a *passerelle.Account) string {
	if a.DisplayName != "" {
		return a.DisplayName + " (@" + strings.TrimPrefix(a.Handle, "@") + ")"
	}
	return "@" + strings.TrimPrefix(a.Handle, "@")
}

// WeiboOrigin is the scheme and host of Weibo's authorisation page, which the
// "Connect Weibo" form is redirected to.
func (s *Service) WeiboOrigin() string {
	u, err := url.Parse(s.WeiboAPI)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// CreateQRCode makes (or finds again) the permanent parametric QR code of a managed
// WeChat account for scene; it returns the account's AppID and the code's ticket.
func (s *Service) CreateQRCode(ctx context.Context, u *passerelle.User, accountID int64, scene, lang string) (appID, ticket string, err error) {
	a, err := s.manage(ctx, u, accountID)
	if err != nil {
		return "", "", err
	}
	if a.Platform != passerelle.WeChat {
		return "", "", passerelle.Errorf(passerelle.EINVALID, "Only WeChat accounts have parametric QR codes.")
	}
	creds, err := s.DB.Credentials(ctx, a.ID)
	if err != nil {
		return "", "", err
	}
	c, err := s.wechatClient(creds)
	if err != nil {
		return "", "", passerelle.Errorf(passerelle.EINVALID, "Enter the AppID and AppSecret first.")
	}
	ticket, _, err = c.CreateQRCode(ctx, scene, true, 0)
	if err != nil {
		return "", "", passerelle.Errorf(passerelle.EUNAVAILABLE, "%s", wechat.Diagnose(err, lang).Message)
	}
	return creds["appid"], ticket, nil
}

// Connection returns the last test of an account the user may see.
func (s *Service) Connection(ctx context.Context, u *passerelle.User, accountID int64) (*store.Connection, error) {
	if _, err := s.Tenancy.Account(ctx, u, accountID); err != nil {
		return nil, err
	}
	c, err := s.DB.Connection(ctx, accountID)
	if errors.Is(err, passerelle.ErrNotFound) {
		return nil, nil
	}
	return c, err
}

var beijing = time.FixedZone("Asia/Shanghai", 8*3600)

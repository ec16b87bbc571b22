// Package clients is the one place that builds an account's platform clients from its
// sealed credentials: connection tests, publishing and analytics all get their Weibo and
// WeChat clients here, with the same base URLs, HTTP client, token store and clock.
package clients

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
	"github.com/passerelle-oss/passerelle/internal/platform/weibo"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Factory builds clients.
type Factory struct {
	DB *store.DB
	// WeiboAPI and WeChatAPI are the platforms' base URLs (a simulator in tests).
	WeiboAPI, WeChatAPI string
	// WeiboRedirectURI is the OAuth callback registered for Weibo apps.
	WeiboRedirectURI string
	HTTPClient       *http.Client
	// Timeout bounds each platform call; the clients' defaults when zero.
	Timeout time.Duration
	Logger  *slog.Logger
	Now     func() time.Time
}

// WeChatCredentials are a WeChat Official Account's credentials.
type WeChatCredentials struct {
	AppID, AppSecret string
	// Token and EncodingAESKey verify and decrypt pushes.
	Token, EncodingAESKey string
}

// WeiboCredentials are a Weibo app's keys and the account's authorisation.
type WeiboCredentials struct {
	AppKey, AppSecret, AccessToken string
}

// Usable reports whether the credentials can call the API.
func (c WeChatCredentials) Usable() bool { return c.AppID != "" && c.AppSecret != "" }

// Usable reports whether the credentials can call the API for the account.
func (c WeiboCredentials) Usable() bool {
	return c.AppKey != "" && c.AppSecret != "" && c.AccessToken != ""
}

// WeChatCredentials opens an account's WeChat credentials.
func (f *Factory) WeChatCredentials(ctx context.Context, accountID int64) (WeChatCredentials, error) {
	m, err := f.DB.Credentials(ctx, accountID)
	if err != nil {
		return WeChatCredentials{}, err
	}
	return WeChatCredentials{AppID: m["appid"], AppSecret: m["app_secret"], Token: m["token"], EncodingAESKey: m["encoding_aes_key"]}, nil
}

// WeiboCredentials opens an account's Weibo credentials.
func (f *Factory) WeiboCredentials(ctx context.Context, accountID int64) (WeiboCredentials, error) {
	m, err := f.DB.Credentials(ctx, accountID)
	if err != nil {
		return WeiboCredentials{}, err
	}
	return WeiboCredentials{AppKey: m["app_key"], AppSecret: m["app_secret"], AccessToken: m["access_token"]}, nil
}

// NewWeChat builds a client for credentials; the access token is shared across
// instances through the store.
func (f *Factory) NewWeChat(c WeChatCredentials) (*wechat.Client, error) {
	hc := f.HTTPClient
	if hc == nil && f.Timeout > 0 {
		hc = &http.Client{Timeout: f.Timeout}
	}
	return wechat.New(wechat.Config{BaseURL: f.WeChatAPI, HTTPClient: hc, AppID: c.AppID, AppSecret: c.AppSecret,
		Tokens: store.TokenStore{DB: f.DB}, Logger: f.Logger, Clock: f.Now})
}

// NewWeibo builds a client for an app's keys.
func (f *Factory) NewWeibo(c WeiboCredentials) (*weibo.Client, error) {
	return weibo.New(weibo.Config{BaseURL: f.WeiboAPI, ClientID: c.AppKey, ClientSecret: c.AppSecret, RedirectURI: f.WeiboRedirectURI,
		HTTPClient: f.HTTPClient, Timeout: f.Timeout, Now: f.Now})
}

// WeChat returns the client of a managed WeChat account, or an EINVALID error that
// says what is missing and how to fix it.
func (f *Factory) WeChat(ctx context.Context, accountID int64) (*wechat.Client, error) {
	c, err := f.WeChatCredentials(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if !c.Usable() {
		return nil, passerelle.Errorf(passerelle.EINVALID, "The WeChat account has no AppID and AppSecret: enter them on the account's connection page, then test the connection.")
	}
	return f.NewWeChat(c)
}

// Weibo returns the client and access token of a managed Weibo account, or an EINVALID
// error that says what is missing and how to fix it.
func (f *Factory) Weibo(ctx context.Context, accountID int64) (*weibo.Client, string, error) {
	c, err := f.WeiboCredentials(ctx, accountID)
	if err != nil {
		return nil, "", err
	}
	if c.AppKey == "" || c.AppSecret == "" {
		return nil, "", passerelle.Errorf(passerelle.EINVALID, "The Weibo account has no app key and secret: enter them on the account's connection page.")
	}
	if c.AccessToken == "" {
		return nil, "", passerelle.Errorf(passerelle.EINVALID, "The Weibo account is not authorised: click \"Connect Weibo\" on the account's connection page.")
	}
	wc, err := f.NewWeibo(c)
	return wc, c.AccessToken, err
}

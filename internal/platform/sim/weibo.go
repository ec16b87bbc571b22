package sim

import (
	"encoding/json"
	"hash/fnv"
	"html/template"
	"io"
	"math"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// WeiboApp is a simulated Weibo application (POST /_sim/weibo/apps).
type WeiboApp struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	// SafeDomain is the app's registered safe domain: every shared text must link to it
	// (or to a subdomain).
	SafeDomain string `json:"safe_domain"`
	// ScreenName is the Weibo user the consent page proposes, as if signed in to
	// Weibo; "模拟博物馆" when empty.
	ScreenName string `json:"screen_name,omitempty"`
	// RedirectURI, when set, must prefix the redirect_uri of the OAuth2 flow.
	RedirectURI string `json:"redirect_uri,omitempty"`
	// TokenLifetimeSeconds is the access tokens' lifetime; 7 days when zero (1 day for
	// an unreviewed app, 30 for a reviewed one on the real platform).
	TokenLifetimeSeconds int64 `json:"token_lifetime_seconds,omitempty"`
	// SharesPerHour bounds statuses/share per user and hour (error 10024); 30 when zero,
	// unlimited when negative.
	SharesPerHour int `json:"shares_per_hour,omitempty"`
	// ReadsPerHour bounds the read endpoints per user and hour (error 10023); 1000 when
	// zero, unlimited when negative.
	ReadsPerHour int `json:"reads_per_hour,omitempty"`
	// MinShareIntervalSeconds is the shortest gap between two shares of a user (error
	// 20016, "posting too often"); 10 when zero, none when negative.
	MinShareIntervalSeconds int `json:"min_share_interval_seconds,omitempty"`
	// CountsAnyAccount lets statuses/count return other accounts' public posts (a
	// partner's relay of a museum's post). The open API's documentation restricts the
	// call to the authorising account's posts (PLATFORMS.md) while an app of a higher
	// level, or the commercial statuses/count/biz, reads any: configurable, like the
	// real app's level. Without it, other accounts' posts are silently absent.
	CountsAnyAccount bool `json:"counts_any_account,omitempty"`
}

func (a *WeiboApp) normalize() error {
	if a.ClientID == "" || a.ClientSecret == "" {
		return errorf("a Weibo app needs client_id and client_secret")
	}
	if a.SafeDomain == "" {
		return errorf("a Weibo app needs a safe_domain")
	}
	if a.RedirectURI != "" {
		if u, err := url.Parse(a.RedirectURI); err != nil || u.Host == "" {
			return errorf("redirect_uri must be an absolute URL")
		}
	}
	if a.TokenLifetimeSeconds == 0 {
		a.TokenLifetimeSeconds = 7 * 86400
	}
	if a.TokenLifetimeSeconds < 0 {
		return errorf("token_lifetime_seconds must be positive")
	}
	if a.SharesPerHour == 0 {
		a.SharesPerHour = 30
	}
	if a.ReadsPerHour == 0 {
		a.ReadsPerHour = 1000
	}
	if a.MinShareIntervalSeconds == 0 {
		a.MinShareIntervalSeconds = 10
	}
	return nil
}

// Weibo limits (PLATFORMS.md).
const (
	weiboMaxLength   = 140
	weiboMaxPicBytes = 5 << 20
	weiboMaxBatch    = 100
	weiboCodeTTL     = 10 * time.Minute
)

type weiboState struct {
	apps        map[string]*WeiboApp
	codes       map[string]*weiboCode
	tokens      map[string]*weiboToken
	users       map[string]*weiboUser // by uid
	usersByName map[string]*weiboUser
	statuses    map[string]*weiboStatus // by idstr
	hitsHour    int64
	hits        map[hitKey]int
}

func (st *weiboState) init() {
	st.apps = map[string]*WeiboApp{}
	st.codes = map[string]*weiboCode{}
	st.tokens = map[string]*weiboToken{}
	st.users = map[string]*weiboUser{}
	st.usersByName = map[string]*weiboUser{}
	st.statuses = map[string]*weiboStatus{}
	st.hits = map[hitKey]int{}
}

type weiboCode struct {
	clientID, uid, redirectURI string
	expires                    time.Time
}

type weiboToken struct {
	clientID, uid    string
	created, expires time.Time
}

type weiboUser struct {
	uid, screenName string
	uidNum          uint64
	created         time.Time
	baseFollowers   int64
	statuses        []*weiboStatus
	lastShare       time.Time
}

type weiboStatus struct {
	num      uint64
	id       string
	uid      string
	text     string
	created  time.Time
	picture  bool
	pictureN string
}

type hitKey struct {
	uid   string
	class string
}

// AddWeiboApp installs or replaces a simulated Weibo app.
func (s *Simulator) AddWeiboApp(a WeiboApp) error {
	if err := a.normalize(); err != nil {
		return err
	}
	s.mu.Lock()
	s.weibo.apps[a.ClientID] = &a
	s.mu.Unlock()
	s.log.Info("sim: weibo app configured", "client_id", a.ClientID, "safe_domain", a.SafeDomain)
	return nil
}

func isWeiboPath(p string) bool {
	return strings.HasPrefix(p, "/2/") || strings.HasPrefix(p, "/oauth2/")
}

func (s *Simulator) routeWeibo() {
	s.mux.HandleFunc("GET /oauth2/authorize", s.weiboAuthorizePage)
	// Browsers ask for an icon on the consent page's origin.
	s.mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	s.mux.HandleFunc("POST /oauth2/authorize", s.weiboAuthorize)
	s.mux.HandleFunc("POST /oauth2/access_token", s.weiboAccessToken)
	s.mux.HandleFunc("POST /oauth2/get_token_info", s.weiboTokenInfo)
	s.mux.HandleFunc("POST /2/statuses/share.json", s.weiboShare)
	s.mux.HandleFunc("GET /2/statuses/count.json", s.weiboCount)
	s.mux.HandleFunc("GET /2/statuses/user_timeline.json", s.weiboUserTimeline)
	s.mux.HandleFunc("GET /2/users/show.json", s.weiboUserShow)
	s.mux.HandleFunc("GET /2/users/counts.json", s.weiboUserCounts)
	// Closed to third-party apps since 2017: share.json is the only way to post.
	closed := func(w http.ResponseWriter, r *http.Request) {
		writeWeiboError(w, r, 10014, "Insufficient app permissions!")
	}
	s.mux.HandleFunc("POST /2/statuses/update.json", closed)
	s.mux.HandleFunc("POST /2/statuses/upload.json", closed)
	s.mux.HandleFunc("/2/", func(w http.ResponseWriter, r *http.Request) {
		writeWeiboError(w, r, 10021, "HTTP method is not suported for this request or the API does not exist")
	})
}

// writeWeiboError answers Weibo's error format {request, error_code, error}.
func writeWeiboError(w http.ResponseWriter, r *http.Request, code int, msg string) {
	status := http.StatusBadRequest
	switch code {
	case 10022, 10023, 10024, 20016, 10014:
		status = http.StatusForbidden
	case 21301, 21314, 21315, 21316, 21317, 21327, 21332:
		status = http.StatusUnauthorized
	case 10001, 10002:
		status = http.StatusInternalServerError
	}
	writeJSON(w, status, map[string]any{"request": r.URL.Path, "error_code": code, "error": msg})
}

// writeOAuthError answers the OAuth2 endpoints' error format.
func writeOAuthError(w http.ResponseWriter, r *http.Request, code int, name, desc string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{
		"error": name, "error_code": code, "request": r.URL.Path,
		"error_uri": r.URL.Path, "error_description": desc,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encoding failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

var authorizePage = template.Must(template.New("authorize").Parse(`<!DOCTYPE html>
<html lang="zh-Hans"><head><meta charset="utf-8"><title>微博授权 · Weibo authorisation (simulator)</title>
<style>body{font-family:sans-serif;max-width:32rem;margin:3rem auto}button{font-size:1.1rem}</style></head>
<body><h1>模拟微博 · Simulated Weibo</h1>
<p>应用 <b>{{.ClientID}}</b> 请求发布和读取数据的权限。<br>
The app <b>{{.ClientID}}</b> asks to publish and read data for your account.<br>
L'application <b>{{.ClientID}}</b> demande à publier et lire les données de votre compte.</p>
<form method="post" action="/oauth2/authorize">
<input type="hidden" name="client_id" value="{{.ClientID}}">
<input type="hidden" name="redirect_uri" value="{{.RedirectURI}}">
<input type="hidden" name="state" value="{{.State}}">
<label>账号 / Account / Compte <input name="screen_name" value="{{.ScreenName}}" maxlength="30" required></label>
<p><button type="submit">授权 · Authorise · Autoriser</button></p>
</form></body></html>
`))

func (s *Simulator) checkAuthorizeRequest(w http.ResponseWriter, r *http.Request, clientID, redirectURI string) bool {
	s.mu.Lock()
	app := s.weibo.apps[clientID]
	s.mu.Unlock()
	switch {
	case app == nil:
		writeOAuthError(w, r, 21324, "invalid_client", "unknown client_id")
		return false
	case redirectURI == "":
		writeOAuthError(w, r, 21322, "redirect_uri_mismatch", "redirect_uri is missing")
		return false
	case app.RedirectURI != "" && !strings.HasPrefix(redirectURI, app.RedirectURI):
		writeOAuthError(w, r, 21322, "redirect_uri_mismatch", "redirect_uri does not match the app's")
		return false
	}
	if u, err := url.Parse(redirectURI); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		writeOAuthError(w, r, 21322, "redirect_uri_mismatch", "redirect_uri is not an http(s) URL")
		return false
	}
	return true
}

func (s *Simulator) weiboAuthorizePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !s.checkAuthorizeRequest(w, r, q.Get("client_id"), q.Get("redirect_uri")) {
		return
	}
	s.mu.Lock()
	name := s.weibo.apps[q.Get("client_id")].ScreenName
	s.mu.Unlock()
	if name == "" {
		name = "模拟博物馆"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	authorizePage.Execute(w, map[string]string{
		"ClientID": q.Get("client_id"), "RedirectURI": q.Get("redirect_uri"), "State": q.Get("state"), "ScreenName": name,
	})
}

// weiboAuthorize is the "grant" button: it signs the named account in, creating it on
// first use, and redirects back with a one-time code.
func (s *Simulator) weiboAuthorize(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, r, 10008, "invalid_request", "unreadable form")
		return
	}
	clientID, redirectURI := r.PostForm.Get("client_id"), r.PostForm.Get("redirect_uri")
	if !s.checkAuthorizeRequest(w, r, clientID, redirectURI) {
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("screen_name"))
	if name == "" || utf8.RuneCountInString(name) > 30 {
		writeOAuthError(w, r, 10008, "invalid_request", "screen_name must have 1 to 30 characters")
		return
	}
	now := s.Now()
	s.mu.Lock()
	u := s.weiboUser(name, now)
	code := s.randHex(32)
	s.weibo.codes[code] = &weiboCode{clientID: clientID, uid: u.uid, redirectURI: redirectURI, expires: now.Add(weiboCodeTTL)}
	s.mu.Unlock()

	back, _ := url.Parse(redirectURI)
	q := back.Query()
	q.Set("code", code)
	if st := r.PostForm.Get("state"); st != "" {
		q.Set("state", st)
	}
	back.RawQuery = q.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// weiboUser returns the account named name, creating it (callers hold s.mu).
func (s *Simulator) weiboUser(name string, now time.Time) *weiboUser {
	if u := s.weibo.usersByName[name]; u != nil {
		return u
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	num := 5_000_000_000 + (h.Sum64()^s.seed)%1_000_000_000
	for s.weibo.users[strconv.FormatUint(num, 10)] != nil {
		num++
	}
	r := rand.New(rand.NewPCG(s.seed, num))
	u := &weiboUser{
		uid: strconv.FormatUint(num, 10), uidNum: num, screenName: name, created: now,
		// Museum accounts: from a few thousand to a few hundred thousand followers.
		baseFollowers: int64(math.Exp(8.5 + 1.5*r.Float64()*2)),
	}
	s.weibo.users[u.uid] = u
	s.weibo.usersByName[name] = u
	return u
}

// followers grows by about 0.1 % a day plus a few, deterministically.
func (u *weiboUser) followers(now time.Time) int64 {
	days := max(now.Sub(u.created).Hours()/24, 0)
	return u.baseFollowers + int64(float64(u.baseFollowers)*0.001*days+3*days)
}

func (s *Simulator) weiboAccessToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, r, 10008, "invalid_request", "unreadable form")
		return
	}
	f := r.Form
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	app := s.weibo.apps[f.Get("client_id")]
	if app == nil || app.ClientSecret != f.Get("client_secret") {
		writeOAuthError(w, r, 21324, "invalid_client", "invalid client_id or client_secret")
		return
	}
	if f.Get("grant_type") != "authorization_code" {
		writeOAuthError(w, r, 21323, "unsupported_grant_type", "grant_type must be authorization_code")
		return
	}
	code := s.weibo.codes[f.Get("code")]
	if code == nil || code.clientID != app.ClientID || now.After(code.expires) {
		writeOAuthError(w, r, 21325, "invalid_grant", "invalid authorization code:"+f.Get("code"))
		return
	}
	if code.redirectURI != f.Get("redirect_uri") {
		writeOAuthError(w, r, 21322, "redirect_uri_mismatch", "redirect_uri differs from the authorize request's")
		return
	}
	delete(s.weibo.codes, f.Get("code"))
	tok := s.newWeiboToken(app, code.uid, now)
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok, "remind_in": strconv.FormatInt(app.TokenLifetimeSeconds, 10),
		"expires_in": app.TokenLifetimeSeconds, "uid": code.uid, "isRealName": "true",
	})
}

// weiboTokenOf finds the caller's token: "Authorization: OAuth2 <token>" or the
// access_token parameter, as the platform accepts both.
func weiboTokenOf(r *http.Request) string {
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "OAuth2 ") {
		return strings.TrimSpace(strings.TrimPrefix(h, "OAuth2 "))
	}
	return r.FormValue("access_token")
}

// weiboAuth checks the token (callers hold s.mu); it writes the error itself.
func (s *Simulator) weiboAuth(w http.ResponseWriter, r *http.Request, now time.Time) (*weiboToken, *weiboUser, *WeiboApp, bool) {
	raw := weiboTokenOf(r)
	if raw == "" {
		writeWeiboError(w, r, 21301, "auth faild!")
		return nil, nil, nil, false
	}
	tok := s.weibo.tokens[raw]
	if tok == nil {
		writeWeiboError(w, r, 21332, "invalid_access_token")
		return nil, nil, nil, false
	}
	if !now.Before(tok.expires) {
		writeWeiboError(w, r, 21327, "expired_token")
		return nil, nil, nil, false
	}
	return tok, s.weibo.users[tok.uid], s.weibo.apps[tok.clientID], true
}

// overLimit counts one call of class for u and reports whether it exceeds limit in the
// current simulated hour (callers hold s.mu).
func (s *Simulator) overLimit(u *weiboUser, class string, limit int, now time.Time) bool {
	if h := hourKey(now); h != s.weibo.hitsHour {
		s.weibo.hitsHour = h
		clear(s.weibo.hits)
	}
	k := hitKey{uid: u.uid, class: class}
	s.weibo.hits[k]++
	return limit > 0 && s.weibo.hits[k] > limit
}

func (s *Simulator) weiboTokenInfo(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	tok, _, _, ok := s.weiboAuth(w, r, now)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"uid": json.Number(tok.uid), "appkey": tok.clientID, "scope": "",
		"create_at": tok.created.Unix(), "expire_in": int64(tok.expires.Sub(now).Seconds()),
	})
}

var topicPattern = regexp.MustCompile(`#[^#\s][^#]*#`)

func (s *Simulator) weiboShare(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, weiboMaxPicBytes+1<<20)
	var pics []*multipart.FileHeader
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(weiboMaxPicBytes + 1<<20); err != nil {
			writeWeiboError(w, r, 10018, "Post too big!")
			return
		}
		pics = r.MultipartForm.File["pic"]
	} else if err := r.ParseForm(); err != nil {
		writeWeiboError(w, r, 10008, "Param error, see doc for more info.")
		return
	}
	var pic []byte
	if len(pics) == 1 {
		var err error
		if pic, err = readPart(pics[0]); err != nil {
			writeWeiboError(w, r, 10008, "Param error, see doc for more info.")
			return
		}
	}
	text, rip := r.FormValue("status"), r.FormValue("rip")
	now := s.Now()
	// The text is judged before taking the lock (regular expressions are the costly
	// part of a share); the verdict is given after the token and limits, as Weibo does.
	textCode, textMsg := judgeShareText(text, rip)
	hosts := urlHosts(text)

	s.mu.Lock()
	defer s.mu.Unlock()
	_, u, app, ok := s.weiboAuth(w, r, now)
	if !ok {
		return
	}
	if s.overLimit(u, "share", app.SharesPerHour, now) {
		writeWeiboError(w, r, 10024, "User requests for (statuses/share) out of rate limit!")
		return
	}
	if app.MinShareIntervalSeconds > 0 && !u.lastShare.IsZero() &&
		now.Sub(u.lastShare) < time.Duration(app.MinShareIntervalSeconds)*time.Second {
		writeWeiboError(w, r, 20016, "Out of limit!")
		return
	}
	if textCode != 0 {
		writeWeiboError(w, r, textCode, textMsg)
		return
	}
	if !onDomain(hosts, app.SafeDomain) {
		writeWeiboError(w, r, 10017, "Parameter (status)'s value invalid, expect (a URL of the app's safe domain) , see doc for more info.")
		return
	}
	switch {
	case len(pics) > 1:
		writeWeiboError(w, r, 10017, "Parameter (pic)'s value invalid, expect (one picture) , see doc for more info.")
		return
	case len(pics) == 1 && !isWeiboPicture(pic):
		writeWeiboError(w, r, 20005, "Unsupported image type, only suport JPG, GIF, PNG!")
		return
	case len(pics) == 1 && len(pic) >= weiboMaxPicBytes:
		writeWeiboError(w, r, 20006, "Image size too large.")
		return
	}
	for _, prev := range u.statuses {
		if prev.text == text && now.Sub(prev.created) < 24*time.Hour {
			writeWeiboError(w, r, 20019, "repeat content!")
			return
		}
	}
	seq := s.nextID()
	num := 9_100_000_000_000_000 + seq*1000 + uint64(s.rng.IntN(1000))
	st := &weiboStatus{num: num, id: strconv.FormatUint(num, 10), uid: u.uid, text: text, created: now, picture: len(pics) == 1}
	if st.picture {
		st.pictureN = s.randHex(24)
	}
	u.statuses = append(u.statuses, st)
	u.lastShare = now
	s.weibo.statuses[st.id] = st
	writeJSON(w, http.StatusOK, s.statusJSON(st, u, now))
}

func isWeiboPicture(b []byte) bool {
	switch http.DetectContentType(b) {
	case "image/jpeg", "image/png", "image/gif":
		return true
	}
	return false
}

// judgeShareText returns Weibo's error for a share's text and rip, or 0. The safe
// domain is checked apart, since it depends on the app.
func judgeShareText(text, rip string) (int, string) {
	switch {
	case text == "":
		return 10016, "Miss required parameter (status) , see doc for more info."
	case rip == "":
		return 10016, "Miss required parameter (rip) , see doc for more info."
	}
	if _, err := netip.ParseAddr(rip); err != nil {
		return 10017, "Parameter (rip)'s value invalid, expect (an IP address) , but get (" + rip + ") , see doc for more info."
	}
	if topicPattern.MatchString(text) {
		return 10017, "Parameter (status)'s value invalid, expect (text without #topic#) , see doc for more info."
	}
	if n := weiboLength(text); n > weiboMaxLength {
		return 20012, "Text too long, please input text less than 140 characters!"
	}
	return 0, ""
}

// urlHosts lists the lower-cased hosts of the URLs in text.
func urlHosts(text string) []string {
	var hosts []string
	for _, raw := range urlPattern.FindAllString(text, -1) {
		if u, err := url.Parse(raw); err == nil {
			hosts = append(hosts, strings.ToLower(u.Hostname()))
		}
	}
	return hosts
}

// onDomain reports whether one of hosts is domain or one of its subdomains.
func onDomain(hosts []string, domain string) bool {
	domain = strings.ToLower(domain)
	if h, _, ok := strings.Cut(domain, ":"); ok {
		domain = h
	}
	for _, host := range hosts {
		if host == domain || strings.HasSuffix(host, "."+domain) {
			return true
		}
	}
	return false
}

type weiboStatusJSON struct {
	CreatedAt           string              `json:"created_at"`
	ID                  json.Number         `json:"id"`
	MID                 string              `json:"mid"`
	IDStr               string              `json:"idstr"`
	Text                string              `json:"text"`
	Source              string              `json:"source"`
	Favorited           bool                `json:"favorited"`
	Truncated           bool                `json:"truncated"`
	InReplyToStatusID   string              `json:"in_reply_to_status_id"`
	InReplyToUserID     string              `json:"in_reply_to_user_id"`
	InReplyToScreenName string              `json:"in_reply_to_screen_name"`
	ThumbnailPic        string              `json:"thumbnail_pic,omitempty"`
	BmiddlePic          string              `json:"bmiddle_pic,omitempty"`
	OriginalPic         string              `json:"original_pic,omitempty"`
	Geo                 any                 `json:"geo"`
	User                weiboUserJSON       `json:"user"`
	RepostsCount        int64               `json:"reposts_count"`
	CommentsCount       int64               `json:"comments_count"`
	AttitudesCount      int64               `json:"attitudes_count"`
	Annotations         []any               `json:"annotations"`
	Visible             map[string]int      `json:"visible"`
	PicURLs             []map[string]string `json:"pic_urls"`
}

type weiboUserJSON struct {
	ID             json.Number `json:"id"`
	IDStr          string      `json:"idstr"`
	ScreenName     string      `json:"screen_name"`
	Name           string      `json:"name"`
	Location       string      `json:"location"`
	Description    string      `json:"description"`
	FollowersCount int64       `json:"followers_count"`
	FriendsCount   int64       `json:"friends_count"`
	StatusesCount  int64       `json:"statuses_count"`
	CreatedAt      string      `json:"created_at"`
	Verified       bool        `json:"verified"`
}

const weiboTimeLayout = "Mon Jan 02 15:04:05 -0700 2006"

func (s *Simulator) statusJSON(st *weiboStatus, u *weiboUser, now time.Time) weiboStatusJSON {
	c, rp, a := s.statusCounts(st, u, now)
	j := weiboStatusJSON{
		CreatedAt: st.created.In(beijing).Format(weiboTimeLayout),
		ID:        json.Number(st.id), MID: st.id, IDStr: st.id, Text: st.text,
		Source:       `<a href="https://passerelle.invalid" rel="nofollow">Passerelle</a>`,
		User:         s.userJSON(u, now),
		RepostsCount: rp, CommentsCount: c, AttitudesCount: a,
		Annotations: []any{}, Visible: map[string]int{"type": 0, "list_id": 0}, PicURLs: []map[string]string{},
	}
	if st.picture {
		j.ThumbnailPic = "http://wx1.sinaimg.cn/thumbnail/" + st.pictureN + ".jpg"
		j.BmiddlePic = "http://wx1.sinaimg.cn/bmiddle/" + st.pictureN + ".jpg"
		j.OriginalPic = "http://wx1.sinaimg.cn/large/" + st.pictureN + ".jpg"
		j.PicURLs = append(j.PicURLs, map[string]string{"thumbnail_pic": j.ThumbnailPic})
	}
	return j
}

func (s *Simulator) userJSON(u *weiboUser, now time.Time) weiboUserJSON {
	return weiboUserJSON{
		ID: json.Number(u.uid), IDStr: u.uid, ScreenName: u.screenName, Name: u.screenName,
		Location: "北京", FollowersCount: u.followers(now), FriendsCount: 120,
		StatusesCount: int64(len(u.statuses)) + 800, CreatedAt: u.created.In(beijing).Format(weiboTimeLayout),
		Verified: true,
	}
}

// statusCounts are a post's comments, reposts and likes at now: a deterministic total
// (from the seed, the post and the audience) reached along 1 − e^(−age/6h).
func (s *Simulator) statusCounts(st *weiboStatus, u *weiboUser, now time.Time) (comments, reposts, attitudes int64) {
	r := rand.New(rand.NewPCG(s.seed, st.num))
	reach := float64(u.followers(st.created)) * math.Exp(math.Log(0.01)+0.8*r.NormFloat64())
	age := max(now.Sub(st.created).Hours(), 0)
	f := 1 - math.Exp(-age/6)
	return int64(reach * 0.08 * f), int64(reach * 0.05 * f), int64(reach * 0.3 * f)
}

// weiboRead opens a read endpoint: token, hourly limit. It writes the error itself.
func (s *Simulator) weiboRead(w http.ResponseWriter, r *http.Request, now time.Time) (*weiboUser, bool) {
	_, u, app, ok := s.weiboAuth(w, r, now)
	if !ok {
		return nil, false
	}
	if s.overLimit(u, "read", app.ReadsPerHour, now) {
		writeWeiboError(w, r, 10023, "User requests out of rate limit!")
		return nil, false
	}
	return u, true
}

// idList parses a comma-separated id parameter, writing the error itself.
func idList(w http.ResponseWriter, r *http.Request, name string) ([]string, bool) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		writeWeiboError(w, r, 10016, "Miss required parameter ("+name+") , see doc for more info.")
		return nil, false
	}
	ids := strings.Split(raw, ",")
	if len(ids) > weiboMaxBatch {
		writeWeiboError(w, r, 10017, "Parameter ("+name+")'s value invalid, expect (at most 100 ids) , see doc for more info.")
		return nil, false
	}
	for _, id := range ids {
		if _, err := strconv.ParseUint(id, 10, 64); err != nil {
			writeWeiboError(w, r, 10017, "Parameter ("+name+")'s value invalid, expect (ids) , but get ("+id+") , see doc for more info.")
			return nil, false
		}
	}
	return ids, true
}

func (s *Simulator) weiboCount(w http.ResponseWriter, r *http.Request) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	_, u, app, ok := s.weiboAuth(w, r, now)
	if !ok {
		return
	}
	if s.overLimit(u, "read", app.ReadsPerHour, now) {
		writeWeiboError(w, r, 10023, "User requests out of rate limit!")
		return
	}
	ids, ok := idList(w, r, "ids")
	if !ok {
		return
	}
	out := make([]map[string]any, 0, len(ids))
	for _, id := range ids {
		st := s.weibo.statuses[id]
		if st == nil || (st.uid != u.uid && !app.CountsAnyAccount) {
			continue // unknown, deleted or someone else's: silently absent
		}
		author := s.weibo.users[st.uid]
		if author == nil {
			continue
		}
		c, rp, a := s.statusCounts(st, author, now)
		out = append(out, map[string]any{"id": json.Number(st.id), "comments": c, "reposts": rp, "attitudes": a})
	}
	writeJSON(w, http.StatusOK, out)
}

// weiboUserTimeline lists the authorising account's posts, newest first, count (1 to
// 100, 20 by default) per page. Since 2013 a third-party app reads no other account's
// timeline.
func (s *Simulator) weiboUserTimeline(w http.ResponseWriter, r *http.Request) {
	now := s.Now()
	q := r.URL.Query()
	count, page := 20, 1
	for _, p := range []struct {
		name string
		dst  *int
		max  int
	}{{"count", &count, weiboMaxBatch}, {"page", &page, math.MaxInt32}} {
		if raw := q.Get(p.name); raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil || n < 1 || n > p.max {
				writeWeiboError(w, r, 10017, "Parameter ("+p.name+")'s value invalid, expect (1 to "+strconv.Itoa(p.max)+") , but get ("+raw+") , see doc for more info.")
				return
			}
			*p.dst = n
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.weiboRead(w, r, now)
	if !ok {
		return
	}
	if uid := q.Get("uid"); uid != "" && uid != u.uid {
		writeWeiboError(w, r, 10014, "Insufficient app permissions!")
		return
	}
	out := make([]weiboStatusJSON, 0, count)
	skip := (page - 1) * count
	for i := len(u.statuses) - 1 - skip; i >= 0 && len(out) < count; i-- {
		out = append(out, s.statusJSON(u.statuses[i], u, now))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"statuses": out, "previous_cursor": 0, "next_cursor": 0, "total_number": len(u.statuses),
	})
}

func (s *Simulator) weiboUserShow(w http.ResponseWriter, r *http.Request) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.weiboRead(w, r, now)
	if !ok {
		return
	}
	q := r.URL.Query()
	target := s.weibo.users[q.Get("uid")]
	if q.Get("uid") == "" && q.Get("screen_name") != "" {
		target = s.weibo.usersByName[q.Get("screen_name")]
	}
	switch {
	case q.Get("uid") == "" && q.Get("screen_name") == "":
		writeWeiboError(w, r, 10016, "Miss required parameter (uid) , see doc for more info.")
	case target == nil:
		writeWeiboError(w, r, 20003, "User does not exists!")
	case target != u:
		// Third-party apps only read the authorising account.
		writeWeiboError(w, r, 10014, "Insufficient app permissions!")
	default:
		writeJSON(w, http.StatusOK, s.userJSON(u, now))
	}
}

func (s *Simulator) weiboUserCounts(w http.ResponseWriter, r *http.Request) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.weiboRead(w, r, now); !ok {
		return
	}
	uids, ok := idList(w, r, "uids")
	if !ok {
		return
	}
	out := make([]map[string]string, 0, len(uids))
	for _, uid := range uids {
		u := s.weibo.users[uid]
		if u == nil {
			continue
		}
		// The documented sample quotes every number.
		out = append(out, map[string]string{
			"id": u.uid, "followers_count": strconv.FormatInt(u.followers(now), 10),
			"friends_count": "120", "statuses_count": strconv.Itoa(len(u.statuses) + 800),
		})
	}
	writeJSON(w, http.StatusOK, out)
}

// readPart reads an uploaded file (already bounded by the request's size limit).
func readPart(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

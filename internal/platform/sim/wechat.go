package sim

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
)

// WeChatAccount is a simulated Official Account (POST /_sim/wechat/accounts).
type WeChatAccount struct {
	AppID  string `json:"appid"`
	Secret string `json:"secret"`
	// Token and EncodingAESKey are the push settings; without a key pushes go in
	// plaintext mode.
	Token          string `json:"token"`
	EncodingAESKey string `json:"encoding_aes_key"`
	// CallbackURL receives the pushes (events); none are sent when empty.
	CallbackURL string `json:"callback_url"`
	// Verified (认证) accounts may publish, mass-send, create QR codes and read
	// analytics; others get 48001.
	Verified bool `json:"verified"`
	// WhitelistedIPs may fetch tokens (else 40164); any address when empty.
	WhitelistedIPs []string `json:"whitelisted_ips"`
	// OriginalID is the account's gh_ id (ToUserName of pushes); derived when empty.
	OriginalID string `json:"original_id,omitempty"`
	// MassSendsPerDay is the mass-send quota (45028 beyond); 1 (a subscription
	// account) when zero.
	MassSendsPerDay int `json:"mass_sends_per_day,omitempty"`
	// MassSendsPerMonth, when set, bounds mass sends per Beijing calendar month too (a
	// service account: 4, with MassSendsPerDay 100).
	MassSendsPerMonth int `json:"mass_sends_per_month,omitempty"`
}

func (a *WeChatAccount) normalize() (*wechat.Crypter, error) {
	if a.AppID == "" || a.Secret == "" {
		return nil, errorf("a WeChat account needs appid and secret")
	}
	if a.CallbackURL != "" {
		u, err := url.Parse(a.CallbackURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, errorf("callback_url must be an absolute http(s) URL")
		}
		if a.Token == "" {
			return nil, errorf("a callback_url needs a token")
		}
	}
	for _, ip := range a.WhitelistedIPs {
		if net.ParseIP(ip) == nil {
			return nil, errorf("whitelisted IP %q is not an address", ip)
		}
	}
	if a.OriginalID == "" {
		h := fnv.New64a()
		h.Write([]byte(a.AppID))
		a.OriginalID = "gh_" + strconv.FormatUint(h.Sum64(), 16)[:12]
	}
	if a.MassSendsPerDay == 0 {
		a.MassSendsPerDay = 1
	}
	if a.Token == "" {
		return nil, nil
	}
	return wechat.NewCrypter(wechat.CrypterConfig{Token: a.Token, EncodingAESKey: a.EncodingAESKey, AppID: a.AppID})
}

// WeChat limits (PLATFORMS.md).
const (
	wxTokenTTL          = 7200 * time.Second
	wxTokenGrace        = 5 * time.Minute // a replaced token keeps working this long
	wxForcePerDay       = 20
	wxForceInterval     = 30 * time.Second
	wxMaxImageBytes     = 10 << 20
	wxMaxThumbBytes     = 64 << 10
	wxMaxVoiceBytes     = 2 << 20
	wxMaxVideoBytes     = 10 << 20
	wxMaxBodyImageBytes = 1 << 20
	wxMaxTitle          = 32
	wxMaxAuthor         = 16
	wxMaxDigest         = 128
	wxMaxContentChars   = 20000
	wxMaxContentBytes   = 1 << 20
	wxMaxArticles       = 8
	wxMaxTempQRSeconds  = 2592000
	wxMaxPermanentQR    = 100000
	wxMaxSceneStr       = 64
	wxMaxBatchGet       = 20
)

type wechatState struct {
	accounts map[string]*wxAccount
	tokens   map[string]*wxToken
	tickets  map[string]*wxQR
	sweepAt  int // token count that triggers the next sweep of expired tokens
}

func (st *wechatState) init() {
	st.accounts = map[string]*wxAccount{}
	st.tokens = map[string]*wxToken{}
	st.tickets = map[string]*wxQR{}
}

type wxAccount struct {
	WeChatAccount
	crypter        *wechat.Crypter
	created        time.Time
	baseFollowers  int64
	stable         *wxToken
	latest         *wxToken // the most recently issued token
	forceRefreshes []time.Time
	materials      map[string]string // media_id → type
	drafts         map[string][]wxArticleIn
	publishes      map[string]*wxPublish
	published      []*wxPublish // every submit, in order
	outcome        publishOutcome
	articles       []*wxArticle        // for analytics: what went out by publish or mass send
	massByClientID map[string][2]int64 // clientmsgid → msg_id, msg_data_id
	massSends      []time.Time
	massLog        []WeChatMassSend // every accepted mass send, in order
	permanentQR    int
	followers      []string             // openids known to follow (scans)
	scanSubs       map[string]int       // Beijing date → subscriptions through a QR code
	organicTo      map[string]int64     // Beijing date → modelled followers at its end
	menu           []byte               // the custom menu (menu/create), nil when none
	interacted     map[string]time.Time // openid → last message or interaction (48 h window)
	customSent     []CustomMessage      // customer-service messages accepted
}

type wxToken struct {
	value   string
	appID   string
	expires time.Time
}

type wxPublish struct {
	id        string
	msgDataID int64
	articleID string
	submitted time.Time
	done      time.Time
	// status is what freepublish/get answers from done on (before: 1, publishing).
	status   int
	draft    []wxArticleIn
	articles []*wxArticle
}

// publishOutcome makes the next submits of an account end in a failure status.
type publishOutcome struct {
	status    int
	remaining int
}

type wxArticle struct {
	msgDataID int64
	idx       int
	title     string
	url       string
	published time.Time
	followers int64 // audience when published
}

type wxQR struct {
	appID   string
	scene   string
	url     string
	expires time.Time // zero: permanent
	png     []byte
}

// AddWeChatAccount installs or replaces a simulated Official Account.
func (s *Simulator) AddWeChatAccount(a WeChatAccount) error {
	c, err := a.normalize()
	if err != nil {
		return err
	}
	now := s.Now()
	h := fnv.New64a()
	h.Write([]byte(a.AppID))
	r := rand.New(rand.NewPCG(s.seed, h.Sum64()))
	acct := &wxAccount{
		WeChatAccount: a, crypter: c, created: now,
		baseFollowers:  int64(math.Exp(8 + 2.5*r.Float64())),
		materials:      map[string]string{},
		drafts:         map[string][]wxArticleIn{},
		publishes:      map[string]*wxPublish{},
		massByClientID: map[string][2]int64{},
		scanSubs:       map[string]int{},
		interacted:     map[string]time.Time{},
	}
	s.mu.Lock()
	s.wechat.accounts[a.AppID] = acct
	s.mu.Unlock()
	s.log.Info("sim: wechat account configured", "appid", a.AppID, "verified", a.Verified,
		"safe_mode", a.EncodingAESKey != "", "callback", a.CallbackURL != "")
	return nil
}

func (s *Simulator) routeWeChat() {
	s.mux.HandleFunc("GET /cgi-bin/token", s.wxToken)
	s.mux.HandleFunc("POST /cgi-bin/stable_token", s.wxStableToken)
	s.mux.HandleFunc("POST /cgi-bin/material/add_material", s.wxAddMaterial)
	s.mux.HandleFunc("POST /cgi-bin/media/uploadimg", s.wxUploadImg)
	s.mux.HandleFunc("POST /cgi-bin/draft/add", s.wxDraftAdd)
	s.mux.HandleFunc("POST /cgi-bin/freepublish/submit", s.wxPublishSubmit)
	s.mux.HandleFunc("POST /cgi-bin/freepublish/get", s.wxPublishGet)
	s.mux.HandleFunc("POST /cgi-bin/freepublish/batchget", s.wxBatchGet)
	s.mux.HandleFunc("POST /cgi-bin/message/mass/sendall", s.wxMassSend)
	s.mux.HandleFunc("POST /cgi-bin/message/mass/get", s.wxMassGet)
	s.mux.HandleFunc("POST /cgi-bin/qrcode/create", s.wxQRCreate)
	s.mux.HandleFunc("GET /cgi-bin/showqrcode", s.wxShowQR)
	s.mux.HandleFunc("POST /cgi-bin/menu/create", s.wxMenuCreate)
	s.mux.HandleFunc("GET /cgi-bin/menu/get", s.wxMenuGet)
	s.mux.HandleFunc("GET /cgi-bin/menu/delete", s.wxMenuDelete)
	s.mux.HandleFunc("POST /cgi-bin/message/custom/send", s.wxCustomSend)
	for name, span := range datacubeSpans {
		s.mux.HandleFunc("POST /datacube/"+name, s.wxDatacube(name, span))
	}
	s.mux.HandleFunc("/cgi-bin/", func(w http.ResponseWriter, r *http.Request) {
		writeWeChatError(w, 40066, "invalid url")
	})
	s.mux.HandleFunc("/datacube/", func(w http.ResponseWriter, r *http.Request) {
		writeWeChatError(w, 40066, "invalid url")
	})
}

// writeWeChatError answers WeChat's error format: HTTP 200, {errcode, errmsg}.
func writeWeChatError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, http.StatusOK, map[string]any{"errcode": code, "errmsg": msg + " rid: sim"})
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// wxCredentials checks appid, secret and the caller's IP (callers hold s.mu).
func (s *Simulator) wxCredentials(w http.ResponseWriter, r *http.Request, grantType, appID, secret string) (*wxAccount, bool) {
	acct := s.wechat.accounts[appID]
	switch {
	case grantType != "client_credential":
		writeWeChatError(w, 40002, "invalid grant_type")
	case acct == nil:
		writeWeChatError(w, 40013, "invalid appid")
	case acct.Secret != secret:
		writeWeChatError(w, 40125, "invalid appsecret")
	case len(acct.WhitelistedIPs) > 0 && !slices.Contains(acct.WhitelistedIPs, clientIP(r)):
		ip := clientIP(r)
		writeWeChatError(w, 40164, "invalid ip "+ip+" ipv6 ::ffff:"+ip+", not in whitelist")
	default:
		return acct, true
	}
	return nil, false
}

// issueToken creates a token; the account's other tokens keep working for the grace
// period only, as on the platform (callers hold s.mu).
func (s *Simulator) issueToken(acct *wxAccount, now time.Time) *wxToken {
	// Only the latest token can have more than the grace period left: every earlier one
	// was cut down when it was replaced.
	if l := acct.latest; l != nil && l.expires.After(now.Add(wxTokenGrace)) {
		l.expires = now.Add(wxTokenGrace)
	}
	if len(s.wechat.tokens) >= s.wechat.sweepAt {
		for k, t := range s.wechat.tokens {
			if !t.expires.After(now) {
				delete(s.wechat.tokens, k)
			}
		}
		s.wechat.sweepAt = 2*len(s.wechat.tokens) + 1024
	}
	t := &wxToken{
		value: s.randString(96, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"),
		appID: acct.AppID, expires: now.Add(wxTokenTTL),
	}
	s.wechat.tokens[t.value] = t
	acct.latest = t
	return t
}

func (s *Simulator) wxToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	acct, ok := s.wxCredentials(w, r, q.Get("grant_type"), q.Get("appid"), q.Get("secret"))
	if !ok {
		return
	}
	t := s.issueToken(acct, now)
	acct.stable = nil
	writeJSON(w, http.StatusOK, map[string]any{"access_token": t.value, "expires_in": int(wxTokenTTL.Seconds())})
}

func (s *Simulator) wxStableToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	if !decodeWeChatBody(w, r, 64<<10, &req) {
		return
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	acct, ok := s.wxCredentials(w, r, req.GrantType, req.AppID, req.Secret)
	if !ok {
		return
	}
	if req.ForceRefresh {
		day := fmtDate(now)
		acct.forceRefreshes = slices.DeleteFunc(acct.forceRefreshes, func(t time.Time) bool { return fmtDate(t) != day })
		if n := len(acct.forceRefreshes); n > 0 && now.Sub(acct.forceRefreshes[n-1]) < wxForceInterval {
			writeWeChatError(w, 45011, "api minute-quota reach limit  mustslower  retry next minute")
			return
		}
		if len(acct.forceRefreshes) >= wxForcePerDay {
			writeWeChatError(w, 45009, "reach max api daily quota limit")
			return
		}
		acct.forceRefreshes = append(acct.forceRefreshes, now)
		acct.stable = s.issueToken(acct, now)
	} else if acct.stable == nil || s.wechat.tokens[acct.stable.value] == nil || acct.stable.expires.Sub(now) < wxTokenGrace {
		// The platform renews the stable token in its last five minutes.
		acct.stable = s.issueToken(acct, now)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": acct.stable.value, "expires_in": int(acct.stable.expires.Sub(now).Seconds()),
	})
}

// wxAuth checks the access_token of an API call (callers hold s.mu); needVerified
// marks the APIs of verified accounts. It writes the error itself.
func (s *Simulator) wxAuth(w http.ResponseWriter, r *http.Request, now time.Time, needVerified bool) (*wxAccount, bool) {
	raw := r.URL.Query().Get("access_token")
	t := s.wechat.tokens[raw]
	switch {
	case raw == "":
		writeWeChatError(w, 41001, "access_token missing")
	case t == nil:
		writeWeChatError(w, 40001, "invalid credential, access_token is invalid or not latest")
	case !now.Before(t.expires):
		writeWeChatError(w, 42001, "access_token expired")
	case needVerified && !s.wechat.accounts[t.appID].Verified:
		writeWeChatError(w, 48001, "api unauthorized")
	default:
		return s.wechat.accounts[t.appID], true
	}
	return nil, false
}

// decodeWeChatBody reads a JSON body of at most limit bytes; errors are 47001.
func decodeWeChatBody(w http.ResponseWriter, r *http.Request, limit int64, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	if err := dec.Decode(v); err != nil {
		writeWeChatError(w, 47001, "data format error")
		return false
	}
	return true
}

func (s *Simulator) mediaID() string {
	return s.randString(64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
}

// uploadedMedia reads the multipart "media" part, writing the error itself.
func uploadedMedia(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, string, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, limit+1<<20)
	if err := r.ParseMultipartForm(limit + 1<<20); err != nil {
		writeWeChatError(w, 40006, "invalid meida size")
		return nil, "", false
	}
	files := r.MultipartForm.File["media"]
	if len(files) != 1 {
		writeWeChatError(w, 41005, "media data missing")
		return nil, "", false
	}
	b, err := readPart(files[0])
	if err != nil {
		writeWeChatError(w, 41005, "media data missing")
		return nil, "", false
	}
	return b, strings.ToLower(path.Ext(files[0].Filename)), true
}

func (s *Simulator) wxAddMaterial(w http.ResponseWriter, r *http.Request) {
	typ := r.URL.Query().Get("type")
	b, ext, ok := uploadedMedia(w, r, wxMaxImageBytes)
	if !ok {
		return
	}
	sniffed := http.DetectContentType(b)
	var typeOK bool
	var limit int
	switch typ {
	case "image":
		typeOK, limit = slices.Contains([]string{"image/png", "image/jpeg", "image/gif", "image/bmp"}, sniffed), wxMaxImageBytes
	case "thumb":
		typeOK, limit = sniffed == "image/jpeg", wxMaxThumbBytes
	case "voice":
		typeOK, limit = slices.Contains([]string{".mp3", ".wma", ".wav", ".amr"}, ext), wxMaxVoiceBytes
	case "video":
		typeOK, limit = ext == ".mp4", wxMaxVideoBytes
	default:
		writeWeChatError(w, 40004, "invalid media type")
		return
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	acct, ok := s.wxAuth(w, r, now, false)
	if !ok {
		return
	}
	switch {
	case !typeOK:
		writeWeChatError(w, 40005, "invalid file type")
		return
	case len(b) > limit && (typ == "image" || typ == "thumb"):
		writeWeChatError(w, 40009, "invalid image size")
		return
	case len(b) > limit:
		writeWeChatError(w, 40006, "invalid meida size")
		return
	}
	id := s.mediaID()
	acct.materials[id] = typ
	resp := map[string]any{"media_id": id}
	if typ == "image" || typ == "thumb" {
		resp["url"] = "http://mmbiz.qpic.cn/sz_mmbiz_jpg/" + id[:32] + "/0?wx_fmt=jpeg"
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Simulator) wxUploadImg(w http.ResponseWriter, r *http.Request) {
	b, _, ok := uploadedMedia(w, r, wxMaxBodyImageBytes)
	if !ok {
		return
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.wxAuth(w, r, now, false); !ok {
		return
	}
	switch ct := http.DetectContentType(b); {
	case ct != "image/jpeg" && ct != "image/png":
		writeWeChatError(w, 40005, "invalid file type")
	case len(b) >= wxMaxBodyImageBytes:
		writeWeChatError(w, 40009, "invalid image size")
	default:
		writeJSON(w, http.StatusOK, map[string]any{
			"url": "http://mmbiz.qpic.cn/sz_mmbiz_jpg/" + s.randHex(40) + "/0",
		})
	}
}

type wxArticleIn struct {
	Title              string `json:"title"`
	Author             string `json:"author"`
	Digest             string `json:"digest"`
	Content            string `json:"content"`
	ContentSourceURL   string `json:"content_source_url"`
	ThumbMediaID       string `json:"thumb_media_id"`
	NeedOpenComment    int    `json:"need_open_comment"`
	OnlyFansCanComment int    `json:"only_fans_can_comment"`
	PicCrop2351        string `json:"pic_crop_235_1"`
	PicCrop11          string `json:"pic_crop_1_1"`
}

// checkArticle returns the platform's error for an article, or 0.
func checkArticle(a wxArticleIn, materials map[string]string) (int, string) {
	switch {
	case strings.TrimSpace(a.Title) == "" || strings.TrimSpace(a.Content) == "":
		return 44003, "empty news data"
	case utf8.RuneCountInString(a.Title) > wxMaxTitle:
		return 45003, "title size out of limit"
	case utf8.RuneCountInString(a.Author) > wxMaxAuthor:
		return 45110, "author size out of limit"
	case utf8.RuneCountInString(a.Digest) > wxMaxDigest:
		return 45004, "description size out of limit"
	case utf8.RuneCountInString(a.Content) >= wxMaxContentChars || len(a.Content) >= wxMaxContentBytes:
		return 45002, "content size out of limit"
	case strings.Contains(strings.ToLower(a.Content), "<script"):
		return 45166, "invalid content"
	}
	if t, ok := materials[a.ThumbMediaID]; !ok || (t != "image" && t != "thumb") {
		return 40007, "invalid media_id"
	}
	return 0, ""
}

func (s *Simulator) wxDraftAdd(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Articles []wxArticleIn `json:"articles"`
	}
	if !decodeWeChatBody(w, r, wxMaxArticles*(wxMaxContentBytes+64<<10), &req) {
		return
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	acct, ok := s.wxAuth(w, r, now, false)
	if !ok {
		return
	}
	if len(req.Articles) == 0 {
		writeWeChatError(w, 44003, "empty news data")
		return
	}
	if len(req.Articles) > wxMaxArticles {
		writeWeChatError(w, 45008, "article size out of limit")
		return
	}
	for _, a := range req.Articles {
		if code, msg := checkArticle(a, acct.materials); code != 0 {
			writeWeChatError(w, code, msg)
			return
		}
	}
	id := s.mediaID()
	acct.drafts[id] = req.Articles
	writeJSON(w, http.StatusOK, map[string]any{"media_id": id})
}

// followersAt is the account's follower count at t: the modelled audience plus the
// visitors who subscribed through a QR code.
func (a *wxAccount) followersAt(seed uint64, t time.Time) int64 {
	return a.cumulate(seed, fmtDate(t))
}

func (s *Simulator) publishArticles(acct *wxAccount, draft []wxArticleIn, msgDataID int64, now time.Time) []*wxArticle {
	out := make([]*wxArticle, len(draft))
	audience := acct.followersAt(s.seed, now)
	for i, a := range draft {
		out[i] = &wxArticle{
			msgDataID: msgDataID, idx: i + 1, title: a.Title, published: now, followers: audience,
			url: "http://mp.weixin.qq.com/s?__biz=" + acct.OriginalID + "&mid=" + strconv.FormatInt(msgDataID, 10) +
				"&idx=" + strconv.Itoa(i+1) + "&sn=" + s.randHex(32),
		}
	}
	return out
}

func (s *Simulator) wxPublishSubmit(w http.ResponseWriter, r *http.Request) {
	var req struct {
		MediaID string `json:"media_id"`
	}
	if !decodeWeChatBody(w, r, 64<<10, &req) {
		return
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	acct, ok := s.wxAuth(w, r, now, true)
	if !ok {
		return
	}
	draft, ok := acct.drafts[req.MediaID]
	if !ok {
		writeWeChatError(w, 40007, "invalid media_id")
		return
	}
	// A published draft leaves the draft box.
	delete(acct.drafts, req.MediaID)
	seq := s.nextID()
	p := &wxPublish{
		id:        strconv.FormatUint(2247480000+seq, 10),
		msgDataID: int64(2247490000 + seq),
		articleID: s.randString(43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
		submitted: now,
		done:      now.Add(s.publishDly),
		draft:     draft,
	}
	if o := &acct.outcome; o.remaining > 0 {
		p.status = o.status
		o.remaining--
	}
	p.articles = s.publishArticles(acct, draft, p.msgDataID, p.done)
	acct.publishes[p.id] = p
	acct.published = append(acct.published, p)
	if p.status == wechat.PublishSuccess {
		acct.articles = append(acct.articles, p.articles...)
	}
	s.schedulePush(acct, p.done, "", publishFinishXML(acct, p))
	writeJSON(w, http.StatusOK, map[string]any{
		"errcode": 0, "errmsg": "ok", "publish_id": p.id, "msg_data_id": p.msgDataID,
	})
}

// wentOut reports whether the publication's articles were online at some point: a
// success, or one deleted or banned after it.
func (p *wxPublish) wentOut() bool {
	return p.status == wechat.PublishSuccess || p.status == wechat.PublishDeleted || p.status == wechat.PublishBanned
}

// failIdx lists the articles refused by a check (statuses 2 and 4): all of them here.
func (p *wxPublish) failIdx() []int {
	out := []int{}
	if p.status == wechat.PublishOriginality || p.status == wechat.PublishRejected {
		for i := range p.draft {
			out = append(out, i+1)
		}
	}
	return out
}

func (s *Simulator) wxPublishGet(w http.ResponseWriter, r *http.Request) {
	var req struct {
		PublishID json.Number `json:"publish_id"`
	}
	if !decodeWeChatBody(w, r, 64<<10, &req) {
		return
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	acct, ok := s.wxAuth(w, r, now, true)
	if !ok {
		return
	}
	p := acct.publishes[req.PublishID.String()]
	if p == nil {
		writeWeChatError(w, 40007, "invalid publish_id")
		return
	}
	if now.Before(p.done) {
		writeJSON(w, http.StatusOK, map[string]any{"publish_id": p.id, "publish_status": wechat.PublishPublishing})
		return
	}
	resp := map[string]any{"publish_id": p.id, "publish_status": p.status, "fail_idx": p.failIdx()}
	if p.wentOut() {
		items := make([]map[string]any, len(p.articles))
		for i, a := range p.articles {
			items[i] = map[string]any{"idx": a.idx, "article_url": a.url}
		}
		resp["article_id"] = p.articleID
		resp["article_detail"] = map[string]any{"count": len(items), "item": items}
	}
	writeJSON(w, http.StatusOK, resp)
}

// wxBatchGet lists the account's successful publications, newest first
// (freepublish/batchget).
func (s *Simulator) wxBatchGet(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Offset    *int `json:"offset"`
		Count     *int `json:"count"`
		NoContent int  `json:"no_content"`
	}
	if !decodeWeChatBody(w, r, 64<<10, &req) {
		return
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	acct, ok := s.wxAuth(w, r, now, true)
	if !ok {
		return
	}
	if req.Offset == nil || req.Count == nil || *req.Offset < 0 || *req.Count < 1 || *req.Count > wxMaxBatchGet {
		writeWeChatError(w, 40097, "invalid args")
		return
	}
	done := acct.publishedBy(now)
	total := len(done)
	items := []map[string]any{}
	for i := len(done) - 1 - *req.Offset; i >= 0 && len(items) < *req.Count; i-- {
		p := done[i]
		news := make([]map[string]any, len(p.draft))
		for j, a := range p.draft {
			n := map[string]any{
				"title": a.Title, "author": a.Author, "digest": a.Digest,
				"content_source_url": a.ContentSourceURL, "thumb_media_id": a.ThumbMediaID,
				"thumb_url":         "http://mmbiz.qpic.cn/sz_mmbiz_jpg/" + a.ThumbMediaID[:min(32, len(a.ThumbMediaID))] + "/0?wx_fmt=jpeg",
				"need_open_comment": a.NeedOpenComment, "only_fans_can_comment": a.OnlyFansCanComment,
				"url": p.articles[j].url, "is_deleted": false,
			}
			if req.NoContent == 0 {
				n["content"] = a.Content
			}
			news[j] = n
		}
		items = append(items, map[string]any{
			"article_id": p.articleID, "content": map[string]any{"news_item": news}, "update_time": p.done.Unix(),
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": total, "item_count": len(items), "item": items})
}

// publishedBy lists the account's successful publications finished by now, oldest
// first (callers hold s.mu).
func (a *wxAccount) publishedBy(now time.Time) []*wxPublish {
	var out []*wxPublish
	for _, p := range a.published {
		if p.status == wechat.PublishSuccess && !now.Before(p.done) {
			out = append(out, p)
		}
	}
	// The publish delay may have changed between submits.
	slices.SortStableFunc(out, func(x, y *wxPublish) int { return x.done.Compare(y.done) })
	return out
}

func (s *Simulator) wxMassSend(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Filter struct {
			IsToAll bool `json:"is_to_all"`
		} `json:"filter"`
		MPNews struct {
			MediaID string `json:"media_id"`
		} `json:"mpnews"`
		MsgType     string `json:"msgtype"`
		ClientMsgID string `json:"clientmsgid"`
	}
	if !decodeWeChatBody(w, r, 64<<10, &req) {
		return
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	acct, ok := s.wxAuth(w, r, now, true)
	if !ok {
		return
	}
	if req.MsgType != "mpnews" {
		writeWeChatError(w, 40008, "invalid message type")
		return
	}
	if prev, dup := acct.massByClientID[req.ClientMsgID]; dup && req.ClientMsgID != "" {
		writeJSON(w, http.StatusOK, map[string]any{
			"errcode": 45065, "errmsg": "clientmsgid exist rid: sim", "msg_id": prev[0], "msg_data_id": prev[1],
		})
		return
	}
	draft, ok := acct.drafts[req.MPNews.MediaID]
	if !ok {
		writeWeChatError(w, 40007, "invalid media_id")
		return
	}
	if !acct.massQuotaLeft(now) {
		writeWeChatError(w, 45028, "has no masssend quota")
		return
	}
	acct.massSends = append(acct.massSends, now)
	seq := s.nextID()
	msgID, msgDataID := int64(1000000000+seq), int64(2247490000+seq)
	if req.ClientMsgID != "" {
		acct.massByClientID[req.ClientMsgID] = [2]int64{msgID, msgDataID}
	}
	arts := s.publishArticles(acct, draft, msgDataID, now)
	acct.articles = append(acct.articles, arts...)
	rec := WeChatMassSend{MsgID: strconv.FormatInt(msgID, 10), MsgDataID: strconv.FormatInt(msgDataID, 10), ClientMsgID: req.ClientMsgID,
		MediaID: req.MPNews.MediaID, SentAt: now}
	urls := make([]string, len(arts))
	for i, a := range arts {
		rec.Titles = append(rec.Titles, a.title)
		rec.URLs = append(rec.URLs, a.url)
		urls[i] = a.url
	}
	acct.massLog = append(acct.massLog, rec)
	// The send job takes the publish delay; then its report is pushed.
	s.schedulePush(acct, now.Add(s.publishDly), "", massFinishXML(acct, msgID, acct.followersAt(s.seed, now), now.Add(s.publishDly), urls))
	writeJSON(w, http.StatusOK, map[string]any{
		"errcode": 0, "errmsg": "send job submission success", "msg_id": msgID, "msg_data_id": msgDataID,
	})
}

// wxMassGet answers a mass send's status: SENDING for the publish delay, then
// SEND_SUCCESS; an unknown msg_id is 40007-like (WeChat answers an error).
func (s *Simulator) wxMassGet(w http.ResponseWriter, r *http.Request) {
	var req struct {
		MsgID json.Number `json:"msg_id"`
	}
	if !decodeWeChatBody(w, r, 4<<10, &req) {
		return
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	acct, ok := s.wxAuth(w, r, now, true)
	if !ok {
		return
	}
	for _, m := range acct.massLog {
		if m.MsgID == req.MsgID.String() {
			status := wechat.MassSendSuccess
			if now.Before(m.SentAt.Add(s.publishDly)) {
				status = wechat.MassSending
			}
			writeJSON(w, http.StatusOK, map[string]any{"msg_id": json.Number(m.MsgID), "msg_status": status})
			return
		}
	}
	writeWeChatError(w, 40007, "invalid msg_id")
}

// massQuotaLeft reports whether the account may mass-send at now: fewer than
// MassSendsPerDay today and, when set, MassSendsPerMonth this month (Beijing dates).
// Callers hold s.mu.
func (a *wxAccount) massQuotaLeft(now time.Time) bool {
	day, month := fmtDate(now), fmtDate(now)[:7]
	a.massSends = slices.DeleteFunc(a.massSends, func(t time.Time) bool { return fmtDate(t)[:7] != month })
	today := 0
	for _, t := range a.massSends {
		if fmtDate(t) == day {
			today++
		}
	}
	return today < a.MassSendsPerDay && (a.MassSendsPerMonth == 0 || len(a.massSends) < a.MassSendsPerMonth)
}

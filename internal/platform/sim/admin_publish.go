package sim

import (
	"net/http"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
)

// The admin endpoints of publishing: tokens without the browser flow, token expiry,
// WeChat publish outcomes and delay, and the lists of what the simulator accepted, so
// that a test or a benchmark can verify a run (every post once, none lost).
func (s *Simulator) routePublishAdmin() {
	s.mux.HandleFunc("POST /_sim/weibo/tokens", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ClientID string `json:"client_id"`
			UID      string `json:"uid"`
		}
		if !decodeAdmin(w, r, &req) {
			return
		}
		tok, err := s.IssueWeiboToken(req.ClientID, req.UID)
		if err != nil {
			adminError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, tok)
	})
	s.mux.HandleFunc("POST /_sim/weibo/expire", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			AccessToken string `json:"access_token"`
			UID         string `json:"uid"`
		}
		if !decodeAdmin(w, r, &req) {
			return
		}
		n, err := s.ExpireWeiboTokens(req.AccessToken, req.UID)
		if err != nil {
			adminError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]int{"expired": n})
	})
	s.mux.HandleFunc("POST /_sim/weibo/partner-statuses", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ScreenName string `json:"screen_name"`
			Text       string `json:"text"`
		}
		if !decodeAdmin(w, r, &req) {
			return
		}
		uid, err := s.AddWeiboAccount(req.ScreenName)
		if err != nil {
			adminError(w, err)
			return
		}
		id, err := s.AddWeiboStatus(uid, req.Text)
		if err != nil {
			adminError(w, err)
			return
		}
		writeJSON(w, http.StatusCreated, map[string]string{"uid": uid, "id": id, "url": "https://weibo.com/" + uid + "/" + id})
	})
	s.mux.HandleFunc("GET /_sim/weibo/statuses", func(w http.ResponseWriter, r *http.Request) {
		uid := r.URL.Query().Get("uid")
		if uid == "" {
			adminError(w, errorf("uid is required"))
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"items": s.WeiboStatuses(uid)})
	})
	s.mux.HandleFunc("POST /_sim/wechat/console-mass", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			AppID string `json:"appid"`
			Title string `json:"title"`
		}
		if !decodeAdmin(w, r, &req) {
			return
		}
		rec, err := s.ConsoleMassSend(req.AppID, req.Title)
		if err != nil {
			adminError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, rec)
	})
	s.mux.HandleFunc("GET /_sim/wechat/mass", func(w http.ResponseWriter, r *http.Request) {
		items, err := s.WeChatMassSends(r.URL.Query().Get("appid"))
		if err != nil {
			adminError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"items": items})
	})
	s.mux.HandleFunc("GET /_sim/wechat/articles", func(w http.ResponseWriter, r *http.Request) {
		items, err := s.WeChatArticles(r.URL.Query().Get("appid"))
		if err != nil {
			adminError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"items": items})
	})
	s.mux.HandleFunc("POST /_sim/wechat/publish-outcome", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			AppID  string `json:"appid"`
			Status int    `json:"status"`
			Count  int    `json:"count"`
		}
		if !decodeAdmin(w, r, &req) {
			return
		}
		if err := s.SetPublishOutcome(req.AppID, req.Status, req.Count); err != nil {
			adminError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, req)
	})
	s.mux.HandleFunc("POST /_sim/wechat/publish-delay", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			DelayMS *int64 `json:"delay_ms"`
		}
		if !decodeAdmin(w, r, &req) {
			return
		}
		if req.DelayMS == nil {
			adminError(w, errorf("delay_ms is required"))
			return
		}
		if err := s.SetPublishDelay(time.Duration(*req.DelayMS) * time.Millisecond); err != nil {
			adminError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]int64{"delay_ms": *req.DelayMS})
	})
	s.mux.HandleFunc("POST /_sim/wechat/expire", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			AppID string `json:"appid"`
		}
		if !decodeAdmin(w, r, &req) {
			return
		}
		n, err := s.ExpireWeChatTokens(req.AppID)
		if err != nil {
			adminError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]int{"expired": n})
	})
}

// WeiboToken is an access token issued without the browser flow.
type WeiboToken struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"` // seconds
	UID         string `json:"uid"`
}

// IssueWeiboToken authorises clientID (an app already added) for the account uid, as
// if its owner had pressed "authorise", and returns the token. The account is created
// when the simulator does not know it yet.
func (s *Simulator) IssueWeiboToken(clientID, uid string) (WeiboToken, error) {
	if !isDigits(uid, 20) {
		return WeiboToken{}, errorf("uid must be 1 to 20 digits")
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	app := s.weibo.apps[clientID]
	if app == nil {
		return WeiboToken{}, errorf("unknown client_id (add the app with POST /_sim/weibo/apps)")
	}
	u := s.weibo.users[uid]
	if u == nil {
		num, _ := strconv.ParseUint(uid, 10, 64)
		name := "用户" + uid
		for s.weibo.usersByName[name] != nil {
			name += "_"
		}
		u = &weiboUser{uid: uid, uidNum: num, screenName: name, created: now, baseFollowers: 20000 + int64(num%50000)}
		s.weibo.users[uid] = u
		s.weibo.usersByName[name] = u
	}
	tok := s.newWeiboToken(app, u.uid, now)
	return WeiboToken{AccessToken: tok, ExpiresIn: app.TokenLifetimeSeconds, UID: u.uid}, nil
}

// newWeiboToken records a fresh token of app for uid (callers hold s.mu).
func (s *Simulator) newWeiboToken(app *WeiboApp, uid string, now time.Time) string {
	tok := "2.00" + s.randString(28, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
	ttl := time.Duration(app.TokenLifetimeSeconds) * time.Second
	s.weibo.tokens[tok] = &weiboToken{clientID: app.ClientID, uid: uid, created: now, expires: now.Add(ttl)}
	return tok
}

func isDigits(s string, maxLen int) bool {
	if s == "" || len(s) > maxLen {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ExpireWeiboTokens makes accessToken, or every token of the account uid, expire now:
// the next calls with them get 21327 (expired_token), and only a new authorisation
// helps. It returns how many tokens it expired.
func (s *Simulator) ExpireWeiboTokens(accessToken, uid string) (int, error) {
	if (accessToken == "") == (uid == "") {
		return 0, errorf("give access_token or uid")
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for raw, t := range s.weibo.tokens {
		if (raw == accessToken || t.uid == uid) && now.Before(t.expires) {
			t.expires = now
			n++
		}
	}
	if n == 0 {
		return 0, errorf("no valid token matches")
	}
	return n, nil
}

// WeiboStatus is a post the simulator accepted (GET /_sim/weibo/statuses).
type WeiboStatus struct {
	IDStr     string    `json:"idstr"`
	UID       string    `json:"uid"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

// WeiboStatuses lists every post the simulator accepted for uid, once each, oldest
// first; none for an unknown uid.
func (s *Simulator) WeiboStatuses(uid string) []WeiboStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []WeiboStatus{}
	if u := s.weibo.users[uid]; u != nil {
		for _, st := range u.statuses {
			out = append(out, WeiboStatus{IDStr: st.id, UID: st.uid, Text: st.text, CreatedAt: st.created})
		}
	}
	return out
}

// WeChatArticle is an article the simulator published (GET /_sim/wechat/articles).
type WeChatArticle struct {
	PublishID   string    `json:"publish_id"`
	ArticleID   string    `json:"article_id"`
	Idx         int       `json:"idx"`
	Title       string    `json:"title"`
	URL         string    `json:"url"`
	PublishedAt time.Time `json:"published_at"`
	// SubmittedAt is when freepublish/submit was received.
	SubmittedAt time.Time `json:"submitted_at"`
}

// WeChatArticles lists what the account actually published through freepublish
// (status 0, finished by now), one item per article, in publishing order.
func (s *Simulator) WeChatArticles(appID string) ([]WeChatArticle, error) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := s.wechat.accounts[appID]
	if acct == nil {
		return nil, errorf("unknown appid")
	}
	out := []WeChatArticle{}
	for _, p := range acct.publishedBy(now) {
		for _, a := range p.articles {
			out = append(out, WeChatArticle{
				PublishID: p.id, ArticleID: p.articleID, Idx: a.idx, Title: a.title, URL: a.url, PublishedAt: p.done, SubmittedAt: p.submitted,
			})
		}
	}
	return out, nil
}

// maxOutcomeCount bounds one publish-outcome setting.
const maxOutcomeCount = 1_000_000

// SetPublishOutcome makes the next count submits of appID end in status (2 to 6: an
// originality failure, a failure, a rejection, deleted or banned after publishing)
// instead of 0, replacing any earlier setting; a count of 0 clears it.
func (s *Simulator) SetPublishOutcome(appID string, status, count int) error {
	if status < wechat.PublishOriginality || status > wechat.PublishBanned {
		return errorf("status must be between 2 and 6")
	}
	if count < 0 || count > maxOutcomeCount {
		return errorf("count must be between 0 and %d", maxOutcomeCount)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := s.wechat.accounts[appID]
	if acct == nil {
		return errorf("unknown appid")
	}
	acct.outcome = publishOutcome{status: status, remaining: count}
	s.log.Info("sim: publish outcome set", "appid", appID, "status", status, "count", count)
	return nil
}

// maxPublishDelay bounds the publish delay setting.
const maxPublishDelay = 24 * time.Hour

// SetPublishDelay sets how long (simulated) the next submits stay "publishing"; 0
// finishes them at once.
func (s *Simulator) SetPublishDelay(d time.Duration) error {
	if d < 0 || d > maxPublishDelay {
		return errorf("the publish delay must be between 0 and 24 h")
	}
	s.mu.Lock()
	s.publishDly = d
	s.mu.Unlock()
	s.log.Info("sim: publish delay set", "delay", d)
	return nil
}

// ExpireWeChatTokens makes every access token of appID expire now: the next calls get
// 42001 (access_token expired), and stable_token issues a new one.
func (s *Simulator) ExpireWeChatTokens(appID string) (int, error) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wechat.accounts[appID] == nil {
		return 0, errorf("unknown appid")
	}
	n := 0
	for _, t := range s.wechat.tokens {
		if t.appID == appID && now.Before(t.expires) {
			t.expires = now
			n++
		}
	}
	return n, nil
}

// AddWeiboStatus makes the account uid (authorised before with IssueWeiboToken) post
// text at once, past the share limits and checks, as if it had been posted from the
// Weibo app: analytics tests and benchmarks need many posts to count. It returns the
// post's id.
func (s *Simulator) AddWeiboStatus(uid, text string) (string, error) {
	return s.AddWeiboStatusAt(uid, text, s.Now())
}

// AddWeiboStatusAt is AddWeiboStatus for a post published at created (in the past: its
// counts have grown since, as the simulator's counts grow with a post's age).
func (s *Simulator) AddWeiboStatusAt(uid, text string, created time.Time) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.weibo.users[uid]
	if u == nil {
		return "", errorf("unknown uid (issue a token for it first)")
	}
	seq := s.nextID()
	num := 9_100_000_000_000_000 + seq*1000 + uint64(s.rng.IntN(1000))
	st := &weiboStatus{num: num, id: strconv.FormatUint(num, 10), uid: u.uid, text: text, created: created}
	u.statuses = append(u.statuses, st)
	s.weibo.statuses[st.id] = st
	return st.id, nil
}

// AddWeChatArticle publishes a one-article freepublish for appID at once, as the
// WeChat console would, and returns its msg_data_id and address (the datacube's msgid
// is msg_data_id + "_1").
func (s *Simulator) AddWeChatArticle(appID, title string) (msgDataID, url string, err error) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := s.wechat.accounts[appID]
	if acct == nil {
		return "", "", errorf("unknown appid")
	}
	seq := s.nextID()
	p := &wxPublish{
		id:        strconv.FormatUint(2247480000+seq, 10),
		msgDataID: int64(2247490000 + seq),
		articleID: s.randString(43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
		submitted: now,
		done:      now,
		draft:     []wxArticleIn{{Title: title}},
	}
	p.articles = s.publishArticles(acct, p.draft, p.msgDataID, now)
	acct.publishes[p.id] = p
	acct.published = append(acct.published, p)
	acct.articles = append(acct.articles, p.articles...)
	return strconv.FormatInt(p.msgDataID, 10), p.articles[0].url, nil
}

// WeChatMassSend is one mass send the simulator accepted (GET /_sim/wechat/mass): a
// repeat refused as a duplicate clientmsgid (45065) or over quota (45028) is not one.
type WeChatMassSend struct {
	MsgID       string    `json:"msg_id"`
	MsgDataID   string    `json:"msg_data_id"`
	ClientMsgID string    `json:"clientmsgid"`
	MediaID     string    `json:"media_id"`
	Titles      []string  `json:"titles"`
	URLs        []string  `json:"urls"`
	SentAt      time.Time `json:"sent_at"`
}

// WeChatMassSends lists the mass sends of appID, oldest first.
func (s *Simulator) WeChatMassSends(appID string) ([]WeChatMassSend, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := s.wechat.accounts[appID]
	if acct == nil {
		return nil, errorf("unknown appid")
	}
	return append([]WeChatMassSend{}, acct.massLog...), nil
}

// ConsoleMassSend is a mass send made by a person in the WeChat console: it takes the
// same quota as the API's (45028 beyond), and is listed among the mass sends.
func (s *Simulator) ConsoleMassSend(appID, title string) (WeChatMassSend, error) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := s.wechat.accounts[appID]
	if acct == nil {
		return WeChatMassSend{}, errorf("unknown appid")
	}
	if title == "" {
		title = "console"
	}
	if !acct.massQuotaLeft(now) {
		return WeChatMassSend{}, errorf("the account has no mass-send quota left")
	}
	acct.massSends = append(acct.massSends, now)
	seq := s.nextID()
	msgID, msgDataID := int64(1000000000+seq), int64(2247490000+seq)
	arts := s.publishArticles(acct, []wxArticleIn{{Title: title}}, msgDataID, now)
	acct.articles = append(acct.articles, arts...)
	rec := WeChatMassSend{MsgID: strconv.FormatInt(msgID, 10), MsgDataID: strconv.FormatInt(msgDataID, 10), Titles: []string{title}, URLs: []string{arts[0].url}, SentAt: now}
	acct.massLog = append(acct.massLog, rec)
	return rec, nil
}

// AddWeiboAccount returns the uid of the Weibo account named screenName, creating
// it (a partner's account, which never authorises the app).
func (s *Simulator) AddWeiboAccount(screenName string) (string, error) {
	if screenName == "" || utf8.RuneCountInString(screenName) > 30 {
		return "", errorf("screen_name must have 1 to 30 characters")
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.weiboUser(screenName, now).uid, nil
}

// DeleteWeiboStatus deletes a post, as its author would: statuses/count no longer
// returns it.
func (s *Simulator) DeleteWeiboStatus(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.weibo.statuses[id]
	if st == nil {
		return errorf("unknown status")
	}
	delete(s.weibo.statuses, id)
	if u := s.weibo.users[st.uid]; u != nil {
		u.statuses = slices.DeleteFunc(u.statuses, func(x *weiboStatus) bool { return x == st })
	}
	return nil
}

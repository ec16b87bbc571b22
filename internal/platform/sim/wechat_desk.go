package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
)

// Service-desk limits (PLATFORMS.md).
const (
	wxMenuButtons      = 3
	wxMenuSubButtons   = 5
	wxMenuNameBytes    = 16
	wxMenuSubNameBytes = 60
	wxMenuKeyBytes     = 128
	wxMenuURLBytes     = 1024
	wxCustomWindow     = 48 * time.Hour
	wxCustomTextBytes  = 2048
)

type wxMenuButton struct {
	Type      string         `json:"type,omitempty"`
	Name      string         `json:"name"`
	Key       string         `json:"key,omitempty"`
	URL       string         `json:"url,omitempty"`
	AppID     string         `json:"appid,omitempty"`
	PagePath  string         `json:"pagepath,omitempty"`
	SubButton []wxMenuButton `json:"sub_button,omitempty"`
}

// checkMenuButton answers WeChat's code for a button that breaks a limit, 0 when it
// is fine.
func checkMenuButton(b wxMenuButton, sub bool) (int, string) {
	limit := wxMenuNameBytes
	if sub {
		limit = wxMenuSubNameBytes
	}
	if b.Name == "" || len(b.Name) > limit {
		if sub {
			return 40019, "invalid sub button name size"
		}
		return 40018, "invalid button name size"
	}
	if !sub && len(b.SubButton) > 0 {
		if len(b.SubButton) > wxMenuSubButtons {
			return 40023, "invalid sub button size"
		}
		for _, s := range b.SubButton {
			if code, msg := checkMenuButton(s, true); code != 0 {
				return code, msg
			}
		}
		return 0, ""
	}
	if sub && len(b.SubButton) > 0 {
		return 40023, "invalid sub button size"
	}
	switch b.Type {
	case "click":
		if b.Key == "" || len(b.Key) > wxMenuKeyBytes {
			return 40019, "invalid button key size"
		}
	case "view", "miniprogram":
		u, err := url.Parse(b.URL)
		if b.URL == "" || len(b.URL) > wxMenuURLBytes || err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return 40054, "invalid sub button url domain"
		}
		if b.Type == "miniprogram" && (b.AppID == "" || b.PagePath == "") {
			return 40166, "invalid appid"
		}
	default:
		return 40017, "invalid button type"
	}
	return 0, ""
}

func (s *Simulator) wxMenuCreate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Button []wxMenuButton `json:"button"`
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil || json.Unmarshal(raw, &req) != nil {
		writeWeChatError(w, 47001, "data format error")
		return
	}
	if len(req.Button) == 0 || len(req.Button) > wxMenuButtons {
		writeWeChatError(w, 40016, "invalid button size")
		return
	}
	for _, b := range req.Button {
		if code, msg := checkMenuButton(b, false); code != 0 {
			writeWeChatError(w, code, msg)
			return
		}
	}
	menu, _ := json.Marshal(req)
	s.mu.Lock()
	defer s.mu.Unlock()
	acct, ok := s.wxAuth(w, r, s.Now(), false)
	if !ok {
		return
	}
	acct.menu = menu
	writeJSON(w, http.StatusOK, map[string]any{"errcode": 0, "errmsg": "ok"})
}

func (s *Simulator) wxMenuGet(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	acct, ok := s.wxAuth(w, r, s.Now(), false)
	if !ok {
		return
	}
	if acct.menu == nil {
		writeWeChatError(w, 46003, "menu no exist")
		return
	}
	writeJSON(w, http.StatusOK, map[string]json.RawMessage{"menu": acct.menu})
}

// wxMenuDelete removes the custom menu (menu/delete); WeChat answers ok whether or
// not there was one.
func (s *Simulator) wxMenuDelete(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	acct, ok := s.wxAuth(w, r, s.Now(), false)
	if !ok {
		return
	}
	acct.menu = nil
	writeJSON(w, http.StatusOK, map[string]any{"errcode": 0, "errmsg": "ok"})
}

// CustomMessage is a customer-service message the simulator accepted.
type CustomMessage struct {
	AppID  string    `json:"appid"`
	OpenID string    `json:"openid"`
	Text   string    `json:"text"`
	SentAt time.Time `json:"sent_at"`
}

func (s *Simulator) wxCustomSend(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ToUser  string `json:"touser"`
		MsgType string `json:"msgtype"`
		Text    struct {
			Content string `json:"content"`
		} `json:"text"`
	}
	if !decodeWeChatBody(w, r, 64<<10, &req) {
		return
	}
	if req.MsgType != "text" {
		writeWeChatError(w, 40008, "invalid message type")
		return
	}
	if req.Text.Content == "" || len(req.Text.Content) > wxCustomTextBytes || !utf8.ValidString(req.Text.Content) {
		writeWeChatError(w, 45002, "content size out of limit")
		return
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	acct, ok := s.wxAuth(w, r, now, false)
	if !ok {
		return
	}
	at, seen := acct.interacted[req.ToUser]
	if req.ToUser == "" || !seen {
		writeWeChatError(w, 40003, "invalid openid")
		return
	}
	if now.Sub(at) > wxCustomWindow {
		writeWeChatError(w, 45015, "response out of time limit or subscription is canceled")
		return
	}
	acct.customSent = append(acct.customSent, CustomMessage{AppID: acct.AppID, OpenID: req.ToUser, Text: req.Text.Content, SentAt: now})
	writeJSON(w, http.StatusOK, map[string]any{"errcode": 0, "errmsg": "ok"})
}

// MessageRequest is a visitor's message (POST /_sim/wechat/message): text, or a menu
// click with Key.
type MessageRequest struct {
	AppID  string `json:"appid"`
	OpenID string `json:"openid"`
	Text   string `json:"text,omitempty"`
	// Key sends a menu click (Event CLICK, EventKey Key) instead of a text.
	Key string `json:"key,omitempty"`
}

// MessageResult is what the server answered to the push, decrypted.
type MessageResult struct {
	// Reply is the passive reply's Content, "" when the server answered "success".
	Reply  string `json:"reply"`
	Status int    `json:"status"`
	// XML is the decrypted reply XML, when there was one.
	XML string `json:"xml,omitempty"`
}

// Message delivers a visitor's text message (or menu click) to the account's callback
// now, as WeChat does, and returns the passive reply the server answered, verified
// and decrypted with WeChat's algorithm.
func (s *Simulator) Message(ctx context.Context, req MessageRequest) (MessageResult, error) {
	if req.OpenID == "" || len(req.OpenID) > 64 {
		return MessageResult{}, errorf("openid is required (at most 64 characters)")
	}
	if (req.Text == "") == (req.Key == "") {
		return MessageResult{}, errorf("give text or key")
	}
	if len(req.Text) > wxCustomTextBytes || !utf8.ValidString(req.Text) {
		return MessageResult{}, errorf("text is at most %d bytes of UTF-8", wxCustomTextBytes)
	}
	now := s.Now()
	s.mu.Lock()
	acct := s.wechat.accounts[req.AppID]
	if acct == nil {
		s.mu.Unlock()
		return MessageResult{}, errorf("unknown appid")
	}
	if acct.CallbackURL == "" {
		s.mu.Unlock()
		return MessageResult{}, errorf("the account has no callback_url")
	}
	acct.interacted[req.OpenID] = now
	var body []byte
	if req.Key != "" {
		body = eventXML(acct, req.OpenID, now, "CLICK", "<EventKey>"+cdata(req.Key)+"</EventKey>")
	} else {
		msgID := strconv.FormatUint(1<<62+s.nextID(), 10)
		body = []byte("<xml><ToUserName>" + cdata(acct.OriginalID) + "</ToUserName><FromUserName>" + cdata(req.OpenID) +
			"</FromUserName><CreateTime>" + strconv.FormatInt(now.Unix(), 10) + "</CreateTime><MsgType>" + cdata("text") +
			"</MsgType><Content>" + cdata(req.Text) + "</Content><MsgId>" + msgID + "</MsgId></xml>")
	}
	a, c := acct.WeChatAccount, acct.crypter
	nonce := strconv.Itoa(100000000 + s.rng.IntN(900000000))
	s.mu.Unlock()
	return s.deliverSync(ctx, a, c, req.OpenID, body, nonce)
}

// deliverSync POSTs one push and reads the passive reply.
func (s *Simulator) deliverSync(ctx context.Context, acct WeChatAccount, c *wechat.Crypter, openID string, xmlBody []byte, nonce string) (MessageResult, error) {
	ts := strconv.FormatInt(s.Now().Unix(), 10)
	q := url.Values{"signature": {wechat.Signature(acct.Token, ts, nonce)}, "timestamp": {ts}, "nonce": {nonce}, "openid": {openID}}
	body := xmlBody
	safe := c != nil && c.SafeMode()
	if safe {
		enc, sig, err := c.EncryptPush(acct.OriginalID, xmlBody, ts, nonce)
		if err != nil {
			return MessageResult{}, err
		}
		body = enc
		q.Set("encrypt_type", "aes")
		q.Set("msg_signature", sig)
	}
	target := acct.CallbackURL
	if strings.Contains(target, "?") {
		target += "&" + q.Encode()
	} else {
		target += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return MessageResult{}, err
	}
	req.Header.Set("Content-Type", "text/xml")
	resp, err := s.pushClient.Do(req)
	if err != nil {
		return MessageResult{}, fmt.Errorf("sim: callback: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return MessageResult{}, fmt.Errorf("sim: callback: %w", err)
	}
	res := MessageResult{Status: resp.StatusCode}
	text := strings.TrimSpace(string(raw))
	if resp.StatusCode != http.StatusOK || text == "" || text == "success" {
		return res, nil
	}
	inner := raw
	if safe {
		if inner, err = c.OpenReply(raw); err != nil {
			return res, errorf("the passive reply does not verify or decrypt: %v", err)
		}
	}
	var reply struct {
		ToUserName   string `xml:"ToUserName"`
		FromUserName string `xml:"FromUserName"`
		MsgType      string `xml:"MsgType"`
		Content      string `xml:"Content"`
	}
	if err := xml.Unmarshal(inner, &reply); err != nil {
		return res, errorf("the passive reply is not XML: %v", err)
	}
	if reply.ToUserName != openID || reply.FromUserName != acct.OriginalID {
		return res, errorf("the passive reply is addressed to %q from %q", reply.ToUserName, reply.FromUserName)
	}
	res.Reply, res.XML = reply.Content, string(inner)
	return res, nil
}

func (s *Simulator) adminMessage(w http.ResponseWriter, r *http.Request) {
	var req MessageRequest
	if !decodeAdmin(w, r, &req) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	res, err := s.Message(ctx, req)
	if err != nil {
		adminError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// CustomMessages lists the customer-service messages an account accepted.
func (s *Simulator) CustomMessages(appID string) []CustomMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := s.wechat.accounts[appID]
	if acct == nil {
		return nil
	}
	return append([]CustomMessage{}, acct.customSent...)
}

func (s *Simulator) adminCustom(w http.ResponseWriter, r *http.Request) {
	msgs := s.CustomMessages(r.URL.Query().Get("appid"))
	if msgs == nil {
		msgs = []CustomMessage{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": msgs})
}

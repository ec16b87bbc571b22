package sim

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"rsc.io/qr"
)

func (s *Simulator) wxQRCreate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ExpireSeconds int64  `json:"expire_seconds"`
		ActionName    string `json:"action_name"`
		ActionInfo    struct {
			Scene struct {
				SceneID  *int64 `json:"scene_id"`
				SceneStr string `json:"scene_str"`
			} `json:"scene"`
		} `json:"action_info"`
	}
	if !decodeWeChatBody(w, r, 64<<10, &req) {
		return
	}
	var permanent, str bool
	switch req.ActionName {
	case "QR_SCENE":
	case "QR_STR_SCENE":
		str = true
	case "QR_LIMIT_SCENE":
		permanent = true
	case "QR_LIMIT_STR_SCENE":
		permanent, str = true, true
	default:
		writeWeChatError(w, 40052, "invalid action name")
		return
	}
	var scene string
	sc := req.ActionInfo.Scene
	switch {
	case str && (sc.SceneStr == "" || utf8.RuneCountInString(sc.SceneStr) > wxMaxSceneStr):
		writeWeChatError(w, 40053, "invalid action info")
		return
	case str:
		scene = sc.SceneStr
	case sc.SceneID == nil || *sc.SceneID <= 0 || *sc.SceneID > 1<<32-1 || (permanent && *sc.SceneID > wxMaxPermanentQR):
		writeWeChatError(w, 40053, "invalid action info")
		return
	default:
		scene = strconv.FormatInt(*sc.SceneID, 10)
	}
	expire := req.ExpireSeconds
	if !permanent {
		// The platform defaults to 30 s and caps at 30 days.
		if expire <= 0 {
			expire = 30
		}
		expire = min(expire, wxMaxTempQRSeconds)
	}

	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	acct, ok := s.wxAuth(w, r, now, true)
	if !ok {
		return
	}
	if permanent {
		if acct.permanentQR >= wxMaxPermanentQR {
			writeWeChatError(w, 45009, "reach max api daily quota limit")
			return
		}
		acct.permanentQR++
	}
	code := &wxQR{appID: acct.AppID, scene: scene, url: "http://weixin.qq.com/q/02" + s.randString(22, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")}
	if !permanent {
		code.expires = now.Add(time.Duration(expire) * time.Second)
	}
	// Real tickets are base64 and carry '+', '/' and '=': clients must URL-encode them.
	raw := make([]byte, 48)
	for i := range raw {
		raw[i] = byte(s.rng.IntN(256))
	}
	ticket := base64.StdEncoding.EncodeToString(append(raw, code.url...))
	s.wechat.tickets[ticket] = code
	resp := map[string]any{"ticket": ticket, "url": code.url}
	if !permanent {
		resp["expire_seconds"] = expire
	}
	writeJSON(w, http.StatusOK, resp)
}

// wxShowQR serves the QR code image of a ticket (mp.weixin.qq.com/cgi-bin/showqrcode on
// the platform): a real, scannable PNG of the code's URL.
func (s *Simulator) wxShowQR(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	now := s.Now()
	s.mu.Lock()
	code := s.wechat.tickets[ticket]
	if code != nil && !code.expires.IsZero() && !now.Before(code.expires) {
		code = nil
	}
	var png []byte
	if code != nil {
		png = code.png
	}
	s.mu.Unlock()
	if code == nil {
		http.NotFound(w, r)
		return
	}
	if png == nil {
		c, err := qr.Encode(code.url, qr.M)
		if err != nil {
			http.Error(w, "cannot encode", http.StatusInternalServerError)
			return
		}
		c.Scale = 8
		png = c.PNG()
		s.mu.Lock()
		code.png = png
		s.mu.Unlock()
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Length", strconv.Itoa(len(png)))
	w.Write(png)
}

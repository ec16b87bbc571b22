package sim

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

// The admin endpoints drive the simulation; they are part of the simulator, not of the
// platforms, and answer {"error": "..."} with HTTP 400 on bad input.
func (s *Simulator) routeAdmin() {
	s.mux.HandleFunc("GET /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.faults.list())
	})
	s.mux.HandleFunc("POST /_sim/faults", s.adminFaults)
	s.mux.HandleFunc("DELETE /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		s.faults.clear()
		s.log.Info("sim: faults cleared")
		w.WriteHeader(http.StatusNoContent)
	})
	s.mux.HandleFunc("POST /_sim/weibo/apps", func(w http.ResponseWriter, r *http.Request) {
		var a WeiboApp
		if !decodeAdmin(w, r, &a) {
			return
		}
		if err := s.AddWeiboApp(a); err != nil {
			adminError(w, err)
			return
		}
		writeJSON(w, http.StatusCreated, map[string]string{"client_id": a.ClientID})
	})
	s.mux.HandleFunc("POST /_sim/wechat/accounts", func(w http.ResponseWriter, r *http.Request) {
		var a WeChatAccount
		if !decodeAdmin(w, r, &a) {
			return
		}
		if err := s.AddWeChatAccount(a); err != nil {
			adminError(w, err)
			return
		}
		writeJSON(w, http.StatusCreated, map[string]string{"appid": a.AppID})
	})
	s.mux.HandleFunc("POST /_sim/wechat/scan", func(w http.ResponseWriter, r *http.Request) {
		var req ScanRequest
		if !decodeAdmin(w, r, &req) {
			return
		}
		res, err := s.Scan(req)
		if err != nil {
			adminError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, res)
	})
	s.mux.HandleFunc("POST /_sim/wechat/message", s.adminMessage)
	s.mux.HandleFunc("GET /_sim/wechat/custom", s.adminCustom)
	s.mux.HandleFunc("GET /_sim/clock", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"now": s.Now().Format(time.RFC3339), "speed": s.speed})
	})
	s.mux.HandleFunc("/_sim/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such admin endpoint"})
	})
}

func decodeAdmin(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid JSON: " + err.Error()})
		return false
	}
	return true
}

func adminError(w http.ResponseWriter, err error) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": strings.TrimPrefix(err.Error(), "sim: ")})
}

// adminFaults installs one fault object or an array of them.
func (s *Simulator) adminFaults(w http.ResponseWriter, r *http.Request) {
	var raw json.RawMessage
	if !decodeAdmin(w, r, &raw) {
		return
	}
	var faults []Fault
	if t := strings.TrimSpace(string(raw)); strings.HasPrefix(t, "[") {
		if err := strictUnmarshal(raw, &faults); err != nil {
			adminError(w, err)
			return
		}
	} else {
		var f Fault
		if err := strictUnmarshal(raw, &f); err != nil {
			adminError(w, err)
			return
		}
		faults = []Fault{f}
	}
	for _, f := range faults {
		if err := f.validate(); err != nil {
			adminError(w, err)
			return
		}
	}
	for _, f := range faults {
		s.faults.add(f)
		s.log.Info("sim: fault set", "path", f.Path)
	}
	writeJSON(w, http.StatusOK, s.faults.list())
}

func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// ScanRequest makes simulated visitors scan a parametric QR code (POST /_sim/wechat/scan).
type ScanRequest struct {
	AppID string `json:"appid"`
	// Ticket names the code; or Scene, the scene of one of the account's codes.
	Ticket string `json:"ticket,omitempty"`
	Scene  string `json:"scene,omitempty"`
	// NewVisitors subscribe through the code (subscribe, EventKey qrscene_<scene>);
	// ReturningVisitors already follow (SCAN, EventKey <scene>).
	NewVisitors       int `json:"new_visitors"`
	ReturningVisitors int `json:"returning_visitors"`
}

// ScanResult lists the visitors' openids.
type ScanResult struct {
	Subscribed []string `json:"subscribed"`
	Scanned    []string `json:"scanned"`
}

const maxScanVisitors = 10000

// Scan plays req's visitors and queues their events for the account's callback.
func (s *Simulator) Scan(req ScanRequest) (ScanResult, error) {
	if req.NewVisitors < 0 || req.ReturningVisitors < 0 || req.NewVisitors+req.ReturningVisitors == 0 ||
		req.NewVisitors+req.ReturningVisitors > maxScanVisitors {
		return ScanResult{}, errorf("new_visitors + returning_visitors must be between 1 and %d", maxScanVisitors)
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := s.wechat.accounts[req.AppID]
	if acct == nil {
		return ScanResult{}, errorf("unknown appid")
	}
	ticket, code := req.Ticket, s.wechat.tickets[req.Ticket]
	if req.Ticket == "" {
		for t, c := range s.wechat.tickets {
			if c.appID == acct.AppID && c.scene == req.Scene && (c.expires.IsZero() || now.Before(c.expires)) {
				ticket, code = t, c
				break
			}
		}
	}
	switch {
	case code == nil || code.appID != acct.AppID:
		return ScanResult{}, errorf("no QR code of this account has that ticket or scene")
	case !code.expires.IsZero() && !now.Before(code.expires):
		return ScanResult{}, errors.New("the QR code has expired")
	}
	var res ScanResult
	const openIDChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
	date := fmtDate(now)
	for range req.NewVisitors {
		id := "o" + s.randString(27, openIDChars)
		acct.followers = append(acct.followers, id)
		acct.interacted[id] = now
		acct.scanSubs[date]++
		res.Subscribed = append(res.Subscribed, id)
		s.schedulePush(acct, now, id, eventXML(acct, id, now, "subscribe",
			"<EventKey>"+cdata("qrscene_"+code.scene)+"</EventKey><Ticket>"+cdata(ticket)+"</Ticket>"))
	}
	// Returning visitors are distinct followers (from a random one on): two pushes of
	// one follower's event in the same second are one retried push to a receiver that
	// deduplicates as WeChat advises (FromUserName and CreateTime), as Passerelle does.
	known, first := len(acct.followers), 0
	if known > 0 {
		first = s.rng.IntN(known)
	}
	for i := range req.ReturningVisitors {
		var id string
		if i < known {
			id = acct.followers[(first+i)%known]
		} else {
			// A follower from before the simulation: already counted in the audience.
			id = "o" + s.randString(27, openIDChars)
			acct.followers = append(acct.followers, id)
		}
		acct.interacted[id] = now
		res.Scanned = append(res.Scanned, id)
		s.schedulePush(acct, now, id, eventXML(acct, id, now, "SCAN",
			"<EventKey>"+cdata(code.scene)+"</EventKey><Ticket>"+cdata(ticket)+"</Ticket>"))
	}
	return res, nil
}

// DemoWeiboApp is the Weibo app of the demo (`serve --demo`): Passerelle's side is
// configured with the same credentials. safeDomain is the host of the demo's public
// pages.
func DemoWeiboApp(safeDomain string) WeiboApp {
	return WeiboApp{ClientID: "3490000001", ClientSecret: "demo-weibo-secret", SafeDomain: safeDomain}
}

// DemoWeChatAccount is the verified Official Account of the demo, in safe mode, pushing
// to callbackURL.
func DemoWeChatAccount(callbackURL string) WeChatAccount {
	key := sha256.Sum256([]byte("passerelle demo EncodingAESKey"))
	return WeChatAccount{
		AppID: "wx5a55e7e1c0de0001", Secret: "demo-wechat-secret", Token: "demotoken",
		EncodingAESKey: base64.RawStdEncoding.EncodeToString(key[:]),
		CallbackURL:    callbackURL, Verified: true,
	}
}

// Follower makes openID a follower of the account whose last interaction was at
// at, as if they had followed and written before the simulation began (the demo's
// seeded inbox): message/custom/send accepts them within 48 hours of at.
func (s *Simulator) Follower(appID, openID string, at time.Time) error {
	if openID == "" || len(openID) > 64 {
		return errorf("openid is required (at most 64 characters)")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := s.wechat.accounts[appID]
	if acct == nil {
		return errorf("unknown appid")
	}
	if _, ok := acct.interacted[openID]; !ok {
		acct.followers = append(acct.followers, openID)
	}
	if at.After(acct.interacted[openID]) {
		acct.interacted[openID] = at
	}
	return nil
}

package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Scale of the publishing benchmark (issue 8): 10,000 publishes due in the same minute
// across 1,000 accounts, half on Weibo (share.json) and half on WeChat (draft/add,
// freepublish/submit, then freepublish/get).
const (
	scaleAccounts  = 1000
	scalePublishes = 10000
	scaleWorkers   = 200
)

// BenchmarkPublishAtScale plays the platform side of the publishing benchmark against
// a real loopback server: each iteration is one whole run of 10,000 publishes by 200
// workers, timed. WeChat accounts are in safe mode with a callback, so the run also
// delivers 5,000 encrypted PUBLISHJOBFINISH pushes. The reference runs the same calls
// against a handler that answers {} at once ("http-floor"): what the loopback HTTP stack
// costs without the simulator. With "latency50" every API call also waits a log-normal
// 50 ms (p99 90 ms), the simulator latency of the benchmark. Run it with
//
//	go test -run '^$' -bench PublishAtScale -benchtime 1x ./internal/platform/sim
func BenchmarkPublishAtScale(b *testing.B) {
	for _, bc := range []struct {
		name    string
		floor   bool
		latency bool
	}{{"http-floor", true, false}, {"simulator", false, false}, {"simulator-latency50", false, true}} {
		b.Run(bc.name, func(b *testing.B) {
			for range b.N {
				runScale(b, bc.floor, bc.latency)
			}
		})
	}
}

type scaleCall struct {
	weibo   bool
	account int
	n       int
}

func runScale(b *testing.B, floor, latency bool) {
	b.StopTimer()
	var pushes atomic.Int64
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		pushes.Add(1)
		io.WriteString(w, "success")
	}))
	defer cb.Close()
	demo := DemoWeChatAccount(cb.URL)
	cfg := Config{Seed: 9, PublishDelay: 200 * time.Millisecond,
		WeiboApps: []WeiboApp{{ClientID: "3490000001", ClientSecret: "s", SafeDomain: "museum.example",
			SharesPerHour: -1, MinShareIntervalSeconds: -1, ReadsPerHour: -1}}}
	for i := range scaleAccounts / 2 {
		a := demo
		a.AppID = fmt.Sprintf("wx%016d", i)
		cfg.WeChatAccounts = append(cfg.WeChatAccounts, a)
	}
	s := New(cfg)
	var handler http.Handler = s
	if floor {
		handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			writeJSON(w, http.StatusOK, map[string]any{})
		})
	}
	srv := httptest.NewServer(handler)
	defer func() { s.Close(); srv.Close() }()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: scaleWorkers}, Timeout: 30 * time.Second}

	// Accounts: Weibo tokens, WeChat tokens and covers, outside the timing.
	weiboTok := make([]string, scaleAccounts/2)
	wxTok := make([]string, scaleAccounts/2)
	thumb := make([]string, scaleAccounts/2)
	for i := range scaleAccounts / 2 {
		t, err := s.IssueWeiboToken("3490000001", strconv.Itoa(7_000_000_000+i))
		if err != nil {
			b.Fatal(err)
		}
		weiboTok[i] = t.AccessToken
		if floor {
			continue
		}
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		scalePost(b, client, srv.URL+"/cgi-bin/stable_token", map[string]any{
			"grant_type": "client_credential", "appid": cfg.WeChatAccounts[i].AppID, "secret": demo.Secret}, &tok)
		wxTok[i] = tok.AccessToken
		var m struct {
			MediaID string `json:"media_id"`
		}
		scaleUpload(b, client, srv.URL+"/cgi-bin/material/add_material?type=image&access_token="+url.QueryEscape(tok.AccessToken), &m)
		thumb[i] = m.MediaID
	}
	if latency {
		s.faults.add(Fault{Path: "*", LatencyMedianMS: 50, LatencyP99MS: 90})
	}

	calls := make(chan scaleCall, scalePublishes)
	for n := range scalePublishes {
		calls <- scaleCall{weibo: n%2 == 0, account: (n / 2) % (scaleAccounts / 2), n: n}
	}
	close(calls)
	lat := make([]time.Duration, scalePublishes)
	var failed atomic.Int64
	var wg sync.WaitGroup
	b.StartTimer()
	start := time.Now()
	for range scaleWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range calls {
				t0 := time.Now()
				if !scalePublish(b, client, srv.URL, c, weiboTok[c.account], wxTok[c.account], thumb[c.account]) && !floor {
					failed.Add(1)
				}
				lat[c.n] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()

	slices.Sort(lat)
	b.ReportMetric(elapsed.Seconds(), "s/run")
	b.ReportMetric(float64(scalePublishes)/elapsed.Seconds(), "publishes/s")
	b.ReportMetric(float64(lat[len(lat)/2])/1e6, "p50_ms")
	b.ReportMetric(float64(lat[len(lat)*99/100])/1e6, "p99_ms")
	b.ReportMetric(float64(lat[len(lat)-1])/1e6, "max_ms")
	if failed.Load() > 0 {
		b.Errorf("%d publishes failed", failed.Load())
	}
	if floor {
		return
	}
	// Every publish is in the simulator's lists exactly once.
	time.Sleep(300 * time.Millisecond)
	var shares, articles int
	for i := range scaleAccounts / 2 {
		shares += len(s.WeiboStatuses(strconv.Itoa(7_000_000_000 + i)))
		arts, _ := s.WeChatArticles(cfg.WeChatAccounts[i].AppID)
		articles += len(arts)
	}
	if shares != scalePublishes/2 || articles != scalePublishes/2 {
		b.Errorf("simulator lists %d shares and %d articles, want %d each", shares, articles, scalePublishes/2)
	}
	deadline := time.Now().Add(10 * time.Second)
	for pushes.Load() < scalePublishes/2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	b.ReportMetric(float64(pushes.Load()), "pushes")
}

// scalePublish makes one publication; it reports success.
func scalePublish(b *testing.B, client *http.Client, base string, c scaleCall, weiboTok, wxTok, thumb string) bool {
	if c.weibo {
		form := url.Values{"status": {"展览 " + strconv.Itoa(c.n) + " https://museum.example/e/" + strconv.Itoa(c.n)}, "rip": {"203.0.113.7"}}
		req, _ := http.NewRequest("POST", base+"/2/statuses/share.json", bytes.NewReader([]byte(form.Encode())))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "OAuth2 "+weiboTok)
		var st struct {
			IDStr string `json:"idstr"`
		}
		return scaleDo(b, client, req, &st) && st.IDStr != ""
	}
	q := "?access_token=" + url.QueryEscape(wxTok)
	var d struct {
		MediaID string `json:"media_id"`
	}
	if !scalePost(b, client, base+"/cgi-bin/draft/add"+q, map[string]any{"articles": []any{map[string]any{
		"title": "展览 " + strconv.Itoa(c.n), "content": "<p>正文</p>", "thumb_media_id": thumb}}}, &d) {
		return false
	}
	var sub struct {
		PublishID string `json:"publish_id"`
	}
	if !scalePost(b, client, base+"/cgi-bin/freepublish/submit"+q, map[string]any{"media_id": d.MediaID}, &sub) {
		return false
	}
	var st struct {
		PublishStatus *int `json:"publish_status"`
	}
	return scalePost(b, client, base+"/cgi-bin/freepublish/get"+q, map[string]any{"publish_id": sub.PublishID}, &st) &&
		sub.PublishID != "" && st.PublishStatus != nil
}

func scalePost(b *testing.B, client *http.Client, u string, body, out any) bool {
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", u, bytes.NewReader(raw))
	return scaleDo(b, client, req, out)
}

func scaleUpload(b *testing.B, client *http.Client, u string, out any) {
	var buf bytes.Buffer
	buf.WriteString("--x\r\nContent-Disposition: form-data; name=\"media\"; filename=\"c.png\"\r\nContent-Type: image/png\r\n\r\n")
	buf.Write(pngBytes(100))
	buf.WriteString("\r\n--x--\r\n")
	req, _ := http.NewRequest("POST", u, &buf)
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	if !scaleDo(b, client, req, out) {
		b.Fatal("upload failed")
	}
}

func scaleDo(b *testing.B, client *http.Client, req *http.Request, out any) bool {
	resp, err := client.Do(req)
	if err != nil {
		b.Error(err)
		return false
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var e struct {
		ErrCode   int `json:"errcode"`
		ErrorCode int `json:"error_code"`
	}
	json.Unmarshal(raw, &e)
	if resp.StatusCode != 200 || e.ErrCode != 0 || e.ErrorCode != 0 {
		return false
	}
	return json.Unmarshal(raw, out) == nil
}

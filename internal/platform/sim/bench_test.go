package sim

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// BenchmarkServeHTTP measures the simulator behind a real loopback HTTP server, with
// keep-alive clients in parallel: a metrics read (statuses/count.json for 20 posts) and
// a WeChat token fetch, the two calls benchmarks of other packages make most.
func BenchmarkServeHTTP(b *testing.B) {
	bd := setup(b, func(c *Config) {
		c.WeiboApps[0].ReadsPerHour = -1
		c.WeiboApps[0].MinShareIntervalSeconds = -1
		c.WeiboApps[0].SharesPerHour = -1
	})
	tok, _ := bd.weiboLogin(b, "基准")
	var ids []string
	for i := range 20 {
		var st struct {
			IDStr string `json:"idstr"`
		}
		bd.call(b, "POST", "/2/statuses/share.json", url.Values{"status": {strings.Repeat("x", i+1) + link}, "rip": {"203.0.113.7"}}, tok, &st)
		ids = append(ids, st.IDStr)
	}
	countURL := bd.srv.URL + "/2/statuses/count.json?ids=" + strings.Join(ids, ",")
	tokenURL := bd.srv.URL + "/cgi-bin/token?grant_type=client_credential&appid=" + testAppID + "&secret=" + testWxSecret
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 10 * time.Second}
	for _, bc := range []struct {
		name string
		req  func() *http.Request
	}{
		{"weibo-count", func() *http.Request { return mustReq(b, "GET", countURL, tok) }},
		{"wechat-token", func() *http.Request { r, _ := http.NewRequest("GET", tokenURL, nil); return r }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := client.Do(bc.req())
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

package sim

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
)

// push is a WeChat event due to an account's callback URL.
type push struct {
	due    time.Time // simulated
	appID  string
	openID string
	xml    []byte
}

// pushTries is how many times WeChat sends a push that gets no answer within 5 s.
const pushTries = 3

// schedulePush queues an event for acct's callback (callers hold s.mu).
func (s *Simulator) schedulePush(acct *wxAccount, due time.Time, openID string, xml []byte) {
	if acct.CallbackURL == "" {
		return
	}
	s.pushes = append(s.pushes, &push{due: due, appID: acct.AppID, openID: openID, xml: xml})
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Simulator) deliverLoop(every time.Duration) {
	defer s.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
		s.deliverDue()
	}
}

// deliverDue sends every push whose simulated time has come.
func (s *Simulator) deliverDue() {
	now := s.Now()
	s.mu.Lock()
	var due []*push
	s.pushes = slices.DeleteFunc(s.pushes, func(p *push) bool {
		if p.due.After(now) {
			return false
		}
		due = append(due, p)
		return true
	})
	type job struct {
		p    *push
		acct WeChatAccount
		c    *wechat.Crypter
	}
	jobs := make([]job, 0, len(due))
	for _, p := range due {
		if a := s.wechat.accounts[p.appID]; a != nil && a.CallbackURL != "" {
			jobs = append(jobs, job{p, a.WeChatAccount, a.crypter})
		}
	}
	nonces := make([]string, len(jobs))
	for i := range nonces {
		nonces[i] = strconv.Itoa(100000000 + s.rng.IntN(900000000))
	}
	s.mu.Unlock()
	for i, j := range jobs {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.deliver(s.ctx, j.acct, j.c, j.p, nonces[i])
		}()
	}
}

// deliver POSTs one push as WeChat does: signed query string, encrypted body in safe
// mode, up to three tries.
func (s *Simulator) deliver(ctx context.Context, acct WeChatAccount, c *wechat.Crypter, p *push, nonce string) {
	ts := strconv.FormatInt(s.Now().Unix(), 10)
	q := url.Values{
		"signature": {wechat.Signature(acct.Token, ts, nonce)},
		"timestamp": {ts},
		"nonce":     {nonce},
	}
	if p.openID != "" {
		q.Set("openid", p.openID)
	}
	body := p.xml
	if c != nil && c.SafeMode() {
		enc, sig, err := c.EncryptPush(acct.OriginalID, p.xml, ts, nonce)
		if err != nil {
			s.log.Error("sim: cannot encrypt push", "appid", acct.AppID, "err", err)
			return
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
	for try := 1; try <= pushTries; try++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
		if err != nil {
			s.log.Error("sim: bad callback URL", "appid", acct.AppID, "err", err)
			return
		}
		req.Header.Set("Content-Type", "text/xml")
		resp, err := s.pushClient.Do(req)
		if err == nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				s.log.Info("sim: push delivered", "appid", acct.AppID, "try", try)
				return
			}
			err = fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		s.log.Warn("sim: push failed", "appid", acct.AppID, "try", try, "err", err)
		if ctx.Err() != nil {
			return
		}
	}
}

// cdata wraps s for an XML CDATA section; "]]>" inside is split across two sections.
func cdata(s string) string {
	return "<![CDATA[" + strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>") + "]]>"
}

func eventXML(acct *wxAccount, from string, at time.Time, event string, extra string) []byte {
	return []byte("<xml><ToUserName>" + cdata(acct.OriginalID) + "</ToUserName><FromUserName>" + cdata(from) +
		"</FromUserName><CreateTime>" + strconv.FormatInt(at.Unix(), 10) + "</CreateTime><MsgType>" +
		cdata("event") + "</MsgType><Event>" + cdata(event) + "</Event>" + extra + "</xml>")
}

// publishFinishXML is the PUBLISHJOBFINISH event of a finished publication: the
// article_id and URLs when its articles went out, the refused indexes otherwise.
func publishFinishXML(acct *wxAccount, p *wxPublish) []byte {
	var info strings.Builder
	fmt.Fprintf(&info, "<PublishEventInfo><publish_id>%s</publish_id><publish_status>%d</publish_status>", p.id, p.status)
	if p.wentOut() {
		info.WriteString("<article_id>" + cdata(p.articleID) + "</article_id><article_detail><count>" +
			strconv.Itoa(len(p.articles)) + "</count>")
		for _, a := range p.articles {
			fmt.Fprintf(&info, "<item><idx>%d</idx><article_url>%s</article_url></item>", a.idx, cdata(a.url))
		}
		info.WriteString("</article_detail>")
	}
	for _, i := range p.failIdx() {
		fmt.Fprintf(&info, "<fail_idx>%d</fail_idx>", i)
	}
	info.WriteString("</PublishEventInfo>")
	// The platform sends system events from the account's own id.
	return eventXML(acct, acct.OriginalID, p.done, "PUBLISHJOBFINISH", info.String())
}

func massFinishXML(acct *wxAccount, msgID, audience int64, at time.Time, urls []string) []byte {
	extra := "<MsgID>" + strconv.FormatInt(msgID, 10) + "</MsgID><Status>" + cdata("send success") +
		"</Status><TotalCount>" + strconv.FormatInt(audience, 10) + "</TotalCount><FilterCount>" +
		strconv.FormatInt(audience, 10) + "</FilterCount><SentCount>" + strconv.FormatInt(audience, 10) +
		"</SentCount><ErrorCount>0</ErrorCount>"
	if len(urls) > 0 {
		extra += "<ArticleUrlResult><Count>" + strconv.Itoa(len(urls)) + "</Count><ResultList>"
		for i, u := range urls {
			extra += "<item><ArticleIdx>" + strconv.Itoa(i+1) + "</ArticleIdx><ArticleUrl>" + cdata(u) + "</ArticleUrl></item>"
		}
		extra += "</ResultList></ArticleUrlResult>"
	}
	return eventXML(acct, acct.OriginalID, at, "MASSSENDJOBFINISH", extra)
}

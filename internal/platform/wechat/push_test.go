package wechat

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
)

const subscribeXML = `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>
<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>
<CreateTime>1409735668</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[subscribe]]></Event>
<EventKey><![CDATA[qrscene_room-12]]></EventKey>
<Ticket><![CDATA[TICKET]]></Ticket>
</xml>`

func TestParseMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		xml   string
		want  Message
		scene string
		dedup string
	}{
		{"subscribe by code", subscribeXML, Message{ToUserName: "gh_10f6c3c3ac5a", FromUserName: "oyORnuP8q7ou2gfYjqLzSIWZf0rs",
			CreateTime: 1409735668, MsgType: "event", Event: "subscribe", EventKey: "qrscene_room-12", Ticket: "TICKET"},
			"room-12", "event:oyORnuP8q7ou2gfYjqLzSIWZf0rs:1409735668:subscribe"},
		{"plain subscribe", `<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1000000001</CreateTime><MsgType>event</MsgType><Event>subscribe</Event><EventKey></EventKey></xml>`,
			Message{ToUserName: "gh", FromUserName: "o1", CreateTime: 1000000001, MsgType: "event", Event: "subscribe"}, "", "event:o1:1000000001:subscribe"},
		{"scan", `<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1123456789</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[SCAN]]></Event><EventKey><![CDATA[room-12]]></EventKey><Ticket><![CDATA[T]]></Ticket></xml>`,
			Message{ToUserName: "gh", FromUserName: "o1", CreateTime: 1123456789, MsgType: "event", Event: "SCAN", EventKey: "room-12", Ticket: "T"},
			"room-12", "event:o1:1123456789:SCAN"},
		{"unsubscribe", `<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1000000005</CreateTime><MsgType>event</MsgType><Event>unsubscribe</Event></xml>`,
			Message{ToUserName: "gh", FromUserName: "o1", CreateTime: 1000000005, MsgType: "event", Event: "unsubscribe"}, "", "event:o1:1000000005:unsubscribe"},
		{"text", `<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1000000005</CreateTime><MsgType>text</MsgType><Content><![CDATA[Bonjour <musée> & 你好]]></Content><MsgId>18446744073709551615</MsgId></xml>`,
			Message{ToUserName: "gh", FromUserName: "o1", CreateTime: 1000000005, MsgType: "text", Content: "Bonjour <musée> & 你好", MsgID: "18446744073709551615"},
			"", "msg:18446744073709551615"},
		{"publish finished", `<xml> <ToUserName><![CDATA[gh_4d00ed8d6399]]></ToUserName> <FromUserName><![CDATA[oV5CrjpxgaGXNHIQigzNlgLTnwic]]></FromUserName> <CreateTime>1481013459</CreateTime> <MsgType><![CDATA[event]]></MsgType> <Event><![CDATA[PUBLISHJOBFINISH]]></Event> <PublishEventInfo> <publish_id>2247503051</publish_id> <publish_status>0</publish_status> <article_id><![CDATA[b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvyWP4Hq4]]></article_id> <article_detail> <count>1</count> <item> <idx>1</idx> <article_url><![CDATA[ARTICLE_URL]]></article_url> </item> </article_detail> </PublishEventInfo> </xml>`,
			Message{ToUserName: "gh_4d00ed8d6399", FromUserName: "oV5CrjpxgaGXNHIQigzNlgLTnwic", CreateTime: 1481013459, MsgType: "event", Event: "PUBLISHJOBFINISH",
				Publish: &PublishEventInfo{PublishID: "2247503051", PublishStatus: 0, ArticleID: "b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvyWP4Hq4", Articles: []ArticleURL{{Idx: 1, URL: "ARTICLE_URL"}}}},
			"", "publish:2247503051"},
		{"publish refused", `<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1000000001</CreateTime><MsgType>event</MsgType><Event>FREEPUBLISHJOBFINISH</Event><PublishEventInfo><publish_id>9</publish_id><publish_status>2</publish_status><fail_idx>1</fail_idx><fail_idx>2</fail_idx></PublishEventInfo></xml>`,
			Message{ToUserName: "gh", FromUserName: "o", CreateTime: 1000000001, MsgType: "event", Event: "PUBLISHJOBFINISH",
				Publish: &PublishEventInfo{PublishID: "9", PublishStatus: 2, FailIdx: []int{1, 2}}},
			"", "publish:9"},
		{"mass send finished", `<xml><ToUserName><![CDATA[gh_1f567c6f4bbd]]></ToUserName> <FromUserName><![CDATA[ov7hP6b1X_yWfnX7Jy3IFQnwJzzM]]></FromUserName> <CreateTime>1650896441</CreateTime> <MsgType><![CDATA[event]]></MsgType> <Event><![CDATA[MASSSENDJOBFINISH]]></Event> <MsgID>1000000003</MsgID> <Status><![CDATA[send success]]></Status> <TotalCount>4</TotalCount> <FilterCount>4</FilterCount> <SentCount>4</SentCount> <ErrorCount>0</ErrorCount> <CopyrightCheckResult><Count>0</Count> <ResultList></ResultList> <CheckState>0</CheckState> </CopyrightCheckResult> <ArticleUrlResult><Count>1</Count> <ResultList><item><ArticleIdx>1</ArticleIdx> <ArticleUrl><![CDATA[http://mp.weixin.qq.com/s/8yzT20EvmDg37Jso9nsIIw]]></ArticleUrl> </item> </ResultList> </ArticleUrlResult> </xml>`,
			Message{ToUserName: "gh_1f567c6f4bbd", FromUserName: "ov7hP6b1X_yWfnX7Jy3IFQnwJzzM", CreateTime: 1650896441, MsgType: "event", Event: "MASSSENDJOBFINISH",
				MsgID: "1000000003", Status: "send success", TotalCount: 4, FilterCount: 4, SentCount: 4,
				ArticleURLs: []ArticleURL{{Idx: 1, URL: "http://mp.weixin.qq.com/s/8yzT20EvmDg37Jso9nsIIw"}}},
			"", "msg:1000000003"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := ParseMessage([]byte(tt.xml))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*m, tt.want) {
				t.Errorf("got  %+v\nwant %+v", *m, tt.want)
			}
			scene, ok := m.Scene()
			if scene != tt.scene || ok != (tt.scene != "") {
				t.Errorf("Scene = %q, %v; want %q", scene, ok, tt.scene)
			}
			if k := m.DedupKey(); k != tt.dedup {
				t.Errorf("DedupKey = %q, want %q", k, tt.dedup)
			}
		})
	}
}

func TestParseMessageRejects(t *testing.T) {
	t.Parallel()
	base := func(extra string) string {
		return `<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1000000001</CreateTime><MsgType>event</MsgType><Event>subscribe</Event>` + extra + `</xml>`
	}
	tests := map[string]struct {
		xml  string
		code string
	}{
		"empty":                {"", passerelle.EINVALID},
		"not xml":              {"{}", passerelle.EINVALID},
		"doctype":              {`<!DOCTYPE xml [<!ENTITY x "boom">]>` + base(""), passerelle.EINVALID},
		"entity use":           {base("<EventKey>&x;</EventKey>"), passerelle.EINVALID},
		"wrong root":           {`<foo><ToUserName>gh</ToUserName></foo>`, passerelle.EINVALID},
		"unclosed":             {`<xml><ToUserName>gh</ToUserName>`, passerelle.EINVALID},
		"two roots":            {base("") + base(""), passerelle.EINVALID},
		"missing sender":       {`<xml><ToUserName>gh</ToUserName><CreateTime>1000000001</CreateTime><MsgType>text</MsgType></xml>`, passerelle.EINVALID},
		"missing time":         {`<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><MsgType>text</MsgType></xml>`, passerelle.EINVALID},
		"time not a number":    {`<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>soon</CreateTime><MsgType>text</MsgType></xml>`, passerelle.EINVALID},
		"negative time":        {`<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>-1</CreateTime><MsgType>text</MsgType></xml>`, passerelle.EINVALID},
		"event without name":   {`<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1000000001</CreateTime><MsgType>event</MsgType></xml>`, passerelle.EINVALID},
		"msgid not a number":   {base("<MsgId>12a</MsgId>"), passerelle.EINVALID},
		"msgid overflow":       {base("<MsgId>18446744073709551616</MsgId>"), passerelle.EINVALID},
		"publish without info": {`<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1000000001</CreateTime><MsgType>event</MsgType><Event>PUBLISHJOBFINISH</Event></xml>`, passerelle.EINVALID},
		"publish bad status":   {`<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1000000001</CreateTime><MsgType>event</MsgType><Event>PUBLISHJOBFINISH</Event><PublishEventInfo><publish_id>1</publish_id><publish_status>x</publish_status></PublishEventInfo></xml>`, passerelle.EINVALID},
		"gbk charset":          {`<?xml version="1.0" encoding="GBK"?>` + base(""), passerelle.EINVALID},
		"too large":            {base("<Content>" + strings.Repeat("a", MaxPushBody) + "</Content>"), passerelle.ETOOLARGE},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m, err := ParseMessage([]byte(tt.xml))
			if err == nil {
				t.Fatalf("accepted: %+v", m)
			}
			if passerelle.ErrorCode(err) != tt.code {
				t.Errorf("code = %s, want %s (%v)", passerelle.ErrorCode(err), tt.code, err)
			}
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
				t.Errorf("err %v wraps neither ErrMalformed nor ErrTooLarge", err)
			}
		})
	}
}

func TestOpenPush(t *testing.T) {
	t.Parallel()
	v := loadVector(t)
	safe := vectorCrypter(t, v)
	plain, err := NewCrypter(CrypterConfig{Token: v.Token, AppID: v.AppID})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1409735669, 0)
	envelope := []byte(`<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[` + v.Encrypt + `]]></Encrypt></xml>`)
	vectorParams := PushParams{MsgSignature: v.MsgSignature, Timestamp: v.Timestamp, Nonce: v.Nonce, EncryptType: "aes"}
	plainBody := []byte(subscribeXML)
	plainParams := PushParams{Signature: plain.Sign(v.Timestamp, v.Nonce), Timestamp: v.Timestamp, Nonce: v.Nonce}

	got, err := safe.OpenPush(envelope, vectorParams, now)
	if err != nil || string(got) != v.PlaintextXML {
		t.Fatalf("OpenPush(vector) = %q, %v", got, err)
	}
	got, err = plain.OpenPush(plainBody, plainParams, now)
	if err != nil || string(got) != subscribeXML {
		t.Fatalf("OpenPush(plain) = %q, %v", got, err)
	}

	with := func(p PushParams, f func(*PushParams)) PushParams { f(&p); return p }
	tests := []struct {
		name   string
		c      *Crypter
		body   []byte
		params PushParams
		now    time.Time
		want   error
	}{
		{"stale", safe, envelope, vectorParams, now.Add(301 * time.Second), ErrTimestamp},
		{"from the future", safe, envelope, vectorParams, now.Add(-301 * time.Second), ErrTimestamp},
		{"bad msg_signature", safe, envelope, with(vectorParams, func(p *PushParams) { p.MsgSignature = strings.Repeat("0", 40) }), now, ErrSignature},
		{"nonce changed", safe, envelope, with(vectorParams, func(p *PushParams) { p.Nonce = "1" }), now, ErrSignature},
		{"plaintext to a safe account", safe, plainBody, plainParams, now, ErrSignature},
		{"plain bad signature", plain, plainBody, with(plainParams, func(p *PushParams) { p.Signature = "x" }), now, ErrSignature},
		{"safe push without key", plain, envelope, vectorParams, now, ErrNoKey},
		{"envelope without Encrypt", safe, []byte(`<xml><ToUserName>gh</ToUserName></xml>`), vectorParams, now, ErrMalformed},
		{"too large", safe, make([]byte, MaxPushBody+1), vectorParams, now, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got, err := tt.c.OpenPush(tt.body, tt.params, tt.now); !errors.Is(err, tt.want) {
				t.Errorf("OpenPush = %q, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestEcho(t *testing.T) {
	t.Parallel()
	c := vectorCrypter(t, loadVector(t))
	now := time.Unix(1409735669, 0)
	q := url.Values{"signature": {c.Sign("1409735669", "42")}, "timestamp": {"1409735669"}, "nonce": {"42"}, "echostr": {"5837397520665436492"}}
	got, err := c.Echo(ParsePushParams(q), q.Get("echostr"), now)
	if err != nil || got != "5837397520665436492" {
		t.Fatalf("Echo = %q, %v", got, err)
	}
	if _, err := c.Echo(ParsePushParams(q), q.Get("echostr"), now.Add(time.Hour)); !errors.Is(err, ErrTimestamp) {
		t.Errorf("stale Echo = %v", err)
	}
	q.Set("nonce", "43")
	if _, err := c.Echo(ParsePushParams(q), q.Get("echostr"), now); !errors.Is(err, ErrSignature) {
		t.Errorf("forged Echo = %v", err)
	}
}

func FuzzParseMessage(f *testing.F) {
	f.Add([]byte(subscribeXML))
	f.Add([]byte(loadVector(f).PlaintextXML))
	f.Add([]byte(`<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>PUBLISHJOBFINISH</Event><PublishEventInfo><publish_id>1</publish_id><publish_status>0</publish_status><article_detail><item><idx>1</idx></item></article_detail><fail_idx>1</fail_idx></PublishEventInfo></xml>`))
	f.Add([]byte(`<!DOCTYPE x><xml/>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMessage(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error %v is neither ErrMalformed nor ErrTooLarge", err)
			}
			if m != nil {
				t.Fatal("message returned with an error")
			}
			return
		}
		// Invariants of an accepted message.
		if m.ToUserName == "" || m.FromUserName == "" || m.MsgType == "" || m.CreateTime < 0 {
			t.Fatalf("accepted an incomplete message %+v", m)
		}
		if m.MsgType == MsgTypeEvent && m.Event == "" {
			t.Fatal("event without Event")
		}
		if (m.Event == EventPublishJobFinish) != (m.Publish != nil) {
			t.Fatalf("Publish set for event %q", m.Event)
		}
		if m.DedupKey() == "" {
			t.Fatal("empty DedupKey")
		}
	})
}

func BenchmarkPushSubscribe(b *testing.B) {
	v := loadVector(b)
	c := vectorCrypter(b, v)
	body, sig, err := c.EncryptPush("gh_10f6c3c3ac5a", []byte(subscribeXML), "1409735669", "1320562132")
	if err != nil {
		b.Fatal(err)
	}
	p := PushParams{MsgSignature: sig, Timestamp: "1409735669", Nonce: "1320562132", EncryptType: "aes"}
	now := time.Unix(1409735669, 0)
	b.ReportAllocs()
	for b.Loop() {
		msg, err := c.OpenPush(body, p, now)
		if err != nil {
			b.Fatal(err)
		}
		m, err := ParseMessage(msg)
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := m.Scene(); !ok {
			b.Fatal("no scene")
		}
	}
}

// FuzzPushTimes (issue 9, finding 4): whatever the CreateTime text, a message is
// either refused as malformed or carries an instant from 2000 to 9999, which every
// store engine keeps as is.
func FuzzPushTimes(f *testing.F) {
	for _, s := range []string{"1409735668", "9223372036854775807", "-1", "0", "946684799", "946684800", "253402300799", "253402300800",
		"１４０９７３５６６８", "+1409735668", "1409735668.5", "1e10", " 1409735668 ", "", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var b strings.Builder
		b.WriteString(`<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime><![CDATA[`)
		b.WriteString(strings.ReplaceAll(s, "]]>", ""))
		b.WriteString(`]]></CreateTime><MsgType>event</MsgType><Event>subscribe</Event></xml>`)
		m, err := ParseMessage([]byte(b.String()))
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error %v is neither ErrMalformed nor ErrTooLarge", err)
			}
			if passerelle.ErrorCode(err) != passerelle.EINVALID && passerelle.ErrorCode(err) != passerelle.ETOOLARGE {
				t.Fatalf("error %v would not be a 4xx", err)
			}
			return
		}
		at := time.Unix(m.CreateTime, 0).UTC()
		if at.Year() < 2000 || at.Year() > 9999 {
			t.Fatalf("accepted CreateTime %q as %v", s, at)
		}
	})
}

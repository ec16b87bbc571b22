package wechat

import (
	"fmt"
	"reflect"
	"testing"
)

// The pushes WeChat sends, as the flat reader must read them itself.
var flatPushes = []string{
	subscribeXML,
	`<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[oUser12]]></FromUserName><CreateTime>1765000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[请问展厅012怎么走？]]></Content><MsgId>1000012</MsgId></xml>`,
	`<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1000000005</CreateTime><MsgType>text</MsgType><Content><![CDATA[Bonjour <musée> & 你好 ]]]></Content><MsgId>18446744073709551615</MsgId></xml>`,
	"<xml>\n <ToUserName><![CDATA[gh]]></ToUserName>\n\t<FromUserName><![CDATA[o1]]></FromUserName>\n<CreateTime>1123456789</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[SCAN]]></Event><EventKey><![CDATA[room-12]]></EventKey><Ticket><![CDATA[T]]></Ticket></xml>\n",
	`<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1123456789</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://mmbiz.qpic.cn/x?a=1&b=2]]></PicUrl><MediaId><![CDATA[media]]></MediaId><MsgId>1234567890123456</MsgId></xml>`,
	`<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1123456789</CreateTime><MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[m]]></MediaId><Format><![CDATA[amr]]></Format><Recognition><![CDATA[开放时间]]></Recognition><MsgId>1</MsgId></xml>`,
	`<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1123456789</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[CLICK]]></Event><EventKey><![CDATA[HOURS]]></EventKey></xml>`,
	`<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1000000001</CreateTime><MsgType>event</MsgType><Event>subscribe</Event><EventKey></EventKey></xml>`,
}

// Documents the flat reader leaves to encoding/xml; ParseMessage must give the same
// result either way.
var flatDeclined = []string{
	`<?xml version="1.0" encoding="UTF-8"?><xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1000000001</CreateTime><MsgType>text</MsgType></xml>`,
	`<xml a="1"><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1000000001</CreateTime><MsgType>text</MsgType></xml>`,
	`<xml><ToUserName>gh</ToUserName><!-- c --><FromUserName>o</FromUserName><CreateTime>1000000001</CreateTime><MsgType>text</MsgType></xml>`,
	`<xml><ToUserName>g&amp;h</ToUserName><FromUserName>o</FromUserName><CreateTime>1000000001</CreateTime><MsgType>text</MsgType></xml>`,
	"<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1000000001</CreateTime><MsgType>text</MsgType><Content><![CDATA[a\r\nb]]></Content></xml>",
	`<xml><ToUserName>gh</ToUserName><ToUserName>gh2</ToUserName><FromUserName>o</FromUserName><CreateTime>1000000001</CreateTime><MsgType>text</MsgType></xml>`,
	`<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1000000001</CreateTime><MsgType>text</MsgType><Content/></xml>`,
	`<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1000000001</CreateTime><MsgType>event</MsgType><Event>PUBLISHJOBFINISH</Event><PublishEventInfo>x</PublishEventInfo></xml>`,
	`<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1000000001</CreateTime><MsgType>text</MsgType><Content> <![CDATA[x]]> </Content></xml>`,
	`<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1000000001</CreateTime><MsgType>text</MsgType></xml><xml></xml>`,
	`<!DOCTYPE x><xml><ToUserName>gh</ToUserName></xml>`,
	`<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1000000001</CreateTime><MsgType>text</MsgType><Content>a` + "\xff" + `</Content></xml>`,
	`<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1000000001</CreateTime><MsgType>text</MsgType><Content>a</Contents></xml>`,
	`<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName>`,
	`<doc><ToUserName>gh</ToUserName></doc>`,
}

// sameParse checks that ParseMessage gives what encoding/xml alone gives: the same
// message or the same error.
func sameParse(t *testing.T, b []byte) {
	t.Helper()
	fast, ferr := parseMessage(b, true)
	slow, serr := parseMessage(b, false)
	if fmt.Sprint(ferr) != fmt.Sprint(serr) || !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%q:\nflat     %+v, %v\nencoding %+v, %v", b, fast, ferr, slow, serr)
	}
	fe, ferr := parseEnvelope(b, true)
	se, serr := parseEnvelope(b, false)
	if fmt.Sprint(ferr) != fmt.Sprint(serr) || fe != se {
		t.Fatalf("envelope %q:\nflat     %+v, %v\nencoding %+v, %v", b, fe, ferr, se, serr)
	}
}

func TestFlatReadsWeChatPushes(t *testing.T) {
	t.Parallel()
	v := loadVector(t)
	c := vectorCrypter(t, v)
	env, _, err := c.EncryptPush("gh_10f6c3c3ac5a", []byte(subscribeXML), "1409735669", "1320562132")
	if err != nil {
		t.Fatal(err)
	}
	var e envelopeXML
	if !e.parseFlat(env) {
		t.Fatalf("the flat reader declined the envelope %s", env)
	}
	if e.ToUserName != "gh_10f6c3c3ac5a" || e.Encrypt == "" {
		t.Fatalf("envelope read as %+v", e)
	}
	for _, s := range append(flatPushes, v.PlaintextXML) {
		var x messageXML
		if !x.parseFlat([]byte(s)) {
			t.Errorf("the flat reader declined %s", s)
			continue
		}
		var y messageXML
		if err := decodeXML([]byte(s), &y); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(x, y) {
			t.Errorf("%s:\nflat     %+v\nencoding %+v", s, x, y)
		}
		sameParse(t, []byte(s))
	}
}

func TestFlatDeclines(t *testing.T) {
	t.Parallel()
	for _, s := range flatDeclined {
		var x messageXML
		if x.parseFlat([]byte(s)) {
			t.Errorf("the flat reader read %q", s)
		}
		sameParse(t, []byte(s))
	}
}

// FuzzFlatMatchesXML holds the flat reader to encoding/xml: whatever it reads, it
// reads as encoding/xml does, and the parsed message or error is the same.
func FuzzFlatMatchesXML(f *testing.F) {
	for _, s := range append(flatPushes, flatDeclined...) {
		f.Add([]byte(s))
	}
	f.Add([]byte(`<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[abc=]]></Encrypt></xml>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var x messageXML
		if x.parseFlat(b) {
			var y messageXML
			if err := decodeXML(b, &y); err != nil {
				t.Fatalf("flat read %q, encoding/xml refuses it: %v", b, err)
			}
			if !reflect.DeepEqual(x, y) {
				t.Fatalf("%q:\nflat     %+v\nencoding %+v", b, x, y)
			}
		}
		var e envelopeXML
		if e.parseFlat(b) {
			var y envelopeXML
			if err := decodeXML(b, &y); err != nil {
				t.Fatalf("flat read envelope %q, encoding/xml refuses it: %v", b, err)
			}
			if e != y {
				t.Fatalf("envelope %q:\nflat     %+v\nencoding %+v", b, e, y)
			}
		}
		sameParse(t, b)
	})
}

// BenchmarkParseMessage compares the flat reader with encoding/xml on the text
// message of bench/desk, side by side in one run.
func BenchmarkParseMessage(b *testing.B) {
	msg := []byte(flatPushes[1])
	for _, fast := range []bool{false, true} {
		b.Run(map[bool]string{false: "encoding-xml", true: "flat"}[fast], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := parseMessage(msg, fast); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

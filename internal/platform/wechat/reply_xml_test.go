package wechat

import (
	"bytes"
	"encoding/xml"
	"testing"
)

// The reference encodings: what TextReply and EncryptReply wrote through
// encoding/xml before they were written by hand.
type textReplyXML struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   cdata    `xml:"ToUserName"`
	FromUserName cdata    `xml:"FromUserName"`
	CreateTime   int64    `xml:"CreateTime"`
	MsgType      cdata    `xml:"MsgType"`
	Content      cdata    `xml:"Content"`
}

type replyEnvelope struct {
	XMLName      xml.Name `xml:"xml"`
	Encrypt      cdata    `xml:"Encrypt"`
	MsgSignature cdata    `xml:"MsgSignature"`
	TimeStamp    string   `xml:"TimeStamp"`
	Nonce        cdata    `xml:"Nonce"`
}

func checkTextReply(t *testing.T, from, to, content string, now int64) {
	t.Helper()
	m := &Message{FromUserName: from, ToUserName: to}
	want, err := xml.Marshal(textReplyXML{ToUserName: cdata{from}, FromUserName: cdata{to}, CreateTime: now, MsgType: cdata{MsgTypeText}, Content: cdata{content}})
	if err != nil {
		t.Fatal(err)
	}
	if got := TextReply(m, content, now); !bytes.Equal(got, want) {
		t.Fatalf("TextReply(%q, %q, %q, %d)\n got %s\nwant %s", from, to, content, now, got, want)
	}
}

func TestTextReplyMatchesEncodingXML(t *testing.T) {
	for _, c := range []struct{ from, to, content string }{
		{"oUser1", "gh_museum", "开放时间：周二至周日 9:30–17:30。"},
		{"oUser1", "gh_museum", ""},
		{"o]]>x", "gh_]]]>", "a]]>b]]>]]>c <b>&amp;</b> ]]"},
		{"", "", "]]>"},
		{"o", "g", "line\nbreak\ttab"},
	} {
		checkTextReply(t, c.from, c.to, c.content, 1_700_000_000)
	}
	checkTextReply(t, "o", "g", "x", -5)
}

func TestEncryptReplyMatchesEncodingXML(t *testing.T) {
	c, err := NewCrypter(CrypterConfig{Token: "tok", EncodingAESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", AppID: "wx0123456789abcdef"})
	if err != nil {
		t.Fatal(err)
	}
	for _, nonce := range []string{"12345", "", "n]]>once<&>"} {
		got, err := c.EncryptReply([]byte("<xml>x</xml>"), "1700000000", nonce)
		if err != nil {
			t.Fatal(err)
		}
		// The Encrypt field is random: read it back and rebuild the reference around it.
		var e struct {
			Encrypt string `xml:"Encrypt"`
		}
		if err := xml.Unmarshal(got, &e); err != nil {
			t.Fatalf("nonce %q: %v in %s", nonce, err, got)
		}
		want, _ := xml.Marshal(replyEnvelope{Encrypt: cdata{e.Encrypt}, MsgSignature: cdata{c.Sign("1700000000", nonce, e.Encrypt)}, TimeStamp: "1700000000", Nonce: cdata{nonce}})
		if !bytes.Equal(got, want) {
			t.Fatalf("nonce %q\n got %s\nwant %s", nonce, got, want)
		}
		if _, err := c.OpenReply(got); err != nil {
			t.Fatalf("nonce %q: the reply does not open: %v", nonce, err)
		}
	}
}

func FuzzTextReply(f *testing.F) {
	f.Add("oUser1", "gh_museum", "开放时间", int64(1_700_000_000))
	f.Add("]]>", "]]]]>", "]]>]]>", int64(0))
	f.Add("", "", "", int64(-1))
	f.Fuzz(func(t *testing.T, from, to, content string, now int64) {
		checkTextReply(t, from, to, content, now)
		// What WeChat reads back is the text that was written.
		var r struct {
			Content string `xml:"Content"`
		}
		b := TextReply(&Message{FromUserName: from, ToUserName: to}, content, now)
		if err := xml.Unmarshal(b, &r); err == nil && r.Content != content && validXMLText(content) {
			t.Fatalf("content %q read back as %q", content, r.Content)
		}
	})
}

// validXMLText reports whether every rune of s is allowed in XML 1.0 text (others
// cannot round-trip, with encoding/xml or by hand).
func validXMLText(s string) bool {
	for _, r := range s {
		if r == 0xFFFD || !(r == 0x09 || r == 0x0A || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) || r == '\r' {
			return false
		}
	}
	return true
}

package wechat

import (
	"encoding/xml"
	"strings"
	"testing"
)

func TestTextReplyRoundTrip(t *testing.T) {
	t.Parallel()
	v := loadVector(t)
	c := vectorCrypter(t, v)
	m := &Message{ToUserName: "gh_abc", FromUserName: "oFollower", MsgType: MsgTypeText}
	inner := TextReply(m, "开放时间 ]]> <b>9:30</b>", 1700000000)
	body, err := c.EncryptReply(inner, "1700000000", "nonce1")
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.OpenReply(body)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		ToUserName, FromUserName, MsgType, Content string
	}
	if err := xml.Unmarshal(got, &r); err != nil || r.Content != "开放时间 ]]> <b>9:30</b>" || r.ToUserName != "oFollower" || r.FromUserName != "gh_abc" {
		t.Fatalf("%+v %v", r, err)
	}
	// A tampered envelope does not verify.
	if _, err := c.OpenReply([]byte(strings.Replace(string(body), "nonce1", "nonce2", 1))); err == nil {
		t.Fatal("tampered reply opened")
	}
}

func FuzzOpenReply(f *testing.F) {
	v := loadVector(f)
	c := vectorCrypter(f, v)
	body, _ := c.EncryptReply([]byte("<xml><Content>x</Content></xml>"), "1700000000", "n")
	f.Add(body)
	f.Add([]byte("<xml><Encrypt>abc</Encrypt><TimeStamp>1</TimeStamp></xml>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c.OpenReply(b) // must not panic
	})
}

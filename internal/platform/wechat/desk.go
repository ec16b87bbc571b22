package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
)

// Service-desk codes.
const (
	// CodeReplyWindow: a customer-service message outside the 48 hours after the
	// follower's last message or interaction (or the follower left).
	CodeReplyWindow = 45015
	// CodeNoMenu: menu/get on an account without a custom menu.
	CodeNoMenu = 46003
)

// Message types and events of the service desk.
const (
	MsgTypeImage = "image"
	MsgTypeVoice = "voice"
	EventClick   = "CLICK"
	EventView    = "VIEW"
)

// MaxReplyBytes is the longest text WeChat takes in a passive reply or a
// customer-service text message (2,048 bytes of UTF-8).
const MaxReplyBytes = 2048

// CreateMenu replaces the account's custom menu (menu/create) with menu, WeChat's
// own JSON {"button": [...]}. Sending the same menu again is harmless.
func (c *Client) CreateMenu(ctx context.Context, menu json.RawMessage) error {
	if !json.Valid(menu) {
		return errors.New("wechat: create menu: not JSON")
	}
	body := func() (io.Reader, string, error) { return bytes.NewReader(menu), "application/json", nil }
	return c.call(ctx, request{op: "cgi-bin/menu/create", idempotent: true, body: body}, nil)
}

type menuAnswer struct {
	Menu json.RawMessage `json:"menu"`
}

func (a *menuAnswer) validate() error {
	if len(a.Menu) == 0 {
		return errors.New("no menu")
	}
	return nil
}

// GetMenu reads the account's custom menu back (menu/get): the {"button": [...]}
// object. An account without a menu answers a Permanent error with CodeNoMenu.
func (c *Client) GetMenu(ctx context.Context) (json.RawMessage, error) {
	var a menuAnswer
	err := c.call(ctx, request{op: "cgi-bin/menu/get", idempotent: true}, &a)
	return a.Menu, err
}

// DeleteMenu removes the account's custom menu (menu/delete, a GET). Deleting a menu
// that is already gone is harmless: WeChat answers ok.
func (c *Client) DeleteMenu(ctx context.Context) error {
	return c.call(ctx, request{op: "cgi-bin/menu/delete", idempotent: true}, nil)
}

// SendText sends a customer-service text message to a follower
// (message/custom/send). Outside the 48-hour window WeChat answers CodeReplyWindow.
// Not idempotent: a lost answer is Ambiguous.
func (c *Client) SendText(ctx context.Context, openID, text string) error {
	body := map[string]any{"touser": openID, "msgtype": "text", "text": map[string]string{"content": text}}
	return c.call(ctx, request{op: "cgi-bin/message/custom/send", body: jsonBody(body)}, nil)
}

// TextReply is the XML of a passive text reply to a push from follower (m's
// FromUserName), sent from the account (m's ToUserName), at Unix second now. It is
// written by hand rather than through encoding/xml's reflection: it is on the push
// endpoint's answer path, and its bytes are exactly what xml.Marshal of textReplyXML
// gives (TestTextReplyMatchesEncodingXML, FuzzTextReply).
func TextReply(m *Message, content string, now int64) []byte {
	b := make([]byte, 0, 160+len(m.FromUserName)+len(m.ToUserName)+len(content))
	b = append(b, "<xml>"...)
	b = appendCDATAElem(b, "ToUserName", m.FromUserName)
	b = appendCDATAElem(b, "FromUserName", m.ToUserName)
	b = append(b, "<CreateTime>"...)
	b = strconv.AppendInt(b, now, 10)
	b = append(b, "</CreateTime>"...)
	b = appendCDATAElem(b, "MsgType", MsgTypeText)
	b = appendCDATAElem(b, "Content", content)
	return append(b, "</xml>"...)
}

// appendCDATAElem appends <name><![CDATA[text]]></name> as encoding/xml writes a
// ",cdata" field: a "]]>" inside text closes the section and opens another.
func appendCDATAElem(b []byte, name, text string) []byte {
	b = append(b, '<')
	b = append(b, name...)
	b = append(b, '>')
	if text != "" { // encoding/xml writes no section for an empty string
		b = appendCDATA(b, text)
	}
	b = append(b, "</"...)
	b = append(b, name...)
	return append(b, '>')
}

func appendCDATA(b []byte, text string) []byte {
	b = append(b, "<![CDATA["...)
	for {
		i := strings.Index(text, "]]>")
		if i < 0 {
			break
		}
		b = append(b, text[:i+2]...)
		b = append(b, "]]><![CDATA["...)
		text = text[i+2:]
	}
	b = append(b, text...)
	return append(b, "]]>"...)
}

// OpenReply verifies and decrypts a safe-mode passive reply (what WeChat does with the
// answer to a push) and returns its inner XML.
func (c *Crypter) OpenReply(body []byte) ([]byte, error) {
	var e struct {
		Encrypt      string `xml:"Encrypt"`
		MsgSignature string `xml:"MsgSignature"`
		TimeStamp    string `xml:"TimeStamp"`
		Nonce        string `xml:"Nonce"`
	}
	if err := decodeXML(body, &e); err != nil {
		return nil, err
	}
	if _, err := strconv.ParseUint(e.TimeStamp, 10, 63); err != nil {
		return nil, malformed("the reply's TimeStamp is not a number")
	}
	if err := c.VerifyMsgSignature(e.MsgSignature, e.TimeStamp, e.Nonce, e.Encrypt); err != nil {
		return nil, err
	}
	return c.Decrypt(e.Encrypt)
}

package wechat

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// MaxPushBody bounds what the push endpoint reads. WeChat's pushes are a few hundred
// bytes; a mass-send report with many article URLs stays far below this.
const MaxPushBody = 64 << 10

// Message types and events the push endpoint understands.
const (
	MsgTypeText  = "text"
	MsgTypeEvent = "event"

	EventSubscribe         = "subscribe"
	EventUnsubscribe       = "unsubscribe"
	EventScan              = "SCAN"
	EventPublishJobFinish  = "PUBLISHJOBFINISH"
	EventMassSendJobFinish = "MASSSENDJOBFINISH"
)

// Publish statuses of freepublish/get and of the PUBLISHJOBFINISH event.
const (
	PublishSuccess     = 0
	PublishPublishing  = 1
	PublishOriginality = 2 // originality check failed
	PublishFailed      = 3
	PublishRejected    = 4 // refused by the platform's review
	PublishDeleted     = 5 // deleted after success
	PublishBanned      = 6
)

// qrScenePrefix marks the EventKey of a subscribe that came through a parametric code.
const qrScenePrefix = "qrscene_"

// PushParams are the query parameters WeChat adds to every call of the push URL.
type PushParams struct {
	Signature    string // signature: token, timestamp, nonce
	MsgSignature string // msg_signature: also covers Encrypt (safe mode)
	Timestamp    string
	Nonce        string
	EncryptType  string // "aes" in safe mode, "raw" or empty in plaintext mode
}

// ParsePushParams reads PushParams from a request's query.
func ParsePushParams(q url.Values) PushParams {
	return PushParams{
		Signature:    q.Get("signature"),
		MsgSignature: q.Get("msg_signature"),
		Timestamp:    q.Get("timestamp"),
		Nonce:        q.Get("nonce"),
		EncryptType:  q.Get("encrypt_type"),
	}
}

// Echo answers WeChat's URL verification (a GET with echostr): it checks the signature
// and the timestamp and returns echostr, which is to be answered verbatim.
func (c *Crypter) Echo(p PushParams, echostr string, now time.Time) (string, error) {
	if err := CheckTimestamp(p.Timestamp, now); err != nil {
		return "", err
	}
	if err := c.VerifyURL(p.Signature, p.Timestamp, p.Nonce); err != nil {
		return "", err
	}
	if echostr == "" || len(echostr) > 128 {
		return "", pushError(passerelle.EINVALID, "The WeChat echostr is missing or too long.", ErrMalformed)
	}
	return echostr, nil
}

// OpenPush verifies a push body and returns the message XML inside: the body itself in
// plaintext mode, the decrypted Encrypt field in safe mode. Once an EncodingAESKey is
// configured, plaintext pushes are refused: their signature does not cover the body,
// so accepting them would let anyone replaying a signed URL forge events.
func (c *Crypter) OpenPush(body []byte, p PushParams, now time.Time) ([]byte, error) {
	if len(body) > MaxPushBody {
		return nil, errTooLarge()
	}
	if err := CheckTimestamp(p.Timestamp, now); err != nil {
		return nil, err
	}
	if p.EncryptType != "aes" {
		if c.SafeMode() {
			return nil, pushError(passerelle.EINVALID,
				"This WeChat account is set to safe mode here; switch the WeChat console to safe mode too.",
				fmt.Errorf("%w: plaintext push", ErrSignature))
		}
		if err := c.VerifyURL(p.Signature, p.Timestamp, p.Nonce); err != nil {
			return nil, err
		}
		return body, nil
	}
	env, err := ParseEnvelope(body)
	if err != nil {
		return nil, err
	}
	if err := c.VerifyMsgSignature(p.MsgSignature, p.Timestamp, p.Nonce, env.Encrypt); err != nil {
		return nil, err
	}
	return c.Decrypt(env.Encrypt)
}

// Envelope is the outer XML of a safe-mode push.
type Envelope struct {
	ToUserName string
	Encrypt    string
}

type envelopeXML struct {
	XMLName    xml.Name `xml:"xml"`
	ToUserName string   `xml:"ToUserName"`
	Encrypt    string   `xml:"Encrypt"`
}

// ParseEnvelope reads the safe-mode body <xml><ToUserName/><Encrypt/></xml>.
func ParseEnvelope(body []byte) (Envelope, error) {
	return parseEnvelope(body, true)
}

// parseEnvelope reads the envelope with the flat reader when fast and body is flat,
// else with encoding/xml.
func parseEnvelope(body []byte, fast bool) (Envelope, error) {
	var e envelopeXML
	if len(body) > MaxPushBody || !fast || !e.parseFlat(body) {
		e = envelopeXML{}
		if err := decodeXML(body, &e); err != nil {
			return Envelope{}, err
		}
	}
	if e.Encrypt == "" {
		return Envelope{}, malformed("the safe-mode envelope has no Encrypt field")
	}
	return Envelope{ToUserName: e.ToUserName, Encrypt: e.Encrypt}, nil
}

// Message is a message or event pushed by WeChat, with the fields Passerelle uses.
type Message struct {
	ToUserName   string // the account's original id (gh_…)
	FromUserName string // the follower's OpenID
	CreateTime   int64  // Unix seconds
	MsgType      string
	Event        string
	EventKey     string
	Ticket       string // QR code ticket for subscribe-by-code and SCAN
	// MsgID is MsgId of a text message or MsgID of a mass-send report, as decimal
	// text: it exceeds 2^53.
	MsgID   string
	Content string
	// Image and voice messages: the picture's URL, the media id, the voice's
	// recognised text when WeChat provides it.
	PicURL, MediaID, Recognition string

	// Mass-send report (MASSSENDJOBFINISH).
	Status      string // "send success", "send fail", "err(num)"
	TotalCount  int
	FilterCount int
	SentCount   int
	ErrorCount  int
	ArticleURLs []ArticleURL

	// Publish report (PUBLISHJOBFINISH), nil for other events.
	Publish *PublishEventInfo
}

// ArticleURL is the address of one article of a publication or mass send; Idx counts
// from 1.
type ArticleURL struct {
	Idx int
	URL string
}

// PublishEventInfo is the body of a PUBLISHJOBFINISH event.
type PublishEventInfo struct {
	PublishID     string
	PublishStatus int
	ArticleID     string
	Articles      []ArticleURL
	FailIdx       []int // articles that failed the check (statuses 2 and 4)
}

type messageXML struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName"`
	FromUserName string   `xml:"FromUserName"`
	CreateTime   string   `xml:"CreateTime"`
	MsgType      string   `xml:"MsgType"`
	Event        string   `xml:"Event"`
	EventKey     string   `xml:"EventKey"`
	Ticket       string   `xml:"Ticket"`
	MsgId        string   `xml:"MsgId"` //nolint:revive // WeChat's spelling for messages
	MsgID        string   `xml:"MsgID"` // and for mass-send reports
	Content      string   `xml:"Content"`
	PicURL       string   `xml:"PicUrl"`
	MediaID      string   `xml:"MediaId"`
	Recognition  string   `xml:"Recognition"`
	Status       string   `xml:"Status"`
	TotalCount   string   `xml:"TotalCount"`
	FilterCount  string   `xml:"FilterCount"`
	SentCount    string   `xml:"SentCount"`
	ErrorCount   string   `xml:"ErrorCount"`
	ArticleURLs  []struct {
		Idx string `xml:"ArticleIdx"`
		URL string `xml:"ArticleUrl"`
	} `xml:"ArticleUrlResult>ResultList>item"`
	Publish *struct {
		PublishID     string `xml:"publish_id"`
		PublishStatus string `xml:"publish_status"`
		ArticleID     string `xml:"article_id"`
		Items         []struct {
			Idx string `xml:"idx"`
			URL string `xml:"article_url"`
		} `xml:"article_detail>item"`
		FailIdx []string `xml:"fail_idx"`
	} `xml:"PublishEventInfo"`
}

// CreateTime bounds (Unix seconds): from 2000-01-01 to 9999-12-31T23:59:59Z. A push
// time outside is refused: no engine would store it faithfully.
const (
	MinCreateTime = 946684800
	MaxCreateTime = 253402300799
)

// ParseMessage reads a decrypted or plaintext push. Identifiers stay text; numbers are
// parsed strictly; a DOCTYPE or any other directive is refused.
func ParseMessage(body []byte) (*Message, error) {
	return parseMessage(body, true)
}

// parseMessage reads a push with the flat reader when fast and body is flat (see
// flatxml.go), else with encoding/xml; the result is the same.
func parseMessage(body []byte, fast bool) (*Message, error) {
	if len(body) > MaxPushBody {
		return nil, errTooLarge()
	}
	var x messageXML
	if !fast || !x.parseFlat(body) {
		x = messageXML{}
		if err := decodeXML(body, &x); err != nil {
			return nil, err
		}
	}
	m := &Message{
		ToUserName:   x.ToUserName,
		FromUserName: x.FromUserName,
		MsgType:      x.MsgType,
		Event:        x.Event,
		EventKey:     x.EventKey,
		Ticket:       x.Ticket,
		Content:      x.Content,
		PicURL:       x.PicURL,
		MediaID:      x.MediaID,
		Recognition:  x.Recognition,
		Status:       x.Status,
	}
	if m.ToUserName == "" || m.FromUserName == "" || m.MsgType == "" {
		return nil, malformed("ToUserName, FromUserName or MsgType is missing")
	}
	if m.MsgType == MsgTypeEvent && m.Event == "" {
		return nil, malformed("an event without Event")
	}
	// One sample in WeChat's documentation spells the publish event this way.
	if m.Event == "FREEPUBLISHJOBFINISH" {
		m.Event = EventPublishJobFinish
	}
	var err error
	if m.CreateTime, err = parseInt64("CreateTime", x.CreateTime, true); err != nil {
		return nil, err
	}
	if m.CreateTime < MinCreateTime || m.CreateTime > MaxCreateTime {
		return nil, malformed("CreateTime is out of range")
	}
	if m.MsgID, err = parseID("MsgId", firstNonEmpty(x.MsgId, x.MsgID)); err != nil {
		return nil, err
	}
	counts := []struct {
		name string
		raw  string
		dst  *int
	}{
		{"TotalCount", x.TotalCount, &m.TotalCount},
		{"FilterCount", x.FilterCount, &m.FilterCount},
		{"SentCount", x.SentCount, &m.SentCount},
		{"ErrorCount", x.ErrorCount, &m.ErrorCount},
	}
	for _, c := range counts {
		if *c.dst, err = parseInt(c.name, c.raw, false); err != nil {
			return nil, err
		}
	}
	for _, a := range x.ArticleURLs {
		idx, err := parseInt("ArticleIdx", a.Idx, true)
		if err != nil {
			return nil, err
		}
		m.ArticleURLs = append(m.ArticleURLs, ArticleURL{Idx: idx, URL: strings.TrimSpace(a.URL)})
	}
	if m.Event == EventPublishJobFinish {
		if x.Publish == nil {
			return nil, malformed("PUBLISHJOBFINISH without PublishEventInfo")
		}
		p := &PublishEventInfo{ArticleID: strings.TrimSpace(x.Publish.ArticleID)}
		if p.PublishID, err = parseID("publish_id", x.Publish.PublishID); err != nil {
			return nil, err
		}
		if p.PublishID == "" {
			return nil, malformed("PUBLISHJOBFINISH without publish_id")
		}
		if p.PublishStatus, err = parseInt("publish_status", x.Publish.PublishStatus, true); err != nil {
			return nil, err
		}
		for _, it := range x.Publish.Items {
			idx, err := parseInt("idx", it.Idx, true)
			if err != nil {
				return nil, err
			}
			p.Articles = append(p.Articles, ArticleURL{Idx: idx, URL: strings.TrimSpace(it.URL)})
		}
		for _, f := range x.Publish.FailIdx {
			idx, err := parseInt("fail_idx", f, true)
			if err != nil {
				return nil, err
			}
			p.FailIdx = append(p.FailIdx, idx)
		}
		m.Publish = p
	}
	return m, nil
}

// Scene returns the QR code scene of a subscribe-by-code (EventKey "qrscene_<scene>")
// or of a SCAN (EventKey "<scene>"), and false for anything else.
func (m *Message) Scene() (string, bool) {
	if m.MsgType != MsgTypeEvent {
		return "", false
	}
	switch m.Event {
	case EventSubscribe:
		scene, ok := strings.CutPrefix(m.EventKey, qrScenePrefix)
		return scene, ok && scene != ""
	case EventScan:
		return m.EventKey, m.EventKey != ""
	}
	return "", false
}

// DedupKey identifies a push across WeChat's retries: the MsgId when there is one,
// else the sender, creation time and event (PLATFORMS.md). The publish report is keyed
// by its publish_id, which is unique where the sender and second may not be.
func (m *Message) DedupKey() string {
	switch {
	case m.MsgID != "":
		return "msg:" + m.MsgID
	case m.Publish != nil:
		return "publish:" + m.Publish.PublishID
	default:
		return "event:" + m.FromUserName + ":" + strconv.FormatInt(m.CreateTime, 10) + ":" + m.Event
	}
}

// directiveFilter refuses DOCTYPE and every other <!…> directive: encoding/xml would
// silently skip them, and a push has no business carrying one.
type directiveFilter struct{ d *xml.Decoder }

func (f directiveFilter) Token() (xml.Token, error) {
	t, err := f.d.Token()
	if _, ok := t.(xml.Directive); ok {
		return nil, errDirective
	}
	return t, err
}

var errDirective = errors.New("XML directives (DOCTYPE, ENTITY) are not accepted")

func decodeXML(body []byte, v any) error {
	if len(body) > MaxPushBody {
		return errTooLarge()
	}
	inner := xml.NewDecoder(bytes.NewReader(body))
	inner.Strict = true
	inner.CharsetReader = func(charset string, r io.Reader) (io.Reader, error) {
		return nil, fmt.Errorf("charset %q is not UTF-8", charset)
	}
	d := xml.NewTokenDecoder(directiveFilter{inner})
	if err := d.Decode(v); err != nil {
		return pushError(passerelle.EINVALID, "The WeChat message is not valid XML.",
			fmt.Errorf("%w: %v", ErrMalformed, err))
	}
	// Trailing elements would mean two messages in one body.
	for {
		t, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return pushError(passerelle.EINVALID, "The WeChat message is not valid XML.",
				fmt.Errorf("%w: %v", ErrMalformed, err))
		}
		switch t := t.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return malformed("text after the root element")
			}
		case xml.Comment:
		default:
			return malformed("content after the root element")
		}
	}
}

func malformed(detail string) error {
	return pushError(passerelle.EINVALID, "The WeChat message is malformed.",
		fmt.Errorf("%w: %s", ErrMalformed, detail))
}

func errTooLarge() error {
	return pushError(passerelle.ETOOLARGE, "The WeChat message is too large.", ErrTooLarge)
}

func parseInt64(name, s string, required bool) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			return 0, malformed(name + " is missing")
		}
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, malformed(fmt.Sprintf("%s is not a non-negative integer: %q", name, truncate(s, 32)))
	}
	return n, nil
}

func parseInt(name, s string, required bool) (int, error) {
	n, err := parseInt64(name, s, required)
	if err != nil {
		return 0, err
	}
	if n > 1<<31-1 {
		return 0, malformed(name + " is out of range")
	}
	return int(n), nil
}

// parseID checks a numeric identifier and keeps it as text.
func parseID(name, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if _, err := strconv.ParseUint(s, 10, 64); err != nil {
		return "", malformed(fmt.Sprintf("%s is not a 64-bit identifier: %q", name, truncate(s, 32)))
	}
	return s, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

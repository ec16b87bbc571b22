package wechat

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// MaxClockSkew is how far a push timestamp may lie from our clock, in either direction.
// WeChat retries within 15 s, so anything older than a few minutes is a replay.
const MaxClockSkew = 300 * time.Second

const (
	// WeChat pads to 32-byte blocks (PKCS#7 with k = 32), not to the AES block size.
	padBlock  = 32
	randomLen = 16
	headerLen = randomLen + 4
)

// CrypterConfig configures a Crypter. Token is the push token set in the WeChat console.
// EncodingAESKey (43 characters) enables safe mode; PreviousEncodingAESKey keeps
// messages encrypted just before a key rotation readable. Rand defaults to crypto/rand.
type CrypterConfig struct {
	Token                  string
	EncodingAESKey         string
	PreviousEncodingAESKey string
	AppID                  string
	Rand                   io.Reader
}

// Crypter signs, verifies, encrypts and decrypts WeChat push messages for one account.
// It is safe for concurrent use (when Rand is).
type Crypter struct {
	token string
	appID string
	// keys[0] is the current key, keys[1] (if any) the previous one.
	keys []aesKey
	rand io.Reader
}

type aesKey struct {
	block cipher.Block
	iv    []byte
}

// NewCrypter checks cfg and prepares the ciphers. A Crypter without EncodingAESKey can
// only sign and verify (plaintext mode).
func NewCrypter(cfg CrypterConfig) (*Crypter, error) {
	if cfg.Token == "" {
		return nil, passerelle.Errorf(passerelle.EINVALID, "The WeChat push token is empty.")
	}
	if cfg.AppID == "" {
		return nil, passerelle.Errorf(passerelle.EINVALID, "The WeChat AppID is empty.")
	}
	c := &Crypter{token: cfg.Token, appID: cfg.AppID, rand: cfg.Rand}
	if c.rand == nil {
		c.rand = rand.Reader
	}
	if cfg.EncodingAESKey == "" && cfg.PreviousEncodingAESKey != "" {
		return nil, passerelle.Errorf(passerelle.EINVALID, "A previous EncodingAESKey is set without a current one.")
	}
	for _, s := range []string{cfg.EncodingAESKey, cfg.PreviousEncodingAESKey} {
		if s == "" {
			continue
		}
		k, err := decodeAESKey(s)
		if err != nil {
			return nil, err
		}
		c.keys = append(c.keys, k)
	}
	return c, nil
}

func decodeAESKey(s string) (aesKey, error) {
	invalid := passerelle.Errorf(passerelle.EINVALID,
		"The EncodingAESKey must be the 43 characters shown in the WeChat console.")
	if len(s) != 43 {
		return aesKey{}, invalid
	}
	raw, err := base64.StdEncoding.DecodeString(s + "=")
	if err != nil || len(raw) != 32 {
		return aesKey{}, invalid
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return aesKey{}, invalid
	}
	return aesKey{block: block, iv: raw[:aes.BlockSize]}, nil
}

// AppID returns the AppID the Crypter encrypts for and accepts.
func (c *Crypter) AppID() string { return c.appID }

// SafeMode reports whether the Crypter has an EncodingAESKey.
func (c *Crypter) SafeMode() bool { return len(c.keys) > 0 }

// Signature returns WeChat's push signature: the hex SHA-1 of the sorted, concatenated
// token, timestamp, nonce and, in safe mode, the Encrypt field.
func Signature(token, timestamp, nonce string, extra ...string) string {
	parts := make([]string, 0, 3+len(extra))
	parts = append(parts, token, timestamp, nonce)
	parts = append(parts, extra...)
	slices.Sort(parts)
	h := sha1.New()
	for _, p := range parts {
		io.WriteString(h, p)
	}
	var sum [sha1.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

// VerifySignature compares signature with the expected one in constant time.
func VerifySignature(signature, token, timestamp, nonce string, extra ...string) bool {
	want := Signature(token, timestamp, nonce, extra...)
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(signature)), []byte(want)) == 1
}

// Sign returns the signature of a push for this account: pass the Encrypt field in
// safe mode (msg_signature), nothing in plaintext mode and for URL verification.
func (c *Crypter) Sign(timestamp, nonce string, encrypt ...string) string {
	return Signature(c.token, timestamp, nonce, encrypt...)
}

// VerifyURL checks the signature WeChat sends on URL verification and, in plaintext
// mode, on every push. It does not check the timestamp (see CheckTimestamp).
func (c *Crypter) VerifyURL(signature, timestamp, nonce string) error {
	if !VerifySignature(signature, c.token, timestamp, nonce) {
		return pushError(passerelle.EUNAUTHENTICATED, "The WeChat signature does not match.", ErrSignature)
	}
	return nil
}

// VerifyMsgSignature checks a safe-mode msg_signature over the Encrypt field.
func (c *Crypter) VerifyMsgSignature(msgSignature, timestamp, nonce, encrypt string) error {
	if !VerifySignature(msgSignature, c.token, timestamp, nonce, encrypt) {
		return pushError(passerelle.EUNAUTHENTICATED, "The WeChat message signature does not match.", ErrSignature)
	}
	return nil
}

// CheckTimestamp refuses a push timestamp (decimal Unix seconds) further than
// MaxClockSkew from now, in the past or the future.
func CheckTimestamp(timestamp string, now time.Time) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || ts <= 0 {
		return pushError(passerelle.EINVALID, "The WeChat timestamp is missing or malformed.",
			fmt.Errorf("%w: %q", ErrTimestamp, truncate(timestamp, 32)))
	}
	skew := now.Unix() - ts
	if skew > int64(MaxClockSkew/time.Second) || -skew > int64(MaxClockSkew/time.Second) {
		return pushError(passerelle.EUNAUTHENTICATED, "The WeChat timestamp is too far from the server clock.",
			fmt.Errorf("%w: %d s off", ErrTimestamp, skew))
	}
	return nil
}

// Decrypt opens a safe-mode Encrypt field and returns the XML inside. It tries the
// current key, then the previous one, and accepts only messages for the Crypter's AppID.
func (c *Crypter) Decrypt(encrypt string) ([]byte, error) {
	if len(c.keys) == 0 {
		return nil, pushError(passerelle.EINVALID, "Safe mode is not configured for this WeChat account.", ErrNoKey)
	}
	ct, err := base64.StdEncoding.DecodeString(encrypt)
	if err != nil || len(ct) == 0 || len(ct)%padBlock != 0 {
		return nil, errDecrypt()
	}
	buf := make([]byte, len(ct))
	for _, k := range c.keys {
		if msg, ok := c.open(k, buf, ct); ok {
			return msg, nil
		}
	}
	return nil, errDecrypt()
}

func errDecrypt() error {
	return pushError(passerelle.EINVALID, "The WeChat message could not be decrypted.", ErrDecrypt)
}

// open decrypts ct into buf with k and unframes it: random(16) ‖ len(4) ‖ msg ‖ AppID ‖ pad.
func (c *Crypter) open(k aesKey, buf, ct []byte) ([]byte, bool) {
	cipher.NewCBCDecrypter(k.block, k.iv).CryptBlocks(buf, ct)
	n := int(buf[len(buf)-1])
	if n < 1 || n > padBlock || n > len(buf) {
		return nil, false
	}
	for _, b := range buf[len(buf)-n:] {
		if int(b) != n {
			return nil, false
		}
	}
	plain := buf[:len(buf)-n]
	if len(plain) < headerLen {
		return nil, false
	}
	msgLen := binary.BigEndian.Uint32(plain[randomLen:headerLen])
	if uint64(msgLen) > uint64(len(plain)-headerLen) {
		return nil, false
	}
	end := headerLen + int(msgLen)
	if subtle.ConstantTimeCompare(plain[end:], []byte(c.appID)) != 1 {
		return nil, false
	}
	return plain[headerLen:end:end], true
}

// Encrypt seals msg for this account with the current key and fresh random bytes, and
// returns the base64 text of WeChat's Encrypt field.
func (c *Crypter) Encrypt(msg []byte) (string, error) {
	if len(c.keys) == 0 {
		return "", pushError(passerelle.EINVALID, "Safe mode is not configured for this WeChat account.", ErrNoKey)
	}
	if uint64(len(msg)) > uint64(^uint32(0)) {
		return "", pushError(passerelle.ETOOLARGE, "The WeChat message is too large.", ErrTooLarge)
	}
	contentLen := headerLen + len(msg) + len(c.appID)
	pad := padBlock - contentLen%padBlock
	buf := make([]byte, contentLen+pad)
	if _, err := io.ReadFull(c.rand, buf[:randomLen]); err != nil {
		return "", fmt.Errorf("wechat: encrypt: random bytes: %w", err)
	}
	binary.BigEndian.PutUint32(buf[randomLen:headerLen], uint32(len(msg)))
	copy(buf[headerLen:], msg)
	copy(buf[headerLen+len(msg):], c.appID)
	for i := contentLen; i < len(buf); i++ {
		buf[i] = byte(pad)
	}
	k := c.keys[0]
	cipher.NewCBCEncrypter(k.block, k.iv).CryptBlocks(buf, buf)
	return base64.StdEncoding.EncodeToString(buf), nil
}

// cdata marshals as a CDATA section, as WeChat writes its string fields.
type cdata struct {
	Text string `xml:",cdata"`
}

// EncryptReply encrypts a passive reply (the XML answered to a push) and wraps it in
// the safe-mode envelope <xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>.
// timestamp is decimal Unix seconds; nonce is any short token (the push's own is fine).
func (c *Crypter) EncryptReply(msg []byte, timestamp, nonce string) ([]byte, error) {
	if err := checkTimestampSyntax(timestamp); err != nil {
		return nil, err
	}
	enc, err := c.Encrypt(msg)
	if err != nil {
		return nil, err
	}
	// Written by hand (the bytes xml.Marshal of replyEnvelope gives): it is on the
	// push endpoint's answer path. timestamp is digits only, checked above.
	sig := c.Sign(timestamp, nonce, enc)
	b := make([]byte, 0, 120+len(enc)+len(sig)+len(timestamp)+len(nonce))
	b = append(b, "<xml>"...)
	b = appendCDATAElem(b, "Encrypt", enc)
	b = appendCDATAElem(b, "MsgSignature", sig)
	b = append(b, "<TimeStamp>"...)
	b = append(b, timestamp...)
	b = append(b, "</TimeStamp>"...)
	b = appendCDATAElem(b, "Nonce", nonce)
	return append(b, "</xml>"...), nil
}

type pushEnvelopeOut struct {
	XMLName    xml.Name `xml:"xml"`
	ToUserName cdata    `xml:"ToUserName"`
	Encrypt    cdata    `xml:"Encrypt"`
}

// EncryptPush builds what WeChat POSTs in safe mode: the body
// <xml><ToUserName/><Encrypt/></xml> and the msg_signature for the query string. The
// simulator and tests use it to play WeChat's part.
func (c *Crypter) EncryptPush(toUserName string, msg []byte, timestamp, nonce string) (body []byte, msgSignature string, err error) {
	if err := checkTimestampSyntax(timestamp); err != nil {
		return nil, "", err
	}
	enc, err := c.Encrypt(msg)
	if err != nil {
		return nil, "", err
	}
	body, err = xml.Marshal(pushEnvelopeOut{ToUserName: cdata{toUserName}, Encrypt: cdata{enc}})
	if err != nil {
		return nil, "", fmt.Errorf("wechat: encrypt push: %w", err)
	}
	return body, c.Sign(timestamp, nonce, enc), nil
}

func checkTimestampSyntax(ts string) error {
	if _, err := strconv.ParseUint(ts, 10, 63); err != nil {
		return pushError(passerelle.EINVALID, "The WeChat timestamp is malformed.",
			fmt.Errorf("%w: %q", ErrTimestamp, truncate(ts, 32)))
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

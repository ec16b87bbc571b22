package wechat

import (
	"bytes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/util"
)

type cryptoVector struct {
	EncodingAESKey string `json:"encoding_aes_key"`
	Token          string `json:"token"`
	AppID          string `json:"appid"`
	Timestamp      string `json:"timestamp"`
	Nonce          string `json:"nonce"`
	MsgSignature   string `json:"msg_signature"`
	Encrypt        string `json:"encrypt"`
	PlaintextXML   string `json:"plaintext_xml"`
}

func loadVector(t testing.TB) cryptoVector {
	t.Helper()
	b, err := os.ReadFile("testdata/wechat-crypto-vector.json")
	if err != nil {
		t.Fatal(err)
	}
	var v cryptoVector
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func vectorCrypter(t testing.TB, v cryptoVector) *Crypter {
	t.Helper()
	c, err := NewCrypter(CrypterConfig{Token: v.Token, EncodingAESKey: v.EncodingAESKey, AppID: v.AppID})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A second, unrelated key for rotation and wrong-key tests.
const otherKey = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut"

func TestCryptoKnownAnswer(t *testing.T) {
	t.Parallel()
	v := loadVector(t)
	c := vectorCrypter(t, v)

	if got := Signature(v.Token, v.Timestamp, v.Nonce, v.Encrypt); got != v.MsgSignature {
		t.Errorf("Signature = %s, want %s", got, v.MsgSignature)
	}
	if err := c.VerifyMsgSignature(v.MsgSignature, v.Timestamp, v.Nonce, v.Encrypt); err != nil {
		t.Errorf("VerifyMsgSignature: %v", err)
	}
	if err := c.VerifyMsgSignature(v.MsgSignature, v.Timestamp, v.Nonce+"1", v.Encrypt); !errors.Is(err, ErrSignature) {
		t.Errorf("VerifyMsgSignature with another nonce = %v, want ErrSignature", err)
	}
	got, err := c.Decrypt(v.Encrypt)
	if err != nil {
		t.Fatalf("Decrypt: %v", err)
	}
	if string(got) != v.PlaintextXML {
		t.Errorf("Decrypt = %q, want %q", got, v.PlaintextXML)
	}
	m, err := ParseMessage(got)
	if err != nil {
		t.Fatalf("ParseMessage: %v", err)
	}
	if m.MsgType != "text" || m.Content != "abcdteT" || m.MsgID != "6054768590064713728" {
		t.Errorf("ParseMessage = %+v", m)
	}

	other, err := NewCrypter(CrypterConfig{Token: v.Token, EncodingAESKey: v.EncodingAESKey, AppID: "wx0000000000000000"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Decrypt(v.Encrypt); !errors.Is(err, ErrDecrypt) {
		t.Errorf("Decrypt for another AppID = %v, want ErrDecrypt", err)
	}
}

func TestURLSignature(t *testing.T) {
	t.Parallel()
	// sha1("1409735669" + "1320562132" + "spamtest") computed independently.
	c := vectorCrypter(t, loadVector(t))
	sig := c.Sign("1409735669", "1320562132")
	if len(sig) != 40 {
		t.Fatalf("Sign = %q", sig)
	}
	if err := c.VerifyURL(sig, "1409735669", "1320562132"); err != nil {
		t.Errorf("VerifyURL: %v", err)
	}
	if err := c.VerifyURL(strings.ToUpper(sig), "1409735669", "1320562132"); err != nil {
		t.Errorf("VerifyURL upper-case: %v", err)
	}
	for name, s := range map[string]string{"empty": "", "short": sig[:39], "flipped": "0" + sig[1:]} {
		if s == sig {
			continue
		}
		if err := c.VerifyURL(s, "1409735669", "1320562132"); !errors.Is(err, ErrSignature) {
			t.Errorf("%s: VerifyURL = %v, want ErrSignature", name, err)
		}
	}
}

func TestCrossImplementation(t *testing.T) {
	t.Parallel()
	v := loadVector(t)
	c := vectorCrypter(t, v)
	msgs := []string{"", "<xml/>", v.PlaintextXML, strings.Repeat("博物馆", 1000), strings.Repeat("x", 11)}
	for _, msg := range msgs {
		// Ours → silenceper.
		enc, err := c.Encrypt([]byte(msg))
		if err != nil {
			t.Fatal(err)
		}
		_, got, err := util.DecryptMsg(v.AppID, enc, v.EncodingAESKey)
		if err != nil {
			t.Fatalf("silenceper cannot decrypt ours (len %d): %v", len(msg), err)
		}
		if string(got) != msg {
			t.Errorf("silenceper decrypted %q, want %q", got, msg)
		}
		// silenceper → ours.
		theirs, err := util.EncryptMsg([]byte("0123456789abcdef"), []byte(msg), v.AppID, v.EncodingAESKey)
		if err != nil {
			t.Fatal(err)
		}
		got, err = c.Decrypt(string(theirs))
		if err != nil {
			t.Fatalf("we cannot decrypt silenceper's (len %d): %v", len(msg), err)
		}
		if string(got) != msg {
			t.Errorf("we decrypted %q, want %q", got, msg)
		}
	}
}

func TestEncryptUsesFreshRandom(t *testing.T) {
	t.Parallel()
	c := vectorCrypter(t, loadVector(t))
	a, _ := c.Encrypt([]byte("<xml/>"))
	b, _ := c.Encrypt([]byte("<xml/>"))
	if a == b {
		t.Error("two encryptions of the same message are identical")
	}
}

func TestEncryptRandomFailure(t *testing.T) {
	t.Parallel()
	v := loadVector(t)
	c, err := NewCrypter(CrypterConfig{Token: v.Token, EncodingAESKey: v.EncodingAESKey, AppID: v.AppID, Rand: bytes.NewReader(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Encrypt([]byte("<xml/>")); err == nil {
		t.Error("Encrypt succeeded without random bytes")
	}
}

func TestKeyRotation(t *testing.T) {
	t.Parallel()
	v := loadVector(t)
	rotated, err := NewCrypter(CrypterConfig{Token: v.Token, EncodingAESKey: otherKey, PreviousEncodingAESKey: v.EncodingAESKey, AppID: v.AppID})
	if err != nil {
		t.Fatal(err)
	}
	got, err := rotated.Decrypt(v.Encrypt)
	if err != nil || string(got) != v.PlaintextXML {
		t.Fatalf("Decrypt with previous key = %q, %v", got, err)
	}
	// New messages go out under the new key only.
	enc, err := rotated.Encrypt([]byte("<xml/>"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vectorCrypter(t, v).Decrypt(enc); !errors.Is(err, ErrDecrypt) {
		t.Errorf("old key decrypted a message sealed after rotation: %v", err)
	}
	onlyNew, err := NewCrypter(CrypterConfig{Token: v.Token, EncodingAESKey: otherKey, AppID: v.AppID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := onlyNew.Decrypt(v.Encrypt); !errors.Is(err, ErrDecrypt) {
		t.Errorf("Decrypt with the wrong key = %v, want ErrDecrypt", err)
	}
}

func TestNewCrypterRejects(t *testing.T) {
	t.Parallel()
	good := loadVector(t).EncodingAESKey
	tests := []struct {
		name string
		cfg  CrypterConfig
	}{
		{"no token", CrypterConfig{AppID: "wx1", EncodingAESKey: good}},
		{"no appid", CrypterConfig{Token: "t", EncodingAESKey: good}},
		{"short key", CrypterConfig{Token: "t", AppID: "wx1", EncodingAESKey: good[:42]}},
		{"long key", CrypterConfig{Token: "t", AppID: "wx1", EncodingAESKey: good + "A"}},
		{"not base64", CrypterConfig{Token: "t", AppID: "wx1", EncodingAESKey: "!" + good[1:]}},
		{"bad previous", CrypterConfig{Token: "t", AppID: "wx1", EncodingAESKey: good, PreviousEncodingAESKey: "x"}},
		{"previous without current", CrypterConfig{Token: "t", AppID: "wx1", PreviousEncodingAESKey: good}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := NewCrypter(tt.cfg); err == nil {
				t.Error("NewCrypter accepted it")
			}
		})
	}
}

func TestDecryptRejects(t *testing.T) {
	t.Parallel()
	v := loadVector(t)
	c := vectorCrypter(t, v)
	// A message whose padding byte is valid but whose padding run is not.
	badPad := sealRaw(t, v, func(p []byte) { p[len(p)-2] ^= 1 })
	// A length prefix that points past the end.
	badLen := sealRaw(t, v, func(p []byte) { p[randomLen] = 0xff })
	// A zero padding byte.
	zeroPad := sealRaw(t, v, func(p []byte) { p[len(p)-1] = 0 })
	tests := map[string]string{
		"empty":       "",
		"not base64":  "%%%",
		"not a block": v.Encrypt[:len(v.Encrypt)-4],
		"16 bytes":    "AAAAAAAAAAAAAAAAAAAAAA==",
		"bad padding": badPad,
		"bad length":  badLen,
		"zero pad":    zeroPad,
	}
	for name, enc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got, err := c.Decrypt(enc); !errors.Is(err, ErrDecrypt) {
				t.Errorf("Decrypt = %q, %v; want ErrDecrypt", got, err)
			}
		})
	}
	plain, err := NewCrypter(CrypterConfig{Token: "t", AppID: "wx1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Decrypt(v.Encrypt); !errors.Is(err, ErrNoKey) {
		t.Errorf("Decrypt without key = %v, want ErrNoKey", err)
	}
}

// sealRaw frames and pads "<xml/>" as WeChat does, lets spoil alter the plaintext, then
// encrypts it with the vector's key.
func sealRaw(t *testing.T, v cryptoVector, spoil func([]byte)) string {
	t.Helper()
	c := vectorCrypter(t, v)
	enc, err := c.Encrypt([]byte("<xml/>"))
	if err != nil {
		t.Fatal(err)
	}
	k := c.keys[0]
	ct, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		t.Fatal(err)
	}
	p := make([]byte, len(ct))
	cipher.NewCBCDecrypter(k.block, k.iv).CryptBlocks(p, ct)
	spoil(p)
	cipher.NewCBCEncrypter(k.block, k.iv).CryptBlocks(p, p)
	return base64.StdEncoding.EncodeToString(p)
}

type replyEnvelopeIn struct {
	Encrypt      string `xml:"Encrypt"`
	MsgSignature string `xml:"MsgSignature"`
	TimeStamp    string `xml:"TimeStamp"`
	Nonce        string `xml:"Nonce"`
}

func parseReplyEnvelope(b []byte) (replyEnvelopeIn, error) {
	var e replyEnvelopeIn
	err := xml.Unmarshal(b, &e)
	return e, err
}

func TestEncryptReplyAndPush(t *testing.T) {
	t.Parallel()
	v := loadVector(t)
	c := vectorCrypter(t, v)
	reply := []byte("<xml><ToUserName><![CDATA[u]]></ToUserName><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[merci]]></Content></xml>")
	out, err := c.EncryptReply(reply, "1409735669", "abc]]>def")
	if err != nil {
		t.Fatal(err)
	}
	env, err := parseReplyEnvelope(out)
	if err != nil {
		t.Fatalf("reply envelope %s: %v", out, err)
	}
	if env.Nonce != "abc]]>def" || env.TimeStamp != "1409735669" {
		t.Errorf("envelope = %+v", env)
	}
	if err := c.VerifyMsgSignature(env.MsgSignature, env.TimeStamp, env.Nonce, env.Encrypt); err != nil {
		t.Error(err)
	}
	_, got, err := util.DecryptMsg(v.AppID, env.Encrypt, v.EncodingAESKey)
	if err != nil || !bytes.Equal(got, reply) {
		t.Errorf("silenceper decrypts reply to %q, %v", got, err)
	}
	if _, err := c.EncryptReply(reply, "soon", "n"); !errors.Is(err, ErrTimestamp) {
		t.Errorf("EncryptReply with a bad timestamp = %v", err)
	}

	body, sig, err := c.EncryptPush("gh_10f6c3c3ac5a", []byte(v.PlaintextXML), "1409735669", "n1")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1409735669, 0)
	msg, err := c.OpenPush(body, PushParams{MsgSignature: sig, Timestamp: "1409735669", Nonce: "n1", EncryptType: "aes"}, now)
	if err != nil {
		t.Fatalf("OpenPush: %v", err)
	}
	if string(msg) != v.PlaintextXML {
		t.Errorf("OpenPush = %q", msg)
	}
}

func TestCheckTimestamp(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name string
		ts   string
		ok   bool
	}{
		{"now", "1700000000", true},
		{"300 s old", "1699999700", true},
		{"301 s old", "1699999699", false},
		{"300 s ahead", "1700000300", true},
		{"301 s ahead", "1700000301", false},
		{"empty", "", false},
		{"negative", "-5", false},
		{"not a number", "17e8", false},
		{"overflow", "99999999999999999999999", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckTimestamp(tt.ts, now)
			if (err == nil) != tt.ok {
				t.Errorf("CheckTimestamp(%q) = %v", tt.ts, err)
			}
			if err != nil && !errors.Is(err, ErrTimestamp) {
				t.Errorf("error %v is not ErrTimestamp", err)
			}
		})
	}
}

func FuzzDecrypt(f *testing.F) {
	v := loadVector(f)
	c := vectorCrypter(f, v)
	f.Add(v.Encrypt, []byte(v.PlaintextXML))
	f.Add("", []byte{})
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", []byte("<xml/>"))
	f.Fuzz(func(t *testing.T, enc string, msg []byte) {
		// Arbitrary input never panics and either fails with ErrDecrypt or yields bytes.
		if _, err := c.Decrypt(enc); err != nil && !errors.Is(err, ErrDecrypt) {
			t.Fatalf("Decrypt error %v is not ErrDecrypt", err)
		}
		// Any message round-trips.
		sealed, err := c.Encrypt(msg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Decrypt(sealed)
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("round trip of %q = %q, %v", msg, got, err)
		}
	})
}

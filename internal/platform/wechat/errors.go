package wechat

import (
	"errors"

	"github.com/passerelle-oss/passerelle"
)

// Sentinel causes of push failures. The push endpoint tells them apart with errors.Is;
// each is returned wrapped in a *passerelle.Error whose code maps to an HTTP status
// (EUNAUTHENTICATED, EINVALID, ETOOLARGE) and whose message is safe to show.
var (
	// ErrSignature: signature or msg_signature does not match.
	ErrSignature = errors.New("wechat: signature mismatch")
	// ErrTimestamp: the timestamp is missing, malformed or outside MaxClockSkew.
	ErrTimestamp = errors.New("wechat: timestamp refused")
	// ErrDecrypt: the ciphertext does not decrypt under any configured key, its padding
	// or framing is wrong, or it was encrypted for another AppID. One error for all of
	// these so that a caller cannot be used as a padding oracle.
	ErrDecrypt = errors.New("wechat: message does not decrypt")
	// ErrNoKey: safe mode was asked of a Crypter built without an EncodingAESKey.
	ErrNoKey = errors.New("wechat: no EncodingAESKey configured")
	// ErrMalformed: the push body is not the XML WeChat sends.
	ErrMalformed = errors.New("wechat: malformed push message")
	// ErrTooLarge: the push body exceeds MaxPushBody.
	ErrTooLarge = errors.New("wechat: push message too large")
)

func pushError(code, msg string, cause error) error {
	return &passerelle.Error{Code: code, Message: msg, Err: cause}
}

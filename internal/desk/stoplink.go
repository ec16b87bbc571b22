package desk

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// A follower who sends a stop number (only digits) to the account gets the link of
// that stop of the institution's published audioguide. The desk asks a StopLinker
// (internal/visit) and answers nothing of its own when there is no such stop: the
// keyword rules then answer as for any other text.

// StopLinker finds the public address of an institution's published stop.
type StopLinker interface {
	StopNumberURL(ctx context.Context, institutionID int64, number int) (url string, ok bool, err error)
}

// stopLinkReply answers a text that is only a stop number (1 to 4 digits, ASCII or
// full-width) with "第N站：URL"; ok is false when it is not a number, no linker is set
// or the institution has no published tour with that stop.
func (s *Service) stopLinkReply(ctx context.Context, accountID int64, text string) (string, bool) {
	if s.StopLinks == nil {
		return "", false
	}
	n, ok := stopNumber(text)
	if !ok {
		return "", false
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	inst, err := s.DB.AccountInstitution(ctx, accountID)
	if err != nil {
		return "", false
	}
	url, found, err := s.StopLinks.StopNumberURL(ctx, inst, n)
	if err != nil {
		s.logger().Warn("desk: stop link not found", "account_id", accountID, "error", err)
		return "", false
	}
	if !found {
		return "", false
	}
	return "第" + strconv.Itoa(n) + "站：" + url, true
}

// stopNumber reads a message that is only a number from 1 to 9999.
func stopNumber(text string) (int, bool) {
	text = strings.TrimSpace(strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return r - '０' + '0'
		}
		return r
	}, text))
	if len(text) == 0 || len(text) > 4 {
		return 0, false
	}
	n := 0
	for _, c := range text {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n >= 1
}

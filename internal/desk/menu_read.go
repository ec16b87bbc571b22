package desk

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/platform"
	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
)

// ReadMenu reads the account's custom menu back from WeChat (menu/get), for the
// people who may change it. An account without a menu on WeChat is (nil, nil).
// Nothing is stored: the menu editor shows what WeChat has, to save and push again.
func (s *Service) ReadMenu(ctx context.Context, u *passerelle.User, accountID int64) (*Menu, error) {
	a, err := s.wechatAccount(ctx, u, accountID, passerelle.PermManage)
	if err != nil {
		return nil, err
	}
	client, err := s.Clients.WeChat(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	raw, err := client.GetMenu(ctx)
	var pe *platform.Error
	if errors.As(err, &pe) && pe.Code == wechat.CodeNoMenu {
		return nil, nil
	}
	if err != nil {
		return nil, platformErr(ctx, s.logger(), "menu/get", err)
	}
	var m Menu
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, passerelle.Errorf(passerelle.EUNAVAILABLE, "WeChat answered a menu that could not be read.")
	}
	return &m, nil
}

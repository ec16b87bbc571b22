package publish

import (
	"context"

	"github.com/passerelle-oss/passerelle"
)

// Messages of ReadOnly (English catalog keys): each says how to publish again.
const (
	MsgInstitutionArchived = "The institution is archived: its publications are read-only. Restore the institution to publish."
	MsgAccountArchived     = "The account is archived: its publications are read-only. Restore the account to publish."
	MsgAccountWatched      = "A watched account is only measured: publish on a managed account."
)

// ReadOnly says why the publications on account a of institution i may not be
// scheduled, published or marked published (nil when they may): an archived
// institution or account, and a watched account, are read-only everywhere. The error
// is EINVALID (422), with the message under "account_id".
func ReadOnly(i *passerelle.Institution, a *passerelle.Account) error {
	msg := ""
	switch {
	case i != nil && i.ArchivedAt != nil:
		msg = MsgInstitutionArchived
	case a.ArchivedAt != nil:
		msg = MsgAccountArchived
	case a.Kind != passerelle.AccountManaged:
		msg = MsgAccountWatched
	default:
		return nil
	}
	return &passerelle.Error{Code: passerelle.EINVALID, Message: msg, Fields: map[string]string{"account_id": msg}}
}

// ReadOnlyAccount is ReadOnly for an account of organization orgID, loading the account
// and its institution.
func (s *Service) ReadOnlyAccount(ctx context.Context, orgID, accountID int64) error {
	a, err := s.db.Account(ctx, orgID, accountID)
	if err != nil {
		return err
	}
	i, err := s.db.Institution(ctx, orgID, a.InstitutionID)
	if err != nil {
		return err
	}
	return ReadOnly(i, a)
}

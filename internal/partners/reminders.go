package partners

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/riverqueue/river"

	"github.com/passerelle-oss/passerelle"
)

// Reminders and saved templates of relay campaigns. A campaign says after how many
// days a partner still "invited" is due a reminder (per campaign, 1 to 90, 7 by
// default); the campaign page and API flag such relays (Relay.Due), the reminder is
// sent by Remind (a new link, counted on the relay), and a periodic job notifies the
// campaign's author once per relay and reminder round.

// SetRemindAfter changes a campaign's reminder delay.
func (s *Service) SetRemindAfter(ctx context.Context, u *passerelle.User, campaignID int64, days int) (*passerelle.Campaign, error) {
	c, err := s.Campaign(ctx, u, campaignID)
	if err != nil {
		return nil, err
	}
	if err := u.Allow(c.InstitutionID, passerelle.PermSchedule); err != nil {
		return nil, err
	}
	if days < passerelle.MinRemindAfterDays || days > passerelle.MaxRemindAfterDays {
		return nil, invalid("remind_after_days", "Choose from 1 to 90 days.")
	}
	if err := s.db.SetCampaignRemindAfter(ctx, u.OrgID, campaignID, days); err != nil {
		return nil, err
	}
	return s.Campaign(ctx, u, campaignID)
}

// Templates lists the organization's saved invitation messages.
func (s *Service) Templates(ctx context.Context, u *passerelle.User) ([]*passerelle.CampaignTemplate, error) {
	if !u.CanAnywhere(passerelle.PermView) {
		return nil, passerelle.ErrForbidden
	}
	return s.db.CampaignTemplates(ctx, u.OrgID)
}

// Template returns one saved message.
func (s *Service) Template(ctx context.Context, u *passerelle.User, id int64) (*passerelle.CampaignTemplate, error) {
	if !u.CanAnywhere(passerelle.PermView) {
		return nil, passerelle.ErrNotFound
	}
	return s.db.CampaignTemplate(ctx, u.OrgID, id)
}

// SaveTemplate creates (ID 0) or changes a saved message; those who run campaigns
// (who schedule somewhere) may.
func (s *Service) SaveTemplate(ctx context.Context, u *passerelle.User, t *passerelle.CampaignTemplate) error {
	if t.ID != 0 {
		if _, err := s.Template(ctx, u, t.ID); err != nil {
			return err
		}
	}
	if !u.CanAnywhere(passerelle.PermSchedule) {
		return passerelle.ErrForbidden
	}
	t.OrgID = u.OrgID
	if err := t.Validate(); err != nil {
		return err
	}
	err := s.db.SaveCampaignTemplate(ctx, t)
	if passerelle.ErrorCode(err) == passerelle.ECONFLICT {
		return invalid("name", "A template already has this name.")
	}
	return err
}

// DeleteTemplate deletes a saved message; the campaigns that used it keep their copy.
func (s *Service) DeleteTemplate(ctx context.Context, u *passerelle.User, id int64) error {
	if _, err := s.Template(ctx, u, id); err != nil {
		return err
	}
	if !u.CanAnywhere(passerelle.PermSchedule) {
		return passerelle.ErrForbidden
	}
	return s.db.DeleteCampaignTemplate(ctx, u.OrgID, id)
}

// RemindersArgs is the periodic job that notifies the authors of campaigns whose
// partners are due a reminder.
type RemindersArgs struct{}

// Kind implements river.JobArgs.
func (RemindersArgs) Kind() string { return "partners.reminders" }

// RemindersWorker notifies; it is idempotent (one notification per relay and
// reminder round).
type RemindersWorker struct {
	river.WorkerDefaults[RemindersArgs]
	Service *Service
	Logger  *slog.Logger
}

// Work implements river.Worker.
func (w *RemindersWorker) Work(ctx context.Context, _ *river.Job[RemindersArgs]) error {
	n, err := w.Service.NotifyDue(ctx)
	if n > 0 && w.Logger != nil {
		w.Logger.InfoContext(ctx, "relay reminders due", slog.Int("relays", n))
	}
	return err
}

// maxDuePerRun bounds one run's notifications; the next run takes the rest.
const maxDuePerRun = 1000

// NotifyDue notifies the authors of the campaigns whose partners are due a reminder
// and returns how many relays were due.
func (s *Service) NotifyDue(ctx context.Context) (int, error) {
	due, err := s.db.DueRelays(ctx, s.now().UTC(), maxDuePerRun)
	if err != nil {
		return 0, fmt.Errorf("partners: due relays: %w", err)
	}
	for _, d := range due {
		detail := strings.TrimSpace(fmt.Sprintf("%s · /campaigns/%d", d.PartnerName, d.CampaignID))
		if err := s.db.NotifyRelayDue(ctx, d, detail); err != nil {
			return 0, fmt.Errorf("partners: notify relay %d: %w", d.RelayID, err)
		}
	}
	return len(due), nil
}

var _ river.Worker[RemindersArgs] = (*RemindersWorker)(nil)

package analytics

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/notify"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// MonthlyReportArgs is the periodic job that e-mails each institution's reviewers the
// previous month's report.
type MonthlyReportArgs struct{}

// Kind implements river.JobArgs.
func (MonthlyReportArgs) Kind() string { return "analytics.monthly_report" }

// monthlyWindow is how many days into a month its predecessor's report is still sent:
// normally on the 1st, and after an outage as soon as the server runs again.
const monthlyWindow = 7

// MonthlyReportWorker sends the monthly reports when an SMTP server is configured:
// on the 1st of the month in the institution's time zone, to every enabled reviewer
// of the institution, in the reviewer's language, the report inline (HTML) with its
// XLSX attached. A sent-record per institution, month and reviewer makes it
// idempotent: never two mails for one month, however often the job runs.
type MonthlyReportWorker struct {
	river.WorkerDefaults[MonthlyReportArgs]
	Service *Service
	Mailer  *notify.Mailer
	// Labels returns the translation function of a language (web.Labels).
	Labels func(lang string) func(string) string
	Logger *slog.Logger
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// Work implements river.Worker.
func (w *MonthlyReportWorker) Work(ctx context.Context, _ *river.Job[MonthlyReportArgs]) error {
	_, err := w.Send(ctx)
	return err
}

// Send e-mails the reports that are due now and returns how many were sent. A mail
// that fails is tried again at the next run.
func (w *MonthlyReportWorker) Send(ctx context.Context) (int, error) {
	if w.Mailer == nil || w.Service == nil {
		return 0, nil
	}
	now := time.Now()
	if w.Now != nil {
		now = w.Now()
	}
	db := w.Service.DB
	insts, err := db.ReportInstitutions(ctx)
	if err != nil {
		return 0, err
	}
	sent := 0
	var failed error
	for _, inst := range insts {
		zone, err := time.LoadLocation(cmp.Or(inst.TimeZone, passerelle.DefaultTimeZone))
		if err != nil {
			zone, _ = time.LoadLocation(passerelle.DefaultTimeZone)
		}
		local := now.In(zone)
		if local.Day() > monthlyWindow {
			continue
		}
		first := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
		month := first.Format("2006-01")
		recipients, err := db.InstitutionReviewers(ctx, inst.ID)
		if err != nil {
			return sent, err
		}
		if len(recipients) == 0 {
			continue
		}
		p, err := ParsePeriod(first.Format(time.DateOnly), first.AddDate(0, 1, -1).Format(time.DateOnly))
		if err != nil {
			return sent, err
		}
		var sum *Summary
		for _, r := range recipients {
			ok, err := db.ClaimReportMail(ctx, inst.ID, month, r.UserID)
			if err != nil {
				return sent, err
			}
			if !ok {
				continue
			}
			if sum == nil {
				if sum, err = w.summary(ctx, inst, p); err != nil {
					db.ReleaseReportMail(ctx, inst.ID, month, r.UserID)
					return sent, err
				}
			}
			if err := w.mail(inst, month, sum, r); err != nil {
				if rerr := db.ReleaseReportMail(ctx, inst.ID, month, r.UserID); rerr != nil {
					return sent, rerr
				}
				if w.Logger != nil {
					w.Logger.WarnContext(ctx, "monthly report not sent", slog.Int64("institution_id", inst.ID), slog.Int64("user_id", r.UserID), slog.Any("error", err))
				}
				failed = err
				continue
			}
			sent++
		}
	}
	if failed != nil {
		// River retries the job; the claims of the mails that went are kept.
		return sent, fmt.Errorf("monthly reports: %w", failed)
	}
	return sent, nil
}

func (w *MonthlyReportWorker) summary(ctx context.Context, inst store.ReportInstitution, p Period) (*Summary, error) {
	accounts, err := w.Service.DB.Accounts(ctx, store.AccountFilter{OrgID: inst.OrgID, InstitutionID: inst.ID, IncludeArchived: true})
	if err != nil {
		return nil, err
	}
	return w.Service.Summary(ctx, Scope{OrgID: inst.OrgID, InstitutionIDs: []int64{inst.ID}, Accounts: accounts}, p)
}

// reportLangs are the languages of a report; anything else is English.
var reportLangs = []string{"en", "fr", "zh-Hans"}

func reportLang(locale string) string {
	for _, l := range reportLangs {
		if strings.EqualFold(l, locale) {
			return l
		}
	}
	if strings.HasPrefix(strings.ToLower(locale), "zh") {
		return "zh-Hans"
	}
	if strings.HasPrefix(strings.ToLower(locale), "fr") {
		return "fr"
	}
	return "en"
}

func instTitle(inst store.ReportInstitution, lang string) string {
	switch lang {
	case "fr":
		return cmp.Or(inst.NameFR, inst.Name)
	case "en":
		return cmp.Or(inst.NameEN, inst.Name)
	case "zh-Hans":
		return cmp.Or(inst.NameZH, inst.Name)
	}
	return inst.Name
}

func (w *MonthlyReportWorker) mail(inst store.ReportInstitution, month string, sum *Summary, r store.ReportRecipient) error {
	lang := reportLang(r.Locale)
	t := func(k string) string { return k }
	if w.Labels != nil {
		t = w.Labels(lang)
	}
	rep := &Report{Title: instTitle(inst, lang), Summary: sum, Lang: lang, T: t}
	var html, xlsx bytes.Buffer
	if err := rep.WriteMailHTML(&html); err != nil {
		return err
	}
	if err := rep.WriteXLSX(&xlsx); err != nil {
		return err
	}
	subject := fmt.Sprintf(t("analyticsui.mail.subject"), rep.Title, month)
	text := fmt.Sprintf(t("analyticsui.mail.text"), rep.Title, month) + "\n"
	return w.Mailer.SendHTML(r.Email, subject, text, html.String(), []notify.Attachment{{
		Name: rep.Filename(fmt.Sprintf("institution-%d", inst.ID), "xlsx"), ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Data: xlsx.Bytes()}})
}

// WriteMailHTML writes the report for the body of a mail: the printable page with its
// stylesheet inline, as mail readers load no linked stylesheet.
func (r *Report) WriteMailHTML(w *bytes.Buffer) error {
	var page bytes.Buffer
	if err := r.WriteHTML(&page); err != nil {
		return err
	}
	link := `<link rel="stylesheet" href="` + ReportCSSPath + `">`
	s := page.String()
	if !strings.Contains(s, link) {
		return fmt.Errorf("report: the page links no stylesheet to inline")
	}
	w.WriteString(strings.Replace(s, link, "<style>\n"+string(ReportCSS)+"</style>", 1))
	return nil
}

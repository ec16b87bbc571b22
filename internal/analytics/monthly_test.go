package analytics_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/notify"
	"github.com/passerelle-oss/passerelle/internal/notify/notifytest"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
	"github.com/passerelle-oss/passerelle/internal/web"
)

// parsedMail is a received report: its subject, HTML body and XLSX attachment.
type parsedMail struct {
	subject, text, html string
	xlsx                []byte
	xlsxName            string
}

func parseMail(t *testing.T, data []byte) parsedMail {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var out parsedMail
	if out.subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("content type %q %v", mt, err)
	}
	var walk func(r io.Reader, boundary string)
	walk = func(r io.Reader, boundary string) {
		mr := multipart.NewReader(r, boundary)
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ct, ps, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
			var body []byte
			switch p.Header.Get("Content-Transfer-Encoding") {
			case "base64":
				body, err = io.ReadAll(base64.NewDecoder(base64.StdEncoding, p))
			case "quoted-printable":
				body, err = io.ReadAll(quotedprintable.NewReader(p))
			default:
				body, err = io.ReadAll(p)
			}
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case strings.HasPrefix(ct, "multipart/"):
				walk(bytes.NewReader(body), ps["boundary"])
			case ct == "text/plain":
				out.text = string(body)
			case ct == "text/html":
				out.html = string(body)
			case strings.Contains(ct, "spreadsheetml"):
				out.xlsx = body
				_, dp, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
				out.xlsxName = dp["filename"]
			}
		}
	}
	walk(m.Body, params["boundary"])
	return out
}

// The monthly report goes on the 1st (in the institution's zone) to each reviewer, in
// the reviewer's language, inline and as XLSX, once: running again, later in the
// month or after a failure never sends a second mail for the month; a failed mail is
// sent at the next run.
func TestMonthlyReportMail(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db, "orsay")
		w.load(t)
		member := func(email, locale string, role passerelle.Role) {
			u := &passerelle.User{OrgID: w.org.ID, Email: email, Name: strings.Split(email, "@")[0], Locale: locale,
				Memberships: []passerelle.Membership{{InstitutionID: w.inst.ID, Role: role}}}
			if err := db.CreateUser(ctx, u, "x"); err != nil {
				t.Fatal(err)
			}
		}
		member("relectrice@orsay.example", "fr", passerelle.RoleReviewer)
		member("shenhe@orsay.example", "zh-Hans", passerelle.RoleReviewer)
		member("editor@orsay.example", "fr", passerelle.RoleEditor)
		labels, err := web.Labels()
		if err != nil {
			t.Fatal(err)
		}
		sink := notifytest.StartSMTPSink(t)
		now := time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC) // 08:00 in Paris
		worker := &analytics.MonthlyReportWorker{Service: w.svc, Labels: labels, Now: func() time.Time { return now },
			Mailer: &notify.Mailer{Addr: sink.Addr(), From: "passerelle@agence.example"}}

		// The last day of November in Paris: nothing is due yet.
		now = time.Date(2026, 11, 30, 22, 30, 0, 0, time.UTC)
		if n, err := worker.Send(ctx); err != nil || n != 0 {
			t.Fatalf("30 November: %d sent, %v", n, err)
		}
		now = time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)
		if n, err := worker.Send(ctx); err != nil || n != 2 {
			t.Fatalf("1 December: %d sent, %v", n, err)
		}
		got := sink.Received()
		if len(got) != 2 {
			t.Fatalf("%d mails", len(got))
		}
		byTo := map[string]parsedMail{}
		for _, m := range got {
			byTo[m.To] = parseMail(t, m.Data)
		}
		fr, zh := byTo["relectrice@orsay.example"], byTo["shenhe@orsay.example"]
		if fr.subject != "Passerelle — Musée orsay : rapport d'audience de 2026-11" || !strings.Contains(fr.text, "en tant que relecteur") {
			t.Errorf("French mail: %q / %q", fr.subject, fr.text)
		}
		if !strings.Contains(zh.subject, "传播数据报告") {
			t.Errorf("Chinese subject %q", zh.subject)
		}
		for who, m := range byTo {
			if !strings.Contains(m.html, "<style>") || strings.Contains(m.html, analytics.ReportCSSPath) || !strings.Contains(m.html, "101000") || !strings.Contains(m.html, "533") {
				t.Errorf("%s: the HTML report is not inline with November's figures:\n%.600s", who, m.html)
			}
			x, err := excelize.OpenReader(bytes.NewReader(m.xlsx))
			if err != nil {
				t.Fatalf("%s: the attachment is no workbook: %v", who, err)
			}
			cells := map[string]bool{}
			for _, s := range x.GetSheetList() {
				rows, _ := x.GetRows(s)
				for _, r := range rows {
					for _, c := range r {
						cells[c] = true
					}
				}
			}
			x.Close()
			if !(cells["101000+"] || cells["101000"]) || !cells["533"] || !strings.HasSuffix(m.xlsxName, "2026-11-01-2026-11-30.xlsx") {
				t.Errorf("%s: workbook %q lacks November's totals", who, m.xlsxName)
			}
		}
		if !strings.Contains(fr.html, `lang="fr"`) || !strings.Contains(zh.html, `lang="zh-Hans"`) {
			t.Error("the reports are not in their readers' languages")
		}

		// Idempotent: later the same day, and on the 2nd, nothing more is sent.
		for _, at := range []time.Time{now.Add(time.Hour), now.AddDate(0, 0, 1)} {
			now = at
			if n, err := worker.Send(ctx); err != nil || n != 0 {
				t.Fatalf("%v: %d sent again, %v", at, n, err)
			}
		}

		// A reviewer added on the 2nd gets the month's report; one whose mail fails gets
		// it at the next run, and only once.
		member("nouveau@orsay.example", "en", passerelle.RoleReviewer)
		worker.Mailer = &notify.Mailer{Addr: "127.0.0.1:1", From: "passerelle@agence.example"}
		if n, err := worker.Send(ctx); err == nil || n != 0 {
			t.Fatalf("failing SMTP: %d sent, %v", n, err)
		}
		worker.Mailer = &notify.Mailer{Addr: sink.Addr(), From: "passerelle@agence.example"}
		if n, err := worker.Send(ctx); err != nil || n != 1 {
			t.Fatalf("after the failure: %d sent, %v", n, err)
		}
		if n, _ := worker.Send(ctx); n != 0 || len(sink.Received()) != 3 {
			t.Fatalf("after the retry: %d sent, %d mails in all", n, len(sink.Received()))
		}
		if en := parseMail(t, sink.Received()[2].Data); en.subject != "Passerelle — Musée orsay: audience report for 2026-11" {
			t.Errorf("English subject %q", en.subject)
		}
		// After the first week, a month whose report was never claimed is not sent late.
		now = time.Date(2027, 1, 9, 9, 0, 0, 0, time.UTC)
		if n, err := worker.Send(ctx); err != nil || n != 0 {
			t.Fatalf("9 January: %d sent, %v", n, err)
		}
		// Without SMTP, nothing is done.
		if n, err := (&analytics.MonthlyReportWorker{Service: w.svc}).Send(ctx); err != nil || n != 0 {
			t.Fatalf("no mailer: %d, %v", n, err)
		}
	})
}

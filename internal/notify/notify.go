// Package notify e-mails people the digest of their unread notifications when an SMTP
// server is configured (--smtp-url). Notifications themselves are written by the
// operations that raise them (the publishing engine) and shown in the UI.
package notify

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/passerelle-oss/passerelle/internal/store"
)

// Mailer sends mail through one SMTP server.
type Mailer struct {
	Addr string // host:port
	From string
	Auth smtp.Auth
}

// ParseURL reads smtp://[user:password@]host:port?from=address. Authentication is
// only sent over TLS or to a loopback server (net/smtp refuses otherwise).
func ParseURL(raw string) (*Mailer, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "smtp" || u.Host == "" {
		return nil, fmt.Errorf("notify: the SMTP URL must look like smtp://user:password@host:587?from=passerelle@example.org")
	}
	m := &Mailer{Addr: u.Host, From: u.Query().Get("from")}
	if _, _, err := net.SplitHostPort(m.Addr); err != nil {
		m.Addr = net.JoinHostPort(m.Addr, "587")
	}
	if m.From == "" {
		return nil, fmt.Errorf("notify: the SMTP URL needs ?from=ADDRESS")
	}
	if u.User != nil {
		pw, _ := u.User.Password()
		host, _, _ := net.SplitHostPort(m.Addr)
		m.Auth = smtp.PlainAuth("", u.User.Username(), pw, host)
	}
	return m, nil
}

// Send sends one text message.
func (m *Mailer) Send(to, subject, body string) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n",
		m.From, to, mime.QEncoding.Encode("utf-8", subject), time.Now().UTC().Format(time.RFC1123Z))
	w := quotedprintable.NewWriter(&b)
	w.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n")))
	w.Close()
	return smtp.SendMail(m.Addr, m.Auth, m.From, []string{to}, b.Bytes())
}

// DigestArgs is the periodic job that e-mails digests.
type DigestArgs struct{}

// Kind implements river.JobArgs.
func (DigestArgs) Kind() string { return "notify.digest" }

// DigestWorker sends each user the notifications not yet e-mailed, then marks them.
type DigestWorker struct {
	river.WorkerDefaults[DigestArgs]
	DB      *store.DB
	Mailer  *Mailer
	BaseURL string
	Logger  *slog.Logger
}

// Work implements river.Worker. A user whose mail fails is tried again next time.
func (w *DigestWorker) Work(ctx context.Context, _ *river.Job[DigestArgs]) error {
	return w.Send(ctx)
}

// Send e-mails the pending digests now.
func (w *DigestWorker) Send(ctx context.Context) error {
	if w.Mailer == nil {
		return nil
	}
	recipients, err := w.DB.PendingDigests(ctx)
	if err != nil {
		return err
	}
	for _, r := range recipients {
		subject, body := digest(r, w.BaseURL)
		if err := w.Mailer.Send(r.Email, subject, body); err != nil {
			if w.Logger != nil {
				w.Logger.WarnContext(ctx, "notification digest not sent", slog.Int64("user_id", r.UserID), slog.Any("error", err))
			}
			continue
		}
		ids := make([]int64, len(r.Items))
		for i, n := range r.Items {
			ids[i] = n.ID
		}
		if err := w.DB.MarkEmailed(ctx, ids); err != nil {
			return err
		}
	}
	return nil
}

// digestText holds a digest's words per language.
var digestText = map[string]map[string]string{
	"en": {"subject": "Passerelle: %d publication(s) need you", "intro": "These publications need your attention:", "failed": "failed", "needs_check": "outcome unknown: check it",
		"needs_reauth": "the account must be authorised again", "kit_due": "kit due: post it and record its address", "draft_uploaded": "in the WeChat draft box: publish it", "published": "published", "relay_due": "a partner of a relay campaign has not answered: send a reminder", "open": "Open"},
	"fr": {"subject": "Passerelle : %d publication(s) vous attendent", "intro": "Ces publications demandent votre attention :", "failed": "échec", "needs_check": "issue inconnue : à vérifier",
		"needs_reauth": "le compte doit être autorisé à nouveau", "kit_due": "kit à publier : publiez-le et indiquez son adresse", "draft_uploaded": "dans les brouillons WeChat : à publier", "published": "publiée", "relay_due": "un partenaire d’une campagne de relais n’a pas répondu : relancez-le", "open": "Ouvrir"},
	"zh-Hans": {"subject": "Passerelle：%d 条发布需要您处理", "intro": "以下发布需要您关注：", "failed": "发布失败", "needs_check": "结果未知，请核实",
		"needs_reauth": "账号需要重新授权", "kit_due": "素材包已到期：请发布并填写链接", "draft_uploaded": "已存入微信草稿箱：请发布", "published": "已发布", "relay_due": "转发活动中有合作方尚未回复：请发送提醒", "open": "打开"},
}

func digest(r *store.DigestRecipient, baseURL string) (string, string) {
	lang := r.Locale
	if _, ok := digestText[lang]; !ok {
		lang = "en"
	}
	t := digestText[lang]
	var b strings.Builder
	b.WriteString(t["intro"] + "\n\n")
	for _, n := range r.Items {
		what := t[n.Kind]
		if what == "" {
			what = n.Kind
		}
		fmt.Fprintf(&b, "- %s — %s\n  %s: %s/posts/%d\n", n.PostTitle, what, t["open"], baseURL, n.PostID)
		if n.Detail != "" {
			fmt.Fprintf(&b, "  %s\n", n.Detail)
		}
	}
	return fmt.Sprintf(t["subject"], len(r.Items)), b.String()
}

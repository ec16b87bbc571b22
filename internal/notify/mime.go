package notify

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"
)

// Attachment is a file sent with a message.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// SendHTML sends a message with a plain-text and an HTML version of its body and
// attachments (multipart/mixed around multipart/alternative).
func (m *Mailer) SendHTML(to, subject, text, html string, attachments []Attachment) error {
	msg, err := m.compose(to, subject, text, html, attachments)
	if err != nil {
		return err
	}
	return smtp.SendMail(m.Addr, m.Auth, m.From, []string{to}, msg)
}

func (m *Mailer) compose(to, subject, text, html string, attachments []Attachment) ([]byte, error) {
	var b bytes.Buffer
	mixed := multipart.NewWriter(&b)
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=%q\r\n\r\n",
		m.From, to, mime.QEncoding.Encode("utf-8", subject), time.Now().UTC().Format(time.RFC1123Z), mixed.Boundary())
	var alt bytes.Buffer
	altw := multipart.NewWriter(&alt)
	for _, p := range []struct{ ctype, body string }{{"text/plain; charset=utf-8", text}, {"text/html; charset=utf-8", html}} {
		w, err := altw.CreatePart(textproto.MIMEHeader{"Content-Type": {p.ctype}, "Content-Transfer-Encoding": {"quoted-printable"}})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(w)
		qp.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(p.body, "\r\n", "\n"), "\n", "\r\n")))
		qp.Close()
	}
	altw.Close()
	w, err := mixed.CreatePart(textproto.MIMEHeader{"Content-Type": {fmt.Sprintf("multipart/alternative; boundary=%q", altw.Boundary())}})
	if err != nil {
		return nil, err
	}
	w.Write(alt.Bytes())
	for _, a := range attachments {
		name := mime.QEncoding.Encode("utf-8", a.Name)
		w, err := mixed.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {a.ContentType},
			"Content-Transfer-Encoding": {"base64"},
			"Content-Disposition":       {fmt.Sprintf("attachment; filename=%q", name)},
		})
		if err != nil {
			return nil, err
		}
		enc := base64.StdEncoding.EncodeToString(a.Data)
		for len(enc) > 76 {
			w.Write([]byte(enc[:76] + "\r\n"))
			enc = enc[76:]
		}
		w.Write([]byte(enc + "\r\n"))
	}
	if err := mixed.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

package notify_test

import (
	"context"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/notify"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// sink is a minimal SMTP server on loopback that keeps what it receives.
type sink struct {
	ln   net.Listener
	mu   sync.Mutex
	mail []string // "to|data"
}

func startSink(t *testing.T) *sink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &sink{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *sink) serve(c net.Conn) {
	defer c.Close()
	tp := textproto.NewConn(c)
	tp.PrintfLine("220 sink ready")
	var to string
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch cmd {
		case "EHLO", "HELO":
			tp.PrintfLine("250 sink")
		case "MAIL":
			tp.PrintfLine("250 ok")
		case "RCPT":
			to = strings.Trim(strings.TrimPrefix(strings.SplitN(line, ":", 2)[1], " "), "<>")
			tp.PrintfLine("250 ok")
		case "DATA":
			tp.PrintfLine("354 go on")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.mail = append(s.mail, to+"|"+string(data))
			s.mu.Unlock()
			tp.PrintfLine("250 queued")
		case "QUIT":
			tp.PrintfLine("221 bye")
			return
		default:
			tp.PrintfLine("250 ok")
		}
	}
}

func TestDigest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.SQLite(t)
	org, err := db.CreateOrganization(ctx, "Agence Pont")
	if err != nil {
		t.Fatal(err)
	}
	inst := &passerelle.Institution{OrgID: org.ID, Name: "Musée d'Orsay"}
	if err := db.CreateInstitution(ctx, inst); err != nil {
		t.Fatal(err)
	}
	acc := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.Weibo, Handle: "orsay"}
	if err := db.CreateAccount(ctx, org.ID, acc); err != nil {
		t.Fatal(err)
	}
	users := map[string]*passerelle.User{}
	for _, u := range []*passerelle.User{
		{OrgID: org.ID, Email: "owner@example.org", Name: "Owner", Owner: true, Locale: "fr"},
		{OrgID: org.ID, Email: "editor@example.org", Name: "Editor", Locale: "zh-Hans", Memberships: []passerelle.Membership{{InstitutionID: inst.ID, Role: passerelle.RoleEditor}}},
		{OrgID: org.ID, Email: "viewer@example.org", Name: "Viewer", Memberships: []passerelle.Membership{{InstitutionID: inst.ID, Role: passerelle.RoleViewer}}},
	} {
		if err := db.CreateUser(ctx, u, "x"); err != nil {
			t.Fatal(err)
		}
		users[u.Email] = u
	}
	p := &passerelle.Post{InstitutionID: inst.ID, Title: "Degas", Theme: "collection", SourceLang: "fr", Status: passerelle.StatusScheduled,
		Publications: []*passerelle.Publication{{AccountID: acc.ID, Format: passerelle.FormatPhotoText, State: passerelle.DeliveryScheduled}}}
	if err := db.CreatePost(ctx, org.ID, p, passerelle.Actor{Name: "Léa"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MoveDelivery(ctx, p.Publications[0].ID, []passerelle.DeliveryState{passerelle.DeliveryScheduled}, passerelle.DeliveryAwaitingManual, "", store.KindKitDue); err != nil {
		t.Fatal(err)
	}
	s := startSink(t)
	m, err := notify.ParseURL("smtp://" + s.ln.Addr().String() + "?from=passerelle@example.org")
	if err != nil {
		t.Fatal(err)
	}
	w := &notify.DigestWorker{DB: db, Mailer: m, BaseURL: "https://passerelle.example.org"}
	if err := w.Send(ctx); err != nil {
		t.Fatal(err)
	}
	// Once only.
	if err := w.Send(ctx); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.mail) != 2 {
		t.Fatalf("%d mails: %q", len(s.mail), s.mail)
	}
	for _, mail := range s.mail {
		to, data, _ := strings.Cut(mail, "|")
		if to == "viewer@example.org" {
			t.Fatal("a viewer was notified")
		}
		if !strings.Contains(data, "/posts/") || !strings.Contains(data, "Subject: ") {
			t.Fatalf("mail to %s:\n%s", to, data)
		}
	}
	if notes, _ := db.Notifications(ctx, users["viewer@example.org"].ID, false, 10); len(notes) != 0 {
		t.Fatalf("viewer notifications %+v", notes)
	}
}

func TestParseURL(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "http://x", "smtp://", "smtp://host:25"} {
		if _, err := notify.ParseURL(bad); err == nil {
			t.Errorf("ParseURL(%q) accepted", bad)
		}
	}
	m, err := notify.ParseURL("smtp://u:p@mail.example.org?from=a@example.org")
	if err != nil || m.Addr != "mail.example.org:587" || m.Auth == nil {
		t.Fatalf("%+v %v", m, err)
	}
}

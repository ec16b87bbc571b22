// Package notifytest gives tests of what Passerelle mails a minimal SMTP server on
// loopback that keeps what it receives.
package notifytest

import (
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
)

// Mail is one message the sink received: its recipient and its data, headers and body.
type Mail struct {
	To   string
	Data []byte
}

// SMTPSink is a minimal SMTP server on loopback: it accepts every command and keeps
// each message's last recipient and data.
type SMTPSink struct {
	ln   net.Listener
	mu   sync.Mutex
	mail []Mail
}

// StartSMTPSink starts a sink that stops when the test ends.
func StartSMTPSink(t testing.TB) *SMTPSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &SMTPSink{ln: ln}
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

// Addr is the sink's host:port.
func (s *SMTPSink) Addr() string { return s.ln.Addr().String() }

// Received returns the messages received so far, in order.
func (s *SMTPSink) Received() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mail...)
}

func (s *SMTPSink) serve(c net.Conn) {
	defer c.Close()
	tp := textproto.NewConn(c)
	tp.PrintfLine("220 sink ready")
	var to string
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		switch strings.ToUpper(strings.SplitN(line, " ", 2)[0]) {
		case "EHLO", "HELO":
			tp.PrintfLine("250 sink")
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
			s.mail = append(s.mail, Mail{To: to, Data: data})
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

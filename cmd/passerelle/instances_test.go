package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/config"
	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// TestSeveralInstances runs two servers on one PostgreSQL database, as a deployment
// behind a load balancer would: what one writes the other serves, a session opened on
// one works on the other, and the same WeChat push delivered to both is stored once.
func TestSeveralInstances(t *testing.T) {
	t.Parallel()
	dbURL := storetest.PostgresURL(t)
	key := "1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	start := func() *Main {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		build := config.Flags(fs, func(string) string { return "" })
		if err := fs.Parse([]string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--database-url", dbURL, "--secret-key", key, "--log-level", "error"}); err != nil {
			t.Fatal(err)
		}
		cfg, err := build()
		if err != nil {
			t.Fatal(err)
		}
		m := &Main{Config: cfg}
		if err := m.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m
	}
	a, b := start(), start()
	ctx := context.Background()

	org, _ := a.DB.CreateOrganization(ctx, "Agence")
	owner := &passerelle.User{OrgID: org.ID, Email: "o@example.org", Owner: true}
	if err := a.Auth.CreateUser(ctx, owner, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	inst := &passerelle.Institution{Name: "Musée d'Orsay"}
	if err := a.Tenancy.CreateInstitution(ctx, owner, inst); err != nil {
		t.Fatal(err)
	}
	acc := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.WeChat, DisplayName: "奥赛博物馆"}
	if err := a.Tenancy.CreateAccount(ctx, owner, acc); err != nil {
		t.Fatal(err)
	}
	const aesKey, token, appID = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "spamtest", "wx2c2769f8efd9abc2"
	// Credentials sealed by one instance open on the other: they share the key.
	if err := b.Tenancy.SetCredentials(ctx, owner, acc.ID, map[string]string{"appid": appID, "token": token, "encoding_aes_key": aesKey}); err != nil {
		t.Fatal(err)
	}

	secret, _, err := a.Auth.CreateToken(ctx, owner.ID, "ci", nil)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", b.URL()+"/api/v1/institutions/"+strconv.FormatInt(inst.ID, 10), nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("token of A on B: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()

	// The same push, delivered concurrently to both instances.
	c, _ := wechat.NewCrypter(wechat.CrypterConfig{Token: token, EncodingAESKey: aesKey, AppID: appID})
	msg := fmt.Appendf(nil, `<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[oVisitor]]></FromUserName><CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[qrscene_hall]]></EventKey></xml>`, time.Now().Unix())
	var wg sync.WaitGroup
	for i, m := range []*Main{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ts := strconv.FormatInt(time.Now().Unix(), 10)
			nonce := "n" + strconv.Itoa(i)
			body, sig, err := c.EncryptPush("gh_x", msg, ts, nonce)
			if err != nil {
				t.Error(err)
				return
			}
			q := url.Values{"timestamp": {ts}, "nonce": {nonce}, "encrypt_type": {"aes"}, "msg_signature": {sig}}
			resp, err := http.Post(m.URL()+"/wechat/callback/"+strconv.FormatInt(acc.ID, 10)+"?"+q.Encode(), "text/xml", strings.NewReader(string(body)))
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("push to instance: %d", resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	if n, err := a.DB.CountWeChatEvents(ctx, acc.ID); err != nil || n != 1 {
		t.Fatalf("stored %d events, want 1 (%v)", n, err)
	}
}

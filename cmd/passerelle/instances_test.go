package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/config"
	"github.com/passerelle-oss/passerelle/internal/media/mediatest"
	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// startInstance starts a server on the database, with a data directory of its own and
// the extra flags.
func startInstance(t *testing.T, dbURL string, flags ...string) *Main {
	t.Helper()
	const key = "1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	set := flag.NewFlagSet("test", flag.ContinueOnError)
	build := config.Flags(set, func(string) string { return "" })
	if err := set.Parse(append([]string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--database-url", dbURL, "--secret-key", key, "--log-level", "error"}, flags...)); err != nil {
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

// TestSeveralInstances runs two servers on one PostgreSQL database, as a deployment
// behind a load balancer would: what one writes the other serves, a session opened on
// one works on the other, and the same WeChat push delivered to both is stored once.
func TestSeveralInstances(t *testing.T) {
	t.Parallel()
	dbURL := storetest.PostgresURL(t)
	a, b := startInstance(t, dbURL), startInstance(t, dbURL)
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

// TestSeveralInstancesShareMedia runs two servers on one PostgreSQL database and one
// S3-compatible bucket: a file uploaded through one is served by the other, and a
// rendition made by one is the other's too.
func TestSeveralInstancesShareMedia(t *testing.T) {
	t.Parallel()
	dbURL := storetest.PostgresURL(t)
	s3 := mediatest.S3Options(t)
	flags := []string{"--media-url", "s3://" + s3.Bucket + "/" + s3.Prefix, "--s3-endpoint", s3.Endpoint, "--s3-region", s3.Region, "--s3-access-key", s3.AccessKey, "--s3-secret-key", s3.SecretKey}
	a, b := startInstance(t, dbURL, flags...), startInstance(t, dbURL, flags...)
	ctx := context.Background()
	org, _ := a.DB.CreateOrganization(ctx, "Agence")
	owner := &passerelle.User{OrgID: org.ID, Email: "media@example.org", Owner: true}
	if err := a.Auth.CreateUser(ctx, owner, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	inst := &passerelle.Institution{Name: "Musée Guimet"}
	if err := a.Tenancy.CreateInstitution(ctx, owner, inst); err != nil {
		t.Fatal(err)
	}
	token, _, err := a.Auth.CreateToken(ctx, owner.ID, "ci", nil)
	if err != nil {
		t.Fatal(err)
	}
	call := func(m *Main, method, path string, body []byte) []byte {
		t.Helper()
		req, _ := http.NewRequest(method, m.URL()+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if resp.StatusCode/100 != 2 {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, out)
		}
		return out
	}
	img := image.NewRGBA(image.Rect(0, 0, 800, 500))
	for i := range img.Pix {
		img.Pix[i] = uint8(i / 3)
	}
	var upload bytes.Buffer
	if err := png.Encode(&upload, img); err != nil {
		t.Fatal(err)
	}
	var m struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(call(a, "POST", "/api/v1/institutions/"+strconv.FormatInt(inst.ID, 10)+"/media?filename=vase.png", upload.Bytes()), &m); err != nil || m.ID == 0 {
		t.Fatalf("upload: %v", err)
	}
	id := strconv.FormatInt(m.ID, 10)
	fromA := call(a, "GET", "/api/v1/media/"+id+"/file", nil)
	fromB := call(b, "GET", "/api/v1/media/"+id+"/file", nil)
	if !bytes.Equal(fromA, fromB) || len(fromB) == 0 {
		t.Fatalf("the file served by B (%d bytes) differs from A's (%d bytes)", len(fromB), len(fromA))
	}
	crop := "/api/v1/media/" + id + "/renditions/wechat_cover_11?x=0.3&y=0.6"
	rb := call(b, "GET", crop, nil)
	ra := call(a, "GET", crop, nil)
	if !bytes.Equal(ra, rb) || len(ra) == 0 {
		t.Fatal("the rendition differs between instances")
	}
	// Neither instance wrote a file to its own data directory.
	for _, m := range []*Main{a, b} {
		if _, err := os.Stat(filepath.Join(m.Config.DataDir, "media")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s/media exists: %v", m.Config.DataDir, err)
		}
	}
}

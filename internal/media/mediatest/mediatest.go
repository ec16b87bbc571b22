// Package mediatest gives tests the media stores to run on: a directory always, and a
// bucket of a real S3-compatible server when PASSERELLE_TEST_S3_URL names one
// (http://ACCESS:SECRET@127.0.0.1:PORT/BUCKET; .ci/run starts versitygw on loopback
// and sets it). Each test gets a key prefix of its own in the bucket.
package mediatest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle/internal/media"
)

// EnvS3 names the variable that turns the S3 suites on.
const EnvS3 = "PASSERELLE_TEST_S3_URL"

// S3Options returns the settings of the test bucket with a fresh prefix, or skips the
// test when EnvS3 is unset.
func S3Options(t testing.TB) media.S3Options {
	t.Helper()
	raw := os.Getenv(EnvS3)
	if raw == "" {
		t.Skip(EnvS3 + " is not set: no S3-compatible server to test against")
	}
	u, err := url.Parse(raw)
	if err != nil || u.User == nil || strings.Trim(u.Path, "/") == "" {
		t.Fatalf("%s must be http://ACCESS:SECRET@HOST:PORT/BUCKET", EnvS3)
	}
	secret, _ := u.User.Password()
	var b [8]byte
	rand.Read(b[:])
	return media.S3Options{
		Endpoint:  u.Scheme + "://" + u.Host,
		Region:    "us-east-1",
		AccessKey: u.User.Username(),
		SecretKey: secret,
		Bucket:    strings.Trim(u.Path, "/"),
		Prefix:    "test-" + hex.EncodeToString(b[:]),
	}
}

// S3 returns a store on the test bucket under a fresh prefix, or skips the test.
func S3(t testing.TB) *media.S3Store {
	t.Helper()
	st, err := media.NewS3Store(S3Options(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

// Stores runs fn as a subtest on a directory store and, when EnvS3 is set, on an S3
// store.
func Stores(t *testing.T, fn func(t *testing.T, st media.Store)) {
	t.Helper()
	t.Run("disk", func(t *testing.T) {
		t.Parallel()
		fn(t, &media.DiskStore{Root: t.TempDir()})
	})
	t.Run("s3", func(t *testing.T) {
		t.Parallel()
		fn(t, S3(t))
	})
}

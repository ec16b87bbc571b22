package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/passerelle-oss/passerelle"
)

// S3Store stores files in a bucket of an S3-compatible service (AWS S3, MinIO, Ceph,
// Garage, versitygw…) under PREFIX/ab/cd/KEY, as DiskStore lays them out on disk.
// Several instances of the server share one bucket: that is what lets them run behind
// one load balancer.
type S3Store struct {
	client *minio.Client
	bucket string
	prefix string
}

var _ Store = (*S3Store)(nil)

// S3Options configure an S3Store.
type S3Options struct {
	// Endpoint is the service's URL: https://s3.eu-west-3.amazonaws.com,
	// http://127.0.0.1:7070.
	Endpoint  string
	Region    string
	AccessKey string
	SecretKey string
	Bucket    string
	// Prefix is put before every key, so that one bucket can hold other things.
	Prefix string
	// Transport is the HTTP transport; a tuned default when nil.
	Transport http.RoundTripper
}

// NewS3Store returns a store on the bucket. It does not reach the service: Check does.
func NewS3Store(o S3Options) (*S3Store, error) {
	u, err := url.Parse(o.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("media store: the S3 endpoint must be an http(s) URL")
	}
	if o.Bucket == "" {
		return nil, fmt.Errorf("media store: no S3 bucket")
	}
	tr := o.Transport
	if tr == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		// Every request of a busy server may read a file: keep connections.
		t.MaxIdleConnsPerHost = 64
		t.ResponseHeaderTimeout = 30 * time.Second
		tr = t
	}
	c, err := minio.New(u.Host, &minio.Options{
		Creds:  credentials.NewStaticV4(o.AccessKey, o.SecretKey, ""),
		Secure: u.Scheme == "https",
		Region: o.Region,
		// Path-style requests work on every S3-compatible service, and need no DNS
		// name per bucket.
		BucketLookup: minio.BucketLookupPath,
		Transport:    tr,
	})
	if err != nil {
		return nil, fmt.Errorf("media store: %w", err)
	}
	return &S3Store{client: c, bucket: o.Bucket, prefix: strings.Trim(o.Prefix, "/")}, nil
}

// Check makes sure the bucket exists and the credentials open it, so that a wrong
// setting stops the server at start rather than at the first upload.
func (s *S3Store) Check(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("media store: bucket %q: %w", s.bucket, err)
	}
	if !ok {
		return fmt.Errorf("media store: bucket %q does not exist", s.bucket)
	}
	return nil
}

func (s *S3Store) name(key string) string {
	return path.Join(s.prefix, key[0:2], key[2:4], key)
}

// Put hashes the content to name it, then uploads it unless an object of that name is
// there already (the same content). A reader that can seek (an upload held in memory)
// is read twice; another is first copied to a temporary file.
func (s *S3Store) Put(ctx context.Context, r io.Reader) (string, error) {
	rs, ok := r.(io.ReadSeeker)
	if !ok {
		tmp, err := os.CreateTemp("", "passerelle-put-*")
		if err != nil {
			return "", fmt.Errorf("media store: %w", err)
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		if _, err := io.Copy(tmp, ctxReader{ctx, r}); err != nil {
			return "", fmt.Errorf("media store: write: %w", err)
		}
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return "", fmt.Errorf("media store: %w", err)
		}
		rs = tmp
	}
	start, err := rs.Seek(0, io.SeekCurrent)
	if err != nil {
		return "", fmt.Errorf("media store: %w", err)
	}
	h := sha256.New()
	size, err := io.Copy(h, ctxReader{ctx, rs})
	if err != nil {
		return "", fmt.Errorf("media store: read: %w", err)
	}
	key := hex.EncodeToString(h.Sum(nil))
	if _, err := s.client.StatObject(ctx, s.bucket, s.name(key), minio.StatObjectOptions{}); err == nil {
		return key, nil
	} else if !notFound(err) {
		return "", fmt.Errorf("media store: stat: %w", err)
	}
	if _, err := rs.Seek(start, io.SeekStart); err != nil {
		return "", fmt.Errorf("media store: %w", err)
	}
	_, err = s.client.PutObject(ctx, s.bucket, s.name(key), ctxReader{ctx, rs}, size, minio.PutObjectOptions{
		ContentType: "application/octet-stream",
		// One request up to 64 MiB: media are at most 20 MB.
		PartSize: 64 << 20,
	})
	if err != nil {
		return "", fmt.Errorf("media store: put: %w", err)
	}
	return key, nil
}

// Open returns the object of key; its first bytes are already requested, so that a
// missing key is reported here rather than at the first read.
func (s *S3Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if !ValidKey(key) {
		return nil, badKey(key)
	}
	obj, err := s.client.GetObject(ctx, s.bucket, s.name(key), minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("media store: get: %w", err)
	}
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		if notFound(err) {
			return nil, passerelle.ErrNotFound
		}
		return nil, fmt.Errorf("media store: get: %w", err)
	}
	return obj, nil
}

// Delete removes the object of key; S3 answers a delete of a missing object with
// success.
func (s *S3Store) Delete(ctx context.Context, key string) error {
	if !ValidKey(key) {
		return badKey(key)
	}
	if err := s.client.RemoveObject(ctx, s.bucket, s.name(key), minio.RemoveObjectOptions{}); err != nil && !notFound(err) {
		return fmt.Errorf("media store: delete: %w", err)
	}
	return nil
}

func notFound(err error) bool {
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		return resp.Code == minio.NoSuchKey || resp.StatusCode == http.StatusNotFound && resp.Code != minio.NoSuchBucket
	}
	return false
}

package backup

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/passerelle-oss/passerelle/internal/media"
)

// Remote keeps backup archives as objects in a bucket of an S3-compatible service,
// under a prefix: the off-machine copy that survives a lost disk. The archive is
// written to a local file first (it must be complete and checksummed before it leaves),
// then uploaded; a download is verified by Restore like any file.
type Remote struct {
	client *minio.Client
	bucket string
	prefix string
}

// ParseS3URL splits s3://BUCKET[/PATH] into its bucket and path (no leading slash).
func ParseS3URL(raw string) (bucket, key string, err error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "s3" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", "", fmt.Errorf("backup: %q is not an s3://BUCKET/PATH address", raw)
	}
	key = strings.TrimPrefix(u.Path, "/")
	if path.Clean("/"+key) != "/"+strings.TrimSuffix(key, "/") {
		return "", "", fmt.Errorf("backup: %q: the path must not contain empty, . or .. parts", raw)
	}
	return u.Host, key, nil
}

// NewRemote returns the archive store of a bucket; the endpoint and credentials are
// the media store's settings (S3Options.Bucket and Prefix are replaced). It checks that
// the bucket exists.
func NewRemote(ctx context.Context, o media.S3Options, bucket, prefix string) (*Remote, error) {
	u, err := url.Parse(o.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("backup: the S3 endpoint must be an http(s) URL")
	}
	c, err := minio.New(u.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(o.AccessKey, o.SecretKey, ""),
		Secure:       u.Scheme == "https",
		Region:       o.Region,
		BucketLookup: minio.BucketLookupPath,
		Transport:    o.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	ok, err := c.BucketExists(ctx, bucket)
	if err != nil {
		return nil, fmt.Errorf("backup: bucket %q: %w", bucket, err)
	}
	if !ok {
		return nil, fmt.Errorf("backup: bucket %q does not exist", bucket)
	}
	return &Remote{client: c, bucket: bucket, prefix: strings.Trim(prefix, "/")}, nil
}

func (r *Remote) object(name string) string { return path.Join(r.prefix, name) }

// String is the remote's address, s3://BUCKET/PREFIX.
func (r *Remote) String() string { return "s3://" + path.Join(r.bucket, r.prefix) }

// Upload copies the local archive file to the object name (under the prefix), and
// makes sure the service holds all of its bytes.
func (r *Remote) Upload(ctx context.Context, file, name string) error {
	fi, err := os.Stat(file)
	if err != nil {
		return err
	}
	info, err := r.client.FPutObject(ctx, r.bucket, r.object(name), file, minio.PutObjectOptions{ContentType: "application/x-tar"})
	if err != nil {
		return fmt.Errorf("backup: upload to %s: %w", r, err)
	}
	if info.Size != fi.Size() {
		return fmt.Errorf("backup: upload to %s: %d bytes stored of %d", r, info.Size, fi.Size())
	}
	return nil
}

// Download copies the object name to a new local file.
func (r *Remote) Download(ctx context.Context, name, file string) error {
	if err := r.client.FGetObject(ctx, r.bucket, r.object(name), file, minio.GetObjectOptions{}); err != nil {
		if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
			return fmt.Errorf("backup: %s/%s does not exist", r, name)
		}
		return fmt.Errorf("backup: download from %s: %w", r, err)
	}
	return nil
}

// Names lists the archives directly under the prefix whose name ends in
// -label.tar (any archive when label is empty), oldest first: the names sort by time.
func (r *Remote) Names(ctx context.Context, label string) ([]string, error) {
	prefix := r.prefix
	if prefix != "" {
		prefix += "/"
	}
	var names []string
	for o := range r.client.ListObjects(ctx, r.bucket, minio.ListObjectsOptions{Prefix: prefix}) {
		if o.Err != nil {
			return nil, fmt.Errorf("backup: list %s: %w", r, o.Err)
		}
		name := strings.TrimPrefix(o.Key, prefix)
		if strings.Contains(name, "/") || !strings.HasPrefix(name, "passerelle-") || !strings.HasSuffix(name, ".tar") {
			continue
		}
		if label == "" || strings.HasSuffix(name, "-"+label+".tar") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names, nil
}

// Rotate deletes the oldest archives with label beyond the keep newest, and returns
// their names.
func (r *Remote) Rotate(ctx context.Context, keep int, label string) ([]string, error) {
	names, err := r.Names(ctx, label)
	if err != nil || len(names) <= keep {
		return nil, err
	}
	old := names[:len(names)-keep]
	var errs []error
	var removed []string
	for _, name := range old {
		if err := r.client.RemoveObject(ctx, r.bucket, r.object(name), minio.RemoveObjectOptions{}); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, name)
	}
	return removed, errors.Join(errs...)
}

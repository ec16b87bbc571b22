package web

import (
	"archive/zip"
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"time"

	"rsc.io/qr"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/publish"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// kitPage is the data of the copy-ready kit page.
type kitPage struct {
	Kit  *publish.Kit
	Item *deliveryItem
	Post *passerelle.Post
	Zone string
	// PhoneURL is the kit's phone link (empty when the kit no longer waits for a
	// person), valid until PhoneExpires.
	PhoneURL     string
	PhoneExpires time.Time
	Overdue      bool
	Next         string
}

func (h *handler) kitPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx := r.Context()
	u := server.User(ctx)
	kit, d, err := h.Publish.Kit(ctx, u, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	row, attempts, err := h.Publish.Publication(ctx, u, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	inst, err := h.Tenancy.Institution(ctx, u, d.Post.InstitutionID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	it := newDeliveryItem(row, attempts, u.Can(d.Post.InstitutionID, passerelle.PermSchedule))
	a, err := h.Tenancy.Account(ctx, u, row.AccountID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	it.Account = cmp.Or(a.DisplayName, a.Handle)
	it.lock(publish.ReadOnly(inst, a))
	p := &kitPage{Kit: kit, Item: it, Post: d.Post, Zone: inst.TimeZone, Next: "/publications/" + idString(id) + "/kit"}
	// The phone link exists while the kit waits for a person to post it.
	if token, expires, err := h.Publish.KitLink(ctx, u, id); err == nil {
		p.PhoneURL, p.PhoneExpires = h.kitLinkURL(r, token), expires
	} else if c := passerelle.ErrorCode(err); c != passerelle.EFORBIDDEN && c != passerelle.EINVALID {
		h.fail(w, r, err)
		return
	}
	p.Overdue = row.State == passerelle.DeliveryAwaitingManual && row.ScheduledAt != nil && row.ScheduledAt.Before(h.Now())
	h.render(w, r, view{name: "kit", title: "kit.title", nav: "outbox"}, p)
}

// kitLinkURL is the phone link's address for the QR code: the configured public
// address, else the address the request came to.
func (h *handler) kitLinkURL(r *http.Request, token string) string {
	base := strings.TrimRight(h.BaseURL, "/")
	if base == "" {
		scheme := "http"
		if h.srv.IsSecure(r) {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return base + kitLinkPath(token)
}

// kitQR is a QR code of the kit's phone link (kitlink.go): a signed, expiring,
// read-only address that opens the kit on the phone that posts it without signing in.
func (h *handler) kitQR(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	token, _, err := h.Publish.KitLink(r.Context(), server.User(r.Context()), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	code, err := qr.Encode(h.kitLinkURL(r, token), qr.M)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	code.Scale = 6
	png := code.PNG()
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(png)
}

// kitFile is one medium of a kit as it is handed out: an image in the platform's
// shape, a video as it is.
type kitFile struct {
	name, mime string
	data       []byte
}

// renderKitFile reads medium m of kit k (the n-th, from 0) from rc and renders it.
func renderKitFile(ctx context.Context, k *publish.Kit, m *store.MediaAsset, n int, rc io.Reader) (kitFile, error) {
	name := fmt.Sprintf("%02d", n+1)
	if !strings.HasPrefix(m.MIME, "image/") || k.Rule.Image.Name == "" {
		data, err := io.ReadAll(io.LimitReader(rc, 4*media.DefaultMaxBytes))
		if err != nil {
			return kitFile{}, err
		}
		return kitFile{name + extOf(m.MIME, m.Filename), m.MIME, data}, nil
	}
	img, err := media.Decode(rc, media.Limits{})
	if err != nil {
		return kitFile{}, err
	}
	rend, err := media.Render(ctx, img, k.Rule.Image, media.Center())
	if err != nil {
		return kitFile{}, err
	}
	return kitFile{name + extOf(rend.MIME, ""), rend.MIME, rend.Data}, nil
}

// kitZip streams the kit's images in the platform's shapes (videos as they are), one
// file per medium, numbered in the post's order.
func (h *handler) kitZip(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx := r.Context()
	u := server.User(ctx)
	kit, _, err := h.Publish.Kit(ctx, u, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// Everything is rendered before the first byte is written, so that a failure is
	// an error page rather than a broken zip.
	var files []kitFile
	for i, m := range kit.Media {
		_, rc, err := h.Editorial.OpenMedia(ctx, u, m.ID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		f, err := renderKitFile(ctx, kit, m, i, rc)
		rc.Close()
		if err != nil {
			h.fail(w, r, err)
			return
		}
		files = append(files, f)
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="passerelle-%s-%d.zip"`, kit.Platform, id))
	w.Header().Set("Cache-Control", "private, no-store")
	zw := zip.NewWriter(w)
	for _, f := range files {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Store})
		if err != nil {
			return
		}
		if _, err := fw.Write(f.data); err != nil {
			return
		}
	}
	zw.Close()
}

func extOf(mime, filename string) string {
	switch mime {
	case media.MIMEJPEG:
		return ".jpg"
	case media.MIMEPNG:
		return ".png"
	case media.MIMEGIF:
		return ".gif"
	case "video/mp4":
		return ".mp4"
	}
	if e := path.Ext(filename); e != "" && len(e) <= 5 {
		return strings.ToLower(e)
	}
	return ".bin"
}

package web

import (
	"archive/zip"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"

	"rsc.io/qr"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/publish"
	"github.com/passerelle-oss/passerelle/internal/server"
)

// kitPage is the data of the copy-ready kit page.
type kitPage struct {
	Kit     *publish.Kit
	Item    *deliveryItem
	Post    *passerelle.Post
	Zone    string
	KitURL  string
	Overdue bool
	Next    string
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
	if a, err := h.Tenancy.Account(ctx, u, row.AccountID); err == nil {
		it.Account = a.DisplayName
		if it.Account == "" {
			it.Account = a.Handle
		}
	}
	p := &kitPage{Kit: kit, Item: it, Post: d.Post, Zone: inst.TimeZone, KitURL: h.kitURL(r, id), Next: "/publications/" + idString(id) + "/kit"}
	p.Overdue = row.State == passerelle.DeliveryAwaitingManual && row.ScheduledAt != nil && row.ScheduledAt.Before(h.Now())
	h.render(w, r, view{name: "kit", title: "kit.title", nav: "outbox"}, p)
}

// kitURL is the kit's address for the QR code: the configured public address, else
// the address the request came to.
func (h *handler) kitURL(r *http.Request, id int64) string {
	base := strings.TrimRight(h.BaseURL, "/")
	if base == "" {
		scheme := "http"
		if h.srv.IsSecure(r) {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return base + "/publications/" + idString(id) + "/kit"
}

// kitQR is a QR code of the kit's address, to open it on the phone that posts it.
func (h *handler) kitQR(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if _, _, err := h.Publish.Kit(r.Context(), server.User(r.Context()), id); err != nil {
		h.fail(w, r, err)
		return
	}
	code, err := qr.Encode(h.kitURL(r, id), qr.M)
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
	type file struct {
		name string
		data []byte
	}
	// Everything is rendered before the first byte is written, so that a failure is
	// an error page rather than a broken zip.
	var files []file
	for i, m := range kit.Media {
		_, rc, err := h.Editorial.OpenMedia(ctx, u, m.ID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		name := fmt.Sprintf("%02d", i+1)
		if !strings.HasPrefix(m.MIME, "image/") || kit.Rule.Image.Name == "" {
			data, err := io.ReadAll(io.LimitReader(rc, 4*media.DefaultMaxBytes))
			rc.Close()
			if err != nil {
				h.fail(w, r, err)
				return
			}
			files = append(files, file{name + extOf(m.MIME, m.Filename), data})
			continue
		}
		img, err := media.Decode(rc, media.Limits{})
		rc.Close()
		if err != nil {
			h.fail(w, r, err)
			return
		}
		rend, err := media.Render(ctx, img, kit.Rule.Image, media.Center())
		if err != nil {
			h.fail(w, r, err)
			return
		}
		files = append(files, file{name + extOf(rend.MIME, ""), rend.Data})
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

package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// The media library of an institution: upload, thumbnails, alt text in Chinese and
// credit, and the renditions each platform gets.

type mediaPage struct {
	Institution *passerelle.Institution
	Display     string
	Assets      []*store.MediaAsset
	CanWrite    bool
	Renditions  []string
	Kind        string
	// Accept lists what the upload takes, for the file picker.
	Accept string
	// Search is the library search (file name, alt text, credit, tags, rights).
	Search string
	// Today is the institution's date, to mark the rights that have ended.
	Today string
}

func (h *handler) mediaList(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	inst, err := h.Tenancy.Institution(r.Context(), u, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	kind := r.URL.Query().Get("kind")
	if kind != "image" && kind != "video" {
		kind = ""
	}
	search := strings.TrimSpace(r.URL.Query().Get("q"))
	if len([]rune(search)) > 200 {
		search = string([]rune(search)[:200])
	}
	assets, err := h.Editorial.Media(r.Context(), u, editorial.MediaQuery{InstitutionID: id, Kind: kind, Search: search, Limit: 500})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, view{name: "media_list", title: "media.title", nav: "institutions"}, &mediaPage{
		Institution: inst, Display: instName(inst, h.localizer(r).Lang), Assets: assets, CanWrite: u.Can(id, passerelle.PermWrite), Kind: kind,
		Renditions: []string{media.SpecWeibo, media.SpecWeChatImage, media.SpecWeChatBody, media.SpecWeChatCover235, media.SpecWeChatCover11},
		Accept:     "image/jpeg,image/png,image/gif,image/webp,video/mp4",
		Search:     search, Today: h.Now().In(loadZone(inst.TimeZone)).Format(time.DateOnly),
	})
}

func mediaPath(institutionID int64) string {
	return "/institutions/" + strconv.FormatInt(institutionID, 10) + "/media"
}

// mediaUpload streams the "file" part of a multipart form into the library; the type
// is sniffed from the content by the service, whatever the browser says.
func (h *handler) mediaUpload(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	// Through tenancy, which scopes by organization: u.Can alone lets an owner pass
	// for any institution id.
	if _, err := h.Tenancy.Institution(r.Context(), u, id); err != nil {
		h.fail(w, r, err)
		return
	}
	back := mediaPath(id)
	if wantsJSON(r) {
		h.mediaUploadJSON(w, r, u, id)
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		h.redirectError(w, r, back, &passerelle.Error{Code: passerelle.EINVALID, Message: "Choose a file to upload."})
		return
	}
	mr, err := r.MultipartReader()
	if err != nil {
		h.fail(w, r, errBadForm)
		return
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			if err == io.EOF {
				err = &passerelle.Error{Code: passerelle.EINVALID, Message: "Choose a file to upload."}
			} else if !isTooLarge(err) {
				err = errBadForm
			}
			h.redirectError(w, r, back, err)
			return
		}
		if part.FormName() != "file" {
			continue
		}
		if part.FileName() == "" {
			h.redirectError(w, r, back, &passerelle.Error{Code: passerelle.EINVALID, Message: "Choose a file to upload."})
			return
		}
		_, created, err := h.Editorial.Upload(r.Context(), u, id, part.FileName(), part)
		if err != nil {
			// A file of the wrong kind or size is the person's to fix: say so on the
			// library rather than on an error page.
			if c := passerelle.ErrorCode(err); c == passerelle.EUNSUPPORTED || c == passerelle.ETOOLARGE {
				h.setFlash(w, r, "e", server.Message(err))
				http.Redirect(w, r, back, http.StatusSeeOther)
				return
			}
			h.redirectError(w, r, back, err)
			return
		}
		key := "flash.media_uploaded"
		if !created {
			key = "flash.media_known"
		}
		h.redirect(w, r, back, key)
		return
	}
}

func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// mediaUpdate saves an asset's alt text and credit, or archives it.
func (h *handler) mediaUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	m, err := h.Editorial.MediaAsset(r.Context(), u, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	c := editorial.MediaChange{}
	alt, credit := strings.TrimSpace(r.PostForm.Get("alt_zh")), strings.TrimSpace(r.PostForm.Get("credit"))
	c.AltZH, c.Credit = &alt, &credit
	// The rights and tags, when the form has them (an older page may not).
	for _, f := range []struct {
		name string
		dst  **string
	}{{"photographer", &c.Photographer}, {"rights_holder", &c.RightsHolder}, {"licence", &c.Licence}, {"rights_until", &c.RightsUntil}} {
		if r.PostForm.Has(f.name) {
			v := strings.TrimSpace(r.PostForm.Get(f.name))
			*f.dst = &v
		}
	}
	if r.PostForm.Has("tags") {
		tags := commaList(r.PostForm.Get("tags"))
		c.Tags = &tags
	}
	if r.PostForm.Has("archive") {
		archived := r.PostForm.Get("archive") == "1"
		c = editorial.MediaChange{Archived: &archived}
	}
	back := mediaPath(m.InstitutionID) + "#media-" + strconv.FormatInt(id, 10)
	if _, err := h.Editorial.UpdateMedia(r.Context(), u, id, c); err != nil {
		h.redirectError(w, r, back, err)
		return
	}
	h.redirect(w, r, back, "flash.media_saved")
}

// mediaRendition serves an image rendered for a platform (or the library's
// thumbnail); x and y place the cover crops.
func (h *handler) mediaRendition(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	focus, err := focusQuery(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rend, rc, err := h.Editorial.Rendition(r.Context(), server.User(r.Context()), id, r.PathValue("spec"), focus)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	defer rc.Close()
	serveImage(w, rend.MIME, rend.Bytes, rc)
}

func focusQuery(r *http.Request) (*passerelle.Focus, error) {
	q := r.URL.Query()
	if !q.Has("x") && !q.Has("y") {
		return nil, nil
	}
	x, err1 := strconv.ParseFloat(q.Get("x"), 64)
	y, err2 := strconv.ParseFloat(q.Get("y"), 64)
	if err1 != nil || err2 != nil {
		return nil, &passerelle.Error{Code: passerelle.EINVALID, Message: "Some parameters are invalid."}
	}
	return &passerelle.Focus{X: x, Y: y}, nil
}

// serveImage streams a stored file: content-addressed, so immutable, but personal.
func serveImage(w http.ResponseWriter, mimeType string, size int64, rc io.Reader) {
	hd := w.Header()
	hd.Set("Content-Type", mimeType)
	hd.Set("Content-Length", strconv.FormatInt(size, 10))
	hd.Set("Cache-Control", "private, max-age=31536000, immutable")
	hd.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	io.Copy(w, rc)
}

// wantsJSON: the request comes from the page's script (the composer's upload), which
// asks for JSON and shows the outcome itself.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// uploaded is the composer's answer to an upload: the asset, or why it was refused.
type uploaded struct {
	ID       int64  `json:"id,omitempty"`
	Filename string `json:"filename,omitempty"`
	Width    int    `json:"width,omitempty"`
	Height   int    `json:"height,omitempty"`
	Image    bool   `json:"image,omitempty"`
	Created  bool   `json:"created,omitempty"`
	Error    string `json:"error,omitempty"`
}

// mediaUploadJSON is mediaUpload for the composer: one file, answered in JSON (201,
// or the error's status with its message in the user's language).
func (h *handler) mediaUploadJSON(w http.ResponseWriter, r *http.Request, u *passerelle.User, id int64) {
	answer := func(status int, v uploaded) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	refuse := func(err error) {
		answer(server.Status(err), uploaded{Error: h.localizer(r).Msg(server.Message(err))})
	}
	choose := &passerelle.Error{Code: passerelle.EINVALID, Message: "Choose a file to upload."}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		refuse(choose)
		return
	}
	mr, err := r.MultipartReader()
	if err != nil {
		refuse(errBadForm)
		return
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			switch {
			case err == io.EOF:
				err = choose
			case !isTooLarge(err):
				err = errBadForm
			}
			refuse(err)
			return
		}
		if part.FormName() != "file" {
			continue
		}
		if part.FileName() == "" {
			refuse(choose)
			return
		}
		m, created, err := h.Editorial.Upload(r.Context(), u, id, part.FileName(), part)
		if err != nil {
			refuse(err)
			return
		}
		answer(http.StatusCreated, uploaded{ID: m.ID, Filename: m.Filename, Width: m.Width, Height: m.Height, Image: strings.HasPrefix(m.MIME, "image/"), Created: created})
		return
	}
}

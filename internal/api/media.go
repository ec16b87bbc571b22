package api

import (
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
)

func (e *Editorial) listMedia(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	p, err := page(r)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	items, err := e.svc.Media(r.Context(), server.User(r.Context()), editorial.MediaQuery{InstitutionID: id, Kind: r.URL.Query().Get("kind"), Search: r.URL.Query().Get("q"), AfterID: p.AfterID, Limit: p.Limit + 1})
	if err != nil {
		e.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, paged(items, p.Limit, func(m *store.MediaAsset) int64 { return m.ID }))
}

// upload takes the file as the raw body (its name in ?filename=) or as the "file"
// part of a multipart form. The type is sniffed from the content, whatever the
// Content-Type says.
func (e *Editorial) upload(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	if !u.Can(id, passerelle.PermView) {
		e.fail(w, r, passerelle.ErrNotFound)
		return
	}
	body, name := io.Reader(r.Body), r.URL.Query().Get("filename")
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		part, err := filePart(r)
		if err != nil {
			e.fail(w, r, err)
			return
		}
		body, name = part, part.FileName()
	}
	m, created, err := e.svc.Upload(r.Context(), u, id, name, body)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/media/"+itoa(m.ID))
	status := http.StatusCreated
	if !created {
		status = http.StatusOK // the same content was already in the library
	}
	server.WriteJSON(w, status, m)
}

func (e *Editorial) getMedia(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var m *store.MediaAsset
		if m, err = e.svc.MediaAsset(r.Context(), server.User(r.Context()), id); err == nil {
			server.WriteJSON(w, http.StatusOK, m)
			return
		}
	}
	e.fail(w, r, err)
}

func (e *Editorial) updateMedia(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	if _, err := e.svc.MediaAsset(r.Context(), server.User(r.Context()), id); err != nil {
		e.fail(w, r, err)
		return
	}
	var in editorial.MediaChange
	if err := decode(r, &in); err != nil {
		e.fail(w, r, err)
		return
	}
	m, err := e.svc.UpdateMedia(r.Context(), server.User(r.Context()), id, in)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, m)
}

// serveBytes streams a stored file. Files are content-addressed, hence immutable.
func serveBytes(w http.ResponseWriter, mimeType string, size int64, rc io.Reader) {
	w.Header().Set("Content-Type", mimeType)
	w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	io.Copy(w, rc)
}

func (e *Editorial) mediaFile(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	m, rc, err := e.svc.OpenMedia(r.Context(), server.User(r.Context()), id)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	defer rc.Close()
	serveBytes(w, m.MIME, m.Bytes, rc)
}

func (e *Editorial) rendition(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	var focus *passerelle.Focus
	q := r.URL.Query()
	if q.Has("x") || q.Has("y") {
		x, err1 := strconv.ParseFloat(q.Get("x"), 64)
		y, err2 := strconv.ParseFloat(q.Get("y"), 64)
		if err1 != nil || err2 != nil {
			e.fail(w, r, paramErr(map[string]string{"x": "Give x and y as fractions from 0 to 1."}))
			return
		}
		focus = &passerelle.Focus{X: x, Y: y}
	}
	rend, rc, err := e.svc.Rendition(r.Context(), server.User(r.Context()), id, r.PathValue("spec"), focus)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	defer rc.Close()
	serveBytes(w, rend.MIME, rend.Bytes, rc)
}

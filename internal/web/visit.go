package web

import (
	"encoding/base64"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/desk"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/visit"
)

// The editors' screens of the visitor pages: an institution's audioguide tours and
// virtual exhibitions, their stops, rooms and works, publication with the public URL
// and its QR code, a phone preview, play counts and a printable sheet of stop labels.
// The pages call internal/visit, as the API does.

func (h *handler) visitRoutes() {
	if h.Visit == nil {
		return
	}
	s, in := h.srv, server.SignedIn
	s.HandleFunc("GET /institutions/{id}/visit", in, h.visitIndex)
	s.HandleFunc("POST /institutions/{id}/tours", in, h.tourCreate)
	s.HandleFunc("POST /institutions/{id}/exhibitions", in, h.exhibitionCreate)
	s.HandleFunc("GET /tours/{id}", in, h.tourPage)
	s.HandleFunc("POST /tours/{id}", in, h.tourUpdate)
	s.HandleFunc("POST /tours/{id}/delete", in, h.tourDelete)
	s.HandleFunc("POST /tours/{id}/publish", in, h.tourPublish(true))
	s.HandleFunc("POST /tours/{id}/unpublish", in, h.tourPublish(false))
	s.HandleFunc("POST /tours/{id}/stops", in, h.stopCreate)
	s.HandleFunc("POST /tours/{id}/media", in, h.tourMediaUpload, server.BodyLimit(uploadLimit))
	s.HandleFunc("GET /tours/{id}/qr.svg", in, h.tourQR)
	s.HandleFunc("GET /tours/{id}/labels", in, h.tourLabels)
	s.HandleFunc("GET /tours/{id}/preview", in, h.tourPreview)
	s.HandleFunc("GET /tours/{id}/preview/go", in, h.tourPreviewGo)
	s.HandleFunc("GET /tours/{id}/preview/{n}", in, h.tourPreview)
	s.HandleFunc("GET /stops/{id}/edit", in, h.stopEdit)
	s.HandleFunc("POST /stops/{id}", in, h.stopUpdate)
	s.HandleFunc("POST /stops/{id}/delete", in, h.stopDelete)
	s.HandleFunc("GET /stops/{id}/qr.svg", in, h.stopQR)
	s.HandleFunc("GET /exhibitions/{id}", in, h.exhibitionPage)
	s.HandleFunc("POST /exhibitions/{id}", in, h.exhibitionUpdate)
	s.HandleFunc("POST /exhibitions/{id}/delete", in, h.exhibitionDelete)
	s.HandleFunc("POST /exhibitions/{id}/publish", in, h.exhibitionPublish(true))
	s.HandleFunc("POST /exhibitions/{id}/unpublish", in, h.exhibitionPublish(false))
	s.HandleFunc("POST /exhibitions/{id}/rooms", in, h.roomAdd)
	s.HandleFunc("POST /exhibitions/{id}/rooms/remove", in, h.roomRemove)
	s.HandleFunc("POST /exhibitions/{id}/works", in, h.workAdd)
	s.HandleFunc("POST /exhibitions/{id}/works/remove", in, h.workRemove)
	s.HandleFunc("GET /exhibitions/{id}/qr.svg", in, h.exhibitionQR)
	s.HandleFunc("GET /exhibitions/{id}/preview", in, h.exhibitionPreview)
	s.HandleFunc("GET /visit-media/{id}", in, h.visitMedia)
	h.kioskRoutes()
}

func tourPath(id int64) string       { return "/tours/" + strconv.FormatInt(id, 10) }
func exhibitionPath(id int64) string { return "/exhibitions/" + strconv.FormatInt(id, 10) }

// visitIndexPage is the data of the institution's visitor pages list.
type visitIndexPage struct {
	Institution    *passerelle.Institution
	Tours          []*store.TourSummary
	Exhibitions    []*passerelle.Exhibition
	CanWrite       bool
	TourForm       *form
	ExhibitionForm *form
}

func (h *handler) visitIndexData(r *http.Request, id int64) (*visitIndexPage, error) {
	ctx := r.Context()
	u := server.User(ctx)
	inst, err := h.Tenancy.Institution(ctx, u, id)
	if err != nil {
		return nil, err
	}
	p := &visitIndexPage{Institution: inst, CanWrite: u.Can(id, passerelle.PermWrite) && inst.ArchivedAt == nil,
		TourForm: &form{Errors: map[string]string{}}, ExhibitionForm: &form{Errors: map[string]string{}}}
	if p.Tours, err = h.Visit.Tours(ctx, u, id); err != nil {
		return nil, err
	}
	if p.Exhibitions, err = h.Visit.Exhibitions(ctx, u, id); err != nil {
		return nil, err
	}
	return p, nil
}

// The pages of the visit, each shown by its page handler and again by its forms when
// they are refused.
var (
	visitIndexView = view{name: "visit_index", title: "visit13.title", nav: "institutions"}
	tourView       = view{name: "tour_edit", title: "visit13.tour", nav: "institutions"}
	stopView       = view{name: "stop_form", title: "visit13.stop", nav: "institutions"}
)

func (h *handler) visitIndex(w http.ResponseWriter, r *http.Request) {
	showPage(h, w, r, visitIndexView, h.visitIndexData)
}

// visitIndexError shows the list again with a form's errors.
func (h *handler) visitIndexError(w http.ResponseWriter, r *http.Request, id int64, f *form, set func(*visitIndexPage), err error) {
	showFormErrors(h, w, r, visitIndexView, h.visitIndexData, id, f, set, err)
}

func (h *handler) tourCreate(w http.ResponseWriter, r *http.Request) {
	id, f, ok := h.postedForm(w, r)
	if !ok {
		return
	}
	t := &passerelle.Tour{InstitutionID: id, TitleZH: f.Get("title_zh"), TitleFR: f.Get("title_fr"), TitleEN: f.Get("title_en")}
	if _, err := h.Tenancy.Institution(r.Context(), server.User(r.Context()), id); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.Visit.CreateTour(r.Context(), server.User(r.Context()), t); err != nil {
		h.visitIndexError(w, r, id, f, func(p *visitIndexPage) { p.TourForm = f }, err)
		return
	}
	h.redirect(w, r, tourPath(t.ID), "visit13.tour_created")
}

func (h *handler) exhibitionCreate(w http.ResponseWriter, r *http.Request) {
	id, f, ok := h.postedForm(w, r)
	if !ok {
		return
	}
	if _, err := h.Tenancy.Institution(r.Context(), server.User(r.Context()), id); err != nil {
		h.fail(w, r, err)
		return
	}
	e := &passerelle.Exhibition{InstitutionID: id, TitleZH: f.Get("title_zh"), TitleFR: f.Get("title_fr"), TitleEN: f.Get("title_en"), DigestZH: f.Get("digest_zh")}
	if err := h.Visit.CreateExhibition(r.Context(), server.User(r.Context()), e); err != nil {
		h.visitIndexError(w, r, id, f, func(p *visitIndexPage) { p.ExhibitionForm = f }, err)
		return
	}
	h.redirect(w, r, exhibitionPath(e.ID), "visit13.exhibition_created")
}

// mediaChoice is a medium offered in a select.
type mediaChoice struct {
	ID   int64
	Name string
}

// libraryChoices lists an institution's audio files and images for the selects.
func (h *handler) libraryChoices(r *http.Request, institutionID int64) (audio, images []mediaChoice, err error) {
	all, err := h.DB.MediaAssets(r.Context(), store.MediaFilter{OrgID: server.User(r.Context()).OrgID, InstitutionID: institutionID, Limit: 1000})
	if err != nil {
		return nil, nil, err
	}
	for _, m := range all {
		name := m.Filename
		if name == "" {
			name = "#" + strconv.FormatInt(m.ID, 10)
		}
		if m.AltZH != "" {
			name += " — " + m.AltZH
		}
		switch {
		case strings.HasPrefix(m.MIME, "audio/"):
			audio = append(audio, mediaChoice{ID: m.ID, Name: name})
		case strings.HasPrefix(m.MIME, "image/"):
			images = append(images, mediaChoice{ID: m.ID, Name: name})
		}
	}
	return audio, images, nil
}

// stopRow is a stop with its counts.
type stopRow struct {
	*passerelle.Stop
	Stat visit.StopStat
	URL  string
}

// tourPageData is the data of a tour's screen.
type tourPageData struct {
	Tour        *passerelle.Tour
	Institution *passerelle.Institution
	Stops       []stopRow
	Total       visit.StopStat
	Days        int
	URL         string
	CanWrite    bool
	CanPublish  bool
	Audio       []mediaChoice
	Images      []mediaChoice
	TourForm    *form
	StopForm    *form
	NextNumber  int
	PreviewLang string
	Kiosk       *kioskPanel
}

func (h *handler) tourData(r *http.Request, id int64) (*tourPageData, error) {
	ctx := r.Context()
	u := server.User(ctx)
	t, stops, err := h.Visit.Tour(ctx, u, id)
	if err != nil {
		return nil, err
	}
	inst, err := h.Tenancy.Institution(ctx, u, t.InstitutionID)
	if err != nil {
		return nil, err
	}
	stats, total, err := h.Visit.StopStats(ctx, u, id)
	if err != nil {
		return nil, err
	}
	p := &tourPageData{Tour: t, Institution: inst, Total: total, Days: visit.StatsDays, URL: h.Visit.TourURL(t),
		CanWrite: u.Can(t.InstitutionID, passerelle.PermWrite), CanPublish: u.Can(t.InstitutionID, passerelle.PermSchedule),
		TourForm:   &form{Values: url.Values{"title_zh": {t.TitleZH}, "title_fr": {t.TitleFR}, "title_en": {t.TitleEN}, "intro_zh": {t.IntroZH}, "intro_fr": {t.IntroFR}, "intro_en": {t.IntroEN}}, Errors: map[string]string{}},
		NextNumber: 1, PreviewLang: previewLang(h.localizer(r).Lang)}
	for _, s := range stops {
		p.Stops = append(p.Stops, stopRow{Stop: s, Stat: stats[s.ID], URL: h.Visit.StopURL(t, s.Number)})
		if s.Number >= p.NextNumber {
			p.NextNumber = s.Number + 1
		}
	}
	p.StopForm = &form{Values: url.Values{"number": {strconv.Itoa(min(p.NextNumber, passerelle.MaxStopNumber))}}, Errors: map[string]string{}}
	if p.Kiosk, err = h.kioskPanelData(r, "t", id, t.PublishedAt != nil); err != nil {
		return nil, err
	}
	p.Kiosk.CanWrite = p.CanWrite
	if p.CanWrite {
		if p.Audio, p.Images, err = h.libraryChoices(r, t.InstitutionID); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func previewLang(lang string) string {
	if lang == "fr" || lang == "en" {
		return lang
	}
	return "zh-Hans"
}

func (h *handler) tourPage(w http.ResponseWriter, r *http.Request) {
	showPage(h, w, r, tourView, h.tourData)
}

// tourError shows the tour page again with a form's errors.
func (h *handler) tourError(w http.ResponseWriter, r *http.Request, id int64, f *form, set func(*tourPageData), err error) {
	showFormErrors(h, w, r, tourView, h.tourData, id, f, set, err)
}

func (h *handler) tourUpdate(w http.ResponseWriter, r *http.Request) {
	id, f, ok := h.postedForm(w, r)
	if !ok {
		return
	}
	t := &passerelle.Tour{ID: id, TitleZH: f.Get("title_zh"), TitleFR: f.Get("title_fr"), TitleEN: f.Get("title_en"), IntroZH: f.Get("intro_zh"), IntroFR: f.Get("intro_fr"), IntroEN: f.Get("intro_en")}
	if err := h.Visit.UpdateTour(r.Context(), server.User(r.Context()), t); err != nil {
		h.tourError(w, r, id, f, func(p *tourPageData) { p.TourForm = f }, err)
		return
	}
	h.redirect(w, r, tourPath(id), "visit13.saved")
}

func (h *handler) tourDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	t, err := h.Visit.DeleteTour(r.Context(), server.User(r.Context()), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/institutions/"+strconv.FormatInt(t.InstitutionID, 10)+"/visit", "visit13.tour_deleted")
}

func (h *handler) tourPublish(publish bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if _, _, err := h.Visit.PublishTour(r.Context(), server.User(r.Context()), id, publish); err != nil {
			h.fail(w, r, err)
			return
		}
		key := "visit13.published"
		if !publish {
			key = "visit13.unpublished"
		}
		h.redirect(w, r, tourPath(id), key)
	}
}

// stopFromForm reads a stop's fields; media ids that are not numbers are refused.
func stopFromForm(f *form) (*passerelle.Stop, error) {
	fe := passerelle.FieldErrors{}
	num := func(name string) int64 {
		v := strings.TrimSpace(f.Get(name))
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			if name == "number" {
				fe.Add(name, "A stop number is from 1 to 9999.")
			} else {
				fe.Add(name, "Unknown medium.")
			}
		}
		return n
	}
	s := &passerelle.Stop{Number: int(min(max(num("number"), -1), passerelle.MaxStopNumber+1)), TitleZH: f.Get("title_zh"), TitleFR: f.Get("title_fr"), TitleEN: f.Get("title_en"),
		TranscriptZH: f.Get("transcript_zh"), TranscriptFR: f.Get("transcript_fr"), TranscriptEN: f.Get("transcript_en"),
		AudioMediaID: num("audio_media_id"), AudioFRMediaID: num("audio_fr_media_id"), AudioENMediaID: num("audio_en_media_id"), ImageMediaID: num("image_media_id"),
		Artwork: f.Get("artwork")}
	return s, fe.Err()
}

func (h *handler) stopCreate(w http.ResponseWriter, r *http.Request) {
	id, f, ok := h.postedForm(w, r)
	if !ok {
		return
	}
	s, err := stopFromForm(f)
	if err == nil {
		s.TourID = id
		err = h.Visit.AddStop(r.Context(), server.User(r.Context()), s)
	}
	if err != nil {
		h.tourError(w, r, id, f, func(p *tourPageData) { p.StopForm = f }, err)
		return
	}
	h.redirect(w, r, tourPath(id)+"#stops", "visit13.stop_added")
}

// tourMediaUpload adds an audio file or an image to the institution's library from
// the tour's screen, then comes back to it: the file is then offered in the selects.
func (h *handler) tourMediaUpload(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx := r.Context()
	u := server.User(ctx)
	t, _, err := h.Visit.Tour(ctx, u, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := u.Allow(t.InstitutionID, passerelle.PermWrite); err != nil {
		h.fail(w, r, err)
		return
	}
	back := tourPath(id) + "#library"
	choose := &passerelle.Error{Code: passerelle.EINVALID, Message: "Choose a file to upload."}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		h.redirectError(w, r, back, choose)
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
				err = choose
			} else if !isTooLarge(err) {
				err = errBadForm
			}
			h.mediaRefused(w, r, back, err)
			return
		}
		if part.FormName() != "file" {
			continue
		}
		if part.FileName() == "" {
			h.redirectError(w, r, back, choose)
			return
		}
		if _, _, err := h.Editorial.Upload(ctx, u, t.InstitutionID, part.FileName(), part); err != nil {
			h.mediaRefused(w, r, back, err)
			return
		}
		h.redirect(w, r, back, "flash.media_uploaded")
		return
	}
}

// mediaRefused says on the page why a file was refused (wrong kind, too large).
func (h *handler) mediaRefused(w http.ResponseWriter, r *http.Request, back string, err error) {
	if c := passerelle.ErrorCode(err); c == passerelle.EUNSUPPORTED || c == passerelle.ETOOLARGE {
		h.setFlash(w, r, "e", server.Message(err))
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	h.redirectError(w, r, back, err)
}

// stopFormPage is the data of a stop's edit screen.
type stopFormPage struct {
	Stop     *passerelle.Stop
	Tour     *passerelle.Tour
	URL      string
	CanWrite bool
	Audio    []mediaChoice
	Images   []mediaChoice
	Form     *form
}

func stopValues(s *passerelle.Stop) url.Values {
	id := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	return url.Values{"number": {strconv.Itoa(s.Number)}, "title_zh": {s.TitleZH}, "title_fr": {s.TitleFR}, "title_en": {s.TitleEN},
		"transcript_zh": {s.TranscriptZH}, "transcript_fr": {s.TranscriptFR}, "transcript_en": {s.TranscriptEN},
		"audio_media_id": {id(s.AudioMediaID)}, "audio_fr_media_id": {id(s.AudioFRMediaID)}, "audio_en_media_id": {id(s.AudioENMediaID)},
		"image_media_id": {id(s.ImageMediaID)}, "artwork": {s.Artwork}}
}

func (h *handler) stopFormData(r *http.Request, id int64, f *form) (*stopFormPage, error) {
	u := server.User(r.Context())
	s, t, err := h.Visit.Stop(r.Context(), u, id)
	if err != nil {
		return nil, err
	}
	if f == nil {
		f = &form{Values: stopValues(s), Errors: map[string]string{}}
	}
	p := &stopFormPage{Stop: s, Tour: t, URL: h.Visit.StopURL(t, s.Number), CanWrite: u.Can(t.InstitutionID, passerelle.PermWrite), Form: f}
	if p.Audio, p.Images, err = h.libraryChoices(r, t.InstitutionID); err != nil {
		return nil, err
	}
	return p, nil
}

func (h *handler) stopEdit(w http.ResponseWriter, r *http.Request) {
	showPage(h, w, r, stopView, func(r *http.Request, id int64) (*stopFormPage, error) { return h.stopFormData(r, id, nil) })
}

func (h *handler) stopUpdate(w http.ResponseWriter, r *http.Request) {
	id, f, ok := h.postedForm(w, r)
	if !ok {
		return
	}
	s, err := stopFromForm(f)
	if err == nil {
		s.ID = id
		err = h.Visit.UpdateStop(r.Context(), server.User(r.Context()), s)
	}
	if err != nil {
		showFormErrors(h, w, r, stopView, func(r *http.Request, id int64) (*stopFormPage, error) { return h.stopFormData(r, id, f) }, id, f, nil, err)
		return
	}
	h.redirect(w, r, tourPath(s.TourID)+"#stops", "visit13.saved")
}

func (h *handler) stopDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	s, err := h.Visit.DeleteStop(r.Context(), server.User(r.Context()), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, tourPath(s.TourID)+"#stops", "visit13.stop_deleted")
}

// writeQR answers an SVG QR code of a public address.
func writeQR(w http.ResponseWriter, content, filename string) error {
	b, err := desk.QRSVG(content)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Content-Disposition", `inline; filename="`+filename+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
	return nil
}

func (h *handler) tourQR(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	t, _, err := h.Visit.Tour(r.Context(), server.User(r.Context()), id)
	if err == nil {
		err = writeQR(w, h.Visit.TourURL(t), "tour-"+strconv.FormatInt(id, 10)+".svg")
	}
	if err != nil {
		h.fail(w, r, err)
	}
}

func (h *handler) stopQR(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	s, t, err := h.Visit.Stop(r.Context(), server.User(r.Context()), id)
	if err == nil {
		err = writeQR(w, h.Visit.StopURL(t, s.Number), "stop-"+strconv.Itoa(s.Number)+".svg")
	}
	if err != nil {
		h.fail(w, r, err)
	}
}

// labelsPage is the data of the printable label sheet.
type labelsPage struct {
	Tour   *passerelle.Tour
	Title  string
	Labels []stopLabel
}

type stopLabel struct {
	Number int
	Title  string
	URL    string
	QR     template.URL // a data: URL of the SVG QR code, made here
}

// tourLabels renders an A4 sheet of labels (3 × 4 per page), one per stop: its
// number, its title in Chinese (and French when given) and its QR code.
func (h *handler) tourLabels(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	t, stops, err := h.Visit.Tour(r.Context(), server.User(r.Context()), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := &labelsPage{Tour: t}
	for _, s := range stops {
		u := h.Visit.StopURL(t, s.Number)
		svg, err := desk.QRSVG(u)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		title := s.TitleZH
		if s.TitleFR != "" {
			title += " · " + s.TitleFR
		}
		p.Labels = append(p.Labels, stopLabel{Number: s.Number, Title: title, URL: u, QR: template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(svg))})
	}
	h.render(w, r, view{name: "tour_labels", title: "visit13.labels", nav: "institutions"}, p)
}

func (h *handler) tourPreview(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	n := 0
	if v := r.PathValue("n"); v != "" {
		if n, err = strconv.Atoi(v); err != nil || n < 1 || n > passerelle.MaxStopNumber {
			h.fail(w, r, passerelle.ErrNotFound)
			return
		}
	}
	h.preview(w, r, "t", id, n, tourPath(id)+"/preview")
}

func (h *handler) tourPreviewGo(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if _, _, err := h.Visit.Tour(r.Context(), server.User(r.Context()), id); err != nil {
		h.fail(w, r, err)
		return
	}
	n, err := strconv.Atoi(strings.TrimSpace(r.URL.Query().Get("n")))
	if err != nil || n < 1 || n > passerelle.MaxStopNumber {
		n = 0
	}
	http.Redirect(w, r, tourPath(id)+"/preview/"+strconv.Itoa(n)+"?lang="+previewLang(r.URL.Query().Get("lang")), http.StatusSeeOther)
}

func (h *handler) exhibitionPreview(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.preview(w, r, "e", id, 0, exhibitionPath(id)+"/preview")
}

// preview answers a visitor page rendered for the editor (in the phone frame of the
// tour's or exhibition's screen), with the media served by visitMedia.
func (h *handler) preview(w http.ResponseWriter, r *http.Request, kind string, id int64, n int, base string) {
	lang := r.URL.Query().Get("lang")
	if lang == "" {
		lang = previewLang(h.localizer(r).Lang)
	}
	status, body, err := h.Visit.Preview(r.Context(), server.User(r.Context()), kind, id, n, lang, base, func(m *store.MediaAsset) string {
		return "/visit-media/" + strconv.FormatInt(m.ID, 10)
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(body)
}

// visitMedia serves a medium's original bytes to members who may see it, with
// ranges, for the previews' audio players and images.
func (h *handler) visitMedia(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	m, rc, err := h.Editorial.OpenMedia(r.Context(), server.User(r.Context()), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	defer rc.Close()
	if !strings.HasPrefix(m.MIME, "audio/") && !strings.HasPrefix(m.MIME, "image/") {
		h.fail(w, r, passerelle.ErrNotFound)
		return
	}
	rs, ok := rc.(io.ReadSeeker)
	if !ok {
		data, err := io.ReadAll(io.LimitReader(rc, m.Bytes+1))
		if err != nil {
			h.fail(w, r, err)
			return
		}
		rs = strings.NewReader(string(data))
	}
	hd := w.Header()
	hd.Set("Content-Type", m.MIME)
	hd.Set("Cache-Control", "private, max-age=3600")
	hd.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", m.CreatedAt, rs)
}

package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/visit"
)

// The exhibition builder: titles, digest and cover, rooms in order, works in each
// room (image, story, optional audio), publication, preview and counts.

// exhibitionPageData is the data of an exhibition's screen.
type exhibitionPageData struct {
	Exhibition  *passerelle.Exhibition
	Institution *passerelle.Institution
	URL         string
	Stat        visit.StopStat
	Days        int
	CanWrite    bool
	CanPublish  bool
	Audio       []mediaChoice
	Images      []mediaChoice
	Form        *form
	RoomForm    *form
	WorkForm    *form
	PreviewLang string
	// Names of media by id, to show a work's image and audio by their file names.
	Names map[int64]string
	Kiosk *kioskPanel
}

func (h *handler) exhibitionData(r *http.Request, id int64) (*exhibitionPageData, error) {
	ctx := r.Context()
	u := server.User(ctx)
	e, err := h.Visit.Exhibition(ctx, u, id)
	if err != nil {
		return nil, err
	}
	inst, err := h.Tenancy.Institution(ctx, u, e.InstitutionID)
	if err != nil {
		return nil, err
	}
	st, err := h.Visit.ExhibitionStats(ctx, u, id)
	if err != nil {
		return nil, err
	}
	cover := ""
	if e.CoverMediaID > 0 {
		cover = strconv.FormatInt(e.CoverMediaID, 10)
	}
	p := &exhibitionPageData{Exhibition: e, Institution: inst, URL: h.Visit.ExhibitionURL(e), Stat: st, Days: visit.StatsDays,
		CanWrite: u.Can(e.InstitutionID, passerelle.PermWrite), CanPublish: u.Can(e.InstitutionID, passerelle.PermSchedule),
		Form:     &form{Values: url.Values{"title_zh": {e.TitleZH}, "title_fr": {e.TitleFR}, "title_en": {e.TitleEN}, "digest_zh": {e.DigestZH}, "cover_media_id": {cover}}, Errors: map[string]string{}},
		RoomForm: &form{Errors: map[string]string{}}, WorkForm: &form{Errors: map[string]string{}}, PreviewLang: previewLang(h.localizer(r).Lang), Names: map[int64]string{}}
	if p.Audio, p.Images, err = h.libraryChoices(r, e.InstitutionID); err != nil {
		return nil, err
	}
	for _, c := range append(append([]mediaChoice{}, p.Audio...), p.Images...) {
		p.Names[c.ID] = c.Name
	}
	if p.Kiosk, err = h.kioskPanelData(r, "e", id, e.PublishedAt != nil); err != nil {
		return nil, err
	}
	p.Kiosk.CanWrite = p.CanWrite
	return p, nil
}

// exhibitionView is an exhibition's page, shown by exhibitionPage and again by its
// forms when they are refused.
var exhibitionView = view{name: "exhibition_edit", title: "visit13.exhibition", nav: "institutions"}

func (h *handler) exhibitionPage(w http.ResponseWriter, r *http.Request) {
	showPage(h, w, r, exhibitionView, h.exhibitionData)
}

// exhibitionError shows the exhibition page again with a form's errors.
func (h *handler) exhibitionError(w http.ResponseWriter, r *http.Request, id int64, f *form, set func(*exhibitionPageData), err error) {
	showFormErrors(h, w, r, exhibitionView, h.exhibitionData, id, f, set, err)
}

// formID reads an optional id field; "" is 0, anything but a number is an error.
func formID(f *form, name string, fe passerelle.FieldErrors) int64 {
	v := strings.TrimSpace(f.Get(name))
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		fe.Add(name, "Unknown medium.")
		return 0
	}
	return n
}

// editExhibition loads an exhibition, lets change modify it and saves it; the form's
// errors are shown with set on a refusal.
func (h *handler) editExhibition(w http.ResponseWriter, r *http.Request, set func(*exhibitionPageData, *form), change func(*passerelle.Exhibition, *form) error, flashKey string) {
	id, f, ok := h.postedForm(w, r)
	if !ok {
		return
	}
	u := server.User(r.Context())
	e, err := h.Visit.Exhibition(r.Context(), u, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := u.Allow(e.InstitutionID, passerelle.PermWrite); err != nil {
		h.fail(w, r, err)
		return
	}
	if err = change(e, f); err == nil {
		err = h.Visit.UpdateExhibition(r.Context(), u, e)
	}
	if err != nil {
		h.exhibitionError(w, r, id, f, func(p *exhibitionPageData) { set(p, f) }, err)
		return
	}
	h.redirect(w, r, exhibitionPath(id)+"#rooms", flashKey)
}

func (h *handler) exhibitionUpdate(w http.ResponseWriter, r *http.Request) {
	h.editExhibition(w, r, func(p *exhibitionPageData, f *form) { p.Form = f }, func(e *passerelle.Exhibition, f *form) error {
		fe := passerelle.FieldErrors{}
		e.TitleZH, e.TitleFR, e.TitleEN, e.DigestZH = f.Get("title_zh"), f.Get("title_fr"), f.Get("title_en"), f.Get("digest_zh")
		e.CoverMediaID = formID(f, "cover_media_id", fe)
		return fe.Err()
	}, "visit13.saved")
}

// roomIndex reads the index of a room (from 0); out of range is an error.
func roomIndex(e *passerelle.Exhibition, f *form, fe passerelle.FieldErrors) int {
	i, err := strconv.Atoi(f.Get("room"))
	if err != nil || i < 0 || i >= len(e.Rooms) {
		fe.Add("room", "Choose a room.")
		return -1
	}
	return i
}

func (h *handler) roomAdd(w http.ResponseWriter, r *http.Request) {
	h.editExhibition(w, r, func(p *exhibitionPageData, f *form) { p.RoomForm = f }, func(e *passerelle.Exhibition, f *form) error {
		fe := passerelle.FieldErrors{}
		room := passerelle.Room{TitleZH: strings.TrimSpace(f.Get("title_zh")), TitleFR: strings.TrimSpace(f.Get("title_fr")), TitleEN: strings.TrimSpace(f.Get("title_en")), Works: []passerelle.Work{}}
		if room.TitleZH == "" {
			fe.Add("title_zh", "A Chinese title is required.")
		}
		e.Rooms = append(e.Rooms, room)
		return fe.Err()
	}, "visit13.room_added")
}

func (h *handler) roomRemove(w http.ResponseWriter, r *http.Request) {
	h.editExhibition(w, r, func(p *exhibitionPageData, f *form) {}, func(e *passerelle.Exhibition, f *form) error {
		fe := passerelle.FieldErrors{}
		if i := roomIndex(e, f, fe); i >= 0 {
			e.Rooms = append(e.Rooms[:i], e.Rooms[i+1:]...)
		}
		return fe.Err()
	}, "visit13.room_removed")
}

func (h *handler) workAdd(w http.ResponseWriter, r *http.Request) {
	h.editExhibition(w, r, func(p *exhibitionPageData, f *form) { p.WorkForm = f }, func(e *passerelle.Exhibition, f *form) error {
		fe := passerelle.FieldErrors{}
		i := roomIndex(e, f, fe)
		wk := passerelle.Work{TitleZH: strings.TrimSpace(f.Get("title_zh")), TitleFR: strings.TrimSpace(f.Get("title_fr")), TitleEN: strings.TrimSpace(f.Get("title_en")),
			Artist: strings.TrimSpace(f.Get("artist")), StoryZH: f.Get("story_zh"), StoryFR: f.Get("story_fr"), StoryEN: f.Get("story_en"),
			ImageMediaID: formID(f, "image_media_id", fe), AudioMediaID: formID(f, "audio_media_id", fe)}
		if wk.TitleZH == "" {
			fe.Add("title_zh", "A Chinese title is required.")
		}
		if err := fe.Err(); err != nil {
			return err
		}
		e.Rooms[i].Works = append(e.Rooms[i].Works, wk)
		return nil
	}, "visit13.work_added")
}

func (h *handler) workRemove(w http.ResponseWriter, r *http.Request) {
	h.editExhibition(w, r, func(p *exhibitionPageData, f *form) {}, func(e *passerelle.Exhibition, f *form) error {
		fe := passerelle.FieldErrors{}
		i := roomIndex(e, f, fe)
		if i < 0 {
			return fe.Err()
		}
		j, err := strconv.Atoi(f.Get("work"))
		if err != nil || j < 0 || j >= len(e.Rooms[i].Works) {
			fe.Add("work", "Choose a work.")
			return fe.Err()
		}
		e.Rooms[i].Works = append(e.Rooms[i].Works[:j], e.Rooms[i].Works[j+1:]...)
		return nil
	}, "visit13.work_removed")
}

func (h *handler) exhibitionDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	e, err := h.Visit.DeleteExhibition(r.Context(), server.User(r.Context()), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/institutions/"+strconv.FormatInt(e.InstitutionID, 10)+"/visit", "visit13.exhibition_deleted")
}

func (h *handler) exhibitionPublish(publish bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if _, _, err := h.Visit.PublishExhibition(r.Context(), server.User(r.Context()), id, publish); err != nil {
			h.fail(w, r, err)
			return
		}
		key := "visit13.published"
		if !publish {
			key = "visit13.unpublished"
		}
		h.redirect(w, r, exhibitionPath(id), key)
	}
}

func (h *handler) exhibitionQR(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	e, err := h.Visit.Exhibition(r.Context(), server.User(r.Context()), id)
	if err == nil {
		err = writeQR(w, h.Visit.ExhibitionURL(e), "exhibition-"+strconv.FormatInt(id, 10)+".svg")
	}
	if err != nil {
		h.fail(w, r, err)
	}
}

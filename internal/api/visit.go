package api

import (
	"net/http"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/visit"
)

// Visit serves the editing of visitor pages: audioguide tours, their stops, virtual
// exhibitions, and their publication.
type Visit struct {
	srv *server.Server
	svc *visit.Service
}

// RegisterVisit adds the tour and exhibition routes.
func RegisterVisit(srv *server.Server, svc *visit.Service) *Visit {
	v := &Visit{srv: srv, svc: svc}
	srv.HandleFunc("POST /api/v1/institutions/{id}/tours", server.API, v.createTour)
	srv.HandleFunc("GET /api/v1/tours/{id}", server.API, v.getTour)
	srv.HandleFunc("POST /api/v1/tours/{id}/stops", server.API, v.addStop)
	srv.HandleFunc("POST /api/v1/tours/{id}/publish", server.API, v.publishTour(true))
	srv.HandleFunc("POST /api/v1/tours/{id}/unpublish", server.API, v.publishTour(false))
	srv.HandleFunc("POST /api/v1/institutions/{id}/exhibitions", server.API, v.createExhibition)
	srv.HandleFunc("POST /api/v1/exhibitions/{id}/publish", server.API, v.publishExhibition(true))
	srv.HandleFunc("POST /api/v1/exhibitions/{id}/unpublish", server.API, v.publishExhibition(false))
	v.registerKiosk()
	return v
}

type tourRequest struct {
	TitleZH string `json:"title_zh"`
	TitleFR string `json:"title_fr"`
	TitleEN string `json:"title_en"`
	IntroZH string `json:"intro_zh"`
	IntroFR string `json:"intro_fr"`
	IntroEN string `json:"intro_en"`
}

type tourResponse struct {
	*passerelle.Tour
	// URL is the public address; it answers only while the tour is published.
	URL   string          `json:"url"`
	Stops []*stopResponse `json:"stops"`
}

type stopResponse struct {
	*passerelle.Stop
	URL string `json:"url"`
}

func (v *Visit) createTour(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		v.srv.Error(w, r, err)
		return
	}
	var req tourRequest
	if err := decode(r, &req); err != nil {
		v.srv.Error(w, r, err)
		return
	}
	t := &passerelle.Tour{InstitutionID: id, TitleZH: req.TitleZH, TitleFR: req.TitleFR, TitleEN: req.TitleEN, IntroZH: req.IntroZH, IntroFR: req.IntroFR, IntroEN: req.IntroEN}
	if err := v.svc.CreateTour(r.Context(), server.User(r.Context()), t); err != nil {
		v.srv.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/tours/"+itoa(t.ID))
	server.WriteJSON(w, http.StatusCreated, tourResponse{Tour: t, URL: v.svc.TourURL(t), Stops: []*stopResponse{}})
}

func (v *Visit) getTour(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		v.srv.Error(w, r, err)
		return
	}
	t, stops, err := v.svc.Tour(r.Context(), server.User(r.Context()), id)
	if err != nil {
		v.srv.Error(w, r, err)
		return
	}
	out := tourResponse{Tour: t, URL: v.svc.TourURL(t), Stops: []*stopResponse{}}
	for _, s := range stops {
		out.Stops = append(out.Stops, &stopResponse{Stop: s, URL: v.svc.StopURL(t, s.Number)})
	}
	server.WriteJSON(w, http.StatusOK, out)
}

type stopRequest struct {
	Number         int    `json:"number"`
	TitleZH        string `json:"title_zh"`
	TitleFR        string `json:"title_fr"`
	TitleEN        string `json:"title_en"`
	TranscriptZH   string `json:"transcript_zh"`
	TranscriptFR   string `json:"transcript_fr"`
	TranscriptEN   string `json:"transcript_en"`
	AudioMediaID   int64  `json:"audio_media_id"`
	AudioFRMediaID int64  `json:"audio_fr_media_id"`
	AudioENMediaID int64  `json:"audio_en_media_id"`
	ImageMediaID   int64  `json:"image_media_id"`
	Artwork        string `json:"artwork"`
}

func (v *Visit) addStop(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		v.srv.Error(w, r, err)
		return
	}
	var req stopRequest
	if err := decode(r, &req); err != nil {
		v.srv.Error(w, r, err)
		return
	}
	s := &passerelle.Stop{TourID: id, Number: req.Number, TitleZH: req.TitleZH, TitleFR: req.TitleFR, TitleEN: req.TitleEN,
		TranscriptZH: req.TranscriptZH, TranscriptFR: req.TranscriptFR, TranscriptEN: req.TranscriptEN,
		AudioMediaID: req.AudioMediaID, AudioFRMediaID: req.AudioFRMediaID, AudioENMediaID: req.AudioENMediaID, ImageMediaID: req.ImageMediaID, Artwork: req.Artwork}
	u := server.User(r.Context())
	if err := v.svc.AddStop(r.Context(), u, s); err != nil {
		v.srv.Error(w, r, err)
		return
	}
	t, _, err := v.svc.Tour(r.Context(), u, id)
	if err != nil {
		v.srv.Error(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusCreated, stopResponse{Stop: s, URL: v.svc.StopURL(t, s.Number)})
}

type publishResponse struct {
	ID          int64  `json:"id"`
	URL         string `json:"url"`
	PublishedAt any    `json:"published_at"`
}

func (v *Visit) publishTour(publish bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			v.srv.Error(w, r, err)
			return
		}
		t, url, err := v.svc.PublishTour(r.Context(), server.User(r.Context()), id, publish)
		if err != nil {
			v.srv.Error(w, r, err)
			return
		}
		server.WriteJSON(w, http.StatusOK, publishResponse{ID: t.ID, URL: url, PublishedAt: t.PublishedAt})
	}
}

type exhibitionRequest struct {
	TitleZH      string            `json:"title_zh"`
	TitleFR      string            `json:"title_fr"`
	TitleEN      string            `json:"title_en"`
	DigestZH     string            `json:"digest_zh"`
	CoverMediaID int64             `json:"cover_media_id"`
	Rooms        []passerelle.Room `json:"rooms"`
}

type exhibitionResponse struct {
	*passerelle.Exhibition
	URL string `json:"url"`
}

func (v *Visit) createExhibition(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		v.srv.Error(w, r, err)
		return
	}
	var req exhibitionRequest
	if err := decode(r, &req); err != nil {
		v.srv.Error(w, r, err)
		return
	}
	e := &passerelle.Exhibition{InstitutionID: id, TitleZH: req.TitleZH, TitleFR: req.TitleFR, TitleEN: req.TitleEN, DigestZH: req.DigestZH, CoverMediaID: req.CoverMediaID, Rooms: req.Rooms}
	if err := v.svc.CreateExhibition(r.Context(), server.User(r.Context()), e); err != nil {
		v.srv.Error(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusCreated, exhibitionResponse{Exhibition: e, URL: v.svc.ExhibitionURL(e)})
}

func (v *Visit) publishExhibition(publish bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			v.srv.Error(w, r, err)
			return
		}
		e, url, err := v.svc.PublishExhibition(r.Context(), server.User(r.Context()), id, publish)
		if err != nil {
			v.srv.Error(w, r, err)
			return
		}
		server.WriteJSON(w, http.StatusOK, publishResponse{ID: e.ID, URL: url, PublishedAt: e.PublishedAt})
	}
}

// Package visit holds the visitor pages of an institution: audioguide tours with
// numbered stops and virtual exhibitions, their editing operations (callable from the
// API, the web interface and the CLI alike) and their public pages, made for WeChat's
// in-app browser on a slow phone link: no script, no external origin, a few KB of
// HTML, audio served with ranges and immutable caching, addressed by random tokens.
package visit

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/i18n"
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Service edits and serves tours and exhibitions.
type Service struct {
	DB    *store.DB
	Media media.Store
	// BaseURL is the absolute address of the server ("https://passerelle.example"),
	// from which public URLs are made.
	BaseURL string
	Logger  *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Limits bound the decoding of images for their renditions (the Gate shared with
	// the media library).
	Limits media.Limits

	catalog *i18n.Catalog
	pages   *cache
	files   *files
	web     *webSets

	countOnce sync.Once
	counter   *counter

	// background counts the work started for a request that outlives it (renditions
	// being made, counts being written); Close waits for it.
	background sync.WaitGroup

	kiosks kioskCache

	// languages remembers the language matched to an Accept-Language header
	// (string → string), languageCount how many it holds.
	languages     sync.Map
	languageCount atomic.Int64
}

// New returns a service ready to serve.
func New(db *store.DB, st media.Store, baseURL string, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{DB: db, Media: st, BaseURL: strings.TrimRight(baseURL, "/"), Logger: logger, catalog: i18n.Shared(), pages: newCache(), files: newFiles(), web: newWebSets()}
}

// Close waits for the work started in the background (image renditions being made,
// counts being written), then writes the counts still in memory. Call it once the
// server no longer answers requests, before closing the database.
func (s *Service) Close(ctx context.Context) error {
	s.background.Wait()
	return s.Flush(ctx)
}

// Public paths. Tokens are random; ids never appear.
const (
	tourPrefix       = "/v/t/"
	exhibitionPrefix = "/v/e/"
	audioPrefix      = "/v/audio/"
	imagePrefix      = "/v/img/"
)

// TourURL is the absolute public address of a tour.
func (s *Service) TourURL(t *passerelle.Tour) string { return s.BaseURL + tourPrefix + t.PublicToken }

// StopURL is the absolute public address of a tour's stop (what its QR code opens).
func (s *Service) StopURL(t *passerelle.Tour, number int) string {
	return s.TourURL(t) + "/" + strconv.Itoa(number)
}

// ExhibitionURL is the absolute public address of an exhibition.
func (s *Service) ExhibitionURL(e *passerelle.Exhibition) string {
	return s.BaseURL + exhibitionPrefix + e.PublicToken
}

// CreateTour records a tour in an institution the user may write in.
func (s *Service) CreateTour(ctx context.Context, u *passerelle.User, t *passerelle.Tour) error {
	if err := u.Allow(t.InstitutionID, passerelle.PermWrite); err != nil {
		return err
	}
	return s.DB.CreateTour(ctx, u.OrgID, t)
}

// Tour returns a tour the user may see, with its stops.
func (s *Service) Tour(ctx context.Context, u *passerelle.User, id int64) (*passerelle.Tour, []*passerelle.Stop, error) {
	t, err := s.DB.Tour(ctx, u.OrgID, id)
	if err != nil {
		return nil, nil, err
	}
	if err := u.Allow(t.InstitutionID, passerelle.PermView); err != nil {
		return nil, nil, err
	}
	stops, err := s.DB.Stops(ctx, t.ID)
	return t, stops, err
}

// AddStop adds a stop to a tour the user may write in. A published tour's pages are
// rendered again.
func (s *Service) AddStop(ctx context.Context, u *passerelle.User, st *passerelle.Stop) error {
	t, err := s.DB.Tour(ctx, u.OrgID, st.TourID)
	if err != nil {
		return err
	}
	if err := u.Allow(t.InstitutionID, passerelle.PermWrite); err != nil {
		return err
	}
	if err := s.DB.AddStop(ctx, u.OrgID, st); err != nil {
		return err
	}
	s.pages.forget(tourPrefix + t.PublicToken)
	s.kiosks.forget("t/" + t.PublicToken)
	return nil
}

// PublishTour publishes (or unpublishes) a tour, for users who may schedule in its
// institution, and pre-renders its pages; it returns the tour and its public URL.
func (s *Service) PublishTour(ctx context.Context, u *passerelle.User, id int64, publish bool) (*passerelle.Tour, string, error) {
	t, err := s.DB.Tour(ctx, u.OrgID, id)
	if err != nil {
		return nil, "", err
	}
	if err := u.Allow(t.InstitutionID, passerelle.PermSchedule); err != nil {
		return nil, "", err
	}
	if t, err = s.DB.SetTourPublished(ctx, u.OrgID, id, publish); err != nil {
		return nil, "", err
	}
	s.pages.forget(tourPrefix + t.PublicToken)
	s.kiosks.forget("t/" + t.PublicToken)
	if publish {
		s.prerenderTour(ctx, t.PublicToken)
	}
	return t, s.TourURL(t), nil
}

// CreateExhibition records an exhibition in an institution the user may write in.
func (s *Service) CreateExhibition(ctx context.Context, u *passerelle.User, e *passerelle.Exhibition) error {
	if err := u.Allow(e.InstitutionID, passerelle.PermWrite); err != nil {
		return err
	}
	return s.DB.CreateExhibition(ctx, u.OrgID, e)
}

// PublishExhibition publishes (or unpublishes) an exhibition and returns its URL.
func (s *Service) PublishExhibition(ctx context.Context, u *passerelle.User, id int64, publish bool) (*passerelle.Exhibition, string, error) {
	e, err := s.DB.Exhibition(ctx, u.OrgID, id)
	if err != nil {
		return nil, "", err
	}
	if err := u.Allow(e.InstitutionID, passerelle.PermSchedule); err != nil {
		return nil, "", err
	}
	if e, err = s.DB.SetExhibitionPublished(ctx, u.OrgID, id, publish); err != nil {
		return nil, "", err
	}
	s.pages.forget(exhibitionPrefix + e.PublicToken)
	s.kiosks.forget("e/" + e.PublicToken)
	return e, s.ExhibitionURL(e), nil
}

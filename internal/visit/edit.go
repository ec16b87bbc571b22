package visit

import (
	"context"
	"net/http"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// The editing operations beyond creation, for the editors' screens: lists, changes,
// deletions and a preview of unpublished pages. Writers edit; deleting a published
// tour or exhibition takes the right to publish.

// Tours lists an institution's tours with their numbers of stops.
func (s *Service) Tours(ctx context.Context, u *passerelle.User, institutionID int64) ([]*store.TourSummary, error) {
	if err := u.Allow(institutionID, passerelle.PermView); err != nil {
		return nil, err
	}
	return s.DB.ToursOf(ctx, u.OrgID, institutionID)
}

// Exhibitions lists an institution's exhibitions.
func (s *Service) Exhibitions(ctx context.Context, u *passerelle.User, institutionID int64) ([]*passerelle.Exhibition, error) {
	if err := u.Allow(institutionID, passerelle.PermView); err != nil {
		return nil, err
	}
	return s.DB.ExhibitionsOf(ctx, u.OrgID, institutionID)
}

// UpdateTour saves a tour's titles and introductions; a published tour's pages are
// rendered again.
func (s *Service) UpdateTour(ctx context.Context, u *passerelle.User, t *passerelle.Tour) error {
	old, err := s.DB.Tour(ctx, u.OrgID, t.ID)
	if err != nil {
		return err
	}
	if err := u.Allow(old.InstitutionID, passerelle.PermWrite); err != nil {
		return err
	}
	if err := s.DB.UpdateTour(ctx, u.OrgID, t); err != nil {
		return err
	}
	s.pages.forget(tourPrefix + t.PublicToken)
	s.kiosks.forget("t/" + old.PublicToken)
	return nil
}

// DeleteTour deletes a tour, its stops and their counts.
func (s *Service) DeleteTour(ctx context.Context, u *passerelle.User, id int64) (*passerelle.Tour, error) {
	t, err := s.DB.Tour(ctx, u.OrgID, id)
	if err != nil {
		return nil, err
	}
	perm := passerelle.PermWrite
	if t.PublishedAt != nil {
		perm = passerelle.PermSchedule
	}
	if err := u.Allow(t.InstitutionID, perm); err != nil {
		return nil, err
	}
	s.Flush(ctx)
	if t, err = s.DB.DeleteTour(ctx, u.OrgID, id); err != nil {
		return nil, err
	}
	s.forgetToken("t", t.PublicToken)
	return t, nil
}

// forgetToken drops the cached pages and beacon resolution of a token.
func (s *Service) forgetToken(kind, token string) {
	prefix := tourPrefix
	if kind == "e" {
		prefix = exhibitionPrefix
	}
	s.pages.forget(prefix + token)
	s.kiosks.forget(kind + "/" + token)
	c := s.counts()
	c.mu.Lock()
	delete(c.ids, kind+token)
	c.mu.Unlock()
}

// Stop returns a stop the user may see, with its tour.
func (s *Service) Stop(ctx context.Context, u *passerelle.User, id int64) (*passerelle.Stop, *passerelle.Tour, error) {
	st, t, err := s.DB.Stop(ctx, u.OrgID, id)
	if err != nil {
		return nil, nil, err
	}
	if err := u.Allow(t.InstitutionID, passerelle.PermView); err != nil {
		return nil, nil, err
	}
	return st, t, nil
}

// UpdateStop saves a stop of a tour the user may write in.
func (s *Service) UpdateStop(ctx context.Context, u *passerelle.User, st *passerelle.Stop) error {
	_, t, err := s.DB.Stop(ctx, u.OrgID, st.ID)
	if err != nil {
		return err
	}
	if err := u.Allow(t.InstitutionID, passerelle.PermWrite); err != nil {
		return err
	}
	if err := s.DB.UpdateStop(ctx, u.OrgID, st); err != nil {
		return err
	}
	s.forgetToken("t", t.PublicToken)
	return nil
}

// DeleteStop deletes a stop and its counts; it returns the stop.
func (s *Service) DeleteStop(ctx context.Context, u *passerelle.User, id int64) (*passerelle.Stop, error) {
	_, t, err := s.DB.Stop(ctx, u.OrgID, id)
	if err != nil {
		return nil, err
	}
	if err := u.Allow(t.InstitutionID, passerelle.PermWrite); err != nil {
		return nil, err
	}
	s.Flush(ctx)
	st, err := s.DB.DeleteStop(ctx, u.OrgID, id)
	if err != nil {
		return nil, err
	}
	s.forgetToken("t", t.PublicToken)
	return st, nil
}

// Exhibition returns an exhibition the user may see.
func (s *Service) Exhibition(ctx context.Context, u *passerelle.User, id int64) (*passerelle.Exhibition, error) {
	e, err := s.DB.Exhibition(ctx, u.OrgID, id)
	if err != nil {
		return nil, err
	}
	if err := u.Allow(e.InstitutionID, passerelle.PermView); err != nil {
		return nil, err
	}
	return e, nil
}

// UpdateExhibition saves an exhibition (titles, digest, cover, rooms and works).
func (s *Service) UpdateExhibition(ctx context.Context, u *passerelle.User, e *passerelle.Exhibition) error {
	old, err := s.DB.Exhibition(ctx, u.OrgID, e.ID)
	if err != nil {
		return err
	}
	if err := u.Allow(old.InstitutionID, passerelle.PermWrite); err != nil {
		return err
	}
	if err := s.DB.UpdateExhibition(ctx, u.OrgID, e); err != nil {
		return err
	}
	s.forgetToken("e", old.PublicToken)
	return nil
}

// DeleteExhibition deletes an exhibition and its counts.
func (s *Service) DeleteExhibition(ctx context.Context, u *passerelle.User, id int64) (*passerelle.Exhibition, error) {
	e, err := s.DB.Exhibition(ctx, u.OrgID, id)
	if err != nil {
		return nil, err
	}
	perm := passerelle.PermWrite
	if e.PublishedAt != nil {
		perm = passerelle.PermSchedule
	}
	if err := u.Allow(e.InstitutionID, perm); err != nil {
		return nil, err
	}
	s.Flush(ctx)
	if e, err = s.DB.DeleteExhibition(ctx, u.OrgID, id); err != nil {
		return nil, err
	}
	s.forgetToken("e", e.PublicToken)
	return e, nil
}

// Preview renders a page of a tour (stop 0: the tour's page) or of an exhibition as
// visitors will see it, published or not, for an editor: its links stay under base
// (the preview's own address) and its media come from mediaURL (the editor's
// routes). Nothing is counted. It returns the status and the HTML.
func (s *Service) Preview(ctx context.Context, u *passerelle.User, kind string, id int64, stop int, lang, base string, mediaURL func(*store.MediaAsset) string) (int, []byte, error) {
	v, err := loadViews()
	if err != nil {
		return 0, nil, err
	}
	h := &public{Service: s, views: v}
	if lang != "fr" && lang != "en" {
		lang = "zh-Hans"
	}
	q := "?lang=" + lang
	st := site{base: base, media: mediaURL}
	if kind == "e" {
		e, err := s.Exhibition(ctx, u, id)
		if err != nil {
			return 0, nil, err
		}
		return h.renderExhibitionOf(ctx, e, st, lang, q)
	}
	t, _, err := s.Tour(ctx, u, id)
	if err != nil {
		return 0, nil, err
	}
	if stop == 0 {
		return h.renderTourOf(ctx, t, st, lang, q)
	}
	status, body, err := h.renderStopOf(ctx, t, st, stop, lang, q)
	if err == nil && status == http.StatusNotFound {
		return status, body, passerelle.ErrNotFound
	}
	return status, body, err
}

// StopNumberURL is the public address of a published tour's stop, for an
// institution's followers who send a stop number to its WeChat account: the
// newest published tour of the institution that has a stop of that number. ok is
// false when there is none.
func (s *Service) StopNumberURL(ctx context.Context, institutionID int64, number int) (string, bool, error) {
	if number < 1 || number > passerelle.MaxStopNumber {
		return "", false, nil
	}
	t, err := s.DB.PublishedTourWithStop(ctx, institutionID, number)
	if passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return s.StopURL(t, number), true, nil
}

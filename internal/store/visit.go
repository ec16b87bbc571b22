package store

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/passerelle-oss/passerelle"
)

// newPublicToken returns the random part of a public address: 100 bits, lower-case
// base32, so no one reaches a page by counting.
func newPublicToken() string {
	b := make([]byte, 13)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:20]
}

const tourColumns = `t.id, t.institution_id, t.title_zh, t.title_fr, t.title_en, t.intro_zh, t.intro_fr, t.intro_en, t.public_token, t.published_at, t.created_at, t.updated_at`

// tourOfOrg selects a tour by id (then organization id): not found for another
// organization's.
const tourOfOrg = `SELECT ` + tourColumns + ` FROM tours t JOIN institutions i ON i.id = t.institution_id WHERE t.id = ? AND i.org_id = ?`

func scanTour(s interface{ Scan(...any) error }) (*passerelle.Tour, error) {
	var t passerelle.Tour
	var pub, created, updated nullTime
	err := s.Scan(&t.ID, &t.InstitutionID, &t.TitleZH, &t.TitleFR, &t.TitleEN, &t.IntroZH, &t.IntroFR, &t.IntroEN, &t.PublicToken, &pub, &created, &updated)
	t.PublishedAt, t.CreatedAt, t.UpdatedAt = pub.Ptr(), created.T, updated.T
	return &t, err
}

// CreateTour records a new, unpublished tour of an institution of the organization.
func (db *DB) CreateTour(ctx context.Context, orgID int64, t *passerelle.Tour) error {
	t.Normalize()
	if err := t.Validate(); err != nil {
		return err
	}
	now := db.nowUTC()
	return db.inTx(ctx, func(tx *Tx) error {
		if err := checkInstitution(ctx, tx, orgID, t.InstitutionID); err != nil {
			return err
		}
		token := newPublicToken()
		id, err := tx.q().insert(ctx, `INSERT INTO tours (institution_id, public_token, title_zh, title_fr, title_en, intro_zh, intro_fr, intro_en, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.InstitutionID, token, t.TitleZH, t.TitleFR, t.TitleEN, t.IntroZH, t.IntroFR, t.IntroEN, now, now)
		if err != nil {
			return err
		}
		t.ID, t.PublicToken, t.CreatedAt, t.UpdatedAt, t.PublishedAt = id, token, now, now, nil
		return nil
	})
}

// Tour returns a tour of the organization (not_found for another's).
func (db *DB) Tour(ctx context.Context, orgID, id int64) (*passerelle.Tour, error) {
	t, err := scanTour(db.r().row(ctx, tourOfOrg, id, orgID))
	return t, db.mapErr(err)
}

// PublishedTour returns the published tour of a public token; not_found when there
// is none or it is not published.
func (db *DB) PublishedTour(ctx context.Context, token string) (*passerelle.Tour, error) {
	t, err := scanTour(db.r().row(ctx, `SELECT `+tourColumns+` FROM tours t WHERE t.public_token = ? AND t.published_at IS NOT NULL`, token))
	return t, db.mapErr(err)
}

// SetTourPublished publishes (or unpublishes) a tour of the organization.
func (db *DB) SetTourPublished(ctx context.Context, orgID, id int64, published bool) (*passerelle.Tour, error) {
	var out *passerelle.Tour
	err := db.inTx(ctx, func(tx *Tx) error {
		t, err := scanTour(tx.q().row(ctx, tourOfOrg, id, orgID))
		if err != nil {
			return db.mapErr(err)
		}
		now := db.nowUTC()
		var at any
		if published {
			at = now
			t.PublishedAt = &now
		} else {
			t.PublishedAt = nil
		}
		if _, err := tx.q().exec(ctx, `UPDATE tours SET published_at = ?, updated_at = ? WHERE id = ?`, at, now, id); err != nil {
			return err
		}
		t.UpdatedAt = now
		out = t
		return nil
	})
	return out, err
}

const stopColumns = `s.id, s.tour_id, s.number, s.title_zh, s.title_fr, s.title_en, s.transcript_zh, s.transcript_fr, s.transcript_en,
	COALESCE(s.audio_media_id, 0), COALESCE(s.audio_fr_media_id, 0), COALESCE(s.audio_en_media_id, 0), COALESCE(s.image_media_id, 0), s.artwork, s.created_at`

// stopOfOrg selects a stop by id (then organization id).
const stopOfOrg = `SELECT ` + stopColumns + ` FROM tour_stops s JOIN tours t ON t.id = s.tour_id JOIN institutions i ON i.id = t.institution_id WHERE s.id = ? AND i.org_id = ?`

func scanStop(s interface{ Scan(...any) error }) (*passerelle.Stop, error) {
	var st passerelle.Stop
	var created nullTime
	err := s.Scan(&st.ID, &st.TourID, &st.Number, &st.TitleZH, &st.TitleFR, &st.TitleEN, &st.TranscriptZH, &st.TranscriptFR, &st.TranscriptEN,
		&st.AudioMediaID, &st.AudioFRMediaID, &st.AudioENMediaID, &st.ImageMediaID, &st.Artwork, &created)
	st.CreatedAt = created.T
	return &st, err
}

// AddStop adds a stop to a tour of the organization. Its media must be the tour's
// institution's, audio for the audio fields and an image for the image; a number
// already used in the tour is EINVALID.
func (db *DB) AddStop(ctx context.Context, orgID int64, s *passerelle.Stop) error {
	s.Normalize()
	if err := s.Validate(); err != nil {
		return err
	}
	now := db.nowUTC()
	return db.inTx(ctx, func(tx *Tx) error {
		t, err := scanTour(tx.q().row(ctx, tourOfOrg, s.TourID, orgID))
		if err != nil {
			return db.mapErr(err)
		}
		f := passerelle.FieldErrors{}
		if err := checkStopMedia(ctx, tx, t.InstitutionID, s, f); err != nil {
			return err
		}
		var n int
		if err := tx.q().row(ctx, `SELECT COUNT(*) FROM tour_stops WHERE tour_id = ? AND number = ?`, s.TourID, s.Number).Scan(&n); err != nil {
			return db.mapErr(err)
		}
		if n > 0 {
			f.Add("number", "This tour already has a stop with this number.")
		}
		if err := f.Err(); err != nil {
			return err
		}
		id, err := tx.q().insert(ctx, `INSERT INTO tour_stops (tour_id, number, title_zh, title_fr, title_en, transcript_zh, transcript_fr, transcript_en,
			audio_media_id, audio_fr_media_id, audio_en_media_id, image_media_id, artwork, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			s.TourID, s.Number, s.TitleZH, s.TitleFR, s.TitleEN, s.TranscriptZH, s.TranscriptFR, s.TranscriptEN,
			nullID(s.AudioMediaID), nullID(s.AudioFRMediaID), nullID(s.AudioENMediaID), nullID(s.ImageMediaID), s.Artwork, now)
		if err != nil {
			return err
		}
		if _, err := tx.q().exec(ctx, `UPDATE tours SET updated_at = ? WHERE id = ?`, now, s.TourID); err != nil {
			return err
		}
		s.ID, s.CreatedAt = id, now
		return nil
	})
}

// checkStopMedia records in f the media of a stop that are not the institution's or
// not of the right kind (audio for the audio fields, an image for the image).
func checkStopMedia(ctx context.Context, tx *Tx, institutionID int64, s *passerelle.Stop, f passerelle.FieldErrors) error {
	for field, want := range map[string]struct {
		id     int64
		prefix string
	}{
		"audio_media_id": {s.AudioMediaID, "audio/"}, "audio_fr_media_id": {s.AudioFRMediaID, "audio/"},
		"audio_en_media_id": {s.AudioENMediaID, "audio/"}, "image_media_id": {s.ImageMediaID, "image/"},
	} {
		if want.id == 0 {
			continue
		}
		var mime string
		err := tx.q().row(ctx, `SELECT mime FROM media_assets WHERE id = ? AND institution_id = ? AND archived_at IS NULL`, want.id, institutionID).Scan(&mime)
		switch {
		case tx.db.mapErr(err) == passerelle.ErrNotFound:
			f.Add(field, "No such medium in this institution's library.")
		case err != nil:
			return tx.db.mapErr(err)
		case !strings.HasPrefix(mime, want.prefix):
			if want.prefix == "audio/" {
				f.Add(field, "This medium is not an audio file.")
			} else {
				f.Add(field, "This medium is not an image.")
			}
		}
	}
	return nil
}

// Stops lists a tour's stops by number. The caller has checked the tour is visible.
func (db *DB) Stops(ctx context.Context, tourID int64) ([]*passerelle.Stop, error) {
	rows, err := db.r().query(ctx, `SELECT `+stopColumns+` FROM tour_stops s WHERE s.tour_id = ? ORDER BY s.number`, tourID)
	if err != nil {
		return nil, db.mapErr(err)
	}
	defer rows.Close()
	var out []*passerelle.Stop
	for rows.Next() {
		s, err := scanStop(rows)
		if err != nil {
			return nil, db.mapErr(err)
		}
		out = append(out, s)
	}
	return out, db.mapErr(rows.Err())
}

// VisitMedia returns the media of an institution by id, for rendering public pages.
func (db *DB) VisitMedia(ctx context.Context, institutionID int64, ids []int64) (map[int64]*MediaAsset, error) {
	out := map[int64]*MediaAsset{}
	if len(ids) == 0 {
		return out, nil
	}
	w := where{}
	w.add("m.institution_id = ?", institutionID)
	w.in("m.id", ids)
	rows, err := db.r().query(ctx, `SELECT `+mediaColumns+` FROM media_assets m`+w.sql(), w.args...)
	if err != nil {
		return nil, db.mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMedia(rows)
		if err != nil {
			return nil, db.mapErr(err)
		}
		out[m.ID] = m
	}
	return out, db.mapErr(rows.Err())
}

const exhibitionColumns = `e.id, e.institution_id, e.title_zh, e.title_fr, e.title_en, e.digest_zh, COALESCE(e.cover_media_id, 0), e.rooms, e.public_token, e.published_at, e.created_at, e.updated_at`

// exhibitionOfOrg selects an exhibition by id (then organization id).
const exhibitionOfOrg = `SELECT ` + exhibitionColumns + ` FROM exhibitions e JOIN institutions i ON i.id = e.institution_id WHERE e.id = ? AND i.org_id = ?`

func scanExhibition(s interface{ Scan(...any) error }) (*passerelle.Exhibition, error) {
	var e passerelle.Exhibition
	var rooms string
	var pub, created, updated nullTime
	err := s.Scan(&e.ID, &e.InstitutionID, &e.TitleZH, &e.TitleFR, &e.TitleEN, &e.DigestZH, &e.CoverMediaID, &rooms, &e.PublicToken, &pub, &created, &updated)
	if err != nil {
		return nil, err
	}
	e.PublishedAt, e.CreatedAt, e.UpdatedAt = pub.Ptr(), created.T, updated.T
	if err := json.Unmarshal([]byte(rooms), &e.Rooms); err != nil {
		return nil, fmt.Errorf("exhibition %d rooms: %w", e.ID, err)
	}
	return &e, nil
}

// validRooms validates e and returns its rooms as stored: JSON, [] for none.
func validRooms(e *passerelle.Exhibition) ([]byte, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	if e.Rooms == nil {
		e.Rooms = []passerelle.Room{}
	}
	return json.Marshal(e.Rooms)
}

// CreateExhibition records a new, unpublished exhibition; every medium it names must
// be the institution's (images for images, audio for audio).
func (db *DB) CreateExhibition(ctx context.Context, orgID int64, e *passerelle.Exhibition) error {
	rooms, err := validRooms(e)
	if err != nil {
		return err
	}
	now := db.nowUTC()
	return db.inTx(ctx, func(tx *Tx) error {
		if err := checkInstitution(ctx, tx, orgID, e.InstitutionID); err != nil {
			return err
		}
		if err := checkExhibitionMedia(ctx, tx, e); err != nil {
			return err
		}
		token := newPublicToken()
		id, err := tx.q().insert(ctx, `INSERT INTO exhibitions (institution_id, public_token, title_zh, title_fr, title_en, digest_zh, cover_media_id, rooms, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.InstitutionID, token, e.TitleZH, e.TitleFR, e.TitleEN, e.DigestZH, nullID(e.CoverMediaID), string(rooms), now, now)
		if err != nil {
			return err
		}
		e.ID, e.PublicToken, e.CreatedAt, e.UpdatedAt, e.PublishedAt = id, token, now, now, nil
		return nil
	})
}

// Exhibition returns an exhibition of the organization.
func (db *DB) Exhibition(ctx context.Context, orgID, id int64) (*passerelle.Exhibition, error) {
	e, err := scanExhibition(db.r().row(ctx, exhibitionOfOrg, id, orgID))
	return e, db.mapErr(err)
}

// PublishedExhibition returns the published exhibition of a public token.
func (db *DB) PublishedExhibition(ctx context.Context, token string) (*passerelle.Exhibition, error) {
	e, err := scanExhibition(db.r().row(ctx, `SELECT `+exhibitionColumns+` FROM exhibitions e WHERE e.public_token = ? AND e.published_at IS NOT NULL`, token))
	return e, db.mapErr(err)
}

// SetExhibitionPublished publishes (or unpublishes) an exhibition of the organization.
func (db *DB) SetExhibitionPublished(ctx context.Context, orgID, id int64, published bool) (*passerelle.Exhibition, error) {
	e, err := db.Exhibition(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	now := db.nowUTC()
	var at any
	e.PublishedAt = nil
	if published {
		at, e.PublishedAt = now, &now
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `UPDATE exhibitions SET published_at = ?, updated_at = ? WHERE id = ?`, at, now, id)
		return err
	})
	e.UpdatedAt = now
	return e, err
}

// PublishedMedia returns the medium of storage key, of a MIME type starting with
// kind ("audio/", "image/"), when a published tour's stop or a published exhibition
// uses it; not_found otherwise, so nothing else of the library reaches the public.
func (db *DB) PublishedMedia(ctx context.Context, key, kind string) (*MediaAsset, error) {
	rows, err := db.r().query(ctx, `SELECT `+mediaColumns+` FROM media_assets m WHERE m.storage_key = ? AND m.mime LIKE ? ORDER BY m.id`, key, kind+"%")
	if err != nil {
		return nil, db.mapErr(err)
	}
	var cands []*MediaAsset
	for rows.Next() {
		m, err := scanMedia(rows)
		if err != nil {
			rows.Close()
			return nil, db.mapErr(err)
		}
		cands = append(cands, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, db.mapErr(err)
	}
	for _, m := range cands {
		var n int
		err := db.r().row(ctx, `SELECT COUNT(*) FROM tour_stops s JOIN tours t ON t.id = s.tour_id WHERE t.published_at IS NOT NULL
			AND (s.audio_media_id = ? OR s.audio_fr_media_id = ? OR s.audio_en_media_id = ? OR s.image_media_id = ?)`, m.ID, m.ID, m.ID, m.ID).Scan(&n)
		if err != nil {
			return nil, db.mapErr(err)
		}
		if n > 0 {
			return m, nil
		}
		// Exhibitions keep their works in JSON: read the institution's published ones.
		erows, err := db.r().query(ctx, `SELECT `+exhibitionColumns+` FROM exhibitions e WHERE e.institution_id = ? AND e.published_at IS NOT NULL`, m.InstitutionID)
		if err != nil {
			return nil, db.mapErr(err)
		}
		found := false
		for erows.Next() && !found {
			e, err := scanExhibition(erows)
			if err != nil {
				erows.Close()
				return nil, db.mapErr(err)
			}
			found = e.CoverMediaID == m.ID
			for _, r := range e.Rooms {
				for _, w := range r.Works {
					found = found || w.AudioMediaID == m.ID || w.ImageMediaID == m.ID
				}
			}
		}
		erows.Close()
		if found {
			return m, nil
		}
	}
	return nil, passerelle.ErrNotFound
}

package store

import (
	"context"
	"strings"

	"github.com/passerelle-oss/passerelle"
)

// The editing of visitor pages beyond creation: lists per institution, changes and
// deletions of tours, stops and exhibitions (the editors' screens use them).

// TourSummary is a tour with its number of stops, for lists.
type TourSummary struct {
	*passerelle.Tour
	Stops int
}

// ToursOf lists an institution's tours, newest first.
func (db *DB) ToursOf(ctx context.Context, orgID, institutionID int64) ([]*TourSummary, error) {
	return queryAll(ctx, db, db.r(), `SELECT `+tourColumns+`, (SELECT COUNT(*) FROM tour_stops s WHERE s.tour_id = t.id)
		FROM tours t JOIN institutions i ON i.id = t.institution_id WHERE i.org_id = ? AND t.institution_id = ? ORDER BY t.id DESC`,
		[]any{orgID, institutionID}, func(s interface{ Scan(...any) error }) (*TourSummary, error) {
			var n int
			t, err := scanTour(scanMore{s, []any{&n}})
			return &TourSummary{Tour: t, Stops: n}, err
		})
}

// scanMore scans a row of an entity's columns followed by more, read into extra, so
// that the entity's scan function serves queries that add columns.
type scanMore struct {
	row   interface{ Scan(...any) error }
	extra []any
}

func (s scanMore) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra...)...) }

// UpdateTour saves a tour's titles and introductions.
func (db *DB) UpdateTour(ctx context.Context, orgID int64, t *passerelle.Tour) error {
	t.Normalize()
	if err := t.Validate(); err != nil {
		return err
	}
	now := db.nowUTC()
	return db.inTx(ctx, func(tx *Tx) error {
		old, err := scanTour(tx.q().row(ctx, tourOfOrg, t.ID, orgID))
		if err != nil {
			return db.mapErr(err)
		}
		if _, err := tx.q().exec(ctx, `UPDATE tours SET title_zh = ?, title_fr = ?, title_en = ?, intro_zh = ?, intro_fr = ?, intro_en = ?, updated_at = ? WHERE id = ?`,
			t.TitleZH, t.TitleFR, t.TitleEN, t.IntroZH, t.IntroFR, t.IntroEN, now, t.ID); err != nil {
			return err
		}
		t.InstitutionID, t.PublicToken, t.PublishedAt, t.CreatedAt, t.UpdatedAt = old.InstitutionID, old.PublicToken, old.PublishedAt, old.CreatedAt, now
		return nil
	})
}

// DeleteTour deletes a tour of the organization with its stops and counts.
func (db *DB) DeleteTour(ctx context.Context, orgID, id int64) (*passerelle.Tour, error) {
	var out *passerelle.Tour
	err := db.inTx(ctx, func(tx *Tx) error {
		t, err := scanTour(tx.q().row(ctx, tourOfOrg, id, orgID))
		if err != nil {
			return db.mapErr(err)
		}
		for _, q := range []string{`DELETE FROM visit_plays WHERE stop_id IN (SELECT id FROM tour_stops WHERE tour_id = ?)`, `DELETE FROM tour_stops WHERE tour_id = ?`, `DELETE FROM tours WHERE id = ?`} {
			if _, err := tx.q().exec(ctx, q, id); err != nil {
				return err
			}
		}
		out = t
		return nil
	})
	return out, err
}

// Stop returns a stop of the organization with its tour.
func (db *DB) Stop(ctx context.Context, orgID, id int64) (*passerelle.Stop, *passerelle.Tour, error) {
	s, err := scanStop(db.r().row(ctx, stopOfOrg, id, orgID))
	if err != nil {
		return nil, nil, db.mapErr(err)
	}
	t, err := db.Tour(ctx, orgID, s.TourID)
	return s, t, err
}

// UpdateStop saves a stop: its number stays unique in the tour, its media are the
// institution's and of the right kind.
func (db *DB) UpdateStop(ctx context.Context, orgID int64, s *passerelle.Stop) error {
	s.Normalize()
	if err := s.Validate(); err != nil {
		return err
	}
	now := db.nowUTC()
	return db.inTx(ctx, func(tx *Tx) error {
		old, err := scanStop(tx.q().row(ctx, stopOfOrg, s.ID, orgID))
		if err != nil {
			return db.mapErr(err)
		}
		var institutionID int64
		if err := tx.q().row(ctx, `SELECT institution_id FROM tours WHERE id = ?`, old.TourID).Scan(&institutionID); err != nil {
			return db.mapErr(err)
		}
		s.TourID, s.CreatedAt = old.TourID, old.CreatedAt
		f := passerelle.FieldErrors{}
		if err := checkStopMedia(ctx, tx, institutionID, s, f); err != nil {
			return err
		}
		var n int
		if err := tx.q().row(ctx, `SELECT COUNT(*) FROM tour_stops WHERE tour_id = ? AND number = ? AND id <> ?`, s.TourID, s.Number, s.ID).Scan(&n); err != nil {
			return db.mapErr(err)
		}
		if n > 0 {
			f.Add("number", "This tour already has a stop with this number.")
		}
		if err := f.Err(); err != nil {
			return err
		}
		if _, err := tx.q().exec(ctx, `UPDATE tour_stops SET number = ?, title_zh = ?, title_fr = ?, title_en = ?, transcript_zh = ?, transcript_fr = ?, transcript_en = ?,
			audio_media_id = ?, audio_fr_media_id = ?, audio_en_media_id = ?, image_media_id = ?, artwork = ? WHERE id = ?`,
			s.Number, s.TitleZH, s.TitleFR, s.TitleEN, s.TranscriptZH, s.TranscriptFR, s.TranscriptEN,
			nullID(s.AudioMediaID), nullID(s.AudioFRMediaID), nullID(s.AudioENMediaID), nullID(s.ImageMediaID), s.Artwork, s.ID); err != nil {
			return err
		}
		_, err = tx.q().exec(ctx, `UPDATE tours SET updated_at = ? WHERE id = ?`, now, s.TourID)
		return err
	})
}

// DeleteStop deletes a stop of the organization and its counts; it returns the stop.
func (db *DB) DeleteStop(ctx context.Context, orgID, id int64) (*passerelle.Stop, error) {
	var out *passerelle.Stop
	err := db.inTx(ctx, func(tx *Tx) error {
		s, err := scanStop(tx.q().row(ctx, stopOfOrg, id, orgID))
		if err != nil {
			return db.mapErr(err)
		}
		for _, q := range []string{`DELETE FROM visit_plays WHERE stop_id = ?`, `DELETE FROM tour_stops WHERE id = ?`} {
			if _, err := tx.q().exec(ctx, q, id); err != nil {
				return err
			}
		}
		if _, err := tx.q().exec(ctx, `UPDATE tours SET updated_at = ? WHERE id = ?`, db.nowUTC(), s.TourID); err != nil {
			return err
		}
		out = s
		return nil
	})
	return out, err
}

// ExhibitionsOf lists an institution's exhibitions, newest first.
func (db *DB) ExhibitionsOf(ctx context.Context, orgID, institutionID int64) ([]*passerelle.Exhibition, error) {
	return queryAll(ctx, db, db.r(), `SELECT `+exhibitionColumns+` FROM exhibitions e JOIN institutions i ON i.id = e.institution_id
		WHERE i.org_id = ? AND e.institution_id = ? ORDER BY e.id DESC`, []any{orgID, institutionID}, scanExhibition)
}

// checkExhibitionMedia refuses an exhibition naming a medium that is not its
// institution's or of the wrong kind.
func checkExhibitionMedia(ctx context.Context, tx *Tx, e *passerelle.Exhibition) error {
	check := func(id int64, prefix string) error {
		if id == 0 {
			return nil
		}
		var mime string
		err := tx.q().row(ctx, `SELECT mime FROM media_assets WHERE id = ? AND institution_id = ? AND archived_at IS NULL`, id, e.InstitutionID).Scan(&mime)
		if err = tx.db.mapErr(err); err == passerelle.ErrNotFound || (err == nil && !strings.HasPrefix(mime, prefix)) {
			return &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{"rooms": "A medium is not in this institution's library or is of the wrong kind."}}
		}
		return err
	}
	if err := check(e.CoverMediaID, "image/"); err != nil {
		return err
	}
	for _, r := range e.Rooms {
		for _, w := range r.Works {
			if err := check(w.ImageMediaID, "image/"); err != nil {
				return err
			}
			if err := check(w.AudioMediaID, "audio/"); err != nil {
				return err
			}
		}
	}
	return nil
}

// UpdateExhibition saves an exhibition's titles, digest, cover and rooms.
func (db *DB) UpdateExhibition(ctx context.Context, orgID int64, e *passerelle.Exhibition) error {
	rooms, err := validRooms(e)
	if err != nil {
		return err
	}
	now := db.nowUTC()
	return db.inTx(ctx, func(tx *Tx) error {
		old, err := scanExhibition(tx.q().row(ctx, exhibitionOfOrg, e.ID, orgID))
		if err != nil {
			return db.mapErr(err)
		}
		e.InstitutionID = old.InstitutionID
		if err := checkExhibitionMedia(ctx, tx, e); err != nil {
			return err
		}
		if _, err := tx.q().exec(ctx, `UPDATE exhibitions SET title_zh = ?, title_fr = ?, title_en = ?, digest_zh = ?, cover_media_id = ?, rooms = ?, updated_at = ? WHERE id = ?`,
			e.TitleZH, e.TitleFR, e.TitleEN, e.DigestZH, nullID(e.CoverMediaID), string(rooms), now, e.ID); err != nil {
			return err
		}
		e.PublicToken, e.PublishedAt, e.CreatedAt, e.UpdatedAt = old.PublicToken, old.PublishedAt, old.CreatedAt, now
		return nil
	})
}

// DeleteExhibition deletes an exhibition of the organization and its counts.
func (db *DB) DeleteExhibition(ctx context.Context, orgID, id int64) (*passerelle.Exhibition, error) {
	var out *passerelle.Exhibition
	err := db.inTx(ctx, func(tx *Tx) error {
		e, err := scanExhibition(tx.q().row(ctx, exhibitionOfOrg, id, orgID))
		if err != nil {
			return db.mapErr(err)
		}
		for _, q := range []string{`DELETE FROM visit_views WHERE exhibition_id = ?`, `DELETE FROM exhibitions WHERE id = ?`} {
			if _, err := tx.q().exec(ctx, q, id); err != nil {
				return err
			}
		}
		out = e
		return nil
	})
	return out, err
}

// PlayCount is the counts of a stop or an exhibition over some days.
type PlayCount struct {
	// Starts are plays started (a stop) or page views (an exhibition).
	Starts int64
	// Completes are plays reaching 90 % or the end (a stop), or exhibitions read to
	// their last room.
	Completes int64
}

// AddVisitCounts adds counts per stop (plays) and per exhibition (views) for a day,
// in one transaction; ids that no longer exist are skipped.
func (db *DB) AddVisitCounts(ctx context.Context, day string, stops, exhibitions map[int64]PlayCount) error {
	return db.inTx(ctx, func(tx *Tx) error {
		for id, c := range stops {
			if _, err := tx.q().exec(ctx, `INSERT INTO visit_plays (stop_id, day, starts, completes) SELECT id, ?, ?, ? FROM tour_stops WHERE id = ?
				ON CONFLICT (stop_id, day) DO UPDATE SET starts = visit_plays.starts + excluded.starts, completes = visit_plays.completes + excluded.completes`,
				day, c.Starts, c.Completes, id); err != nil {
				return err
			}
		}
		for id, c := range exhibitions {
			if _, err := tx.q().exec(ctx, `INSERT INTO visit_views (exhibition_id, day, views, completes) SELECT id, ?, ?, ? FROM exhibitions WHERE id = ?
				ON CONFLICT (exhibition_id, day) DO UPDATE SET views = visit_views.views + excluded.views, completes = visit_views.completes + excluded.completes`,
				day, c.Starts, c.Completes, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// StopCounts sums a tour's plays per stop over the days from..to (inclusive,
// YYYY-MM-DD).
func (db *DB) StopCounts(ctx context.Context, tourID int64, from, to string) (map[int64]PlayCount, error) {
	rows, err := db.r().query(ctx, `SELECT p.stop_id, CAST(SUM(p.starts) AS BIGINT), CAST(SUM(p.completes) AS BIGINT) FROM visit_plays p JOIN tour_stops s ON s.id = p.stop_id
		WHERE s.tour_id = ? AND p.day >= ? AND p.day <= ? GROUP BY p.stop_id`, tourID, from, to)
	if err != nil {
		return nil, db.mapErr(err)
	}
	defer rows.Close()
	out := map[int64]PlayCount{}
	for rows.Next() {
		var id int64
		var c PlayCount
		if err := rows.Scan(&id, &c.Starts, &c.Completes); err != nil {
			return nil, db.mapErr(err)
		}
		out[id] = c
	}
	return out, db.mapErr(rows.Err())
}

// ExhibitionCounts sums an exhibition's views over the days from..to.
func (db *DB) ExhibitionCounts(ctx context.Context, exhibitionID int64, from, to string) (PlayCount, error) {
	var c PlayCount
	err := db.r().row(ctx, `SELECT CAST(COALESCE(SUM(views), 0) AS BIGINT), CAST(COALESCE(SUM(completes), 0) AS BIGINT) FROM visit_views WHERE exhibition_id = ? AND day >= ? AND day <= ?`,
		exhibitionID, from, to).Scan(&c.Starts, &c.Completes)
	return c, db.mapErr(err)
}

// PublishedTourWithStop returns the newest published tour of an institution that
// has a stop of this number; not_found when none has.
func (db *DB) PublishedTourWithStop(ctx context.Context, institutionID int64, number int) (*passerelle.Tour, error) {
	t, err := scanTour(db.r().row(ctx, `SELECT `+tourColumns+` FROM tours t WHERE t.institution_id = ? AND t.published_at IS NOT NULL
		AND EXISTS (SELECT 1 FROM tour_stops s WHERE s.tour_id = t.id AND s.number = ?) ORDER BY t.published_at DESC, t.id DESC LIMIT 1`, institutionID, number))
	return t, db.mapErr(err)
}

// AccountInstitution returns the institution of an account (any organization): the
// desk's stop-number replies look it up for an incoming push.
func (db *DB) AccountInstitution(ctx context.Context, accountID int64) (int64, error) {
	var id int64
	err := db.r().row(ctx, `SELECT institution_id FROM accounts WHERE id = ?`, accountID).Scan(&id)
	return id, db.mapErr(err)
}

// ToursOfInstitution lists an institution's tours (any organization: the command
// line's static export).
func (db *DB) ToursOfInstitution(ctx context.Context, institutionID int64) ([]*passerelle.Tour, error) {
	return queryAll(ctx, db, db.r(), `SELECT `+tourColumns+` FROM tours t WHERE t.institution_id = ? ORDER BY t.id`, []any{institutionID}, scanTour)
}

// ExhibitionsOfInstitution lists an institution's exhibitions (any organization).
func (db *DB) ExhibitionsOfInstitution(ctx context.Context, institutionID int64) ([]*passerelle.Exhibition, error) {
	return queryAll(ctx, db, db.r(), `SELECT `+exhibitionColumns+` FROM exhibitions e WHERE e.institution_id = ? ORDER BY e.id`, []any{institutionID}, scanExhibition)
}

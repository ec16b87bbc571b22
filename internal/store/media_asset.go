package store

import (
	"context"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// MediaAsset is a file of an institution's media library. The bytes live in the media
// store under StorageKey; this row says whose they are and how to describe them.
type MediaAsset struct {
	ID            int64  `json:"id"`
	InstitutionID int64  `json:"institution_id"`
	StorageKey    string `json:"-"`
	MIME          string `json:"mime"`
	Width         int    `json:"width"`
	Height        int    `json:"height"`
	Bytes         int64  `json:"bytes"`
	DurationMS    int64  `json:"duration_ms"`
	Frames        int    `json:"frames"`
	Filename      string `json:"filename"`
	AltZH         string `json:"alt_zh"`
	Credit        string `json:"credit"`
	// Tags are the library's own words for finding the file again.
	Tags []string `json:"tags"`
	// Rights: who took it, who holds the rights, under which licence, and the last
	// day (YYYY-MM-DD, "" for none) it may be published.
	Photographer string     `json:"photographer"`
	RightsHolder string     `json:"rights_holder"`
	Licence      string     `json:"licence"`
	RightsUntil  string     `json:"rights_until"`
	CreatedBy    int64      `json:"created_by"`
	CreatedAt    time.Time  `json:"created_at"`
	ArchivedAt   *time.Time `json:"archived_at"`
}

const mediaColumns = `m.id, m.institution_id, m.storage_key, m.mime, m.width, m.height, m.bytes, m.duration_ms, m.frames, m.filename, m.alt_zh, m.credit, COALESCE(m.created_by, 0), m.created_at, m.archived_at,
	m.tags, m.photographer, m.rights_holder, m.licence, m.rights_until`

func scanMedia(s interface{ Scan(...any) error }) (*MediaAsset, error) {
	var m MediaAsset
	var created, archived nullTime
	var tags string
	err := s.Scan(&m.ID, &m.InstitutionID, &m.StorageKey, &m.MIME, &m.Width, &m.Height, &m.Bytes, &m.DurationMS, &m.Frames, &m.Filename, &m.AltZH, &m.Credit, &m.CreatedBy, &created, &archived,
		&tags, &m.Photographer, &m.RightsHolder, &m.Licence, &m.RightsUntil)
	m.CreatedAt, m.ArchivedAt = created.T, archived.Ptr()
	if err == nil {
		err = unmarshalList(tags, &m.Tags)
	}
	if m.Tags == nil {
		m.Tags = []string{}
	}
	return &m, err
}

// AddMediaAsset records an ingested file. The same content uploaded twice to one
// institution returns the existing row (created false).
func (db *DB) AddMediaAsset(ctx context.Context, orgID int64, m *MediaAsset) (created bool, err error) {
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := checkInstitution(ctx, tx, orgID, m.InstitutionID); err != nil {
			return err
		}
		existing, err := scanMedia(tx.q().row(ctx, `SELECT `+mediaColumns+` FROM media_assets m WHERE m.institution_id = ? AND m.storage_key = ?`, m.InstitutionID, m.StorageKey))
		if err == nil {
			if existing.ArchivedAt != nil {
				if _, err := tx.q().exec(ctx, `UPDATE media_assets SET archived_at = NULL WHERE id = ?`, existing.ID); err != nil {
					return err
				}
				existing.ArchivedAt = nil
			}
			*m = *existing
			return nil
		}
		if err = db.mapErr(err); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			return err
		}
		now := db.nowUTC()
		id, err := tx.q().insert(ctx, `INSERT INTO media_assets (institution_id, storage_key, mime, width, height, bytes, duration_ms, frames, filename, alt_zh, credit, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.InstitutionID, m.StorageKey, m.MIME, m.Width, m.Height, m.Bytes, m.DurationMS, m.Frames, m.Filename, m.AltZH, m.Credit, nullID(m.CreatedBy), now)
		if err != nil {
			return err
		}
		m.ID, m.CreatedAt, created = id, now, true
		if m.Tags == nil {
			m.Tags = []string{}
		}
		return nil
	})
	return created, err
}

// MediaAssetByID returns an asset of the organization.
func (db *DB) MediaAssetByID(ctx context.Context, orgID, id int64) (*MediaAsset, error) {
	m, err := scanMedia(db.r().row(ctx, `SELECT `+mediaColumns+` FROM media_assets m JOIN institutions i ON i.id = m.institution_id WHERE m.id = ? AND i.org_id = ?`, id, orgID))
	return m, db.mapErr(err)
}

// MediaFilter selects assets.
type MediaFilter struct {
	OrgID         int64
	InstitutionID int64
	IDs           []int64
	// Kind is "image", "video" or "".
	Kind string
	// Search finds the words in the file name, alt text, credit, tags, photographer,
	// rights holder or licence (case-insensitive for Latin letters).
	Search  string
	AfterID int64
	Limit   int
}

// MediaAssets lists active assets, newest first.
func (db *DB) MediaAssets(ctx context.Context, f MediaFilter) ([]*MediaAsset, error) {
	w := where{}
	w.add("i.org_id = ?", f.OrgID)
	w.add("m.archived_at IS NULL")
	if f.InstitutionID > 0 {
		w.add("m.institution_id = ?", f.InstitutionID)
	}
	if f.IDs != nil {
		w.in("m.id", f.IDs)
	}
	switch f.Kind {
	case "image":
		w.add("m.mime LIKE 'image/%'")
	case "video":
		w.add("m.mime LIKE 'video/%'")
	}
	for _, word := range strings.Fields(f.Search) {
		like := "%" + likeEscape(strings.ToLower(word)) + "%"
		w.add(`(LOWER(m.filename) LIKE ? ESCAPE '\' OR LOWER(m.alt_zh) LIKE ? ESCAPE '\' OR LOWER(m.credit) LIKE ? ESCAPE '\' OR LOWER(m.tags) LIKE ? ESCAPE '\'
			OR LOWER(m.photographer) LIKE ? ESCAPE '\' OR LOWER(m.rights_holder) LIKE ? ESCAPE '\' OR LOWER(m.licence) LIKE ? ESCAPE '\')`,
			like, like, like, like, like, like, like)
	}
	if f.AfterID > 0 {
		w.add("m.id < ?", f.AfterID)
	}
	query := `SELECT ` + mediaColumns + ` FROM media_assets m JOIN institutions i ON i.id = m.institution_id` + w.sql() + ` ORDER BY m.id DESC`
	if f.Limit > 0 {
		query += ` LIMIT ?`
		w.args = append(w.args, f.Limit)
	}
	return queryAll(ctx, db, db.r(), query, w.args, scanMedia)
}

// UpdateMediaAsset changes an asset's description.
func (db *DB) UpdateMediaAsset(ctx context.Context, orgID, id int64, fn func(*MediaAsset) error) (*MediaAsset, error) {
	var out *MediaAsset
	err := db.inTx(ctx, func(tx *Tx) error {
		m, err := scanMedia(tx.q().row(ctx, `SELECT `+mediaColumns+` FROM media_assets m JOIN institutions i ON i.id = m.institution_id WHERE m.id = ? AND i.org_id = ?`, id, orgID))
		if err != nil {
			return db.mapErr(err)
		}
		if err := fn(m); err != nil {
			return err
		}
		for _, p := range []*string{&m.AltZH, &m.Credit, &m.Filename, &m.Photographer, &m.RightsHolder, &m.Licence, &m.RightsUntil} {
			*p = strings.TrimSpace(*p)
		}
		f := passerelle.FieldErrors{}
		for name, v := range map[string]string{"alt_zh": m.AltZH, "credit": m.Credit, "filename": m.Filename, "photographer": m.Photographer,
			"rights_holder": m.RightsHolder, "licence": m.Licence} {
			if len([]rune(v)) > 500 {
				f.Add(name, "Too long.")
			}
		}
		if m.RightsUntil != "" {
			if _, err := time.Parse(time.DateOnly, m.RightsUntil); err != nil {
				f.Add("rights_until", "Use a date (YYYY-MM-DD).")
			}
		}
		if len(m.Tags) > 20 {
			f.Add("tags", "At most 20 tags.")
		}
		for _, t := range m.Tags {
			if t == "" || len([]rune(t)) > 50 || strings.ContainsAny(t, ",;\n") {
				f.Add("tags", "A tag is a word or a short phrase of 50 characters at most.")
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		_, err = tx.q().exec(ctx, `UPDATE media_assets SET alt_zh = ?, credit = ?, filename = ?, archived_at = ?, tags = ?, photographer = ?, rights_holder = ?, licence = ?, rights_until = ? WHERE id = ?`,
			m.AltZH, m.Credit, m.Filename, m.ArchivedAt, marshalList(m.Tags), m.Photographer, m.RightsHolder, m.Licence, m.RightsUntil, id)
		out = m
		return err
	})
	return out, err
}

// MediaRendition is a stored rendition of an asset for one platform rule.
type MediaRendition struct {
	AssetID    int64  `json:"asset_id"`
	Spec       string `json:"spec"`
	StorageKey string `json:"-"`
	MIME       string `json:"mime"`
	Width      int    `json:"width"`
	Height     int    `json:"height"`
	Bytes      int64  `json:"bytes"`
}

// MediaRenditionFor returns a stored rendition.
func (db *DB) MediaRenditionFor(ctx context.Context, assetID int64, spec string) (*MediaRendition, error) {
	var r MediaRendition
	err := db.r().row(ctx, `SELECT asset_id, spec, storage_key, mime, width, height, bytes FROM media_renditions WHERE asset_id = ? AND spec = ?`, assetID, spec).
		Scan(&r.AssetID, &r.Spec, &r.StorageKey, &r.MIME, &r.Width, &r.Height, &r.Bytes)
	return &r, db.mapErr(err)
}

// SaveMediaRendition records a rendition; saving one that exists keeps the first.
func (db *DB) SaveMediaRendition(ctx context.Context, r *MediaRendition) error {
	_, err := db.write.ExecContext(ctx, db.rebind(`INSERT INTO media_renditions (asset_id, spec, storage_key, mime, width, height, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (asset_id, spec) DO NOTHING`), db.args([]any{r.AssetID, r.Spec, r.StorageKey, r.MIME, r.Width, r.Height, r.Bytes, db.nowUTC()})...)
	return db.mapErr(err)
}

// ClaimMediaRendition claims the right to render spec of an asset: true when the
// caller should render it (no claim existed, or the one there is older than stale),
// false when someone else is rendering it. The winner saves the rendition, then
// releases the claim.
func (db *DB) ClaimMediaRendition(ctx context.Context, assetID int64, spec string, stale time.Duration) (bool, error) {
	now := db.nowUTC()
	var claimed bool
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.q().exec(ctx, `INSERT INTO media_rendition_claims (asset_id, spec, claimed_at) VALUES (?, ?, ?)
			ON CONFLICT (asset_id, spec) DO UPDATE SET claimed_at = excluded.claimed_at WHERE media_rendition_claims.claimed_at < ?`,
			assetID, spec, now, now.Add(-stale))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		claimed = n > 0
		return err
	})
	return claimed, err
}

// ReleaseMediaRendition removes a claim, once its rendition is saved or has failed.
func (db *DB) ReleaseMediaRendition(ctx context.Context, assetID int64, spec string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `DELETE FROM media_rendition_claims WHERE asset_id = ? AND spec = ?`, assetID, spec)
		return err
	})
}

// likeEscape escapes the LIKE wildcards of s for ESCAPE '\'.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

package editorial

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Upload ingests a file into an institution's library: type sniffed from the content,
// limits applied before decoding, metadata stripped, bytes stored by hash. On any error
// nothing is stored. Writers only.
func (s *Service) Upload(ctx context.Context, u *passerelle.User, institutionID int64, filename string, r io.Reader) (*store.MediaAsset, bool, error) {
	if err := u.Allow(institutionID, passerelle.PermWrite); err != nil {
		return nil, false, err
	}
	if _, err := s.db.Institution(ctx, u.OrgID, institutionID); err != nil {
		return nil, false, err
	}
	asset, err := media.Ingest(ctx, s.media, r, s.limits)
	if err != nil {
		return nil, false, err
	}
	m := &store.MediaAsset{InstitutionID: institutionID, StorageKey: asset.Key, MIME: asset.MIME, Width: asset.Width, Height: asset.Height,
		Bytes: asset.Bytes, DurationMS: asset.Duration.Milliseconds(), Frames: asset.Frames, Filename: cleanFilename(filename), CreatedBy: u.ID}
	created, err := s.db.AddMediaAsset(ctx, u.OrgID, m)
	if err != nil {
		return nil, false, err
	}
	return m, created, nil
}

// cleanFilename keeps a display name: the base name, printable, at most 200 runes.
func cleanFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\uFFFD' {
			return -1
		}
		return r
	}, strings.ToValidUTF8(name, ""))
	if rs := []rune(name); len(rs) > 200 {
		name = string(rs[:200])
	}
	return strings.TrimSpace(name)
}

// MediaQuery filters the library.
type MediaQuery struct {
	InstitutionID int64
	Kind          string
	// Search finds words in the file name, alt text, credit, tags and rights.
	Search  string
	AfterID int64
	Limit   int
}

// Media lists an institution's library, newest first.
func (s *Service) Media(ctx context.Context, u *passerelle.User, q MediaQuery) ([]*store.MediaAsset, error) {
	if err := s.institution(ctx, u, q.InstitutionID, passerelle.PermView); err != nil {
		return nil, err
	}
	if q.Kind != "" && q.Kind != "image" && q.Kind != "video" {
		return nil, invalidParam("kind", "Use image or video.")
	}
	if len([]rune(q.Search)) > 200 {
		return nil, invalidParam("q", "At most 200 characters.")
	}
	return s.db.MediaAssets(ctx, store.MediaFilter{OrgID: u.OrgID, InstitutionID: q.InstitutionID, Kind: q.Kind, Search: q.Search, AfterID: q.AfterID, Limit: q.Limit})
}

// MediaAsset returns an asset the user may see.
func (s *Service) MediaAsset(ctx context.Context, u *passerelle.User, id int64) (*store.MediaAsset, error) {
	m, err := s.db.MediaAssetByID(ctx, u.OrgID, id)
	if err != nil {
		return nil, err
	}
	if !u.Can(m.InstitutionID, passerelle.PermView) {
		return nil, errNotFound
	}
	return m, nil
}

// MediaChange is what may change of an asset.
type MediaChange struct {
	AltZH    *string `json:"alt_zh"`
	Credit   *string `json:"credit"`
	Filename *string `json:"filename"`
	Archived *bool   `json:"archived"`
	// Tags replace the asset's tags; the rights fields theirs (RightsUntil is a
	// date, YYYY-MM-DD, or "" for none).
	Tags         *[]string `json:"tags"`
	Photographer *string   `json:"photographer"`
	RightsHolder *string   `json:"rights_holder"`
	Licence      *string   `json:"licence"`
	RightsUntil  *string   `json:"rights_until"`
}

// UpdateMedia changes an asset's description (alt text in Chinese, credit).
func (s *Service) UpdateMedia(ctx context.Context, u *passerelle.User, id int64, c MediaChange) (*store.MediaAsset, error) {
	m, err := s.MediaAsset(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if err := u.Allow(m.InstitutionID, passerelle.PermWrite); err != nil {
		return nil, err
	}
	return s.db.UpdateMediaAsset(ctx, u.OrgID, id, func(m *store.MediaAsset) error {
		if c.AltZH != nil {
			m.AltZH = *c.AltZH
		}
		if c.Credit != nil {
			m.Credit = *c.Credit
		}
		if c.Filename != nil {
			m.Filename = cleanFilename(*c.Filename)
		}
		if c.Tags != nil {
			m.Tags = nil
			for _, t := range *c.Tags {
				if t = strings.TrimSpace(t); t != "" && !slices.Contains(m.Tags, t) {
					m.Tags = append(m.Tags, t)
				}
			}
		}
		for _, f := range []struct{ in, out *string }{{c.Photographer, &m.Photographer}, {c.RightsHolder, &m.RightsHolder}, {c.Licence, &m.Licence}, {c.RightsUntil, &m.RightsUntil}} {
			if f.in != nil {
				*f.out = *f.in
			}
		}
		if c.Archived != nil {
			if *c.Archived && m.ArchivedAt == nil {
				now := s.now().UTC()
				m.ArchivedAt = &now
			} else if !*c.Archived {
				m.ArchivedAt = nil
			}
		}
		return nil
	})
}

// OpenMedia returns an asset's original bytes.
func (s *Service) OpenMedia(ctx context.Context, u *passerelle.User, id int64) (*store.MediaAsset, io.ReadCloser, error) {
	m, err := s.MediaAsset(ctx, u, id)
	if err != nil {
		return nil, nil, err
	}
	rc, err := s.media.Open(ctx, m.StorageKey)
	return m, rc, err
}

// Rendition returns an asset rendered for a platform rule (media.Specs names them),
// rendering and storing it on first demand. focus places the cover crops; nil is the
// centre. Anyone who may see the asset may see its renditions, but only writers make
// new crops: each one is a decode of the full image and a stored file.
func (s *Service) Rendition(ctx context.Context, u *passerelle.User, id int64, spec string, focus *passerelle.Focus) (*store.MediaRendition, io.ReadCloser, error) {
	m, err := s.MediaAsset(ctx, u, id)
	if err != nil {
		return nil, nil, err
	}
	return s.rendition(ctx, m, spec, focus, u.Can(m.InstitutionID, passerelle.PermWrite))
}

// renditionClaimStale is how old a claim to render must be before another request
// takes it over: its holder died (a rendering takes seconds).
const renditionClaimStale = 2 * time.Minute

// renditionPoll is how often a request waiting for another's rendering looks again.
const renditionPoll = 100 * time.Millisecond

var errCropForbidden = passerelle.Errorf(passerelle.EFORBIDDEN, "Only people who may edit this institution's media can make a new crop; existing crops can be viewed.")

// rendition returns a stored rendition or makes it. A rendition is made once across
// every instance on the database: the request that claims it renders it, the others
// wait for its row. mayCrop allows making a crop around a focus point other than the
// centre.
func (s *Service) rendition(ctx context.Context, m *store.MediaAsset, spec string, focus *passerelle.Focus, mayCrop bool) (*store.MediaRendition, io.ReadCloser, error) {
	sp, ok := media.SpecByName(spec)
	if !ok {
		return nil, nil, invalidParam("spec", "Unknown rendition.")
	}
	if !strings.HasPrefix(m.MIME, "image/") {
		return nil, nil, passerelle.Errorf(passerelle.EUNSUPPORTED, "Only images have renditions.")
	}
	f := media.Center()
	name := spec
	if focus != nil && sp.Width != 0 {
		if !(focus.X >= 0 && focus.X <= 1 && focus.Y >= 0 && focus.Y <= 1) {
			return nil, nil, invalidParam("focus", "Use fractions from 0 to 1.")
		}
		f = media.Focus{X: focus.X, Y: focus.Y}.Quantize()
		if f != media.Center() {
			name = fmt.Sprintf("%s@%.2f,%.2f", spec, f.X, f.Y)
		}
	}
	asset := media.Asset{Key: m.StorageKey, MIME: m.MIME, Width: m.Width, Height: m.Height, Bytes: m.Bytes, Frames: m.Frames}
	if sp.Accepts(asset) {
		rc, err := s.media.Open(ctx, m.StorageKey)
		return &store.MediaRendition{AssetID: m.ID, Spec: name, StorageKey: m.StorageKey, MIME: m.MIME, Width: m.Width, Height: m.Height, Bytes: m.Bytes}, rc, err
	}
	for {
		r, rc, err := s.storedRendition(ctx, m.ID, name)
		if err == nil || passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			return r, rc, err
		}
		if name != spec && !mayCrop {
			return nil, nil, errCropForbidden
		}
		claimed, err := s.db.ClaimMediaRendition(ctx, m.ID, name, renditionClaimStale)
		if err != nil {
			return nil, nil, err
		}
		if claimed {
			return s.render(ctx, m, sp, name, f)
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(renditionPoll):
		}
	}
}

func (s *Service) storedRendition(ctx context.Context, assetID int64, name string) (*store.MediaRendition, io.ReadCloser, error) {
	r, err := s.db.MediaRenditionFor(ctx, assetID, name)
	if err != nil {
		return nil, nil, err
	}
	rc, err := s.media.Open(ctx, r.StorageKey)
	if err != nil {
		return nil, nil, err
	}
	return r, rc, nil
}

// render makes a rendition whose claim the caller holds, and releases the claim.
func (s *Service) render(ctx context.Context, m *store.MediaAsset, sp media.RenditionSpec, name string, f media.Focus) (*store.MediaRendition, io.ReadCloser, error) {
	defer func() {
		if err := s.db.ReleaseMediaRendition(context.WithoutCancel(ctx), m.ID, name); err != nil {
			s.logger.Error("release rendition claim", slog.Int64("asset", m.ID), slog.String("spec", name), slog.Any("err", err))
		}
	}()
	// Another request may have saved it between our look and our claim.
	if r, rc, err := s.storedRendition(ctx, m.ID, name); err == nil || passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
		return r, rc, err
	}
	s.renders.Add(1)
	rs, err := media.RenderStored(ctx, s.media, m.StorageKey, []media.RenditionSpec{sp}, f, s.limits)
	if err != nil {
		return nil, nil, err
	}
	out := rs[0]
	key, err := s.media.Put(ctx, bytes.NewReader(out.Data))
	if err != nil {
		return nil, nil, err
	}
	r := &store.MediaRendition{AssetID: m.ID, Spec: name, StorageKey: key, MIME: out.MIME, Width: out.Width, Height: out.Height, Bytes: int64(len(out.Data))}
	if err := s.db.SaveMediaRendition(ctx, r); err != nil {
		return nil, nil, err
	}
	return r, io.NopCloser(bytes.NewReader(out.Data)), nil
}

// Renders is how many renditions this Service has rendered (not found stored).
func (s *Service) Renders() int64 { return s.renders.Load() }

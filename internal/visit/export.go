package visit

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// ExportReport says what a static export wrote.
type ExportReport struct {
	Tours, Exhibitions, Pages, Files int
	// Entries are the entry pages, relative to the export directory.
	Entries []string
}

// ExportSite writes an institution's published tours and exhibitions as a static
// site under dir, for a museum to upload to an object store or CDN in mainland China:
// tour-<token>/index.html and <n>.html per stop, exhibition-<token>/index.html (with
// .fr.html and .en.html beside each), the stylesheet under assets/ and the media
// under media/, every link relative, so the pages also open from disk; index.html at
// the root lists them, and each tour has labels.html, its stop labels to print. It
// needs no server: there is no "type a number" form and nothing is counted.
func (s *Service) ExportSite(ctx context.Context, institutionID int64, dir string) (*ExportReport, error) {
	return s.ExportSiteWith(ctx, institutionID, dir, ExportOptions{})
}

// ExportSiteWith is ExportSite with options: with a base URL, the site's index and
// each tour's label sheet carry QR codes of the pages at that address.
func (s *Service) ExportSiteWith(ctx context.Context, institutionID int64, dir string, opts ExportOptions) (*ExportReport, error) {
	base, err := exportBaseURL(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	v, err := loadViews()
	if err != nil {
		return nil, err
	}
	h := &public{Service: s, views: v}
	rep := &ExportReport{}
	if err := os.MkdirAll(filepath.Join(dir, "assets"), 0o755); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "media"), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "assets", v.cssName), v.css, 0o644); err != nil {
		return nil, err
	}
	if err := writeExportCSS(dir); err != nil {
		return nil, err
	}
	written := map[string]bool{}
	mediaURL := func(m *store.MediaAsset) string {
		name := m.StorageKey + filepath.Ext(s.audioURL(m))
		if strings.HasPrefix(m.MIME, "image/") {
			name = m.StorageKey + filepath.Ext(s.imageURL(m))
		}
		if !written[name] {
			written[name] = true
			if err := s.copyMedium(ctx, m, filepath.Join(dir, "media", name)); err != nil {
				s.Logger.Error("visit: export: medium not copied", "key", m.StorageKey, "err", err)
			} else {
				rep.Files++
			}
		}
		return "../media/" + name
	}
	write := func(sub, name string, status int, body []byte, err error) error {
		if err != nil {
			return err
		}
		if status != 200 {
			return fmt.Errorf("visit: export %s/%s: status %d", sub, name, status)
		}
		rep.Pages++
		return os.WriteFile(filepath.Join(dir, sub, name), body, 0o644)
	}
	suffix := func(lang string) string {
		if lang == "zh-Hans" {
			return ""
		}
		return "." + lang
	}
	var index []exportEntry
	tours, err := s.DB.ToursOfInstitution(ctx, institutionID)
	if err != nil {
		return nil, err
	}
	for _, t := range tours {
		if t.PublishedAt == nil {
			continue
		}
		sub := "tour-" + t.PublicToken
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, err
		}
		st := site{base: ".", media: mediaURL, static: true}
		stops, err := s.DB.Stops(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		for _, lang := range languages {
			status, body, err := h.renderTourOf(ctx, t, st, lang, "")
			if err := write(sub, "index"+suffix(lang)+".html", status, body, err); err != nil {
				return nil, err
			}
			for _, stop := range stops {
				status, body, err := h.renderStopOf(ctx, t, st, stop.Number, lang, "")
				if err := write(sub, strconv.Itoa(stop.Number)+suffix(lang)+".html", status, body, err); err != nil {
					return nil, err
				}
			}
		}
		if err := s.writeLabels(h, dir, sub, base, t, stops); err != nil {
			return nil, err
		}
		rep.Tours++
		rep.Entries = append(rep.Entries, sub+"/index.html")
		index = append(index, exportEntry{Kind: "t", Sub: sub, Title: t.TitleZH, TitleFR: t.TitleFR})
	}
	exs, err := s.DB.ExhibitionsOfInstitution(ctx, institutionID)
	if err != nil {
		return nil, err
	}
	for _, e := range exs {
		if e.PublishedAt == nil {
			continue
		}
		sub := "exhibition-" + e.PublicToken
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, err
		}
		st := site{base: ".", media: mediaURL, static: true}
		for _, lang := range languages {
			status, body, err := h.renderExhibitionOf(ctx, e, st, lang, "")
			if err := write(sub, "index"+suffix(lang)+".html", status, body, err); err != nil {
				return nil, err
			}
		}
		rep.Exhibitions++
		rep.Entries = append(rep.Entries, sub+"/index.html")
		index = append(index, exportEntry{Kind: "e", Sub: sub, Title: e.TitleZH, TitleFR: e.TitleFR})
	}
	if rep.Tours+rep.Exhibitions == 0 {
		return rep, passerelle.Errorf(passerelle.ENOTFOUND, "This institution has nothing published.")
	}
	if err := s.writeIndex(h, dir, base, index); err != nil {
		return nil, err
	}
	return rep, nil
}

func (s *Service) copyMedium(ctx context.Context, m *store.MediaAsset, path string) error {
	rc, err := s.Media.Open(ctx, m.StorageKey)
	if err != nil {
		return err
	}
	defer rc.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, rc); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

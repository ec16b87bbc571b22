package visit

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/desk"
)

// The static export's own pages: index.html at its root, listing the tours and
// exhibitions, and labels.html in each tour, a printable sheet of stop labels. Their
// links are relative; their QR codes (SVG files beside them) point at the address
// where the directory will be served, given at export time, never at the server.

//go:embed export/*
var exportFS embed.FS

// ExportOptions are the options of a static export.
type ExportOptions struct {
	// BaseURL is the address where the exported directory will be served
	// ("https://visite.musee.cn/2026"); QR codes point there. "" leaves them out.
	BaseURL string
}

type exportViews struct {
	pages         *template.Template
	css           []byte
	exportCSSName string
}

var loadExportViews = sync.OnceValues(func() (*exportViews, error) {
	t, err := template.New("").ParseFS(exportFS, "export/*.html")
	if err != nil {
		return nil, err
	}
	css, err := exportFS.ReadFile("export/export.css")
	if err != nil {
		return nil, err
	}
	return &exportViews{pages: t, css: css, exportCSSName: "export." + shortHash(css) + ".css"}, nil
})

// exportBaseURL checks a base URL given at export time: absolute http or https, no
// query or fragment; it returns it without its trailing slash.
func exportBaseURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(raw, "?") || strings.HasSuffix(raw, "#") {
		return "", passerelle.Errorf(passerelle.EINVALID, "The base URL must be an absolute http or https address without query or fragment.")
	}
	return strings.TrimRight(u.String(), "/"), nil
}

type exportEntry struct {
	Kind           string // "t" or "e"
	Sub            string // the entry's directory
	Title, TitleFR string
}

type exportLink struct {
	Kind, Title, TitleFR string
	Href, Address        string
	QR, Labels           string
}

type exportLabel struct {
	Number         int
	Title, TitleFR string
	Href, Address  string
	QR             string
}

type exportPage struct {
	pageData
	Assets    string
	ExportCSS string
	BaseURL   string
	Entries   []exportLink
	Labels    []exportLabel
}

// writeQR writes the SVG QR code of address to path.
func writeQR(path, address string) error {
	svg, err := desk.QRSVG(address)
	if err != nil {
		return err
	}
	return os.WriteFile(path, svg, 0o644)
}

func (h *public) writeExportPage(dir, name string, d exportPage) error {
	ev, err := loadExportViews()
	if err != nil {
		return err
	}
	d.L = h.catalog.Localizer("zh-Hans")
	d.Lang = "zh-Hans"
	d.CSS = h.views.cssName
	d.ExportCSS = ev.exportCSSName
	var buf bytes.Buffer
	if err := ev.pages.ExecuteTemplate(&buf, name, d); err != nil {
		return fmt.Errorf("visit: export %s: %w", name, err)
	}
	return os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644)
}

// writeLabels writes a tour's label sheet, and with a base URL each stop's QR code.
func (s *Service) writeLabels(h *public, root, sub, base string, t *passerelle.Tour, stops []*passerelle.Stop) error {
	d := exportPage{Assets: "../assets/", BaseURL: base}
	d.Title = t.TitleZH
	for _, st := range stops {
		l := exportLabel{Number: st.Number, Title: st.TitleZH, TitleFR: st.TitleFR, Href: strconv.Itoa(st.Number) + ".html"}
		if base != "" {
			l.Address = base + "/" + sub + "/" + l.Href
			l.QR = "qr-" + strconv.Itoa(st.Number) + ".svg"
			if err := writeQR(filepath.Join(root, sub, l.QR), l.Address); err != nil {
				return err
			}
		}
		d.Labels = append(d.Labels, l)
	}
	return h.writeExportPage(filepath.Join(root, sub), "labels.html", d)
}

// writeIndex writes the site's index, and with a base URL each entry's QR code.
func (s *Service) writeIndex(h *public, root, base string, entries []exportEntry) error {
	l := s.catalog.Localizer("zh-Hans")
	d := exportPage{Assets: "assets/", BaseURL: base}
	d.Title = l.T("export.site_title")
	for _, e := range entries {
		x := exportLink{Kind: l.T("export.exhibition"), Title: e.Title, TitleFR: e.TitleFR, Href: e.Sub + "/index.html"}
		if e.Kind == "t" {
			x.Kind, x.Labels = l.T("export.tour"), e.Sub+"/labels.html"
		}
		if base != "" {
			x.Address = base + "/" + x.Href
			x.QR = e.Sub + "/qr-index.svg"
			if err := writeQR(filepath.Join(root, x.QR), x.Address); err != nil {
				return err
			}
		}
		d.Entries = append(d.Entries, x)
	}
	return h.writeExportPage(root, "index.html", d)
}

// writeExportCSS writes the export pages' stylesheet beside the visitor pages' one.
func writeExportCSS(root string) error {
	ev, err := loadExportViews()
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(root, "assets", ev.exportCSSName), ev.css, 0o644)
}

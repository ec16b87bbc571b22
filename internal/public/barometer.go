// Package public serves the pages anyone may read without signing in: the published
// barometer (an HTML page embeddable in an iframe, with its CSV and JSON downloads).
// Pages here are self-contained — styles inline, charts drawn on the server as SVG, no
// script, no request to another origin — so they load fast from mainland China.
package public

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/barometer"
	"github.com/passerelle-oss/passerelle/internal/csvout"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
)

//go:embed templates
var files embed.FS

// Barometer serves /barometer, /barometer.csv and /barometer.json.
type Barometer struct {
	srv      *server.Server
	db       *store.DB
	svc      *barometer.Service
	page     *template.Template
	css      template.CSS
	csp      string
	messages map[string]map[string]string
}

// RegisterBarometer adds the public barometer routes. The page shows the latest
// edition of the first organization that chose to publish its barometer, or of
// ?org=SLUG; an organization that did not publish is not found, and sequential ids
// are not accepted. The template and style
// are embedded: a parse failure is a build defect, so it panics like template.Must.
func RegisterBarometer(srv *server.Server, db *store.DB, svc *barometer.Service) *Barometer {
	css, err := files.ReadFile("templates/barometer.css")
	if err != nil {
		panic(err)
	}
	page := template.Must(template.ParseFS(files, "templates/barometer.html"))
	sum := sha256.Sum256(css)
	b := &Barometer{srv: srv, db: db, svc: svc, page: page, css: template.CSS(css), messages: catalog(),
		// The page may be framed by any site (museums embed it); it loads nothing and
		// runs no script, its one inline style being allowed by hash.
		csp: "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors *"}
	srv.HandleFunc("GET /barometer", server.Public, b.html)
	srv.HandleFunc("GET /barometer.csv", server.Public, b.csv)
	srv.HandleFunc("GET /barometer.json", server.Public, b.json)
	return b
}

// embeddable replaces the default frame rules for a response any site may frame.
func (b *Barometer) embeddable(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", b.csp)
	h.Del("X-Frame-Options")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Vary", "Accept-Language, Accept-Encoding")
}

// query is what a visitor may ask for.
type query struct {
	org      int64
	slug     string
	platform string
	edition  int64
	lang     string
	filter   barometer.Filter
	country  string
}

func (b *Barometer) parse(r *http.Request) (query, error) {
	q := r.URL.Query()
	out := query{lang: chooseLanguage(r), platform: strings.ToLower(q.Get("platform")), country: q.Get("country")}
	if out.platform == "" {
		out.platform = barometer.Combined
	}
	if !barometer.ValidPlatform(out.platform) {
		return out, passerelle.ErrNotFound
	}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"edition", &out.edition}} {
		if s := q.Get(p.name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 1 {
				return out, passerelle.ErrNotFound
			}
			*p.dst = n
		}
	}
	keep, exclude, err := barometer.ParseCountries(out.country)
	if err != nil {
		return out, passerelle.ErrNotFound
	}
	out.filter = barometer.Filter{Countries: keep, ExcludeCountries: exclude}
	slug := q.Get("org")
	if slug != "" && !store.ValidSlug(slug) {
		return out, passerelle.ErrNotFound
	}
	out.org, out.slug, err = b.db.PublicBarometer(r.Context(), slug)
	if err != nil {
		return out, err
	}
	return out, nil
}

// table returns the edition asked for, or the latest of the platform (live figures
// while none is published); nil when there is nothing to show.
func (b *Barometer) table(r *http.Request, q query) (*barometer.Table, error) {
	var t *barometer.Table
	var err error
	if q.edition > 0 {
		t, err = b.svc.EditionTable(r.Context(), q.org, q.edition, q.filter)
	} else {
		t, err = b.svc.LatestTable(r.Context(), q.org, q.platform, q.filter)
	}
	if passerelle.ErrorCode(err) == passerelle.ENOTFOUND && q.edition == 0 {
		return nil, nil
	}
	return t, err
}

// download returns the table a download asks for; not found when there is nothing.
func (b *Barometer) download(r *http.Request) (*barometer.Table, error) {
	q, err := b.parse(r)
	if err != nil {
		return nil, err
	}
	t, err := b.table(r, q)
	if err == nil && t == nil {
		err = passerelle.Errorf(passerelle.ENOTFOUND, "No barometer is published yet.")
	}
	return t, err
}

func (b *Barometer) json(w http.ResponseWriter, r *http.Request) {
	t, err := b.download(r)
	if err != nil {
		b.srv.Error(w, r, err)
		return
	}
	b.embeddable(w)
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(t)
}

func (b *Barometer) csv(w http.ResponseWriter, r *http.Request) {
	t, err := b.download(r)
	if err != nil {
		b.srv.Error(w, r, err)
		return
	}
	b.embeddable(w)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="barometer-%s-%s.csv"`, safeName(t.Period), t.Platform))
	// Headers in the language asked for (?lang= or Accept-Language); ?excel=fr for
	// French Excel (BOM and ";").
	barometer.WriteTableCSV(w, t, csvout.FromQuery(r.URL.Query(), chooseLanguage(r)))
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '-' {
			return r
		}
		return '_'
	}, s)
}

// link is an entry of a switch (language, platform, edition).
type link struct {
	Name, URL, Code string
	Current         bool
}

// bar is one bar of the chart, its geometry computed here so the page needs no script.
type bar struct {
	Label, Value            string
	Y, TextY, Width, ValueX int
}

// row is a table row formatted for the page's language.
type row struct {
	Rank, Institution, Country, Followers, Share, Growth, Index, Movement, MoveClass string
	NoData                                                                           bool
	// Members lists a network account's member institutions, counted in this row.
	Members string
}

type pageData struct {
	T            map[string]string
	CSS          template.CSS
	Table        *barometer.Table
	PlatformName string
	Languages    []link
	Platforms    []link
	Editions     []link
	Bars         []bar
	NarrowBars   []bar
	ChartHeight  int
	Rows         []row
	Total        string
	CSVURL       string
	JSONURL      string
}

func (b *Barometer) html(w http.ResponseWriter, r *http.Request) {
	q, err := b.parse(r)
	var t *barometer.Table
	if err == nil {
		t, err = b.table(r, q)
	}
	if err != nil {
		b.srv.Error(w, r, err)
		return
	}
	T := b.messages[q.lang]
	d := pageData{T: T, CSS: b.css, Table: t}
	here := func(change func(url.Values)) string {
		v := url.Values{}
		if r.URL.Query().Has("org") {
			v.Set("org", q.slug)
		}
		if q.platform != barometer.Combined {
			v.Set("platform", q.platform)
		}
		if q.edition > 0 {
			v.Set("edition", strconv.FormatInt(q.edition, 10))
		}
		if q.country != "" {
			v.Set("country", q.country)
		}
		v.Set("lang", q.lang)
		change(v)
		if len(v) == 0 {
			return "/barometer"
		}
		return "/barometer?" + v.Encode()
	}
	for _, l := range languages {
		d.Languages = append(d.Languages, link{Name: b.messages[l]["lang_name"], Code: b.messages[l]["lang"], URL: here(func(v url.Values) { v.Set("lang", l) }), Current: l == q.lang})
	}
	// Each language is named in itself.
	if t != nil {
		d.PlatformName = T[t.Platform]
		b.fill(r, &d, q, t, here)
	}
	var buf bytes.Buffer
	if err := b.page.Execute(&buf, d); err != nil {
		b.srv.Error(w, r, fmt.Errorf("public: render barometer: %w", err))
		return
	}
	b.embeddable(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", T["lang"])
	if t == nil {
		w.WriteHeader(http.StatusNotFound)
	}
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		w.Header().Set("Content-Encoding", "gzip")
		gz := gzip.NewWriter(w)
		gz.Write(buf.Bytes())
		gz.Close()
		return
	}
	w.Write(buf.Bytes())
}

// fill formats the table, the chart and the switches.
func (b *Barometer) fill(r *http.Request, d *pageData, q query, t *barometer.Table, here func(func(url.Values)) string) {
	lang := q.lang
	T := d.T
	d.Total = formatInt(lang, t.TotalFollowers)
	dl := func(ext string) string {
		v := url.Values{}
		v.Set("org", q.slug)
		if t.EditionID != nil {
			v.Set("edition", strconv.FormatInt(*t.EditionID, 10))
		}
		if q.country != "" {
			v.Set("country", q.country)
		}
		return "/barometer." + ext + "?" + v.Encode()
	}
	d.CSVURL, d.JSONURL = dl("csv"), dl("json")
	dash := "–"
	var top int64
	// Institutions by the name they have in the page's language (卢浮宫, not Musée
	// du Louvre, for Chinese readers); the edition's own name when none is set.
	names := map[int64]string{}
	if insts, err := b.db.Institutions(r.Context(), store.InstitutionFilter{OrgID: q.org, IncludeArchived: true}); err == nil {
		for _, i := range insts {
			names[i.ID] = localName(i, lang)
		}
	}
	name := func(x barometer.Row) string {
		if n := names[x.InstitutionID]; n != "" {
			return n
		}
		return x.Institution
	}
	for _, x := range t.Rows {
		rw := row{Institution: name(x), Country: x.Country, Rank: dash, Followers: T["nodata"], Share: dash, Growth: dash, Index: dash, Movement: dash, NoData: x.Followers == nil}
		if len(x.Members) > 0 {
			sep := ", "
			if lang == "zh-Hans" {
				sep = "、"
			}
			ms := make([]string, len(x.Members))
			for i, m := range x.Members {
				ms[i] = cmp.Or(names[m.InstitutionID], m.Name)
			}
			rw.Members = strings.Join(ms, sep)
		}
		if x.Rank != nil {
			rw.Rank = strconv.Itoa(*x.Rank)
		}
		if x.Followers != nil {
			rw.Followers = formatInt(lang, *x.Followers)
			top = max(top, *x.Followers)
		}
		if x.Share != nil {
			rw.Share = formatPercent(lang, *x.Share)
		}
		if x.Growth != nil {
			rw.Growth = formatInt(lang, *x.Growth)
			if *x.Growth > 0 {
				rw.Growth = "+" + rw.Growth
			}
		}
		if x.Index != nil {
			rw.Index = formatFloat(lang, *x.Index)
		}
		switch {
		case x.Movement != nil && *x.Movement > 0:
			rw.Movement, rw.MoveClass = "▲ "+strconv.Itoa(*x.Movement), "up"
		case x.Movement != nil && *x.Movement < 0:
			rw.Movement, rw.MoveClass = "▼ "+strconv.Itoa(-*x.Movement), "down"
		case x.Movement != nil:
			rw.Movement = "="
		case x.Rank != nil && x.PreviousRank == nil:
			rw.Movement = T["new"]
		}
		d.Rows = append(d.Rows, rw)
	}
	for k, x := range t.Rows {
		if k == 10 || x.Followers == nil || top == 0 {
			break
		}
		y := 6 + k*26
		width := int(*x.Followers * 520 / top)
		d.Bars = append(d.Bars, bar{Label: shorten(name(x), 34), Value: formatInt(lang, *x.Followers), Y: y, TextY: y + 14, Width: max(width, 1), ValueX: 286 + width})
		// The phone's chart is drawn for a narrow box, so its text stays readable.
		nw := int(*x.Followers * 170 / top)
		d.NarrowBars = append(d.NarrowBars, bar{Label: shorten(name(x), 9), Value: formatCompact(lang, *x.Followers), Y: y, TextY: y + 14, Width: max(nw, 1), ValueX: 136 + nw})
	}
	d.ChartHeight = 12 + 26*len(d.Bars)
	// Platforms and editions of the same organization.
	eds, err := b.svc.Editions(r.Context(), q.org, "")
	if err != nil {
		return
	}
	for _, e := range eds {
		if e.Period == t.Period {
			p := e.Platform
			d.Platforms = append(d.Platforms, link{Name: T[p], URL: here(func(v url.Values) {
				v.Del("edition")
				v.Set("edition", strconv.FormatInt(e.ID, 10))
			}), Current: p == t.Platform})
		}
		if e.Platform == t.Platform && len(d.Editions) < 12 {
			d.Editions = append(d.Editions, link{Name: e.Period, URL: here(func(v url.Values) { v.Set("edition", strconv.FormatInt(e.ID, 10)) }), Current: t.EditionID != nil && e.ID == *t.EditionID})
		}
	}
}

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// localName is an institution's name in lang when it has one.
func localName(i *passerelle.Institution, lang string) string {
	switch {
	case strings.HasPrefix(lang, "zh") && i.NameZH != "":
		return i.NameZH
	case lang == "fr" && i.NameFR != "":
		return i.NameFR
	case lang == "en" && i.NameEN != "":
		return i.NameEN
	}
	return i.Name
}

// formatCompact writes a count in few characters: 1.3M, 1,3 M, 130.5万.
func formatCompact(lang string, n int64) string {
	f := float64(n)
	switch {
	case strings.HasPrefix(lang, "zh") && n >= 10000:
		return strconv.FormatFloat(float64(int64(f/1000+0.5))/10, 'f', -1, 64) + "万"
	case n >= 1_000_000:
		s := strconv.FormatFloat(float64(int64(f/100000+0.5))/10, 'f', -1, 64)
		if lang == "fr" {
			return strings.Replace(s, ".", ",", 1) + " M"
		}
		return s + "M"
	case n >= 1000:
		s := strconv.FormatFloat(float64(int64(f/100+0.5))/10, 'f', -1, 64)
		if lang == "fr" {
			return strings.Replace(s, ".", ",", 1) + " k"
		}
		return s + "k"
	}
	return strconv.FormatInt(n, 10)
}

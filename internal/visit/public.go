package visit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/i18n"
	"github.com/passerelle-oss/passerelle/internal/precompress"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
)

//go:embed templates/*.html templates/visit.css templates/visit.js
var templateFS embed.FS

// languages of the visitor pages, in the order of the language switch.
var languages = []string{"zh-Hans", "fr", "en"}

type views struct {
	pages   *template.Template
	css     []byte
	cssName string
	js      []byte
	jsName  string
	// cssBody and jsBody are the stylesheet and script compressed once.
	cssBody, jsBody *precompress.Body
}

var loadViews = sync.OnceValues(func() (*views, error) {
	t, err := template.New("").ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	css, err := templateFS.ReadFile("templates/visit.css")
	if err != nil {
		return nil, err
	}
	js, err := templateFS.ReadFile("templates/visit.js")
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(css)
	jsSum := sha256.Sum256(js)
	return &views{pages: t, css: css, cssName: "visit." + hex.EncodeToString(sum[:6]) + ".css", js: js, jsName: "visit." + hex.EncodeToString(jsSum[:6]) + ".js",
		cssBody: precompress.New(css), jsBody: precompress.New(js)}, nil
})

// Register adds the public pages to srv. They need no account.
func (s *Service) Register(srv *server.Server) error {
	v, err := loadViews()
	if err != nil {
		return fmt.Errorf("visit: %w", err)
	}
	h := &public{Service: s, srv: srv, views: v}
	srv.HandleFunc("GET /v/t/{token}", server.Public, h.tour)
	srv.HandleFunc("GET /v/t/{token}/go", server.Public, h.goToStop)
	srv.HandleFunc("GET /v/t/{token}/{n}", server.Public, h.stop)
	srv.HandleFunc("GET /v/e/{token}", server.Public, h.exhibition)
	srv.HandleFunc("GET /v/audio/{file}", server.Public, h.audio)
	srv.HandleFunc("GET /v/img/{file}", server.Public, h.image)
	srv.HandleFunc("GET /v/img/{key}/{name}", server.Public, h.rendition)
	srv.HandleFunc("GET /v/static/{file}", server.Public, h.static)
	srv.HandleFunc("POST "+beaconPath, server.Public, h.beacon, server.BodyLimit(beaconLimit))
	h.registerKiosk(srv)
	return nil
}

type public struct {
	*Service
	srv   *server.Server
	views *views
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// language takes ?lang= ("zh" for "zh-Hans"), else Accept-Language, else Chinese:
// the visitors these pages are made for read Chinese.
func (s *Service) language(r *http.Request) (lang string, explicit bool) {
	// Most visitors' addresses have no query: nothing to parse then.
	if r.URL.RawQuery != "" {
		if l := r.URL.Query().Get("lang"); l != "" {
			for _, x := range []string{"fr", "en", "zh"} {
				if l == x || strings.HasPrefix(l, x+"-") {
					return i18n.Canonical(x), true
				}
			}
		}
	}
	if l := s.acceptLanguage(r.Header.Get("Accept-Language")); l != "" {
		return l, false
	}
	return "zh-Hans", false
}

// acceptLanguage is the catalog's match of an Accept-Language header, remembered: a
// phone sends the same header with every request, and parsing and matching it costs
// more than the rest of serving a cached page.
func (s *Service) acceptLanguage(header string) string {
	if header == "" {
		return ""
	}
	if l, ok := s.languages.Load(header); ok {
		return l.(string)
	}
	l := s.catalog.Match(header)
	// A bound on what made-up headers can make it hold: past it, start over.
	if s.languageCount.Add(1) > 1_000 {
		s.languages.Clear()
		s.languageCount.Store(0)
	}
	s.languages.Store(header, l)
	return l
}

// pick returns the text in lang, else in English, French, then Chinese.
func pick(lang, zh, fr, en string) string {
	switch {
	case lang == "fr" && fr != "":
		return fr
	case lang == "en" && en != "":
		return en
	case lang == "zh-Hans" && zh != "":
		return zh
	}
	for _, s := range []string{en, fr, zh} {
		if s != "" {
			return s
		}
	}
	return ""
}

// langLink is one entry of the language switch.
type langLink struct {
	Code, Name, URL string
	Current         bool
}

// pageData is what every template receives.
type pageData struct {
	L         *i18n.Localizer
	Lang      string
	CSS       string
	Title     string
	Digest    string
	Cover     string
	Languages []langLink
	Body      any
	// Script loads the page's counting script (the beacon), when there is one.
	Script bool
	JS     string
	// static renders for a static export: relative stylesheet, langURL for the
	// language switch.
	static  bool
	langURL func(lang string) string
}

// serve answers a page from the cache, rendering it with render on a miss.
func (h *public) serve(w http.ResponseWriter, r *http.Request, render func(ctx context.Context, lang, q string) (int, []byte, error)) {
	lang, explicit := h.language(r)
	q := ""
	if explicit {
		q = langQuery(lang)
	}
	key := pageKey{path: r.URL.Path, lang: lang, q: q}
	now := h.now()
	p, refresh := h.pages.lookup(key, now)
	if refresh {
		status, body, err := render(r.Context(), lang, q)
		if err != nil {
			if p != nil {
				p.refreshing.Store(false)
			}
			h.srv.LogError(r, err)
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		p = h.pages.newPage(status, body, now)
		h.pages.put(key, p)
	}
	// Header values made once (see pageHeaders), set without allocating.
	hd := w.Header()
	hd["Content-Type"] = pageHeaders.contentType
	if v := pageHeaders.languages[lang]; v != nil {
		hd["Content-Language"] = v
	} else {
		hd.Set("Content-Language", lang)
	}
	if !explicit {
		hd["Vary"] = pageHeaders.varyLanguage
	} else {
		hd["Vary"] = pageHeaders.vary
	}
	if p.status != http.StatusOK {
		hd["Cache-Control"] = pageHeaders.noStore
		w.WriteHeader(p.status)
		w.Write(p.body.Identity)
		return
	}
	hd["Cache-Control"] = pageHeaders.cache
	p.body.Serve(w, r)
}

// pageHeaders are the header values of the public pages, shared by every answer:
// nothing changes them in place (Header.Set replaces a value, Add appends to a full
// slice, which copies it).
var pageHeaders = struct {
	contentType, varyLanguage, vary, noStore, cache []string
	languages                                       map[string][]string
}{
	contentType:  headerValue("text/html; charset=utf-8"),
	varyLanguage: headerValue("Accept-Language, Accept-Encoding"),
	vary:         headerValue("Accept-Encoding"),
	noStore:      headerValue("no-store"),
	cache:        headerValue("public, max-age=60"),
	languages:    map[string][]string{},
}

func init() {
	for _, l := range languages {
		pageHeaders.languages[l] = headerValue(l)
	}
}

// headerValue is a header value as a slice that an append copies.
func headerValue(v string) []string { return []string{v}[:1:1] }

// langQuery is the explicit language query of lang, made once per language.
func langQuery(lang string) string {
	switch lang {
	case "zh-Hans":
		return "?lang=zh-Hans"
	case "fr":
		return "?lang=fr"
	case "en":
		return "?lang=en"
	}
	return "?lang=" + url.QueryEscape(lang)
}

// execute renders a template with the common frame.
func (h *public) execute(name string, d pageData, lang, path, q string) ([]byte, error) {
	d.L = h.catalog.Localizer(lang)
	d.Lang = lang
	d.CSS = "/v/static/" + h.views.cssName
	d.JS = "/v/static/" + h.views.jsName
	if d.static {
		d.CSS = "../assets/" + h.views.cssName
	}
	for _, l := range languages {
		u := path + "?lang=" + l
		if d.langURL != nil {
			u = d.langURL(l)
		}
		d.Languages = append(d.Languages, langLink{Code: l, Name: h.catalog.Localizer(l).T("public.lang_name"), URL: u, Current: l == lang})
	}
	var buf bytes.Buffer
	if err := h.views.pages.ExecuteTemplate(&buf, name, d); err != nil {
		return nil, fmt.Errorf("visit: render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// notFound renders the page of a wrong, guessed or unpublished address: it says
// nothing of what exists.
func (h *public) notFound(lang, path, q string) (int, []byte, error) {
	b, err := h.execute("notfound.html", pageData{}, lang, path, q)
	return http.StatusNotFound, b, err
}

type stopLink struct {
	Number int
	Title  string
	URL    string
}

type tourBody struct {
	Title, Intro string
	Stops        []stopLink
	GoURL        string
	Count        int
}

func (s *Service) audioURL(m *store.MediaAsset) string {
	ext := ".mp3"
	if m.MIME == "audio/mp4" {
		ext = ".m4a"
	}
	return audioPrefix + m.StorageKey + ext
}

func (s *Service) imageURL(m *store.MediaAsset) string {
	ext := ".jpg"
	if m.MIME == "image/png" {
		ext = ".png"
	} else if m.MIME == "image/gif" {
		ext = ".gif"
	}
	return imagePrefix + m.StorageKey + ext
}

func (h *public) tour(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	h.serve(w, r, func(ctx context.Context, lang, q string) (int, []byte, error) {
		return h.renderTour(ctx, token, lang, q)
	})
}

func (s *Service) prerenderTour(ctx context.Context, token string) {
	v, err := loadViews()
	if err != nil {
		return
	}
	h := &public{Service: s, views: v}
	now := s.now()
	for _, lang := range languages {
		q := langQuery(lang)
		if status, body, err := h.renderTour(ctx, token, lang, q); err == nil {
			s.pages.put(pageKey{path: tourPrefix + token, lang: lang, q: q}, s.pages.newPage(status, body, now))
		}
	}
}

func (h *public) renderTour(ctx context.Context, token, lang, q string) (int, []byte, error) {
	path := tourPrefix + token
	t, err := h.DB.PublishedTour(ctx, token)
	if errors.Is(err, passerelle.ErrNotFound) || passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
		return h.notFound(lang, path, q)
	}
	if err != nil {
		return 0, nil, err
	}
	return h.renderTourOf(ctx, t, h.publicSite(path), lang, q)
}

// site says where a rendering's links and media point: the public pages, an
// editor's preview or a static export.
type site struct {
	// base is the tour's or exhibition's address; stops are base + "/" + number.
	base string
	// media is the address of a medium.
	media func(m *store.MediaAsset) string
	// beacon is the address counting plays and views ("" for none).
	beacon string
	// token is the public token the beacon names.
	token string
	// static makes relative file links (index.html, 12.fr.html) for a static export.
	static bool
	// pictures gives an image's renditions; nil shows the stored image.
	pictures func(ctx context.Context, m *store.MediaAsset, src string) *picture
}

// picture returns how the page shows the image m.
func (st site) picture(ctx context.Context, m *store.MediaAsset) *picture {
	if st.pictures != nil {
		return st.pictures(ctx, m, st.media(m))
	}
	return &picture{Src: st.media(m), Width: m.Width, Height: m.Height, Alt: m.AltZH}
}

// page is the address of the tour's page (n = 0) or of a stop in lang, with q (the
// explicit language query) on the server.
func (st site) page(n int, lang, q string) string {
	if st.static {
		name := "index"
		if n > 0 {
			name = strconv.Itoa(n)
		}
		if lang != "zh-Hans" {
			name += "." + lang
		}
		return name + ".html"
	}
	if n == 0 {
		return st.base + q
	}
	return st.base + "/" + strconv.Itoa(n) + q
}

// goURL is the address of the "type a stop number" form; "" in a static export.
func (st site) goURL() string {
	if st.static {
		return ""
	}
	return st.base + "/go"
}

// data fills the static-export fields of a page's data.
func (st site) data(d pageData, n int) pageData {
	if st.static {
		d.static = true
		d.langURL = func(l string) string { return st.page(n, l, "") }
	}
	return d
}

func (s *Service) publicSite(base string) site {
	token := base[strings.LastIndexByte(base, '/')+1:]
	return site{base: base, beacon: beaconPath, token: token, pictures: s.picture, media: func(m *store.MediaAsset) string {
		if strings.HasPrefix(m.MIME, "audio/") {
			return s.audioURL(m)
		}
		return s.imageURL(m)
	}}
}

func (h *public) renderTourOf(ctx context.Context, t *passerelle.Tour, st site, lang, q string) (int, []byte, error) {
	path := st.base
	stops, err := h.DB.Stops(ctx, t.ID)
	if err != nil {
		return 0, nil, err
	}
	b := tourBody{Title: pick(lang, t.TitleZH, t.TitleFR, t.TitleEN), Intro: pick(lang, t.IntroZH, t.IntroFR, t.IntroEN), GoURL: st.goURL(), Count: len(stops)}
	for _, s := range stops {
		b.Stops = append(b.Stops, stopLink{Number: s.Number, Title: pick(lang, s.TitleZH, s.TitleFR, s.TitleEN), URL: st.page(s.Number, lang, q)})
	}
	body, err := h.execute("tour.html", st.data(pageData{Title: b.Title, Digest: b.Intro, Body: b}, 0), lang, path, q)
	return http.StatusOK, body, err
}

type stopBody struct {
	Tour, TourURL     string
	Number            int
	Title, Artwork    string
	Transcript        []string
	Audio, AudioMIME  string
	Picture           *picture
	Prev, Next        *stopLink
	GoURL             string
	TranscriptMissing bool
	// Beacon and Token let the player count plays (no cookie, no visitor id).
	Beacon, Token string
}

func (h *public) stop(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || n > passerelle.MaxStopNumber || strconv.Itoa(n) != r.PathValue("n") {
		n = 0
	}
	h.serve(w, r, func(ctx context.Context, lang, q string) (int, []byte, error) {
		return h.renderStop(ctx, token, n, lang, q)
	})
}

func (h *public) renderStop(ctx context.Context, token string, n int, lang, q string) (int, []byte, error) {
	path := tourPrefix + token
	t, err := h.DB.PublishedTour(ctx, token)
	if passerelle.ErrorCode(err) == passerelle.ENOTFOUND || n == 0 {
		return h.notFound(lang, path+"/"+strconv.Itoa(n), q)
	}
	if err != nil {
		return 0, nil, err
	}
	return h.renderStopOf(ctx, t, h.publicSite(path), n, lang, q)
}

func (h *public) renderStopOf(ctx context.Context, t *passerelle.Tour, site site, n int, lang, q string) (int, []byte, error) {
	path := site.base
	stops, err := h.DB.Stops(ctx, t.ID)
	if err != nil {
		return 0, nil, err
	}
	i := -1
	for j, st := range stops {
		if st.Number == n {
			i = j
		}
	}
	if i < 0 {
		return h.notFound(lang, path+"/"+strconv.Itoa(n), q)
	}
	st := stops[i]
	ids := []int64{st.AudioMediaID, st.AudioFRMediaID, st.AudioENMediaID, st.ImageMediaID}
	media, err := h.DB.VisitMedia(ctx, t.InstitutionID, ids)
	if err != nil {
		return 0, nil, err
	}
	b := stopBody{Tour: pick(lang, t.TitleZH, t.TitleFR, t.TitleEN), TourURL: site.page(0, lang, q), Number: st.Number, Title: pick(lang, st.TitleZH, st.TitleFR, st.TitleEN),
		Artwork: st.Artwork, GoURL: site.goURL(), Beacon: site.beacon, Token: site.token}
	for _, para := range strings.Split(pick(lang, st.TranscriptZH, st.TranscriptFR, st.TranscriptEN), "\n") {
		if p := strings.TrimSpace(para); p != "" {
			b.Transcript = append(b.Transcript, p)
		}
	}
	audio := map[string]int64{"zh-Hans": st.AudioMediaID, "fr": st.AudioFRMediaID, "en": st.AudioENMediaID}
	for _, l := range []string{lang, "zh-Hans"} {
		if m := media[audio[l]]; m != nil && b.Audio == "" {
			b.Audio, b.AudioMIME = site.media(m), m.MIME
		}
	}
	if m := media[st.ImageMediaID]; m != nil {
		b.Picture = site.picture(ctx, m)
		b.Picture.Eager = true
	}
	if i > 0 {
		p := stops[i-1]
		b.Prev = &stopLink{Number: p.Number, Title: pick(lang, p.TitleZH, p.TitleFR, p.TitleEN), URL: site.page(p.Number, lang, q)}
	}
	if i+1 < len(stops) {
		nx := stops[i+1]
		b.Next = &stopLink{Number: nx.Number, Title: pick(lang, nx.TitleZH, nx.TitleFR, nx.TitleEN), URL: site.page(nx.Number, lang, q)}
	}
	body, err := h.execute("stop.html", site.data(pageData{Title: b.Title, Body: b, Script: site.beacon != ""}, n), lang, path+"/"+strconv.Itoa(n), q)
	return http.StatusOK, body, err
}

// goToStop answers the "type a stop number" form: a redirect to the stop.
func (h *public) goToStop(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	n, err := strconv.Atoi(strings.TrimSpace(r.URL.Query().Get("n")))
	if err != nil || n < 1 || n > passerelle.MaxStopNumber {
		n = 0
	}
	target := tourPrefix + url.PathEscape(token) + "/" + strconv.Itoa(n)
	if l := r.URL.Query().Get("lang"); l != "" {
		lang, _ := h.language(r)
		target += "?lang=" + lang
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, target, http.StatusSeeOther)
}

type workView struct {
	Title, Artist string
	Story         []string
	Picture       *picture
	Audio, MIME   string
}

type roomView struct {
	Number int
	Title  string
	Works  []workView
}

type exhibitionBody struct {
	Title, Digest string
	Rooms         []roomView
	// Beacon and Token let the page count views (no cookie, no visitor id).
	Beacon, Token string
}

func (h *public) exhibition(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	h.serve(w, r, func(ctx context.Context, lang, q string) (int, []byte, error) {
		return h.renderExhibition(ctx, token, lang, q)
	})
}

func (h *public) renderExhibition(ctx context.Context, token, lang, q string) (int, []byte, error) {
	path := exhibitionPrefix + token
	e, err := h.DB.PublishedExhibition(ctx, token)
	if passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
		return h.notFound(lang, path, q)
	}
	if err != nil {
		return 0, nil, err
	}
	return h.renderExhibitionOf(ctx, e, h.publicSite(path), lang, q)
}

func (h *public) renderExhibitionOf(ctx context.Context, e *passerelle.Exhibition, site site, lang, q string) (int, []byte, error) {
	path := site.base
	ids := []int64{e.CoverMediaID}
	for _, room := range e.Rooms {
		for _, w := range room.Works {
			ids = append(ids, w.ImageMediaID, w.AudioMediaID)
		}
	}
	media, err := h.DB.VisitMedia(ctx, e.InstitutionID, ids)
	if err != nil {
		return 0, nil, err
	}
	b := exhibitionBody{Title: pick(lang, e.TitleZH, e.TitleFR, e.TitleEN), Digest: e.DigestZH, Beacon: site.beacon, Token: site.token}
	eager := false
	for i, room := range e.Rooms {
		rv := roomView{Number: i + 1, Title: pick(lang, room.TitleZH, room.TitleFR, room.TitleEN)}
		for _, w := range room.Works {
			wv := workView{Title: pick(lang, w.TitleZH, w.TitleFR, w.TitleEN), Artist: w.Artist}
			for _, para := range strings.Split(pick(lang, w.StoryZH, w.StoryFR, w.StoryEN), "\n") {
				if p := strings.TrimSpace(para); p != "" {
					wv.Story = append(wv.Story, p)
				}
			}
			if m := media[w.ImageMediaID]; m != nil {
				wv.Picture = site.picture(ctx, m)
				// The first image is what a visitor sees first.
				wv.Picture.Eager = !eager
				eager = true
			}
			if m := media[w.AudioMediaID]; m != nil {
				wv.Audio, wv.MIME = site.media(m), m.MIME
			}
			rv.Works = append(rv.Works, wv)
		}
		b.Rooms = append(b.Rooms, rv)
	}
	d := pageData{Title: b.Title, Digest: b.Digest, Body: b, Script: site.beacon != ""}
	if m := media[e.CoverMediaID]; m != nil && site.beacon != "" {
		d.Cover = h.BaseURL + h.imageURL(m)
	}
	body, err := h.execute("exhibition.html", site.data(d, 0), lang, path, q)
	return http.StatusOK, body, err
}

// audio serves a published stop's or work's recording by content key: ranges, and
// caching for a year (the address changes with the content).
func (h *public) audio(w http.ResponseWriter, r *http.Request) {
	h.file(w, r, "audio/")
}

// image serves a published stop's or exhibition's image by content key.
func (h *public) image(w http.ResponseWriter, r *http.Request) {
	h.file(w, r, "image/")
}

func (h *public) file(w http.ResponseWriter, r *http.Request, kind string) {
	key, _, _ := strings.Cut(r.PathValue("file"), ".")
	m, err := h.publishedMedia(r.Context(), key, kind)
	if err != nil || (kind == "audio/" && h.audioURL(m) != r.URL.Path) || (kind == "image/" && h.imageURL(m) != r.URL.Path) {
		if err != nil && passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			h.srv.LogError(r, err)
		}
		http.NotFound(w, r)
		return
	}
	h.serveFile(w, r, m.StorageKey, m.MIME, m.Bytes)
}

// serveFile serves the stored file key (content type mime, size bytes) with ranges
// and a year of caching: its address changes with its content.
func (h *public) serveFile(w http.ResponseWriter, r *http.Request, key, mime string, size int64) {
	hd := w.Header()
	hd.Set("Content-Type", mime)
	hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	hd.Set("ETag", `"`+key[:32]+`"`)
	// A file on disk: from the idle open files when there is one, given back after.
	now := h.now()
	if f := h.files.get(key, now); f != nil {
		http.ServeContent(w, r, "", time.Time{}, f)
		h.files.put(key, f, h.now())
		return
	}
	rc, err := h.Media.Open(r.Context(), key)
	if err != nil {
		clearFileHeaders(hd)
		h.srv.LogError(r, err)
		http.NotFound(w, r)
		return
	}
	if f, ok := rc.(*os.File); ok {
		http.ServeContent(w, r, "", time.Time{}, f)
		h.files.put(key, f, h.now())
		return
	}
	// Another store (S3): seek in what it returned, or read it whole.
	defer rc.Close()
	rs, ok := rc.(io.ReadSeeker)
	if !ok {
		data, err := io.ReadAll(io.LimitReader(rc, size+1))
		if err != nil {
			clearFileHeaders(hd)
			h.srv.LogError(r, err)
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		rs = bytes.NewReader(data)
	}
	http.ServeContent(w, r, "", time.Time{}, rs)
}

// clearFileHeaders removes a file's headers from an answer that is not the file: an
// error must not be cached for a year.
func clearFileHeaders(hd http.Header) {
	for _, k := range []string{"Content-Type", "Cache-Control", "ETag"} {
		hd.Del(k)
	}
}

// publishedMedia returns a medium a published page uses, with a short cache of the
// answer so a stream of range requests costs no query each.
func (s *Service) publishedMedia(ctx context.Context, key, kind string) (*store.MediaAsset, error) {
	if len(key) != 64 {
		return nil, passerelle.ErrNotFound
	}
	now := s.now()
	ck := pageKey{path: key, lang: kind, q: "media"}
	p, refresh := s.pages.lookup(ck, now)
	if !refresh {
		if p.status != http.StatusOK {
			return nil, passerelle.ErrNotFound
		}
		return p.media, nil
	}
	m, err := s.DB.PublishedMedia(ctx, key, kind)
	switch {
	case passerelle.ErrorCode(err) == passerelle.ENOTFOUND:
		s.pages.put(ck, &page{status: http.StatusNotFound, expires: now.Add(cacheTTL)})
		return nil, passerelle.ErrNotFound
	case err != nil:
		if p != nil {
			p.refreshing.Store(false)
		}
		return nil, err
	}
	s.pages.put(ck, &page{status: http.StatusOK, media: m, expires: now.Add(cacheTTL)})
	return m, nil
}

func (h *public) static(w http.ResponseWriter, r *http.Request) {
	var body *precompress.Body
	hd := w.Header()
	switch r.PathValue("file") {
	case h.views.cssName:
		body = h.views.cssBody
		hd.Set("Content-Type", "text/css; charset=utf-8")
	case h.views.jsName:
		body = h.views.jsBody
		hd.Set("Content-Type", "text/javascript; charset=utf-8")
	default:
		http.NotFound(w, r)
		return
	}
	hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	body.Serve(w, r)
}

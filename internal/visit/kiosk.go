package visit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Kiosk mode: a published tour or exhibition shown full screen on a screen in a
// cultural space. One page per language holds every stop or work as a slide; the
// kiosk script shows one at a time, moves on after the editor's pace, follows swipes,
// taps and arrow keys, and goes back to the first slide after the editor's idle time.
// A service worker, whose scope is the kiosk's own path, caches the pages, the script
// and stylesheet, the images and the audio when the kiosk is first opened; its script
// names the version (a hash of the content), so a republish installs a new cache and
// drops the old. The operator's page lists every resource and whether it is cached.
//
//	/v/k/{t|e}/{token}/         the kiosk, in Chinese
//	/v/k/{t|e}/{token}/fr, /en  the kiosk in French, in English
//	/v/k/{t|e}/{token}/status   the operator's page
//	/v/k/{t|e}/{token}/sw.js    the service worker (scope /v/k/{t|e}/{token}/)
//	/v/k/{t|e}/{token}/app.webmanifest
//	/v/k/a/{file}               the kiosk's script and stylesheet (immutable)

//go:embed kiosk/*
var kioskFS embed.FS

const (
	kioskPrefix      = "/v/k/"
	kioskAssetPrefix = "/v/k/a/"
)

// kioskCSP is the public pages' policy with the service worker allowed from this
// origin only (worker-src would otherwise fall back to script-src).
const kioskCSP = server.DefaultCSP + "; worker-src 'self'; manifest-src 'self'; media-src 'self'"

type kioskViews struct {
	pages   *template.Template
	css, js []byte
	sw      []byte
	cssName string
	jsName  string
}

var loadKioskViews = sync.OnceValues(func() (*kioskViews, error) {
	t, err := template.New("").ParseFS(kioskFS, "kiosk/*.html")
	if err != nil {
		return nil, err
	}
	v := &kioskViews{pages: t}
	if v.css, err = kioskFS.ReadFile("kiosk/kiosk.css"); err != nil {
		return nil, err
	}
	if v.js, err = kioskFS.ReadFile("kiosk/kiosk.js"); err != nil {
		return nil, err
	}
	if v.sw, err = kioskFS.ReadFile("kiosk/sw.js"); err != nil {
		return nil, err
	}
	v.cssName = "kiosk." + shortHash(v.css) + ".css"
	v.jsName = "kiosk." + shortHash(v.js) + ".js"
	return v, nil
})

func shortHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}

// KioskURL is the absolute address of a published tour's ("t") or exhibition's ("e")
// kiosk.
func (s *Service) KioskURL(kind, token string) string {
	return s.BaseURL + kioskBase(kind, token)
}

// KioskStatusURL is the absolute address of a kiosk's operator page.
func (s *Service) KioskStatusURL(kind, token string) string {
	return s.KioskURL(kind, token) + "status"
}

func kioskBase(kind, token string) string {
	if kind != "e" {
		kind = "t"
	}
	return kioskPrefix + kind + "/" + token + "/"
}

// Kiosk returns the kiosk settings of a tour ("t") or exhibition ("e") the user may
// see, with its public token.
func (s *Service) Kiosk(ctx context.Context, u *passerelle.User, kind string, id int64) (passerelle.Kiosk, string, error) {
	token, inst, err := s.kioskOwner(ctx, u, kind, id)
	if err != nil {
		return passerelle.Kiosk{}, "", err
	}
	if err := u.Allow(inst, passerelle.PermView); err != nil {
		return passerelle.Kiosk{}, "", err
	}
	k, err := s.DB.Kiosk(ctx, u.OrgID, kind, id)
	return k, token, err
}

// SetKiosk saves the kiosk settings of a tour or exhibition the user may write in;
// a running kiosk takes them at its next update.
func (s *Service) SetKiosk(ctx context.Context, u *passerelle.User, kind string, id int64, k passerelle.Kiosk) error {
	token, inst, err := s.kioskOwner(ctx, u, kind, id)
	if err != nil {
		return err
	}
	if err := u.Allow(inst, passerelle.PermWrite); err != nil {
		return err
	}
	if err := s.DB.SetKiosk(ctx, u.OrgID, kind, id, k); err != nil {
		return err
	}
	s.kiosks.forget(kind + "/" + token)
	return nil
}

func (s *Service) kioskOwner(ctx context.Context, u *passerelle.User, kind string, id int64) (token string, institutionID int64, err error) {
	if kind == "e" {
		e, err := s.DB.Exhibition(ctx, u.OrgID, id)
		if err != nil {
			return "", 0, err
		}
		return e.PublicToken, e.InstitutionID, nil
	}
	t, err := s.DB.Tour(ctx, u.OrgID, id)
	if err != nil {
		return "", 0, err
	}
	return t.PublicToken, t.InstitutionID, nil
}

// kioskResource is one file the kiosk needs offline.
type kioskResource struct {
	URL   string
	Kind  string // page, script, style, image, audio
	Bytes int64
}

// kioskBundle is everything a kiosk serves, rendered together so that its version
// names exactly these bytes.
type kioskBundle struct {
	version   string
	files     map[string]*page // by name under the kiosk's path ("" is the Chinese page)
	resources []kioskResource
}

// kioskSlide is one screen of the kiosk.
type kioskSlide struct {
	ID        string
	Cover     bool
	Number    int
	Kicker    string
	Title     string
	Artist    string
	Text      []string
	Image     string
	Alt       string
	Audio     string
	AudioMIME string
}

type kioskPageData struct {
	pageData
	Base      string
	Pace      int
	Idle      int
	SW        string
	Status    string
	Manifest  string
	Slides    []kioskSlide
	Version   string
	Resources []kioskResource
	Cache     string
	Total     int64
}

// kioskLangs maps a language to the name of its page under the kiosk's path.
var kioskLangs = map[string]string{"zh-Hans": "", "fr": "fr", "en": "en"}

// buildKiosk renders a published tour's or exhibition's kiosk; ok is false when the
// token names nothing published.
func (h *public) buildKiosk(ctx context.Context, kind, token string) (*kioskBundle, bool, error) {
	kv, err := loadKioskViews()
	if err != nil {
		return nil, false, err
	}
	k, err := h.DB.PublishedKiosk(ctx, kind, token)
	if passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	base := kioskBase(kind, token)
	media := map[string]*store.MediaAsset{}
	mediaURL := func(m *store.MediaAsset) string {
		u := h.publicSite(base).media(m)
		media[u] = m
		return u
	}
	slidesOf := func(lang string) (string, []kioskSlide, error) {
		if kind == "e" {
			return h.exhibitionSlides(ctx, token, lang, mediaURL)
		}
		return h.tourSlides(ctx, token, lang, mediaURL)
	}
	b := &kioskBundle{files: map[string]*page{}}
	now := h.now()
	sum := sha256.New()
	for _, lang := range languages {
		title, slides, err := slidesOf(lang)
		if err != nil {
			return nil, false, err
		}
		if slides == nil { // unpublished in between
			return nil, false, nil
		}
		d := kioskPageData{Base: base, Pace: k.PaceSeconds, Idle: k.IdleSeconds, SW: base + "sw.js", Status: base + "status", Manifest: base + "app.webmanifest", Slides: slides}
		d.Title = title
		body, err := h.kioskExecute(kv, "kiosk.html", d, lang, base)
		if err != nil {
			return nil, false, err
		}
		name := kioskLangs[lang]
		b.files[name] = h.pages.newPage(http.StatusOK, body, now)
		sum.Write(body)
		b.resources = append(b.resources, kioskResource{URL: base + name, Kind: "page", Bytes: int64(len(body))})
	}
	b.resources = append(b.resources,
		kioskResource{URL: kioskAssetPrefix + kv.cssName, Kind: "style", Bytes: int64(len(kv.css))},
		kioskResource{URL: kioskAssetPrefix + kv.jsName, Kind: "script", Bytes: int64(len(kv.js))})
	urls := make([]string, 0, len(media))
	for u := range media {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	for _, u := range urls {
		m := media[u]
		kind := "image"
		if strings.HasPrefix(m.MIME, "audio/") {
			kind = "audio"
		}
		b.resources = append(b.resources, kioskResource{URL: u, Kind: kind, Bytes: m.Bytes})
	}
	// The web app manifest, so a tablet can add the kiosk to its home screen and open
	// it full screen.
	title, _, err := slidesOf("zh-Hans")
	if err != nil {
		return nil, false, err
	}
	manifest, _ := json.Marshal(map[string]any{"name": title, "short_name": title, "start_url": base, "scope": base, "display": "fullscreen", "background_color": "#111111", "theme_color": "#111111"})
	b.files["app.webmanifest"] = h.pages.newPage(http.StatusOK, manifest, now)
	sum.Write(manifest)
	b.resources = append(b.resources, kioskResource{URL: base + "app.webmanifest", Kind: "manifest", Bytes: int64(len(manifest))})
	sum.Write(kv.css)
	sum.Write(kv.js)
	sum.Write(kv.sw)
	b.version = hex.EncodeToString(sum.Sum(nil)[:8])
	cache := "kiosk-" + kind + "-" + token + "-" + b.version

	// The operator's page is a resource too (it opens offline), in the operator's
	// language; its expected size is that of its Chinese rendering (made twice: the
	// first measures it).
	b.resources = append(b.resources, kioskResource{URL: base + "status", Kind: "page"})
	for _, lang := range append([]string{"zh-Hans"}, languages...) {
		var total int64
		for _, r := range b.resources {
			total += r.Bytes
		}
		d := kioskPageData{Base: base, SW: base + "sw.js", Status: base + "status", Version: b.version, Resources: b.resources, Cache: cache, Total: total, Pace: k.PaceSeconds, Idle: k.IdleSeconds}
		d.Title = title
		body, err := h.kioskExecute(kv, "status.html", d, lang, base+"status")
		if err != nil {
			return nil, false, err
		}
		b.files["status|"+lang] = h.pages.newPage(http.StatusOK, body, now)
		if r := &b.resources[len(b.resources)-1]; r.Bytes == 0 {
			r.Bytes = int64(len(body))
		}
	}

	list := make([]string, 0, len(b.resources))
	for _, r := range b.resources {
		list = append(list, r.URL)
	}
	head, _ := json.Marshal(map[string]any{"version": b.version, "cache": cache, "prefix": "kiosk-" + kind + "-" + token + "-", "files": list})
	var sw bytes.Buffer
	fmt.Fprintf(&sw, "// Passerelle kiosk service worker, version %s.\nvar KIOSK = %s;\n", b.version, head)
	sw.Write(kv.sw)
	b.files["sw.js"] = h.pages.newPage(http.StatusOK, sw.Bytes(), now)
	return b, true, nil
}

func (h *public) kioskExecute(kv *kioskViews, name string, d kioskPageData, lang, path string) ([]byte, error) {
	d.L = h.catalog.Localizer(lang)
	d.Lang = lang
	d.CSS = kioskAssetPrefix + kv.cssName
	d.JS = kioskAssetPrefix + kv.jsName
	for _, l := range languages {
		d.Languages = append(d.Languages, langLink{Code: l, Name: h.catalog.Localizer(l).T("public.lang_name"), URL: d.Base + kioskLangs[l], Current: l == lang})
	}
	var buf bytes.Buffer
	if err := kv.pages.ExecuteTemplate(&buf, name, d); err != nil {
		return nil, fmt.Errorf("visit: render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

func paragraphs(s string) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		if p := strings.TrimSpace(para); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// tourSlides is a published tour as slides: its title, then each stop with its image,
// its recording in lang (else Chinese) and its transcript. nil slides: not published.
func (h *public) tourSlides(ctx context.Context, token, lang string, mediaURL func(*store.MediaAsset) string) (string, []kioskSlide, error) {
	t, err := h.DB.PublishedTour(ctx, token)
	if passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	stops, err := h.DB.Stops(ctx, t.ID)
	if err != nil {
		return "", nil, err
	}
	var ids []int64
	for _, st := range stops {
		ids = append(ids, st.AudioMediaID, st.AudioFRMediaID, st.AudioENMediaID, st.ImageMediaID)
	}
	media, err := h.DB.VisitMedia(ctx, t.InstitutionID, ids)
	if err != nil {
		return "", nil, err
	}
	title := pick(lang, t.TitleZH, t.TitleFR, t.TitleEN)
	slides := []kioskSlide{{ID: "s0", Cover: true, Title: title, Text: paragraphs(pick(lang, t.IntroZH, t.IntroFR, t.IntroEN))}}
	for i, st := range stops {
		sl := kioskSlide{ID: "s" + strconv.Itoa(i+1), Number: st.Number, Kicker: title, Title: pick(lang, st.TitleZH, st.TitleFR, st.TitleEN), Artist: st.Artwork,
			Text: paragraphs(pick(lang, st.TranscriptZH, st.TranscriptFR, st.TranscriptEN))}
		if m := media[st.ImageMediaID]; m != nil {
			sl.Image, sl.Alt = mediaURL(m), m.AltZH
		}
		audio := map[string]int64{"zh-Hans": st.AudioMediaID, "fr": st.AudioFRMediaID, "en": st.AudioENMediaID}
		for _, l := range []string{lang, "zh-Hans"} {
			if m := media[audio[l]]; m != nil && sl.Audio == "" {
				sl.Audio, sl.AudioMIME = mediaURL(m), m.MIME
			}
		}
		slides = append(slides, sl)
	}
	return title, slides, nil
}

// exhibitionSlides is a published exhibition as slides: its cover, then each work of
// each room in order.
func (h *public) exhibitionSlides(ctx context.Context, token, lang string, mediaURL func(*store.MediaAsset) string) (string, []kioskSlide, error) {
	e, err := h.DB.PublishedExhibition(ctx, token)
	if passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	ids := []int64{e.CoverMediaID}
	for _, room := range e.Rooms {
		for _, w := range room.Works {
			ids = append(ids, w.ImageMediaID, w.AudioMediaID)
		}
	}
	media, err := h.DB.VisitMedia(ctx, e.InstitutionID, ids)
	if err != nil {
		return "", nil, err
	}
	title := pick(lang, e.TitleZH, e.TitleFR, e.TitleEN)
	cover := kioskSlide{ID: "s0", Cover: true, Title: title, Text: paragraphs(e.DigestZH)}
	if m := media[e.CoverMediaID]; m != nil {
		cover.Image, cover.Alt = mediaURL(m), m.AltZH
	}
	slides := []kioskSlide{cover}
	for _, room := range e.Rooms {
		roomTitle := pick(lang, room.TitleZH, room.TitleFR, room.TitleEN)
		for _, w := range room.Works {
			sl := kioskSlide{ID: "s" + strconv.Itoa(len(slides)), Kicker: roomTitle, Title: pick(lang, w.TitleZH, w.TitleFR, w.TitleEN), Artist: w.Artist,
				Text: paragraphs(pick(lang, w.StoryZH, w.StoryFR, w.StoryEN))}
			if m := media[w.ImageMediaID]; m != nil {
				sl.Image, sl.Alt = mediaURL(m), m.AltZH
			}
			if m := media[w.AudioMediaID]; m != nil {
				sl.Audio, sl.AudioMIME = mediaURL(m), m.MIME
			}
			slides = append(slides, sl)
		}
	}
	return title, slides, nil
}

// kioskCache holds built kiosks for cacheTTL, like the other public pages; SetKiosk
// drops a kiosk at once on this instance.
type kioskCache struct {
	mu      sync.Mutex
	bundles map[string]*kioskEntry
}

type kioskEntry struct {
	b       *kioskBundle // nil: nothing published under this token
	expires time.Time
}

func (c *kioskCache) get(key string, now time.Time) (*kioskBundle, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.bundles[key]
	if e == nil || !now.Before(e.expires) {
		return nil, false
	}
	return e.b, true
}

func (c *kioskCache) put(key string, b *kioskBundle, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// A bound on what guessed addresses can make the cache hold.
	if c.bundles == nil || len(c.bundles) > 1000 {
		c.bundles = map[string]*kioskEntry{}
	}
	c.bundles[key] = &kioskEntry{b: b, expires: now.Add(cacheTTL)}
}

func (c *kioskCache) forget(key string) {
	c.mu.Lock()
	delete(c.bundles, key)
	c.mu.Unlock()
}

func (h *public) kiosk(ctx context.Context, kind, token string) (*kioskBundle, error) {
	key := kind + "/" + token
	now := h.now()
	if b, ok := h.kiosks.get(key, now); ok {
		return b, nil
	}
	b, ok, err := h.buildKiosk(ctx, kind, token)
	if err != nil {
		return nil, err
	}
	if !ok {
		b = nil
	}
	h.kiosks.put(key, b, now)
	return b, nil
}

// registerKiosk adds the kiosk's public routes.
func (h *public) registerKiosk(srv *server.Server) {
	for _, kind := range []string{"t", "e"} {
		srv.HandleFunc("GET "+kioskPrefix+kind+"/{token}", server.Public, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, kioskBase(kind, r.PathValue("token")), http.StatusMovedPermanently)
		})
		srv.HandleFunc("GET "+kioskPrefix+kind+"/{token}/{$}", server.Public, h.kioskFile(kind, ""))
		for _, name := range []string{"fr", "en", "status", "sw.js", "app.webmanifest"} {
			srv.HandleFunc("GET "+kioskPrefix+kind+"/{token}/"+name, server.Public, h.kioskFile(kind, name))
		}
	}
	srv.HandleFunc("GET "+kioskAssetPrefix+"{file}", server.Public, h.kioskAsset)
}

var kioskTypes = map[string]string{
	"sw.js":           "text/javascript; charset=utf-8",
	"app.webmanifest": "application/manifest+json",
}

// kioskFile serves a page, the service worker or the manifest of a kiosk. They are
// revalidated on every use (no-cache, with an ETag): the service worker is what keeps
// them offline.
func (h *public) kioskFile(kind, name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", kioskCSP)
		b, err := h.kiosk(r.Context(), kind, r.PathValue("token"))
		if err != nil {
			h.srv.LogError(r, err)
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		if b == nil {
			lang, _ := h.language(r)
			status, body, err := h.notFound(lang, r.URL.Path, "")
			if err != nil {
				http.NotFound(w, r)
				return
			}
			hd.Set("Content-Type", "text/html; charset=utf-8")
			hd.Set("Cache-Control", "no-store")
			w.WriteHeader(status)
			w.Write(body)
			return
		}
		p := b.files[name]
		if name == "status" {
			lang, _ := h.language(r)
			p = b.files["status|"+lang]
			hd.Set("Content-Language", lang)
			hd.Set("Vary", "Accept-Language, Accept-Encoding")
		} else {
			hd.Set("Vary", "Accept-Encoding")
		}
		ct := kioskTypes[name]
		if ct == "" {
			ct = "text/html; charset=utf-8"
		}
		hd.Set("Content-Type", ct)
		hd.Set("Cache-Control", "no-cache")
		if name == "sw.js" {
			hd.Set("Service-Worker-Allowed", kioskBase(kind, r.PathValue("token")))
		}
		p.body.Serve(w, r)
	}
}

// kioskAsset serves the kiosk's script and stylesheet by content name.
func (h *public) kioskAsset(w http.ResponseWriter, r *http.Request) {
	kv, err := loadKioskViews()
	if err != nil {
		h.srv.LogError(r, err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	var body []byte
	hd := w.Header()
	switch r.PathValue("file") {
	case kv.cssName:
		body = kv.css
		hd.Set("Content-Type", "text/css; charset=utf-8")
	case kv.jsName:
		body = kv.js
		hd.Set("Content-Type", "text/javascript; charset=utf-8")
	default:
		http.NotFound(w, r)
		return
	}
	hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

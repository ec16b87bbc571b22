package visit

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// The images of the public pages are sent as renditions sized for phones (see
// media.RenderWeb): a JPEG every browser shows, and a WebP where it is smaller, in a
// <picture> with srcset and sizes. They are made once per image, in the background
// after the first page that shows it is rendered (until then the page shows the
// stored image), and stored with the platform renditions in media_renditions, so
// they are made once for every instance and kept in backups and exports.

// webClaim is the claim name under which one instance renders an image's set.
const webClaim = "visit_web"

// webClaimStale is how long a claim holds before another instance takes it over.
const webClaimStale = 5 * time.Minute

// webSizes says how wide the image is shown: the page's column (40rem less its
// padding) on a wide screen, the screen less the padding on a phone.
const webSizes = "(min-width: 40rem) 38rem, calc(100vw - 2rem)"

func webSpec(width int, format string) string { return "visit_" + strconv.Itoa(width) + "." + format }

// webWidth is one width of an image's set.
type webWidth struct {
	width      int
	jpeg, webp *store.MediaRendition
}

// webSet is an image's renditions, smallest first; failed marks an image that has
// none (one that cannot be decoded), which is not tried again by this instance.
type webSet struct {
	widths []webWidth
	failed bool
}

type webSets struct {
	mu       sync.Mutex
	sets     map[int64]*webSet
	inflight map[int64]bool
}

func newWebSets() *webSets { return &webSets{sets: map[int64]*webSet{}, inflight: map[int64]bool{}} }

// picture is what a template needs to show an image.
type picture struct {
	Src           string
	Width, Height int
	Alt           string
	// JPEG and WebP are srcset values ("" when there are no renditions, or WebP is
	// never smaller).
	JPEG, WebP string
	Sizes      string
	// Eager is set on the image a visitor sees first (it is the page's largest
	// content): loaded at once, with priority.
	Eager bool
}

// picture returns how to show the image m on a public page: its renditions when
// they are made, else the stored image (and the renditions are started).
func (s *Service) picture(ctx context.Context, m *store.MediaAsset, src string) *picture {
	p := &picture{Src: src, Width: m.Width, Height: m.Height, Alt: m.AltZH}
	// A GIF keeps its animation only as it is; a WebP is already what we would make.
	if m.MIME != media.MIMEJPEG && m.MIME != media.MIMEPNG {
		return p
	}
	set := s.webSet(ctx, m)
	if set == nil || set.failed || len(set.widths) == 0 {
		return p
	}
	base := imagePrefix + m.StorageKey + "/"
	var jpeg, webp []string
	for _, w := range set.widths {
		jpeg = append(jpeg, base+strconv.Itoa(w.width)+".jpg "+strconv.Itoa(w.width)+"w")
		if w.webp != nil {
			webp = append(webp, base+strconv.Itoa(w.width)+".webp "+strconv.Itoa(w.width)+"w")
		}
	}
	// The fallback src is the rendition a phone at 2× asks for, else the largest.
	fb := set.widths[len(set.widths)-1]
	for _, w := range set.widths {
		if w.width == 640 {
			fb = w
		}
	}
	p.Src = base + strconv.Itoa(fb.width) + ".jpg"
	p.Width, p.Height = fb.jpeg.Width, fb.jpeg.Height
	p.JPEG, p.Sizes = strings.Join(jpeg, ", "), webSizes
	// Only when every width has a smaller WebP: a browser picks one source for all
	// widths, and a mixed set would send it a larger file for some.
	if len(webp) == len(set.widths) {
		p.WebP = strings.Join(webp, ", ")
	}
	return p
}

// webSet returns the image's renditions: remembered, or read from the database
// when all are there; nil while they are being made (and starts making them).
func (s *Service) webSet(ctx context.Context, m *store.MediaAsset) *webSet {
	ws := s.web
	ws.mu.Lock()
	set := ws.sets[m.ID]
	ws.mu.Unlock()
	if set != nil {
		return set
	}
	if set = s.storedWebSet(ctx, m); set != nil {
		ws.mu.Lock()
		ws.sets[m.ID] = set
		ws.mu.Unlock()
		return set
	}
	ws.mu.Lock()
	start := !ws.inflight[m.ID]
	ws.inflight[m.ID] = true
	ws.mu.Unlock()
	if start {
		s.background.Go(func() { s.renderWebSet(m) })
	}
	return nil
}

// storedWebSet reads a complete set from the database, or returns nil.
func (s *Service) storedWebSet(ctx context.Context, m *store.MediaAsset) *webSet {
	set := &webSet{}
	for _, w := range media.WebWidthsFor(m.Width) {
		j, err := s.DB.MediaRenditionFor(ctx, m.ID, webSpec(w, "jpg"))
		if err != nil {
			return nil
		}
		x := webWidth{width: w, jpeg: j}
		if wp, err := s.DB.MediaRenditionFor(ctx, m.ID, webSpec(w, "webp")); err == nil {
			x.webp = wp
		}
		set.widths = append(set.widths, x)
	}
	return set
}

// renderWebSet makes and stores an image's renditions, unless another instance
// holds the claim (its set is then read from the database once stored).
func (s *Service) renderWebSet(m *store.MediaAsset) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	defer func() {
		s.web.mu.Lock()
		delete(s.web.inflight, m.ID)
		s.web.mu.Unlock()
	}()
	claimed, err := s.DB.ClaimMediaRendition(ctx, m.ID, webClaim, webClaimStale)
	if err != nil || !claimed {
		if err != nil {
			s.Logger.Error("visit: claim image renditions", slog.Int64("media", m.ID), slog.Any("err", err))
		}
		return
	}
	defer func() {
		if err := s.DB.ReleaseMediaRendition(context.WithoutCancel(ctx), m.ID, webClaim); err != nil {
			s.Logger.Error("visit: release image renditions", slog.Int64("media", m.ID), slog.Any("err", err))
		}
	}()
	set, err := s.makeWebSet(ctx, m)
	if err != nil {
		s.Logger.Warn("visit: image renditions", slog.Int64("media", m.ID), slog.Any("err", err))
		set = &webSet{failed: true}
	}
	s.web.mu.Lock()
	s.web.sets[m.ID] = set
	s.web.mu.Unlock()
}

func (s *Service) makeWebSet(ctx context.Context, m *store.MediaAsset) (*webSet, error) {
	if set := s.storedWebSet(ctx, m); set != nil {
		return set, nil
	}
	rs, err := media.RenderWeb(ctx, s.Media, m.StorageKey, s.Limits)
	if err != nil {
		return nil, err
	}
	set := &webSet{}
	save := func(data []byte, w, h int, mime, spec string) (*store.MediaRendition, error) {
		key, err := s.Media.Put(ctx, bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		r := &store.MediaRendition{AssetID: m.ID, Spec: spec, StorageKey: key, MIME: mime, Width: w, Height: h, Bytes: int64(len(data))}
		return r, s.DB.SaveMediaRendition(ctx, r)
	}
	// WebP first, JPEG last: a set is complete once its JPEGs are stored.
	for _, r := range rs {
		x := webWidth{width: r.Width}
		if r.WebP != nil {
			if x.webp, err = save(r.WebP, r.Width, r.Height, media.MIMEWebP, webSpec(r.Width, "webp")); err != nil {
				return nil, err
			}
		}
		set.widths = append(set.widths, x)
	}
	for i, r := range rs {
		if set.widths[i].jpeg, err = save(r.JPEG, r.Width, r.Height, media.MIMEJPEG, webSpec(r.Width, "jpg")); err != nil {
			return nil, err
		}
	}
	return set, nil
}

// rendition serves one rendition of a published image: /v/img/{key}/{width}.{jpg|webp}.
func (h *public) rendition(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	name := r.PathValue("name")
	m, err := h.publishedMedia(r.Context(), key, "image/")
	if err != nil {
		if passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			h.srv.LogError(r, err)
		}
		http.NotFound(w, r)
		return
	}
	set := h.webSet(r.Context(), m)
	var x *store.MediaRendition
	if set != nil {
		for _, ww := range set.widths {
			switch name {
			case fmt.Sprintf("%d.jpg", ww.width):
				x = ww.jpeg
			case fmt.Sprintf("%d.webp", ww.width):
				x = ww.webp
			}
		}
	}
	if x == nil {
		http.NotFound(w, r)
		return
	}
	h.serveFile(w, r, x.StorageKey, x.MIME, x.Bytes)
}

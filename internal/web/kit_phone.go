package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/publish"
	"github.com/passerelle-oss/passerelle/internal/server"
)

// The phone kit: what the kit page's QR code opens on the phone that posts the
// publication, without signing in. The signed link is the permission (publish's
// kitlink.go): it shows the kit's text, topics, checklist and images, and nothing
// else — no navigation, no post, no account.

func (h *handler) kitPhoneRoutes() {
	s := h.srv
	s.HandleFunc("GET /k/{token}", server.Public, h.kitPhone)
	s.HandleFunc("GET /k/{token}/media/{n}", server.Public, h.kitPhoneMedia)
}

func kitLinkPath(token string) string { return "/k/" + token }

type kitPhonePage struct {
	Kit   *publish.Kit
	Token string
	// Media number the kit's media from 1, as the zip does.
	Media []kitPhoneMedium
}

type kitPhoneMedium struct {
	N     int
	Image bool
}

func (h *handler) kitPhone(w http.ResponseWriter, r *http.Request) {
	noReferrer(w)
	w.Header().Set("X-Robots-Tag", "noindex")
	token := r.PathValue("token")
	kit, _, err := h.Publish.OpenKitLink(r.Context(), token)
	if err != nil {
		h.failView(w, r, err, true)
		return
	}
	p := &kitPhonePage{Kit: kit, Token: token}
	for i, m := range kit.Media {
		p.Media = append(p.Media, kitPhoneMedium{N: i + 1, Image: strings.HasPrefix(m.MIME, "image/")})
	}
	h.render(w, r, view{name: "kit_phone", title: "kit.title", bare: true}, p)
}

// kitPhoneMedia is the n-th medium (from 1, as the zip numbers them) of the kit, in
// the platform's shape.
func (h *handler) kitPhoneMedia(w http.ResponseWriter, r *http.Request) {
	noReferrer(w)
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || n > 100 {
		h.failView(w, r, passerelle.ErrNotFound, true)
		return
	}
	ctx := r.Context()
	kit, m, rc, err := h.Publish.OpenKitLinkMedia(ctx, r.PathValue("token"), n-1)
	if err != nil {
		h.failView(w, r, err, true)
		return
	}
	f, err := renderKitFile(ctx, kit, m, n-1, rc)
	rc.Close()
	if err != nil {
		h.failView(w, r, err, true)
		return
	}
	w.Header().Set("Content-Type", f.mime)
	w.Header().Set("Content-Disposition", `inline; filename="passerelle-`+string(kit.Platform)+"-"+f.name+`"`)
	w.Header().Set("Cache-Control", "private, max-age=600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(f.data)
}

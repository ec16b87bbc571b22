package web

import (
	"net/http"
)

type institutionListPage struct {
	Cards    []*instCard
	Archived bool
}

func (h *handler) institutionList(w http.ResponseWriter, r *http.Request) {
	archived := r.URL.Query().Get("archived") == "1"
	cards, err := h.cards(r, h.localizer(r).Lang, archived)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, view{name: "institution_list", title: "institutions.title", nav: "institutions"}, &institutionListPage{Cards: cards, Archived: archived})
}

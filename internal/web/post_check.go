package web

import (
	"cmp"
	"encoding/json"
	"net/http"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
)

// The editor's live checks: while one types, the page posts the form here (debounced)
// and shows the findings beside their fields and each Weibo text's length, counted by
// the server's own rule. Nothing is saved.

type liveFinding struct {
	Field    string `json:"field"` // the form input's id
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Where    string `json:"where"`
}

type liveCount struct {
	Account string `json:"account"`
	Length  int    `json:"length"`
	Limit   int    `json:"limit"`
}

type liveChecks struct {
	Findings []liveFinding `json:"findings"`
	Counts   []liveCount   `json:"counts"`
	Blocking int           `json:"blocking"`
}

func (h *handler) postCheck(w http.ResponseWriter, r *http.Request) {
	post, err := h.loadPost(r)
	if err != nil {
		h.srv.Error(w, r, err)
		return
	}
	if err := parseForm(r); err != nil {
		h.srv.Error(w, r, err)
		return
	}
	u := server.User(r.Context())
	accs, err := h.managedTargets(r.Context(), u.OrgID, post.InstitutionID)
	if err != nil {
		h.srv.Error(w, r, err)
		return
	}
	in, _, fe := postInput(r.PostForm, accs)
	if err := fe.Err(); err != nil {
		h.srv.Error(w, r, err)
		return
	}
	in.Version = nil
	l := h.localizer(r)
	fs, lengths, draft, err := h.Editorial.CheckDraft(r.Context(), u, post.ID, in, l.Lang)
	if err != nil {
		h.srv.Error(w, r, err)
		return
	}
	names := map[int64]string{}
	for _, a := range accs {
		names[a.ID] = cmp.Or(a.DisplayName, a.Handle)
	}
	accounts := make([]int64, len(draft.Publications))
	platforms := map[int64]passerelle.Platform{}
	out := liveChecks{Findings: []liveFinding{}, Counts: []liveCount{}}
	for i, b := range draft.Publications {
		accounts[i], platforms[b.AccountID] = b.AccountID, b.Platform
		if n, ok := lengths[b.AccountID]; ok {
			limit := 2000
			if b.Mode == "api" {
				limit = 140
			}
			out.Counts = append(out.Counts, liveCount{Account: l.T("platform.weibo") + " " + names[b.AccountID], Length: n, Limit: limit})
		}
	}
	for _, f := range fs {
		x := finding{Finding: f}
		locate(l, &x, accounts, names, platforms)
		out.Findings = append(out.Findings, liveFinding{Field: x.Anchor, Severity: f.Severity, Message: f.Message, Where: x.Where})
		if f.Blocking() {
			out.Blocking++
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(out)
}

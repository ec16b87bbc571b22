package web

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// auditPageSize bounds the entries one page shows; the CSV export holds them all.
const auditPageSize = 500

type auditPage struct {
	Query     tenancy.AuditQuery
	Entries   []*store.AuditEntry
	Truncated bool
	CSV       string
	Actions   []string
}

// auditQuery reads the page's filters.
func auditQuery(r *http.Request) tenancy.AuditQuery {
	q := r.URL.Query()
	aq := tenancy.AuditQuery{From: q.Get("from"), To: q.Get("to"), Action: q.Get("action")}
	aq.ActorID, _ = strconv.ParseInt(q.Get("actor_id"), 10, 64)
	return aq
}

func (h *handler) auditLog(w http.ResponseWriter, r *http.Request) {
	aq := auditQuery(r)
	f, err := aq.Filter()
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f.Limit = auditPageSize + 1
	entries, err := h.Tenancy.AuditLog(r.Context(), server.User(r.Context()), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := &auditPage{Query: aq, Entries: entries, Actions: []string{
		store.AuditSignIn, store.AuditSignInFailed, "user.", "credentials.", "token.", store.AuditSettingsUpdate,
		store.AuditPublicationForce, store.AuditOrgExport, store.AuditFollowerErase,
	}}
	if len(entries) > auditPageSize {
		p.Entries, p.Truncated = entries[:auditPageSize], true
	}
	v := url.Values{}
	for k, s := range map[string]string{"from": aq.From, "to": aq.To, "action": aq.Action} {
		if s != "" {
			v.Set(k, s)
		}
	}
	p.CSV = "/audit.csv"
	if len(v) > 0 {
		p.CSV += "?" + v.Encode()
	}
	h.render(w, r, view{name: "audit", title: "audit.title", nav: "users"}, p)
}

// auditCSV downloads the filtered entries, oldest first.
func (h *handler) auditCSV(w http.ResponseWriter, r *http.Request) {
	f, err := auditQuery(r).Filter()
	if err != nil {
		h.fail(w, r, err)
		return
	}
	entries, err := h.Tenancy.AuditLog(r.Context(), server.User(r.Context()), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="passerelle-audit-`+time.Now().UTC().Format("20060102")+`.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"at", "actor", "action", "object", "object_id", "detail"})
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		id := ""
		if e.ObjectID != nil {
			id = strconv.FormatInt(*e.ObjectID, 10)
		}
		cw.Write([]string{e.At.UTC().Format(time.RFC3339), cell(e.Actor), cell(e.Action), cell(e.Object), id, cell(e.Detail)})
	}
	cw.Flush()
}

// cell keeps a spreadsheet from reading a value as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

package web

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/csvout"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// The glossary (the organization's and each institution's approved renderings, with
// artists' dates for the calendar's anniversaries) and the sensitive vocabulary.

type glossaryPage struct {
	Terms        []*store.GlossaryTerm
	Institutions []*passerelle.Institution
	Names        map[int64]string
	// Scope is the list shown: 0 the organization's, an institution's id, -1 all.
	Scope    int64
	Search   string
	CanWrite bool
	Form     *form
	Kinds    []string
}

// glossaryKinds are suggested for a term's kind; others may be typed.
var glossaryKinds = []string{"artist", "artwork", "institution", "exhibition", "place", "movement", "person", "term"}

// glossaryScope reads ?scope=: absent or "org" the organization's list, "all" every
// list, else an institution's id.
func glossaryScope(v string) int64 {
	switch v {
	case "", "org":
		return 0
	case "all":
		return -1
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

func scopeParam(scope int64) string {
	switch {
	case scope == 0:
		return "org"
	case scope < 0:
		return "all"
	}
	return strconv.FormatInt(scope, 10)
}

func (h *handler) glossaryPage(w http.ResponseWriter, r *http.Request) {
	scope := glossaryScope(r.URL.Query().Get("scope"))
	h.renderGlossary(w, r, scope, nil, http.StatusOK)
}

func (h *handler) renderGlossary(w http.ResponseWriter, r *http.Request, scope int64, f *form, status int) {
	ctx := r.Context()
	u := server.User(ctx)
	p := &glossaryPage{Scope: scope, Search: strings.TrimSpace(r.URL.Query().Get("q")), Names: map[int64]string{}, Kinds: glossaryKinds}
	var err error
	if p.Institutions, err = h.Tenancy.Institutions(ctx, u, false, tenancy.Page{}); err != nil {
		h.fail(w, r, err)
		return
	}
	lang := h.localizer(r).Lang
	for _, i := range p.Institutions {
		p.Names[i.ID] = instName(i, lang)
	}
	if p.Terms, err = h.Editorial.Glossary(ctx, u, editorial.GlossaryQuery{InstitutionID: scope, Search: p.Search, Limit: 1000}); err != nil {
		h.fail(w, r, err)
		return
	}
	switch {
	case scope > 0:
		p.CanWrite = u.Can(scope, passerelle.PermWrite)
	case scope == 0:
		p.CanWrite = u.CanAnywhere(passerelle.PermWrite)
	}
	if f == nil {
		f = &form{Values: url.Values{}, Errors: map[string]string{}}
	}
	p.Form = f
	h.render(w, r, view{name: "glossary", title: "glossary.title", nav: "glossary", status: status}, p)
}

// commaList reads a list typed with commas or semicolons.
func commaList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '，' || r == '；' || r == '\n' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (h *handler) termCreate(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	v := r.PostForm
	scope := glossaryScope(v.Get("scope"))
	if scope < 0 {
		scope = 0
	}
	t := &store.GlossaryTerm{InstitutionID: scope}
	readTerm(v, t)
	if err := h.Editorial.CreateTerm(r.Context(), server.User(r.Context()), t); err != nil {
		f := newForm(r)
		if !f.setError(err) {
			h.fail(w, r, err)
			return
		}
		h.renderGlossary(w, r, scope, f, server.Status(err))
		return
	}
	h.redirect(w, r, "/glossary?scope="+scopeParam(scope), "flash.term_added")
}

// readTerm sets a term's fields from the add or edit form.
func readTerm(v url.Values, t *store.GlossaryTerm) {
	t.Source, t.ZH, t.ZHHant = strings.TrimSpace(v.Get("source")), strings.TrimSpace(v.Get("zh")), strings.TrimSpace(v.Get("zh_hant"))
	t.Aliases, t.Accepted, t.Variants = commaList(v.Get("aliases")), commaList(v.Get("accepted")), commaList(v.Get("variants"))
	t.Kind, t.Note = strings.TrimSpace(v.Get("kind")), strings.TrimSpace(v.Get("note"))
	t.BirthDate, t.DeathDate = strings.TrimSpace(v.Get("birth_date")), strings.TrimSpace(v.Get("death_date"))
}

// termValues fills the edit form from a stored term.
func termValues(t *store.GlossaryTerm) url.Values {
	return url.Values{
		"source": {t.Source}, "zh": {t.ZH}, "zh_hant": {t.ZHHant},
		"aliases": {strings.Join(t.Aliases, ", ")}, "accepted": {strings.Join(t.Accepted, ", ")}, "variants": {strings.Join(t.Variants, ", ")},
		"kind": {t.Kind}, "note": {t.Note}, "birth_date": {t.BirthDate}, "death_date": {t.DeathDate},
	}
}

type termPage struct {
	Term  *store.GlossaryTerm
	Scope string
	Kinds []string
	Form  *form
}

// editableTerm loads a term the user may change: another organization's, or one of an
// institution the user does not see, is not found; one the user may only read is
// forbidden.
func (h *handler) editableTerm(r *http.Request) (*store.GlossaryTerm, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	u := server.User(r.Context())
	t, err := h.DB.GlossaryTermByID(r.Context(), u.OrgID, id)
	if err != nil {
		return nil, err
	}
	if t.InstitutionID != 0 && !u.Can(t.InstitutionID, passerelle.PermView) {
		return nil, passerelle.ErrNotFound
	}
	writable := u.Can(t.InstitutionID, passerelle.PermWrite)
	if t.InstitutionID == 0 {
		writable = u.CanAnywhere(passerelle.PermWrite)
	}
	if !writable {
		return nil, passerelle.Errorf(passerelle.EFORBIDDEN, "Your role does not allow this.")
	}
	return t, nil
}

func (h *handler) renderTerm(w http.ResponseWriter, r *http.Request, t *store.GlossaryTerm, f *form, status int) {
	h.render(w, r, view{name: "term_form", title: "glossary.edit", nav: "glossary", status: status},
		&termPage{Term: t, Scope: scopeParam(t.InstitutionID), Kinds: glossaryKinds, Form: f})
}

func (h *handler) termEdit(w http.ResponseWriter, r *http.Request) {
	t, err := h.editableTerm(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderTerm(w, r, t, &form{Values: termValues(t), Errors: map[string]string{}}, http.StatusOK)
}

func (h *handler) termUpdate(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	t, err := h.editableTerm(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if _, err := h.Editorial.UpdateTerm(r.Context(), server.User(r.Context()), t.ID, func(s *store.GlossaryTerm) { readTerm(r.PostForm, s) }); err != nil {
		f := newForm(r)
		if !f.setError(err) {
			h.fail(w, r, err)
			return
		}
		h.renderTerm(w, r, t, f, server.Status(err))
		return
	}
	h.redirect(w, r, "/glossary?scope="+scopeParam(t.InstitutionID), "flash.term_saved")
}

func (h *handler) termDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	back := "/glossary?scope=" + scopeParam(glossaryScope(r.PostForm.Get("scope")))
	if err := h.Editorial.DeleteTerm(r.Context(), server.User(r.Context()), id); err != nil {
		h.redirectError(w, r, back, err)
		return
	}
	h.redirect(w, r, back, "flash.term_deleted")
}

// csvUpload reads the "file" part of a multipart form and the form's other small
// fields; the route's body limit bounds the whole.
func csvUpload(r *http.Request) (data []byte, fields url.Values, err error) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		return nil, nil, &passerelle.Error{Code: passerelle.EINVALID, Message: "Choose a CSV file."}
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, errBadForm
	}
	fields = url.Values{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if isTooLarge(err) {
				return nil, nil, err
			}
			return nil, nil, errBadForm
		}
		b, err := io.ReadAll(io.LimitReader(part, editorial.MaxImportBytes+1))
		if err != nil {
			if isTooLarge(err) {
				return nil, nil, err
			}
			return nil, nil, errBadForm
		}
		if part.FormName() == "file" {
			data = b
			continue
		}
		if len(b) <= 100 {
			fields.Set(part.FormName(), string(b))
		}
	}
	if len(data) == 0 {
		return nil, fields, &passerelle.Error{Code: passerelle.EINVALID, Message: "Choose a CSV file."}
	}
	return data, fields, nil
}

func (h *handler) glossaryImport(w http.ResponseWriter, r *http.Request) {
	data, fields, err := csvUpload(r)
	back := "/glossary?scope=" + scopeParam(glossaryScope(fields.Get("scope")))
	if err != nil {
		h.redirectError(w, r, back, err)
		return
	}
	scope := max(glossaryScope(fields.Get("scope")), 0)
	res, err := h.Editorial.ImportGlossary(r.Context(), server.User(r.Context()), scope, bytes.NewReader(data), fields.Get("replace") != "")
	if err != nil {
		h.redirectError(w, r, back, err)
		return
	}
	h.setFlash(w, r, "k", importKey(res))
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// importKey picks the flash of an import; its figures are shown by the next page
// from the catalog, so the message is the same in every language.
func importKey(res store.ImportResult) string {
	if res.Created+res.Updated+res.Deleted == 0 {
		return "flash.import_nothing"
	}
	return "flash.imported"
}

func (h *handler) glossaryExport(w http.ResponseWriter, r *http.Request) {
	scope := max(glossaryScope(r.URL.Query().Get("scope")), 0)
	var buf bytes.Buffer
	if err := h.Editorial.ExportGlossary(r.Context(), server.User(r.Context()), scope, &buf, csvout.FromQuery(r.URL.Query(), h.localizer(r).Lang)); err != nil {
		h.fail(w, r, err)
		return
	}
	csvFile(w, "glossary-"+scopeParam(scope)+".csv", buf.Bytes())
}

func csvFile(w http.ResponseWriter, name string, b []byte) {
	hd := w.Header()
	hd.Set("Content-Type", "text/csv; charset=utf-8")
	hd.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	hd.Set("Cache-Control", "no-store")
	w.Write(b)
}

type lexiconPage struct {
	Entries   []*store.LexiconEntry
	CanManage bool
	Form      *form
}

func (h *handler) lexiconPage(w http.ResponseWriter, r *http.Request) {
	h.renderLexicon(w, r, nil, http.StatusOK)
}

func (h *handler) renderLexicon(w http.ResponseWriter, r *http.Request, f *form, status int) {
	u := server.User(r.Context())
	entries, err := h.Editorial.Lexicon(r.Context(), u, 0, 0)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	canManage := u.CanAnywhere(passerelle.PermManage)
	if f == nil {
		f = &form{Values: url.Values{"severity": {"warn"}}, Errors: map[string]string{}}
	}
	h.render(w, r, view{name: "lexicon", title: "lexicon.title", nav: "glossary", status: status}, &lexiconPage{Entries: entries, CanManage: canManage, Form: f})
}

func (h *handler) lexiconAdd(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	e := &store.LexiconEntry{Term: strings.TrimSpace(r.PostForm.Get("term")), Severity: r.PostForm.Get("severity"), Note: strings.TrimSpace(r.PostForm.Get("note"))}
	if err := h.Editorial.AddLexiconEntry(r.Context(), server.User(r.Context()), e); err != nil {
		f := newForm(r)
		if !f.setError(err) {
			h.fail(w, r, err)
			return
		}
		h.renderLexicon(w, r, f, server.Status(err))
		return
	}
	h.redirect(w, r, "/lexicon", "flash.lexicon_added")
}

func (h *handler) lexiconDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.Editorial.DeleteLexiconEntry(r.Context(), server.User(r.Context()), id); err != nil {
		h.redirectError(w, r, "/lexicon", err)
		return
	}
	h.redirect(w, r, "/lexicon", "flash.lexicon_deleted")
}

func (h *handler) lexiconImport(w http.ResponseWriter, r *http.Request) {
	data, fields, err := csvUpload(r)
	if err != nil {
		h.redirectError(w, r, "/lexicon", err)
		return
	}
	res, err := h.Editorial.ImportLexicon(r.Context(), server.User(r.Context()), bytes.NewReader(data), fields.Get("replace") != "")
	if err != nil {
		h.redirectError(w, r, "/lexicon", err)
		return
	}
	h.setFlash(w, r, "k", importKey(res))
	http.Redirect(w, r, "/lexicon", http.StatusSeeOther)
}

func (h *handler) lexiconExport(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	if err := h.Editorial.ExportLexicon(r.Context(), server.User(r.Context()), &buf, csvout.FromQuery(r.URL.Query(), h.localizer(r).Lang)); err != nil {
		h.fail(w, r, err)
		return
	}
	csvFile(w, "vocabulary"+".csv", buf.Bytes())
}

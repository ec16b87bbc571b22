package api

import (
	"bytes"
	"net/http"

	"github.com/passerelle-oss/passerelle/internal/csvout"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// termInput is a glossary term as sent; institution_id null (or absent) is the
// organization's glossary.
type termInput struct {
	InstitutionID *int64    `json:"institution_id"`
	Source        *string   `json:"source"`
	ZH            *string   `json:"zh"`
	ZHHant        *string   `json:"zh_hant"`
	Aliases       *[]string `json:"aliases"`
	Accepted      *[]string `json:"accepted"`
	Variants      *[]string `json:"variants"`
	Kind          *string   `json:"kind"`
	Note          *string   `json:"note"`
	BirthDate     *string   `json:"birth_date"`
	DeathDate     *string   `json:"death_date"`
}

func (in *termInput) apply(t *store.GlossaryTerm) {
	for _, f := range []struct {
		src *string
		dst *string
	}{{in.Source, &t.Source}, {in.ZH, &t.ZH}, {in.ZHHant, &t.ZHHant}, {in.Kind, &t.Kind}, {in.Note, &t.Note}, {in.BirthDate, &t.BirthDate}, {in.DeathDate, &t.DeathDate}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	for _, f := range []struct {
		src *[]string
		dst *[]string
	}{{in.Aliases, &t.Aliases}, {in.Accepted, &t.Accepted}, {in.Variants, &t.Variants}} {
		if f.src != nil {
			*f.dst = append([]string(nil), *f.src...)
		}
	}
}

// scope reads ?institution_id=: absent is the organization's glossary, "all" every
// list the user sees.
func scope(r *http.Request) (int64, error) {
	if r.URL.Query().Get("institution_id") == "all" {
		return -1, nil
	}
	return queryInt(r, "institution_id")
}

func (e *Editorial) listGlossary(w http.ResponseWriter, r *http.Request) {
	p, err := page(r)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	inst, err := scope(r)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	items, err := e.svc.Glossary(r.Context(), server.User(r.Context()), editorial.GlossaryQuery{InstitutionID: inst, Search: r.URL.Query().Get("q"), AfterID: p.AfterID, Limit: p.Limit + 1})
	if err != nil {
		e.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, paged(items, p.Limit, func(t *store.GlossaryTerm) int64 { return t.ID }))
}

func (e *Editorial) createTerm(w http.ResponseWriter, r *http.Request) {
	var in termInput
	if err := decode(r, &in); err != nil {
		e.fail(w, r, err)
		return
	}
	t := &store.GlossaryTerm{}
	if in.InstitutionID != nil {
		t.InstitutionID = *in.InstitutionID
	}
	in.apply(t)
	if err := e.svc.CreateTerm(r.Context(), server.User(r.Context()), t); err != nil {
		e.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusCreated, t)
}

func (e *Editorial) updateTerm(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	var in termInput
	if err := decode(r, &in); err != nil {
		e.fail(w, r, err)
		return
	}
	if in.InstitutionID != nil {
		e.fail(w, r, paramErr(map[string]string{"institution_id": "A term cannot move to another glossary."}))
		return
	}
	t, err := e.svc.UpdateTerm(r.Context(), server.User(r.Context()), id, in.apply)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, t)
}

func (e *Editorial) deleteTerm(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = e.svc.DeleteTerm(r.Context(), server.User(r.Context()), id)
	}
	if err != nil {
		e.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (e *Editorial) importGlossary(w http.ResponseWriter, r *http.Request) {
	inst, err := queryInt(r, "institution_id")
	if err != nil {
		e.fail(w, r, err)
		return
	}
	res, err := e.svc.ImportGlossary(r.Context(), server.User(r.Context()), inst, r.Body, r.URL.Query().Get("replace") == "true")
	if err != nil {
		e.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, res)
}

func writeCSV(w http.ResponseWriter, name string, data []byte) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(data)
}

func (e *Editorial) exportGlossary(w http.ResponseWriter, r *http.Request) {
	inst, err := queryInt(r, "institution_id")
	if err != nil {
		e.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := e.svc.ExportGlossary(r.Context(), server.User(r.Context()), inst, &buf, csvout.FromQuery(r.URL.Query(), r.URL.Query().Get("lang"))); err != nil {
		e.fail(w, r, err)
		return
	}
	writeCSV(w, "glossary.csv", buf.Bytes())
}

func (e *Editorial) listLexicon(w http.ResponseWriter, r *http.Request) {
	p, err := page(r)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	items, err := e.svc.Lexicon(r.Context(), server.User(r.Context()), p.AfterID, p.Limit+1)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, paged(items, p.Limit, func(x *store.LexiconEntry) int64 { return x.ID }))
}

type lexiconInput struct {
	Term     string `json:"term"`
	Severity string `json:"severity"`
	Note     string `json:"note"`
}

func (e *Editorial) addLexicon(w http.ResponseWriter, r *http.Request) {
	var in lexiconInput
	if err := decode(r, &in); err != nil {
		e.fail(w, r, err)
		return
	}
	x := &store.LexiconEntry{Term: in.Term, Severity: in.Severity, Note: in.Note}
	if err := e.svc.AddLexiconEntry(r.Context(), server.User(r.Context()), x); err != nil {
		e.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusCreated, x)
}

func (e *Editorial) deleteLexicon(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = e.svc.DeleteLexiconEntry(r.Context(), server.User(r.Context()), id)
	}
	if err != nil {
		e.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (e *Editorial) importLexicon(w http.ResponseWriter, r *http.Request) {
	res, err := e.svc.ImportLexicon(r.Context(), server.User(r.Context()), r.Body, r.URL.Query().Get("replace") == "true")
	if err != nil {
		e.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, res)
}

func (e *Editorial) exportLexicon(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	if err := e.svc.ExportLexicon(r.Context(), server.User(r.Context()), &buf, csvout.FromQuery(r.URL.Query(), r.URL.Query().Get("lang"))); err != nil {
		e.fail(w, r, err)
		return
	}
	writeCSV(w, "vocabulary.csv", buf.Bytes())
}

func (e *Editorial) getThemes(w http.ResponseWriter, r *http.Request) {
	themes, err := e.svc.Themes(r.Context(), server.User(r.Context()))
	if err != nil {
		e.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, map[string]any{"themes": themes})
}

type themesInput struct {
	Themes []string `json:"themes"`
}

func (e *Editorial) putThemes(w http.ResponseWriter, r *http.Request) {
	var in themesInput
	if err := decode(r, &in); err != nil {
		e.fail(w, r, err)
		return
	}
	if err := e.svc.SetThemes(r.Context(), server.User(r.Context()), in.Themes); err != nil {
		e.fail(w, r, err)
		return
	}
	e.getThemes(w, r)
}

type institutionSettingsInput struct {
	TwoStepApproval *bool `json:"two_step_approval"`
}

func (e *Editorial) putInstitutionSettings(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	var in institutionSettingsInput
	if err := decode(r, &in); err != nil {
		e.fail(w, r, err)
		return
	}
	if in.TwoStepApproval == nil {
		e.fail(w, r, paramErr(map[string]string{"two_step_approval": "Required."}))
		return
	}
	if err := e.svc.SetTwoStepApproval(r.Context(), server.User(r.Context()), id, *in.TwoStepApproval); err != nil {
		e.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, map[string]any{"institution_id": id, "two_step_approval": *in.TwoStepApproval})
}

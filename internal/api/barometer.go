package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/barometer"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// Barometer serves the barometer of the caller's organization: the live table, the
// import of follower counts, readings entered by hand, and published editions.
type Barometer struct {
	srv     *server.Server
	tenancy *tenancy.Service
	svc     *barometer.Service
}

// importLimit bounds an uploaded CSV file: 100,000 lines of a few dozen bytes.
const importLimit = 16 << 20

// RegisterBarometer adds the barometer routes.
func RegisterBarometer(srv *server.Server, t *tenancy.Service, svc *barometer.Service) *Barometer {
	b := &Barometer{srv: srv, tenancy: t, svc: svc}
	srv.HandleFunc("GET /api/v1/barometer", server.API, b.table)
	srv.HandleFunc("POST /api/v1/barometer/import", server.API, b.importCSV, server.BodyLimit(importLimit))
	srv.HandleFunc("POST /api/v1/barometer/readings", server.API, b.readings)
	srv.HandleFunc("GET /api/v1/barometer/editions", server.API, b.editions)
	srv.HandleFunc("POST /api/v1/barometer/editions", server.API, b.publish)
	srv.HandleFunc("GET /api/v1/barometer/editions/{edition}", server.API, b.edition)
	srv.HandleFunc("GET /api/v1/barometer/compare", server.API, b.compare)
	return b
}

func paramErr(fields map[string]string) error {
	return &passerelle.Error{Code: passerelle.EINVALID, Message: "Some parameters are invalid.", Fields: fields}
}

// period reads ?quarter= or ?from=&to= (days in China); the current quarter when
// none is given.
func (b *Barometer) period(r *http.Request) (barometer.Period, error) {
	q := r.URL.Query()
	f := passerelle.FieldErrors{}
	if s := q.Get("quarter"); s != "" {
		if q.Has("from") || q.Has("to") {
			return barometer.Period{}, paramErr(map[string]string{"quarter": "Give either a quarter or from and to."})
		}
		return barometer.ParseQuarter(s)
	}
	if !q.Has("from") && !q.Has("to") {
		return barometer.Quarter(b.now()), nil
	}
	from, err := barometer.ParseDate(q.Get("from"))
	if err != nil {
		f.Add("from", "Use a date YYYY-MM-DD.")
	}
	to, err := barometer.ParseDate(q.Get("to"))
	if err != nil {
		f.Add("to", "Use a date YYYY-MM-DD.")
	}
	if err := f.Err(); err != nil {
		return barometer.Period{}, paramErr(f)
	}
	return barometer.NewPeriod(from, to)
}

func (b *Barometer) now() time.Time {
	if b.svc.Now != nil {
		return b.svc.Now()
	}
	return time.Now()
}

// filter reads ?country= ("FR,IT", or "!CN" to exclude) and ?kind=.
func filter(r *http.Request) (barometer.Filter, error) {
	var f barometer.Filter
	q := r.URL.Query()
	keep, exclude, err := barometer.ParseCountries(q.Get("country"))
	if err != nil {
		return f, paramErr(map[string]string{"country": "Use two-letter codes such as FR,IT, or !CN to exclude."})
	}
	f.Countries, f.ExcludeCountries = keep, exclude
	if s := strings.TrimSpace(q.Get("kind")); s != "" {
		for _, k := range strings.Split(s, ",") {
			k = strings.ToLower(strings.TrimSpace(k))
			if !slices.Contains(passerelle.InstitutionKinds, k) {
				return f, paramErr(map[string]string{"kind": "Use " + strings.Join(passerelle.InstitutionKinds, ", ") + "."})
			}
			f.Kinds = append(f.Kinds, k)
		}
	}
	return f, nil
}

func platformParam(r *http.Request) (string, error) {
	p := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("platform")))
	if p == "" {
		return barometer.Combined, nil
	}
	if !barometer.ValidPlatform(p) {
		return "", paramErr(map[string]string{"platform": "Choose weibo, wechat, douyin, xiaohongshu or all."})
	}
	return p, nil
}

// table answers the live barometer of a period.
func (b *Barometer) table(w http.ResponseWriter, r *http.Request) {
	p, err := b.period(r)
	var platform string
	var f barometer.Filter
	if err == nil {
		platform, err = platformParam(r)
	}
	if err == nil {
		f, err = filter(r)
	}
	if err != nil {
		b.srv.Error(w, r, err)
		return
	}
	t, err := b.svc.Compute(r.Context(), server.User(r.Context()).OrgID, p, platform, f)
	if err != nil {
		b.srv.Error(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, t)
}

var errOwnersOnly = passerelle.Errorf(passerelle.EFORBIDDEN, "Only owners of the organization may do this.")

// importCSV records the readings of a CSV file (text/csv body); institutions and
// watched accounts are created when unknown, so owners only.
func (b *Barometer) importCSV(w http.ResponseWriter, r *http.Request) {
	u := server.User(r.Context())
	if !u.Owner {
		b.srv.Error(w, r, errOwnersOnly)
		return
	}
	res, err := b.svc.Import(r.Context(), u.OrgID, r.Body)
	if err != nil {
		b.srv.Error(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, res)
}

type readingInput struct {
	AccountID    int64  `json:"account_id"`
	Date         string `json:"date"`
	Followers    *int64 `json:"followers"`
	Posts        *int64 `json:"posts"`
	Views        *int64 `json:"views"`
	Interactions *int64 `json:"interactions"`
	Source       string `json:"source"`
	Note         string `json:"note"`
}

// readings records figures entered by hand for accounts the user manages.
func (b *Barometer) readings(w http.ResponseWriter, r *http.Request) {
	u := server.User(r.Context())
	var in struct {
		Readings []readingInput `json:"readings"`
	}
	if err := decode(r, &in); err != nil {
		b.srv.Error(w, r, err)
		return
	}
	f := passerelle.FieldErrors{}
	if len(in.Readings) == 0 || len(in.Readings) > 1000 {
		f.Add("readings", "Send 1 to 1,000 readings.")
	}
	out := make([]barometer.Reading, 0, len(in.Readings))
	for k, x := range in.Readings {
		key := "readings[" + strconv.Itoa(k) + "]."
		d, err := barometer.ParseDate(x.Date)
		if err != nil {
			f.Add(key+"date", "Use a date YYYY-MM-DD.")
		} else if d.After(b.now()) {
			f.Add(key+"date", "The date is in the future.")
		}
		if x.Source == "" {
			x.Source = "manual"
		}
		if x.Source != "manual" && x.Source != "api" {
			f.Add(key+"source", "Choose manual or api.")
		}
		for _, m := range []struct {
			name string
			v    *int64
		}{{"followers", x.Followers}, {"posts", x.Posts}, {"views", x.Views}, {"interactions", x.Interactions}} {
			if m.v != nil && *m.v < 0 {
				f.Add(key+m.name, "Cannot be negative.")
			}
		}
		if x.Followers == nil && x.Posts == nil && x.Views == nil && x.Interactions == nil {
			f.Add(key+"followers", "Give at least one figure.")
		}
		a, err := b.tenancy.Account(r.Context(), u, x.AccountID)
		if err != nil {
			f.Add(key+"account_id", "No such account.")
		} else if !u.Can(a.InstitutionID, passerelle.PermManage) {
			b.srv.Error(w, r, passerelle.Errorf(passerelle.EFORBIDDEN, "Your role does not allow recording figures of account %d.", a.ID))
			return
		}
		out = append(out, barometer.Reading{AccountID: x.AccountID, Date: d, Followers: x.Followers, Posts: x.Posts, Views: x.Views, Interactions: x.Interactions, Source: x.Source, Note: x.Note})
	}
	if err := f.Err(); err != nil {
		b.srv.Error(w, r, err)
		return
	}
	c, err := b.svc.Record(r.Context(), u.OrgID, out)
	if err != nil {
		b.srv.Error(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, c)
}

func (b *Barometer) editions(w http.ResponseWriter, r *http.Request) {
	platform := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("platform")))
	if platform != "" && !barometer.ValidPlatform(platform) {
		b.srv.Error(w, r, paramErr(map[string]string{"platform": "Choose weibo, wechat, douyin, xiaohongshu or all."}))
		return
	}
	es, err := b.svc.Editions(r.Context(), server.User(r.Context()).OrgID, platform)
	if err != nil {
		b.srv.Error(w, r, err)
		return
	}
	if es == nil {
		es = []barometer.Edition{}
	}
	server.WriteJSON(w, http.StatusOK, list[barometer.Edition]{Items: es})
}

// publish freezes the editions of a quarter (or of from..to); owners only. Editions
// already published are returned unchanged.
func (b *Barometer) publish(w http.ResponseWriter, r *http.Request) {
	u := server.User(r.Context())
	var in struct {
		Quarter string `json:"quarter"`
		From    string `json:"from"`
		To      string `json:"to"`
	}
	if err := decode(r, &in); err != nil {
		b.srv.Error(w, r, err)
		return
	}
	if !u.Owner {
		b.srv.Error(w, r, errOwnersOnly)
		return
	}
	var p barometer.Period
	var err error
	switch {
	case in.Quarter != "" && (in.From != "" || in.To != ""):
		err = paramErr(map[string]string{"quarter": "Give either a quarter or from and to."})
	case in.Quarter != "":
		p, err = barometer.ParseQuarter(in.Quarter)
	default:
		f := passerelle.FieldErrors{}
		from, e1 := barometer.ParseDate(in.From)
		to, e2 := barometer.ParseDate(in.To)
		if e1 != nil {
			f.Add("from", "Use a date YYYY-MM-DD, or give a quarter.")
		}
		if e2 != nil {
			f.Add("to", "Use a date YYYY-MM-DD, or give a quarter.")
		}
		if err = f.Err(); err == nil {
			p, err = barometer.NewPeriod(from, to)
		}
	}
	if err != nil {
		b.srv.Error(w, r, err)
		return
	}
	es, err := b.svc.Snapshot(r.Context(), u.OrgID, p)
	if err != nil {
		b.srv.Error(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, list[barometer.Edition]{Items: es})
}

func (b *Barometer) edition(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("edition"), 10, 64)
	if err != nil || id <= 0 {
		b.srv.Error(w, r, passerelle.ErrNotFound)
		return
	}
	f, err := filter(r)
	if err != nil {
		b.srv.Error(w, r, err)
		return
	}
	t, err := b.svc.EditionTable(r.Context(), server.User(r.Context()).OrgID, id, f)
	if err != nil {
		b.srv.Error(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, t)
}

// compare sets edition ?a= beside edition ?b=.
func (b *Barometer) compare(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := passerelle.FieldErrors{}
	a, err := strconv.ParseInt(q.Get("a"), 10, 64)
	if err != nil || a < 1 {
		f.Add("a", "Give the id of an edition.")
	}
	c, err := strconv.ParseInt(q.Get("b"), 10, 64)
	if err != nil || c < 1 {
		f.Add("b", "Give the id of an edition.")
	}
	if err := f.Err(); err != nil {
		b.srv.Error(w, r, paramErr(f))
		return
	}
	cmp, err := b.svc.Compare(r.Context(), server.User(r.Context()).OrgID, a, c)
	if err != nil {
		b.srv.Error(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, cmp)
}

package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/api/apitest"
	"github.com/passerelle-oss/passerelle/internal/config"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/jobs"
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/partners"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// boot starts a Main on 127.0.0.1:0 over a SQLite file in a temporary directory.
func boot(t testing.TB) *Main {
	t.Helper()
	return bootOn(t, migratedDir(t))
}

// migratedDir returns a temporary data directory holding a migrated SQLite database
// (the store's and the job queue's tables): a copy of one migrated once, since under
// -race migrating costs seconds per start. TestDemo starts on an empty directory, which
// keeps Main's own migration path tested.
func migratedDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	err := storetest.CopyMigrated(dir, "store+jobs", func(db *store.DB, ctx context.Context) error {
		if err := db.Migrate(ctx); err != nil {
			return err
		}
		return jobs.Migrate(ctx, db, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// bootOn starts Main on 127.0.0.1:0 over the data directory dir.
func bootOn(t testing.TB, dir string) *Main {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	build := config.Flags(fs, func(string) string { return "" })
	if err := fs.Parse([]string{"--addr", "127.0.0.1:0", "--data", dir, "--log-level", "error"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := build()
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg}
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return m
}

// target says which object a route's wildcard names.
type target int

const (
	// none: the route names no object.
	none target = iota
	// own: an object of the caller's organization on which the caller holds their role
	// (institution, its account, a member user, the caller's own token).
	own
	// foreign: an object of another organization.
	foreign
	// self: the caller as a user.
	self
)

func (t target) String() string { return [...]string{"none", "own", "foreign", "self"}[t] }

// callers are the columns of the matrix, in order.
var callers = []struct {
	name string
	role passerelle.Role // "" for anonymous
}{
	{"anonymous", ""},
	{"owner", passerelle.RoleOwner},
	{"admin", passerelle.RoleAdmin},
	{"editor", passerelle.RoleEditor},
	{"translator", passerelle.RoleTranslator},
	{"reviewer", passerelle.RoleReviewer},
	{"viewer", passerelle.RoleViewer},
}

// authzRow is one line of the matrix: a route as registered, the object it names, and
// the status each caller gets, in the order of callers.
type authzRow struct {
	route  string
	target target
	want   [7]int
	body   string
	path   string
}

// row builds a line: route, target, then the status for anonymous, owner, admin,
// editor, translator, reviewer, viewer.
func row(route string, t target, anon, owner, admin, editor, translator, reviewer, viewer int) authzRow {
	return authzRow{route: route, target: t, want: [7]int{anon, owner, admin, editor, translator, reviewer, viewer}}
}

// with sets the request body: JSON when it starts with "{", else a form. In it,
// {institution}, {account}, {user} and {token} become the ids of the target's objects;
// on editorial routes also {post}, {publication}, {media}, {term} (a glossary term of
// the institution), {lexicon} (a vocabulary entry), {link} (a guest link of the post)
// and {guest} (that link's token); {n} becomes a number unique to the request,
// {future} an instant two days ahead ({futurelocal}: the same as a form's local
// date-time), and {static} the path of a static file the sign-in page links to.
func (r authzRow) with(body string) authzRow { r.body = body; return r }

// at sets the request path, for patterns whose wildcards are not ids; the same
// placeholders as in with apply.
func (r authzRow) at(path string) authzRow { r.path = path; return r }

// authzFixture holds the callers and the objects of both organizations.
type authzFixture struct {
	m       *Main
	org     int64
	users   []*passerelle.User // per caller; nil for anonymous
	tokens  []string
	static  string // the path of a static file the pages link to
	warned  map[string]bool
	foreign map[string]string
	// reads holds the objects GET and HEAD requests share; memberOf, per caller, the
	// institution on which they hold their role.
	reads    map[readKey]map[string]string
	memberOf []int64
	// editorial creates the editorial objects, over the same database and media
	// directory as the server's.
	editorial *editorial.Service
	sequence  atomic.Int64
}

func newAuthzFixture(t *testing.T, m *Main) *authzFixture {
	ctx := t.Context()
	f := &authzFixture{m: m, warned: map[string]bool{}, reads: map[readKey]map[string]string{}, memberOf: make([]int64, len(callers)), editorial: editorial.New(editorial.Options{DB: m.DB, DataDir: m.Config.DataDir})}
	org, err := m.DB.CreateOrganization(ctx, "Agence")
	if err != nil {
		t.Fatal(err)
	}
	f.org = org.ID
	for _, c := range callers {
		if c.role == "" {
			f.users, f.tokens = append(f.users, nil), append(f.tokens, "")
			continue
		}
		u := f.user(t, f.org, c.role == passerelle.RoleOwner)
		secret, _, err := m.Auth.CreateToken(ctx, u.ID, "authz", nil)
		if err != nil {
			t.Fatal(err)
		}
		f.users, f.tokens = append(f.users, u), append(f.tokens, secret)
	}

	other, err := m.DB.CreateOrganization(ctx, "Autre agence")
	if err != nil {
		t.Fatal(err)
	}
	inst := f.institution(t, other.ID)
	acc := f.account(t, other.ID, inst)
	fu := f.user(t, other.ID, true)
	_, tok, err := m.Auth.CreateToken(ctx, fu.ID, "theirs", nil)
	if err != nil {
		t.Fatal(err)
	}
	f.foreign = ids(map[string]int64{"institution": inst, "account": acc, "user": fu.ID, "token": tok.ID})
	f.editorialObjects(t, fu, inst, false, f.foreign)
	f.visitObjects(t, fu, inst, f.foreign)
	f.partnerObjects(t, fu, inst, f.foreign)
	f.deskObjects(t, inst, acc, f.foreign)

	resp, err := http.Get(m.URL() + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	f.static = string(regexp.MustCompile(`/static/[^"?#]+`).Find(page))
	return f
}

func (f *authzFixture) user(t *testing.T, org int64, owner bool, ms ...passerelle.Membership) *passerelle.User {
	t.Helper()
	u := &passerelle.User{OrgID: org, Email: fmt.Sprintf("authz%d@example.org", f.sequence.Add(1)), Owner: owner, Memberships: append([]passerelle.Membership{}, ms...)}
	if err := f.m.DB.CreateUser(t.Context(), u, "unused"); err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *authzFixture) institution(t *testing.T, org int64) int64 {
	t.Helper()
	i := &passerelle.Institution{OrgID: org, Name: fmt.Sprintf("Musée %d", f.sequence.Add(1))}
	if err := f.m.DB.CreateInstitution(t.Context(), i); err != nil {
		t.Fatal(err)
	}
	return i.ID
}

func (f *authzFixture) account(t *testing.T, org, inst int64) int64 {
	t.Helper()
	a := &passerelle.Account{InstitutionID: inst, Platform: passerelle.WeChat, Kind: passerelle.AccountManaged, Handle: fmt.Sprintf("gh_%d", f.sequence.Add(1))}
	if err := f.m.DB.CreateAccount(t.Context(), org, a); err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func ids(m map[string]int64) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = strconv.FormatInt(v, 10)
	}
	return out
}

// editorialKinds are the placeholders of editorial objects, visitKinds those of the
// visitor pages' objects.
var (
	editorialKinds = []string{"post", "publication", "media", "term", "lexicon", "link", "guest"}
	visitKinds     = []string{"tour", "exhibition", "tourpage", "touraudio", "exhibitionpage", "stop", "tourkiosk", "exhibitionkiosk"}
)

// editorialObjects creates, as owner, a post of the institution with a Weibo
// publication and a medium, a glossary term of the institution, a vocabulary entry and
// a guest link of the post, and adds their ids to ids. With review the post waits for
// review (what a guest decides on); else it is a draft.
func (f *authzFixture) editorialObjects(t *testing.T, owner *passerelle.User, inst int64, review bool, ids map[string]string) {
	t.Helper()
	ctx := t.Context()
	acc := &passerelle.Account{InstitutionID: inst, Platform: passerelle.Weibo, Kind: passerelle.AccountManaged, Handle: fmt.Sprintf("wb%d", f.sequence.Add(1))}
	if err := f.m.DB.CreateAccount(ctx, owner.OrgID, acc); err != nil {
		t.Fatal(err)
	}
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 40+int(f.sequence.Add(1)%500), 30))); err != nil {
		t.Fatal(err)
	}
	m, _, err := f.editorial.Upload(ctx, owner, inst, "cover.png", &img)
	if err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	saved, err := f.editorial.CreatePost(ctx, owner, &editorial.PostInput{InstitutionID: &inst, Title: str("Degas"), Theme: str("collection"),
		SourceLang: str("fr"), TextZH: str("德加的舞者。"), MediaIDs: &[]int64{m.ID},
		Publications: &[]editorial.PublicationInput{{AccountID: acc.ID, MediaIDs: []int64{m.ID}}}})
	if err != nil {
		t.Fatal(err)
	}
	if review {
		if _, err := f.editorial.Transition(ctx, owner, saved.Post.ID, passerelle.StatusReview, ""); err != nil {
			t.Fatal(err)
		}
	}
	term := &store.GlossaryTerm{InstitutionID: inst, Source: fmt.Sprintf("Terme %d", f.sequence.Add(1)), ZH: "术语"}
	if err := f.m.DB.CreateGlossaryTerm(ctx, owner.OrgID, term); err != nil {
		t.Fatal(err)
	}
	entry := &store.LexiconEntry{Term: fmt.Sprintf("词%d", f.sequence.Add(1)), Severity: "warn"}
	if err := f.m.DB.CreateLexiconEntry(ctx, owner.OrgID, entry); err != nil {
		t.Fatal(err)
	}
	link, token, err := f.editorial.CreateGuestLink(ctx, owner, saved.Post.ID, "Mme Martin", 0)
	if err != nil {
		t.Fatal(err)
	}
	maps.Copy(ids, map[string]string{"post": fmt.Sprint(saved.Post.ID), "publication": fmt.Sprint(saved.Post.Publications[0].ID), "media": fmt.Sprint(m.ID),
		"term": fmt.Sprint(term.ID), "lexicon": fmt.Sprint(entry.ID), "link": fmt.Sprint(link.ID), "guest": token})
}

// visitObjects creates, as owner, a tour of the institution with a stop and its audio,
// and an exhibition, both published (the public pages' rows read them), and adds their
// ids, pages' paths and kiosks' addresses to ids.
func (f *authzFixture) visitObjects(t *testing.T, owner *passerelle.User, inst int64, ids map[string]string) {
	t.Helper()
	ctx := t.Context()
	tour := &passerelle.Tour{InstitutionID: inst, TitleZH: "导览"}
	if err := f.m.Visit.CreateTour(ctx, owner, tour); err != nil {
		t.Fatal(err)
	}
	audio, _, err := f.editorial.Upload(ctx, owner, inst, "stop.mp3", bytes.NewReader(media.SilentMP3(time.Duration(1+f.sequence.Add(1)%50)*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	stop := &passerelle.Stop{TourID: tour.ID, Number: 7, TitleZH: "第七站", AudioMediaID: audio.ID}
	if err := f.m.Visit.AddStop(ctx, owner, stop); err != nil {
		t.Fatal(err)
	}
	ex := &passerelle.Exhibition{InstitutionID: inst, TitleZH: "展览"}
	if err := f.m.Visit.CreateExhibition(ctx, owner, ex); err != nil {
		t.Fatal(err)
	}
	_, tourURL, err := f.m.Visit.PublishTour(ctx, owner, tour.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	_, exURL, err := f.m.Visit.PublishExhibition(ctx, owner, ex.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	pathOf := func(s string) string {
		u, err := url.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return u.Path
	}
	// The kiosks' addresses: the same tokens under /v/k/.
	ids["tourkiosk"] = "/v/k/t/" + strings.TrimPrefix(pathOf(tourURL), "/v/t/") + "/"
	ids["exhibitionkiosk"] = "/v/k/e/" + strings.TrimPrefix(pathOf(exURL), "/v/e/") + "/"
	maps.Copy(ids, map[string]string{"tour": fmt.Sprint(tour.ID), "exhibition": fmt.Sprint(ex.ID), "stop": fmt.Sprint(stop.ID),
		"tourpage": pathOf(tourURL), "exhibitionpage": pathOf(exURL), "touraudio": "/v/audio/" + audio.StorageKey + ".mp3"})
}

// partnerKinds are the placeholders of partnership objects.
var partnerKinds = []string{"partner", "campaign", "live", "relay", "template"}

// needsKinds reports whether a row names an object of kinds.
func needsKinds(r authzRow, segments []string, kinds []string) bool {
	for i, s := range segments {
		if m := wildcard.FindStringSubmatch(s); m != nil && slices.Contains(kinds, kindOf(segments, i, m[1])) {
			return true
		}
	}
	for _, k := range kinds {
		if strings.Contains(r.path+r.body, "{"+k+"}") {
			return true
		}
	}
	return false
}

// partnerObjects creates, as owner, a partner with a Weibo account, a campaign
// inviting it to relay a post of the institution (made with the editorial objects
// when the row has none), and a live visit of the institution, and adds their ids
// and the partner link's token ("relay") to ids.
func (f *authzFixture) partnerObjects(t *testing.T, owner *passerelle.User, inst int64, ids map[string]string) {
	t.Helper()
	ctx := t.Context()
	if ids["post"] == "" {
		f.editorialObjects(t, owner, inst, false, ids)
	}
	p := &passerelle.Partner{Name: fmt.Sprintf("Partenaire %d", f.sequence.Add(1)), Kind: passerelle.PartnerMuseum,
		Accounts: []passerelle.PartnerAccount{{Platform: passerelle.Weibo, Handle: fmt.Sprintf("p%d", f.sequence.Add(1))}}}
	if err := f.m.Partners.CreatePartner(ctx, owner, p); err != nil {
		t.Fatal(err)
	}
	post, _ := strconv.ParseInt(ids["post"], 10, 64)
	if err := f.m.DB.SetPostCoAuthors(ctx, owner.OrgID, post, []int64{p.ID}); err != nil {
		t.Fatal(err)
	}
	c, err := f.m.Partners.CreateCampaign(ctx, owner, partners.CampaignInput{PostID: post, PartnerIDs: []int64{p.ID}})
	if err != nil {
		t.Fatal(err)
	}
	e := &passerelle.LiveEvent{Platform: passerelle.Weibo, StartsAt: time.Now().Add(48 * time.Hour), TitleZH: "直播"}
	if err := f.m.Partners.CreateLiveEvent(ctx, owner, inst, e); err != nil {
		t.Fatal(err)
	}
	tpl := &passerelle.CampaignTemplate{Name: fmt.Sprintf("Modèle %d", f.sequence.Add(1)), MessageZH: "您好 {link}"}
	if err := f.m.Partners.SaveTemplate(ctx, owner, tpl); err != nil {
		t.Fatal(err)
	}
	link := c.Relays[0].Link
	maps.Copy(ids, map[string]string{"partner": fmt.Sprint(p.ID), "campaign": fmt.Sprint(c.ID), "live": fmt.Sprint(e.ID), "relay": link[strings.LastIndex(link, "/")+1:],
		"template": fmt.Sprint(tpl.ID)})
}

// needsDesk reports whether a route names a service-desk object.
func needsDesk(pattern string) bool {
	return strings.Contains(pattern, "/placements/{") || strings.Contains(pattern, "/conversations/{") || strings.Contains(pattern, "/replies/{") || strings.Contains(pattern, "/answers/{")
}

// deskObjects creates a placement of the institution on its WeChat account, a
// follower's conversation with the account and a keyword reply, and adds their ids.
func (f *authzFixture) deskObjects(t *testing.T, inst, acc int64, ids map[string]string) {
	t.Helper()
	ctx := t.Context()
	n := f.sequence.Add(1)
	p := &store.Placement{InstitutionID: inst, AccountID: acc, Key: fmt.Sprintf("k%d", n), Name: "Entrance", Scene: fmt.Sprintf("k%d", n), QRURL: "http://weixin.qq.com/q/authz", Attributed: true}
	if err := f.m.DB.CreatePlacement(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := f.m.DB.InTx(ctx, func(tx *store.Tx) error {
		return tx.RecordInbound(ctx, acc, fmt.Sprintf("oAuthz%d", n), "text", "你好", time.Now().UTC())
	}); err != nil {
		t.Fatal(err)
	}
	cs, err := f.m.DB.Conversations(ctx, store.ConversationFilter{AccountID: acc, Limit: 1})
	if err != nil || len(cs) == 0 {
		t.Fatalf("conversation: %v", err)
	}
	rule := &store.ReplyRule{AccountID: acc, Keywords: []string{"开放时间"}, Match: "contains", Text: "9:30–18:00"}
	if err := f.m.DB.CreateReplyRule(ctx, rule); err != nil {
		t.Fatal(err)
	}
	answer := &store.CannedAnswer{AccountID: acc, Name: fmt.Sprintf("Horaires %d", n), Text: "9:30–18:00"}
	if err := f.m.DB.CreateCannedAnswer(ctx, answer); err != nil {
		t.Fatal(err)
	}
	maps.Copy(ids, map[string]string{"placement": fmt.Sprint(p.ID), "conversation": fmt.Sprint(cs[0].ID), "rule": fmt.Sprint(rule.ID), "answer": fmt.Sprint(answer.ID)})
}

// objects returns the ids of the objects one request of caller i about row r names,
// and gives the caller its role on their institution. A request that may change
// something gets fresh objects; a GET or HEAD shares, per caller, those of the earlier
// reads that needed the same kinds of objects (making objects was most of the
// matrix's time).
func (f *authzFixture) objects(t *testing.T, i int, r authzRow) map[string]string {
	if r.target == foreign {
		return f.foreign
	}
	method, pattern, _ := strings.Cut(r.route, " ")
	segments := strings.Split(pattern, "/")
	need := needs{editorial: needsKinds(r, segments, editorialKinds), visit: needsKinds(r, segments, visitKinds),
		partner: needsKinds(r, segments, partnerKinds), desk: needsDesk(pattern), review: strings.HasSuffix(pattern, "/decision")}
	read := method == http.MethodGet || method == http.MethodHead
	key := readKey{caller: i, needs: need}
	ids := f.reads[key]
	if !read || ids == nil {
		ids = f.fresh(t, i, need)
		if read {
			f.reads[key] = ids
		}
	}
	ids = maps.Clone(ids)
	caller := f.users[i]
	if caller == nil {
		return ids
	}
	if r.target == self {
		ids["user"] = fmt.Sprint(caller.ID)
	}
	if inst, _ := strconv.ParseInt(ids["institution"], 10, 64); !caller.Owner && f.memberOf[i] != inst {
		if _, err := f.m.DB.UpdateUser(t.Context(), f.org, caller.ID, func(u *passerelle.User) error {
			u.Memberships = []passerelle.Membership{{InstitutionID: inst, Role: callers[i].role}}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		f.memberOf[i] = inst
	}
	if !read {
		f.memberOf[i] = 0 // the request may change the caller's roles: set them again next time
	}
	return ids
}

// needs says which kinds of objects a row names beyond an institution, its account, a
// member and a token; review: the post waits for a guest's decision.
type needs struct{ editorial, visit, partner, desk, review bool }

// readKey names the objects reads share: per caller and kinds of objects.
type readKey struct {
	caller int
	needs
}

// fresh creates an institution of the organization with an account, a member user and
// the objects need names, and a token of caller i (the foreign one for anonymous).
func (f *authzFixture) fresh(t *testing.T, i int, need needs) map[string]string {
	inst := f.institution(t, f.org)
	ids := ids(map[string]int64{"institution": inst, "account": f.account(t, f.org, inst)})
	member := f.user(t, f.org, false, passerelle.Membership{InstitutionID: inst, Role: passerelle.RoleViewer})
	ids["user"] = fmt.Sprint(member.ID)
	if need.editorial {
		f.editorialObjects(t, f.users[1], inst, need.review, ids)
	}
	if need.visit {
		f.visitObjects(t, f.users[1], inst, ids)
	}
	if need.partner {
		f.partnerObjects(t, f.users[1], inst, ids)
	}
	if need.desk {
		acc, _ := strconv.ParseInt(ids["account"], 10, 64)
		f.deskObjects(t, inst, acc, ids)
	}
	caller := f.users[i]
	if caller == nil {
		ids["token"] = f.foreign["token"]
		return ids
	}
	_, tok, err := f.m.Auth.CreateToken(t.Context(), caller.ID, "target", nil)
	if err != nil {
		t.Fatal(err)
	}
	ids["token"] = fmt.Sprint(tok.ID)
	return ids
}

var wildcard = regexp.MustCompile(`\{([^}]*)\}`)

// collections name the object of a wildcard by the path segment before it, where the
// segment is not the object's name with an s.
var collections = map[string]string{"placements": "placement", "conversations": "conversation", "replies": "rule", "answers": "answer", "posts": "post", "publications": "publication", "media": "media", "glossary": "term",
	"lexicon": "lexicon", "guest-links": "link", "guest": "guest", "review": "guest", "tours": "tour", "exhibitions": "exhibition", "stops": "stop", "visit-media": "media",
	"partners": "partner", "campaigns": "campaign", "live-events": "live", "relay": "relay", "campaign-templates": "template"}

// kindOf names the object a wildcard stands for: from the path segment before it
// (/institutions/{id}) or from its name ({account_id}).
func kindOf(segments []string, i int, name string) string {
	if i > 0 {
		if k, ok := collections[segments[i-1]]; ok {
			return k
		}
	}
	if name == "link" || name == "media" {
		return name
	}
	for _, k := range []string{"institution", "account", "user", "token", "partner"} {
		if strings.HasPrefix(name, k) || (i > 0 && segments[i-1] == k+"s") {
			return k
		}
	}
	return ""
}

// request builds the request of one cell of the matrix.
func (f *authzFixture) request(t *testing.T, r authzRow, access server.Access, caller int, ids map[string]string) *http.Request {
	method, pattern, ok := strings.Cut(r.route, " ")
	if !ok {
		t.Fatalf("%q: the matrix needs patterns with a method", r.route)
	}
	p := r.path
	if p == "" {
		segments := strings.Split(pattern, "/")
		for i, s := range segments {
			m := wildcard.FindStringSubmatch(s)
			if m == nil {
				continue
			}
			if m[1] == "$" {
				segments[i] = wildcard.ReplaceAllString(s, "")
				continue
			}
			k := kindOf(segments, i, m[1])
			if k == "" {
				if !f.warned[r.route] {
					t.Errorf("%s: cannot tell what {%s} names; give the row a path with .at()", r.route, m[1])
					f.warned[r.route] = true
				}
				return nil
			}
			segments[i] = "{" + k + "}"
		}
		p = strings.Join(segments, "/")
	}
	n := strconv.FormatInt(f.sequence.Add(1), 10)
	fill := func(s string) string {
		for k, id := range ids {
			s = strings.ReplaceAll(s, "{"+k+"}", id)
		}
		return strings.NewReplacer("{n}", n, "{static}", f.static, "{future}", time.Now().Add(48*time.Hour).UTC().Format(time.RFC3339),
			"{futurelocal}", time.Now().Add(48*time.Hour).UTC().Format("2006-01-02T15:04")).Replace(s)
	}
	var body *strings.Reader
	if r.body != "" {
		body = strings.NewReader(fill(r.body))
	} else {
		body = strings.NewReader("")
	}
	req, err := http.NewRequest(method, f.m.URL()+fill(p), body)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case r.body == "":
	case strings.HasPrefix(r.body, "{"):
		req.Header.Set("Content-Type", "application/json")
	default:
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if u := f.users[caller]; u != nil {
		if access == server.API {
			req.Header.Set("Authorization", "Bearer "+f.tokens[caller])
		} else {
			// A session of its own: rows such as POST /logout end it.
			cookie, _, err := f.m.Auth.OpenSession(t.Context(), u.ID, "127.0.0.1", "authz")
			if err != nil {
				t.Fatal(err)
			}
			req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: cookie})
		}
	}
	return req
}

// TestAuthorizationMatrix sends every route of the running server, as every caller,
// about an object of their own and of another organization, and compares the status
// with authzTable. A route without a row fails the test: add its rows to
// authz_table_test.go (the failure prints what the server answered, to review).
func TestAuthorizationMatrix(t *testing.T) {
	// Parallel: its cells are one request at a time (a core's work), so it runs next
	// to the other parallel tests instead of before all of them; under -race it is the
	// package's longest test.
	t.Parallel()
	m := boot(t)
	routes := m.Server.Routes()
	v := apitest.New(t)

	rows := map[string][]authzRow{}
	for _, r := range authzTable {
		if _, ok := routes[r.route]; !ok {
			t.Errorf("row for %q, which is not registered: remove it", r.route)
		}
		for _, o := range rows[r.route] {
			if o.target == r.target && o.body == r.body && o.path == r.path {
				t.Errorf("two rows for %s %s", r.route, r.target)
			}
		}
		rows[r.route] = append(rows[r.route], r)
	}

	f := newAuthzFixture(t, m)
	checked := v.Client(t)
	unchecked := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	// observe answers one cell; the apitest client checks API exchanges against the
	// OpenAPI document on the way.
	observe := func(t *testing.T, r authzRow, caller int) int {
		req := f.request(t, r, routes[r.route], caller, f.objects(t, caller, r))
		if req == nil {
			return 0
		}
		client := checked
		if notYetDocumented[r.route] && !v.Documented(req.Method, req.URL.Path) {
			client = unchecked
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	patterns := make([]string, 0, len(routes))
	for p := range routes {
		patterns = append(patterns, p)
	}
	sort.Strings(patterns)
	for _, p := range patterns {
		have := rows[p]
		needed := []target{none}
		if strings.Contains(p, "{") && !strings.Contains(p, "{$}") {
			needed = []target{own, foreign}
		}
		for _, tg := range needed {
			found := false
			for _, r := range have {
				found = found || r.target == tg
			}
			if found {
				continue
			}
			// Print what the server answers, for the author of the route to review
			// before pasting it into the table.
			r := authzRow{route: p, target: tg}
			var got []string
			for i := range callers {
				got = append(got, strconv.Itoa(observe(t, r, i)))
			}
			t.Errorf("no row for %s (%s); the server answers:\n\trow(%q, %s, %s),", p, tg, p, tg, strings.Join(got, ", "))
		}
	}

	for _, r := range authzTable {
		if _, ok := routes[r.route]; !ok {
			continue
		}
		t.Run(r.route+" "+r.target.String(), func(t *testing.T) {
			var got [7]int
			for i := range callers {
				got[i] = observe(t, r, i)
			}
			if got != r.want {
				var diff []string
				for i, c := range callers {
					if got[i] != r.want[i] {
						diff = append(diff, fmt.Sprintf("%s %d (want %d)", c.name, got[i], r.want[i]))
					}
				}
				t.Errorf("%s", strings.Join(diff, ", "))
			}
		})
	}
}

// notYetDocumented lists API routes registered before their operations were written
// into internal/api/openapi.yaml. Their exchanges are not checked against the document
// until then. Shrink it; never grow it: document a new route instead.
var notYetDocumented = map[string]bool{}

// TestAPIRoutesDocumented: every API route Main serves is in the OpenAPI document but
// those listed in notYetDocumented, and every operation of the document is served.
func TestAPIRoutesDocumented(t *testing.T) {
	m := boot(t)
	doc := apitest.New(t).Doc()
	for pattern := range m.Server.Routes() {
		method, p, _ := strings.Cut(pattern, " ")
		if !strings.HasPrefix(p, "/api/") || p == "/api/" {
			continue // "/api/" is the JSON 404 of unknown paths, not an operation
		}
		item := doc.Paths.Value(p)
		documented := item != nil && item.GetOperation(method) != nil
		switch {
		case !documented && !notYetDocumented[pattern]:
			t.Errorf("%s is not in internal/api/openapi.yaml", pattern)
		case documented && notYetDocumented[pattern]:
			t.Logf("%s is documented now: remove it from notYetDocumented", pattern)
		}
	}
	// Every documented operation is served: the document promises nothing more.
	for p, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if _, ok := m.Server.Routes()[method+" "+p]; !ok {
				t.Errorf("openapi.yaml documents %s %s, which no route serves", method, p)
			}
		}
	}
}

package web

import (
	"bytes"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/csvout"
	"github.com/passerelle-oss/passerelle/internal/desk"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// The inbox's working tools on the desk and conversation pages: the inbox filtered by
// assignee, assignment and status, canned answers inserted with one click
// (desk13.js), the glossary's renderings suggested for the follower's messages and
// the draft, followers worth knowing with staff's tags and their CSV, and deleting
// the custom menu. Everything calls internal/desk, as the API does.

func (h *handler) deskInboxToolRoutes() {
	s, in := h.srv, server.SignedIn
	s.HandleFunc("POST /accounts/{id}/answers", in, h.deskAnswerCreate)
	s.HandleFunc("POST /accounts/{id}/answers/{answer}/delete", in, h.deskAnswerDelete)
	s.HandleFunc("GET /accounts/{id}/followers.csv", in, h.deskFollowersCSV)
	s.HandleFunc("POST /accounts/{id}/menu/delete", in, h.deskMenuDelete)
	s.HandleFunc("POST /conversations/{id}/manage", in, h.conversationManage)
	s.HandleFunc("POST /conversations/{id}/tags", in, h.conversationTags)
	s.HandleFunc("POST /conversations/{id}/suggestions", in, h.conversationSuggestions)
}

// inboxFilters are the desk page's choices of conversations: all, mine, unassigned.
var inboxFilters = []string{"", "me", "none"}

// deskInboxData fills the desk page's inbox (filtered by ?inbox=), canned answers
// and followers (filtered by ?tag=).
func (h *handler) deskInboxData(r *http.Request, p *deskPage) error {
	ctx, u := r.Context(), server.User(r.Context())
	q := r.URL.Query()
	p.Inbox = q.Get("inbox")
	if !slices.Contains(inboxFilters, p.Inbox) {
		p.Inbox = ""
	}
	p.InboxFilters = inboxFilters
	p.CanWrite = u.Can(p.Account.InstitutionID, passerelle.PermWrite)
	var err error
	if p.Conversations, err = h.Desk.ListConversations(ctx, u, p.Account.ID, desk.ConversationQuery{Assignee: p.Inbox}); err != nil {
		return err
	}
	members, err := h.Desk.Assignees(ctx, u, p.Account.ID)
	if err != nil {
		return err
	}
	p.AssigneeNames = map[int64]string{}
	for _, m := range members {
		p.AssigneeNames[m.ID] = m.Name
	}
	if p.Answers, err = h.Desk.CannedAnswers(ctx, u, p.Account.ID); err != nil {
		return err
	}
	if p.AnswerForm == nil {
		p.AnswerForm = &form{Errors: map[string]string{}}
	}
	if p.Tags, err = h.Desk.AccountTags(ctx, u, p.Account.ID); err != nil {
		return err
	}
	p.Tag = strings.TrimSpace(q.Get("tag"))
	if p.Followers, err = h.Desk.Followers(ctx, u, p.Account.ID, p.Tag); err != nil {
		if passerelle.ErrorCode(err) != passerelle.EINVALID {
			return err
		}
		p.Tag = ""
		if p.Followers, err = h.Desk.Followers(ctx, u, p.Account.ID, ""); err != nil {
			return err
		}
	}
	return nil
}

// AssigneeName names a conversation's assignee ("" for none or a former member).
func (p *deskPage) AssigneeName(id *int64) string {
	if id == nil {
		return ""
	}
	return p.AssigneeNames[*id]
}

func (h *handler) deskAnswerCreate(w http.ResponseWriter, r *http.Request) {
	id, f, ok := h.postedForm(w, r)
	if !ok {
		return
	}
	if _, err := h.Desk.CreateCannedAnswer(r.Context(), server.User(r.Context()), id, desk.CannedAnswerInput{Name: f.Get("name"), Text: f.Get("text")}); err != nil {
		h.deskFormError(w, r, id, f, func(p *deskPage) { p.AnswerForm = f }, err)
		return
	}
	h.redirect(w, r, "/accounts/"+strconv.FormatInt(id, 10)+"/desk#desk-answers", "desk13.answer_created")
}

func (h *handler) deskAnswerDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var answer int64
	if err == nil {
		if answer, err = strconv.ParseInt(r.PathValue("answer"), 10, 64); err != nil {
			err = passerelle.ErrNotFound
		}
	}
	if err == nil {
		err = h.Desk.DeleteCannedAnswer(r.Context(), server.User(r.Context()), id, answer)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/accounts/"+strconv.FormatInt(id, 10)+"/desk#desk-answers", "desk13.answer_deleted")
}

// deskFollowersCSV downloads the account's followers (?tag= filters) with their
// openids, for the account's own use (managers).
func (h *handler) deskFollowersCSV(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	q := r.URL.Query()
	if err := h.Desk.FollowersCSV(r.Context(), server.User(r.Context()), id, q.Get("tag"), &buf, csvout.FromQuery(q, h.localizer(r).Lang)); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="followers-`+strconv.FormatInt(id, 10)+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// deskMenuDelete removes the custom menu on WeChat (menu/delete) and the stored copy.
func (h *handler) deskMenuDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	to := "/accounts/" + strconv.FormatInt(id, 10) + "/desk#desk-menu"
	if err := h.Desk.DeleteMenu(r.Context(), server.User(r.Context()), id); err != nil {
		h.redirectError(w, r, to, err)
		return
	}
	h.redirect(w, r, to, "desk13.menu_deleted")
}

// conversationTools is what the conversation page adds to the thread: the assignment
// form's members, canned answers, the glossary's suggestions and the follower's tags.
type conversationTools struct {
	Assignees   []*passerelle.User
	Answers     []*store.CannedAnswer
	Suggestions []desk.Suggestion
	Tags        []string
	TagForm     *form
	CanWrite    bool
}

func (h *handler) conversationToolsData(r *http.Request, p *conversationPage, draft string) error {
	ctx, u := r.Context(), server.User(r.Context())
	t := &conversationTools{CanWrite: u.Can(p.Account.InstitutionID, passerelle.PermWrite), TagForm: &form{Errors: map[string]string{}}}
	var err error
	if t.Assignees, err = h.Desk.Assignees(ctx, u, p.Account.ID); err != nil {
		return err
	}
	if t.Answers, err = h.Desk.CannedAnswers(ctx, u, p.Account.ID); err != nil {
		return err
	}
	// A draft too long to suggest for is refused with the reply form, not here.
	if t.Suggestions, err = h.Desk.Suggestions(ctx, u, p.C.ID, draft); err != nil && passerelle.ErrorCode(err) != passerelle.EINVALID {
		return err
	}
	if t.Tags, err = h.Desk.FollowerTags(ctx, u, p.C.ID); err != nil {
		return err
	}
	p.Tools = t
	return nil
}

// conversationManage sets the conversation's status and assignee (assignee=0: no one).
func (h *handler) conversationManage(w http.ResponseWriter, r *http.Request) {
	id, f, ok := h.postedForm(w, r)
	if !ok {
		return
	}
	var ch desk.ConversationChange
	if s := f.Get("status"); s != "" {
		ch.Status = &s
	}
	if s := f.Get("assignee"); s != "" {
		n, perr := strconv.ParseInt(s, 10, 64)
		if perr != nil {
			n = -1
		}
		ch.AssigneeID = &n
	}
	to := "/conversations/" + strconv.FormatInt(id, 10)
	if _, err := h.Desk.UpdateConversation(r.Context(), server.User(r.Context()), id, ch); err != nil {
		h.redirectError(w, r, to, fieldMessage(err))
		return
	}
	h.redirect(w, r, to, "desk13.conversation_updated")
}

// conversationTags replaces the follower's tags (comma-separated).
func (h *handler) conversationTags(w http.ResponseWriter, r *http.Request) {
	id, f, ok := h.postedForm(w, r)
	if !ok {
		return
	}
	tags := strings.FieldsFunc(f.Get("tags"), func(r rune) bool { return r == ',' || r == '，' || r == '\n' })
	to := "/conversations/" + strconv.FormatInt(id, 10)
	if _, err := h.Desk.SetFollowerTags(r.Context(), server.User(r.Context()), id, tags); err != nil {
		h.redirectError(w, r, to, fieldMessage(err))
		return
	}
	h.redirect(w, r, to+"#follower-tags", "desk13.tags_saved")
}

// conversationSuggestions answers the glossary's suggestions for the draft in the
// form's text as JSON, for desk13.js to refresh the list while staff write.
func (h *handler) conversationSuggestions(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = parseForm(r)
	}
	var s []desk.Suggestion
	if err == nil {
		s, err = h.Desk.Suggestions(r.Context(), server.User(r.Context()), id, r.PostForm.Get("text"))
	}
	if err != nil {
		h.srv.Error(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, map[string]any{"items": s})
}

// fieldMessage makes a refusal's field message its message, for the forms whose
// errors come back as a flash above the page (one field each).
func fieldMessage(err error) error {
	fields := passerelle.ErrorFields(err)
	keys := slices.Sorted(maps.Keys(fields))
	if len(keys) == 0 {
		return err
	}
	return &passerelle.Error{Code: passerelle.ErrorCode(err), Message: fields[keys[0]], Err: err}
}

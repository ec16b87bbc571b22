package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/desk"
	"github.com/passerelle-oss/passerelle/internal/server"
)

// The custom-menu editor of the desk page: a plain form of 3 buttons × 5 sub-buttons
// whose input names are the field paths of WeChat's menu JSON ("button[1].sub_button[0].url"),
// so that desk.ParseMenu's field errors land on their inputs. Saving builds the JSON and
// calls desk.PutMenu (validate, menu/create, store), as PUT /api/v1/accounts/{id}/menu does.

// menuTypes are the choices of a button's type; "" is a button that opens sub-buttons.
var menuTypes = []string{"", "click", "view", "miniprogram"}

// menuSlot is one button of the editor: its field-name prefix and its sub-buttons.
type menuSlot struct {
	Prefix string
	N      int // 1-based, for labels
	Subs   []menuSlot
}

// menuSlots are the editor's 3 buttons with 5 sub-buttons each.
var menuSlots = func() []menuSlot {
	var out []menuSlot
	for i := range 3 {
		b := menuSlot{Prefix: "button[" + strconv.Itoa(i) + "]", N: i + 1}
		for j := range 5 {
			b.Subs = append(b.Subs, menuSlot{Prefix: b.Prefix + ".sub_button[" + strconv.Itoa(j) + "]", N: j + 1})
		}
		out = append(out, b)
	}
	return out
}()

// menuEditor is the desk page's menu section.
type menuEditor struct {
	Form   *form
	Slots  []menuSlot
	Types  []string
	Stored *desk.Menu // the menu last pushed, for the preview; nil if none
	Pushed time.Time  // when it was pushed
	// ReadBack is set on the page shown by "Read back from WeChat": "menu12.read_back"
	// or "menu12.none_on_wechat".
	ReadBack string
}

// menuActionFields are the fields of a button's action, by type.
var menuActionFields = map[string][]string{"click": {"key"}, "view": {"url"}, "miniprogram": {"url", "appid", "pagepath"}}

// menuButtonFromForm reads one button of the form; empty reports a button left blank.
func menuButtonFromForm(f *form, prefix string) (b desk.MenuButton, empty bool) {
	get := func(field string) string { return f.Get(prefix + "." + field) }
	b.Name, b.Type = get("name"), get("type")
	empty = b.Name == ""
	for _, field := range []string{"key", "url", "appid", "pagepath"} {
		if get(field) != "" {
			empty = false
		}
	}
	for _, field := range menuActionFields[b.Type] {
		switch field {
		case "key":
			b.Key = get(field)
		case "url":
			b.URL = get(field)
		case "appid":
			b.AppID = get(field)
		case "pagepath":
			b.PagePath = get(field)
		}
	}
	return b, empty
}

// menuFromForm builds WeChat's menu from the editor. Blank buttons after the last
// filled one are left out; a blank one before it is kept, for validation to name it.
func menuFromForm(f *form) *desk.Menu {
	m := &desk.Menu{Button: []desk.MenuButton{}}
	var pending []desk.MenuButton
	for _, slot := range menuSlots {
		b, empty := menuButtonFromForm(f, slot.Prefix)
		var subs []desk.MenuButton
		for _, s := range slot.Subs {
			sb, sempty := menuButtonFromForm(f, s.Prefix)
			subs = append(subs, sb)
			if !sempty {
				b.SubButton = append(b.SubButton, subs...)
				subs = subs[:0]
				empty = false
			}
		}
		pending = append(pending, b)
		if !empty {
			m.Button = append(m.Button, pending...)
			pending = pending[:0]
		}
	}
	return m
}

// menuValues fills the editor with a menu.
func menuValues(m *desk.Menu) url.Values {
	v := url.Values{}
	if m == nil {
		return v
	}
	set := func(prefix string, b desk.MenuButton) {
		for field, val := range map[string]string{"name": b.Name, "type": b.Type, "key": b.Key, "url": b.URL, "appid": b.AppID, "pagepath": b.PagePath} {
			if val != "" {
				v.Set(prefix+"."+field, val)
			}
		}
	}
	for i, b := range m.Button {
		if i >= len(menuSlots) {
			break
		}
		set(menuSlots[i].Prefix, b)
		for j, s := range b.SubButton {
			if j >= len(menuSlots[i].Subs) {
				break
			}
			set(menuSlots[i].Subs[j].Prefix, s)
		}
	}
	return v
}

// deskMenu loads the menu section of the desk page: the stored menu in the preview
// and, for managers, in the form.
func (h *handler) deskMenu(r *http.Request, p *deskPage) error {
	e := &menuEditor{Form: &form{Errors: map[string]string{}}, Slots: menuSlots, Types: menuTypes}
	p.Menu = e
	stored, err := h.Desk.GetMenu(r.Context(), server.User(r.Context()), p.Account.ID)
	if passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	var m desk.Menu
	if json.Unmarshal(stored.Menu, &m) == nil {
		e.Stored = &m
		e.Form.Values = menuValues(&m)
	}
	e.Pushed = stored.PushedAt
	return nil
}

// deskMenuSave is "Save and push": validate, push with menu/create, store; Post/Redirect/Get.
func (h *handler) deskMenuSave(w http.ResponseWriter, r *http.Request) {
	id, f, ok := h.postedForm(w, r)
	if !ok {
		return
	}
	raw, err := json.Marshal(menuFromForm(f))
	if err == nil {
		_, err = h.Desk.PutMenu(r.Context(), server.User(r.Context()), id, raw)
	}
	if err != nil {
		h.deskFormError(w, r, id, f, func(p *deskPage) { p.Menu.Form = f }, err)
		return
	}
	h.redirect(w, r, "/accounts/"+strconv.FormatInt(id, 10)+"/desk#desk-menu", "menu12.pushed")
}

// deskMenuReadBack is "Read back from WeChat": the desk page with the editor filled
// with the menu WeChat has (menu/get); nothing is stored until it is saved.
func (h *handler) deskMenuReadBack(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	m, err := h.Desk.ReadMenu(r.Context(), server.User(r.Context()), id)
	if err != nil {
		f := &form{Errors: map[string]string{}}
		h.deskFormError(w, r, id, f, func(p *deskPage) { p.Menu.Form = f }, err)
		return
	}
	p, err := h.deskData(r, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Menu.Form = &form{Values: menuValues(m), Errors: map[string]string{}}
	p.Menu.ReadBack = "menu12.read_back"
	if m == nil {
		p.Menu.ReadBack = "menu12.none_on_wechat"
	}
	h.render(w, r, deskView, p)
}

// OpenSubs reports whether the sub-buttons of the button at prefix are shown unfolded:
// the button opens sub-buttons (no type) and has a name or a sub-button, or one of
// its sub-buttons has an error.
func (e *menuEditor) OpenSubs(prefix string) bool {
	f := e.Form
	if f.Get(prefix+".type") == "" && (f.Get(prefix+".name") != "" || f.Get(prefix+".sub_button[0].name") != "") {
		return true
	}
	for k := range f.Errors {
		if strings.HasPrefix(k, prefix+".sub_button") {
			return true
		}
	}
	return false
}

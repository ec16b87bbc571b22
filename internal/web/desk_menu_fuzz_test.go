package web

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle/internal/desk"
)

// FuzzMenuForm reads the menu editor's form from arbitrary values: building the menu
// never panics, its JSON goes through desk.ParseMenu without a panic, and a menu
// ParseMenu accepts fills the form back (menuValues) into the same menu.
func FuzzMenuForm(f *testing.F) {
	f.Add("button[0].name=开放时间&button[0].type=click&button[0].key=HOURS")
	f.Add("button[1].name=参观&button[1].sub_button[0].name=官网&button[1].sub_button[0].type=view&button[1].sub_button[0].url=https://x.example/")
	f.Add("button[2].sub_button[4].name=x&button[2].sub_button[4].type=miniprogram&button[2].sub_button[4].appid=a&button[2].sub_button[4].pagepath=p&button[2].sub_button[4].url=http://a.b")
	f.Add("button[0].type=click&button[0].key=%00&button[0].name=%ff")
	f.Fuzz(func(t *testing.T, query string) {
		v, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		m := menuFromForm(&form{Values: v})
		raw, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := desk.ParseMenu(raw)
		if err != nil {
			return
		}
		back := menuFromForm(&form{Values: menuValues(parsed)})
		if !reflect.DeepEqual(normalizeMenu(back), normalizeMenu(parsed)) {
			t.Fatalf("round trip:\n%+v\n%+v", back, parsed)
		}
	})
}

// normalizeMenu makes nil and empty sub-button lists alike.
func normalizeMenu(m *desk.Menu) string {
	b, _ := json.Marshal(m)
	return strings.ReplaceAll(string(b), `"sub_button":null,`, "")
}

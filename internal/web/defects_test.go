package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestSaveWithCleanedBodyRedirects: saving a post whose WeChat body lost a script
// answers with a redirect to the post (Post/Redirect/Get), so reloading the page does
// not create a second post; the list of what was removed is shown once after it.
func TestSaveWithCleanedBodyRedirects(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	c := a.signedIn("editor@example.org")
	form := n.postForm("Les Nymphéas", "Claude Monet peint les Nymphéas.", "莫奈画睡莲。")
	pre := "pub_" + itoa(n.wechat.ID) + "."
	form.Set("pub_"+itoa(n.wechat.ID), "on")
	form.Set(pre+"mode", "wechat_draft")
	form.Set(pre+"wechat_title", "莫奈的睡莲")
	form.Set(pre+"wechat_body_html", `<p>睡莲</p><script>alert(1)</script>`)
	res := c.post("/posts", form)
	if res.Status != http.StatusSeeOther || !regexp.MustCompile(`^/posts/\d+$`).MatchString(res.Location) {
		t.Fatalf("save answers %d %q, want a redirect to the post:\n%s", res.Status, res.Location, excerpt(res.Body))
	}
	page := c.follow(res)
	wantContains(t, page.Body, `id="removed-title"`, "script")
	if again := c.get(res.Location); strings.Contains(again.Body, `id="removed-title"`) {
		t.Error("the removal notice is shown again on reload")
	}
}

package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
)

var fuzzAccounts = []*passerelle.Account{{ID: 12, Platform: passerelle.Weibo}, {ID: 17, Platform: passerelle.WeChat}}

// FuzzPostForm feeds the editor's form parser any body: it never panics, sends a
// publication only for ticked known accounts, in their order, once each, and keeps
// only positive media ids and crops within the image.
func FuzzPostForm(f *testing.F) {
	f.Add("title=T&theme=history&pub_12=on&pub_12.topics=%23a%23%23b%23&media_ids=3&media_ids=3")
	f.Add("pub_17=on&pub_17.wechat_crop_235_x=0.2&pub_17.wechat_crop_11_y=1e9&pub_17.wechat_cover_media_id=-4")
	f.Add("pub_12=on&pub_12.format=repost&pub_12.repost_url=https://weibo.com/x&pub_99=on&version=x")
	f.Add("pub_17=on&pub_17.wechat_crop_235_x=NaN&pub_12.media_ids=0")
	f.Fuzz(func(t *testing.T, body string) {
		v, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		in, order, fe := postInput(v, fuzzAccounts)
		var want []int64
		for _, a := range fuzzAccounts {
			if v.Get("pub_"+itoa64(a.ID)) != "" {
				want = append(want, a.ID)
			}
		}
		if !slices.Equal(order, want) || len(*in.Publications) != len(want) {
			t.Fatalf("publications for %v, want %v", order, want)
		}
		for i, p := range *in.Publications {
			if p.AccountID != order[i] {
				t.Fatalf("publication %d on %d, order says %d", i, p.AccountID, order[i])
			}
			for _, id := range p.MediaIDs {
				if id <= 0 && len(fe) == 0 {
					t.Fatalf("media id %d accepted", id)
				}
			}
			for _, tp := range p.Topics {
				if tp == "" || strings.ContainsAny(tp, "#＃\n,") {
					t.Fatalf("topic %q", tp)
				}
			}
			if a := p.WeChat; a != nil && len(fe) == 0 {
				for _, c := range []float64{a.Crop235.X, a.Crop235.Y, a.Crop11.X, a.Crop11.Y} {
					if !(c >= 0 && c <= 1) {
						t.Fatalf("crop %v accepted", c)
					}
				}
			}
		}
		if len(fe) == 0 {
			for _, id := range *in.MediaIDs {
				if id <= 0 {
					t.Fatalf("media id %d accepted", id)
				}
			}
		}
	})
}

// FuzzLocalTime: a schedule time is either refused or read as that wall clock in the
// zone.
func FuzzLocalTime(f *testing.F) {
	for _, s := range []string{"2030-06-01T10:00", "2030-06-01T10:00:30", "2030-13-01T10:00", "", "2030-03-31T02:30"} {
		f.Add(s)
	}
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseLocalTime(s, loc)
		if err != nil {
			if passerelle.ErrorCode(err) != passerelle.EINVALID {
				t.Fatalf("error %v is not invalid input", err)
			}
			return
		}
		wall := strings.TrimSpace(s)
		if f := got.In(loc).Format("2006-01-02T15:04:05"); f != wall && f != wall+":00" {
			t.Fatalf("%q read as %v (%s in the zone)", s, got, f)
		}
	})
}

// FuzzTopicSegments: the segments of a Weibo status give the text back, and every
// topic segment is one #…# on one line.
func FuzzTopicSegments(f *testing.F) {
	for _, s := range []string{"看展 #奥赛博物馆##莫奈#", "#", "a#b", "##", "#a\nb#", "x #话题# y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var b strings.Builder
		for _, sg := range topicSegments(s) {
			b.WriteString(sg.Text)
			if sg.Topic && (len(sg.Text) < 3 || sg.Text[0] != '#' || sg.Text[len(sg.Text)-1] != '#' || strings.Contains(sg.Text, "\n")) {
				t.Fatalf("topic segment %q", sg.Text)
			}
		}
		if b.String() != s {
			t.Fatalf("segments give %q, not %q", b.String(), s)
		}
	})
}

func TestFormField(t *testing.T) {
	t.Parallel()
	accounts := []int64{12, 17}
	tests := []struct{ in, want string }{
		{"title", "title"},
		{"publications[0].text", "pub_12.text_zh"},
		{"publications[0].topics[2]", "pub_12.topics"},
		{"publications[0].images", "pub_12.media_ids"},
		{"publications[1].wechat.title", "pub_17.wechat_title"},
		{"publications[1].wechat.cover", "pub_17.wechat_cover_media_id"},
		{"publications[1].wechat.crop_235", "pub_17.wechat_crop_235"},
		{"publications[5].format", "publications"},
		{"publications[x].format", "publications"},
	}
	for _, tt := range tests {
		if got := formField(tt.in, accounts); got != tt.want {
			t.Errorf("formField(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

package editorial

import (
	"testing"
	"time"
	"unicode/utf8"

	"github.com/passerelle-oss/passerelle"
)

// FuzzParseScheduleCSV: any bytes give rows or a user-safe invalid error, never a
// panic; rows carry valid UTF-8 and line numbers; times parse or say why.
func FuzzParseScheduleCSV(f *testing.F) {
	for _, s := range []string{
		"date,time,account,platform,title,text\n2027-03-08,10:00,orsay,weibo,Titre,中文。\n",
		"\xEF\xBB\xBFdate;account;platform;title;text\n2027-03-08 10:00;orsay;wechat;T;正文\n",
		"日期\t账号\t平台\t标题\t中文\n2027-03-08T20:00+08:00\t奥赛\t微博\tT\t文\n",
		"date,account,platform,title,text\n\"2027-03-08 10:00\",\"a,b\",weibo,\"T \"\"q\"\"\",\"多\n行\"\n",
		"", "\n\n", "date\n", "a,b\n1,2\n", "\xff\xfe\x00\x00", "\xc4\xe3\xba\xc3,\n",
	} {
		f.Add([]byte(s))
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ParseScheduleCSV(data)
		if err != nil {
			if passerelle.ErrorCode(err) != passerelle.EINVALID || passerelle.ErrorMessage(err) == "" {
				t.Fatalf("error %v (%s)", err, passerelle.ErrorCode(err))
			}
			return
		}
		if len(rows) == 0 || len(rows) > MaxScheduleImportRows {
			t.Fatalf("%d rows without an error", len(rows))
		}
		for _, r := range rows {
			for _, v := range []string{r.Date, r.Time, r.Account, r.Platform, r.Title, r.Text, r.Source, r.Theme, r.Lang} {
				if !utf8.ValidString(v) {
					t.Fatalf("invalid UTF-8 in %+v", r)
				}
			}
			if r.Line < 1 {
				t.Fatalf("line %d", r.Line)
			}
			if at, msg := scheduleTime(r.Date, r.Time, paris); msg == "" && at.IsZero() {
				t.Fatalf("no time and no reason for %q %q", r.Date, r.Time)
			}
		}
	})
}

// TestScheduleTime reads the forms a schedule's date and time take.
func TestScheduleTime(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	for _, tt := range []struct{ date, clock, want string }{
		{"2027-03-08", "10:00", "2027-03-08T09:00:00Z"},
		{"2027-03-08 10:00", "", "2027-03-08T09:00:00Z"},
		{"2027/07/08 9:30", "", "2027-07-08T07:30:00Z"},
		{"2027-03-08T20:00+08:00", "", "2027-03-08T12:00:00Z"},
		{"2027-03-08T20:00:00Z", "", "2027-03-08T20:00:00Z"},
	} {
		at, msg := scheduleTime(tt.date, tt.clock, paris)
		if msg != "" || at.Format(time.RFC3339) != tt.want {
			t.Errorf("%q %q: %v %q, want %s", tt.date, tt.clock, at, msg, tt.want)
		}
	}
	for _, tt := range []struct{ date, clock string }{{"", ""}, {"2027-03-08", ""}, {"demain", "10:00"}, {"2027-03-28", "02:30"}} {
		if _, msg := scheduleTime(tt.date, tt.clock, paris); msg == "" {
			t.Errorf("%q %q accepted", tt.date, tt.clock)
		}
	}
}

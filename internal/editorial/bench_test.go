package editorial_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// BenchmarkCalendarMonth: the month view of an institution with 10 accounts and 400
// publications in the month, on SQLite. It reports the server-side p50/p95/p99 of
// Service.Calendar (target: p95 < 50 ms).
func BenchmarkCalendarMonth(b *testing.B) {
	db := storetest.SQLite(b)
	bd := setup(b, db)
	ctx := context.Background()
	ed := bd.users[passerelle.RoleEditor]
	accounts := []*passerelle.Account{bd.weibo, bd.wechat}
	for i := len(accounts); i < 10; i++ {
		a := &passerelle.Account{InstitutionID: bd.inst.ID, Platform: passerelle.Weibo, Handle: fmt.Sprintf("acc%d", i)}
		if i%4 == 0 {
			a.Platform = passerelle.WeChat
		}
		if err := db.CreateAccount(ctx, bd.inst.OrgID, a); err != nil {
			b.Fatal(err)
		}
		accounts = append(accounts, a)
	}
	// 200 posts with two publications each: 400 publications in July 2030.
	start := time.Date(2030, 7, 1, 6, 0, 0, 0, time.UTC)
	for i := range 200 {
		a1, a2 := accounts[i%10], accounts[(i+1)%10]
		pubs := []editorial.PublicationInput{{AccountID: a1.ID}, {AccountID: a2.ID}}
		for j, a := range []*passerelle.Account{a1, a2} {
			if a.Platform == passerelle.WeChat {
				pubs[j].WeChat = &editorial.ArticleInput{Title: "标题", BodyHTML: "<p>正文</p>"}
			}
		}
		in := &editorial.PostInput{InstitutionID: &bd.inst.ID, Title: ptr(fmt.Sprintf("post %d", i)), Theme: ptr("collection"), SourceLang: ptr("fr"),
			TextZH: ptr("奥赛博物馆。"), Publications: &pubs}
		s, err := bd.svc.CreatePost(ctx, ed, in)
		if err != nil {
			b.Fatal(err, passerelle.ErrorFields(err))
		}
		for j, pub := range s.Post.Publications {
			at := start.Add(time.Duration(i*2+j) * 90 * time.Minute)
			if _, err := bd.svc.Schedule(ctx, ed, pub.ID, &at); err != nil {
				b.Fatal(err)
			}
		}
	}
	q := editorial.CalendarQuery{InstitutionID: bd.inst.ID, From: "2030-07-01", To: "2030-07-31", Lang: "zh-Hans"}
	cal, err := bd.svc.Calendar(ctx, ed, q)
	if err != nil || len(cal.Items) != 400 {
		b.Fatalf("calendar: %v, %d items", err, len(cal.Items))
	}
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if _, err := bd.svc.Calendar(ctx, ed, q); err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(durations)
	pct := func(p float64) float64 {
		return float64(durations[int(p*float64(len(durations)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

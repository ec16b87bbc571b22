package demo

import (
	"context"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// HistoryDays is how far back the demo's audience history goes.
const HistoryDays = 120

// HistoryTitles are the demo history's post titles: the kind of stories museums tell
// on Weibo and WeChat.
var HistoryTitles = []string{
	"《蒙娜丽莎》的微笑背后", "卢浮宫的镇馆三宝", "走进奥赛：印象派的光与影", "凡尔赛宫镜厅的三百年",
	"罗丹《思想者》的诞生", "蓬皮杜的管道与色彩", "枫丹白露宫的文艺复兴", "修复师的一天",
	"闭馆后的博物馆", "一件藏品的中国之旅", "春节特辑：馆藏里的中国元素", "国际博物馆日：今天免费开放",
	"策展人带你看新展", "莫奈的睡莲为何画了两百五十幅", "胜利女神像的台阶", "拿破仑的加冕礼",
	"雕塑家的工作室", "博物馆的猫", "从巴黎到北京：一场线上直播", "你不知道的卢浮宫金字塔",
}

// History gives the demo's museums about four months of published posts, their
// figures (collected, imported) and their followers, ending a day before now —
// analytics.Generate on their own accounts — so that the analytics pages, the reports
// and the portfolio have something to show. Call it last: the other demo data picks
// "the first post" and "the latest published post".
func History(ctx context.Context, db *store.DB, orgID int64, now time.Time) error {
	insts, err := db.Institutions(ctx, store.InstitutionFilter{OrgID: orgID})
	if err != nil {
		return err
	}
	var targets []analytics.GenerateTarget
	for _, inst := range insts {
		accs, err := db.Accounts(ctx, store.AccountFilter{OrgID: orgID, InstitutionID: inst.ID})
		if err != nil {
			return err
		}
		t := analytics.GenerateTarget{Institution: inst}
		for _, a := range accs {
			switch {
			case a.Platform == passerelle.Weibo && t.Weibo == nil:
				t.Weibo = a
			case a.Platform == passerelle.WeChat && t.WeChat == nil:
				t.WeChat = a
			}
		}
		if t.Weibo == nil || t.WeChat == nil {
			continue
		}
		for _, in := range institutions {
			if in.Name == inst.Name {
				t.Followers = float64(in.weibo.followers)
			}
		}
		targets = append(targets, t)
	}
	_, err = analytics.Generate(ctx, db, analytics.GenerateOptions{OrgID: orgID, Years: HistoryDays / 365.0, Seed: 2026,
		End: now.Add(-24 * time.Hour), Workers: 1, Into: targets, Titles: HistoryTitles})
	return err
}

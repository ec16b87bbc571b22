package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/desk"
	"github.com/passerelle-oss/passerelle/internal/platform/sim"
	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// deskPlacements are the printed codes of Musée d'Orsay's WeChat account, with the
// follows and returning scans of an ordinary day through each (the entrance brings
// most followers).
var deskPlacements = []struct {
	key, name, welcome string
	follows, scans     int
}{
	{"entree", "Entrée principale", "欢迎来到奥赛博物馆！回复「开放时间」「门票」「语音导览」或「交通」获取参观信息。", 7, 2},
	{"audioguides", "Comptoir des audioguides", "欢迎！中文语音导览可在本服务台租用，也可以回复「语音导览」了解详情。", 3, 1},
	{"librairie", "Librairie-boutique", "感谢光临奥赛博物馆书店！关注我们，获取展览与新品信息。", 2, 1},
}

// deskRules are the account's keyword replies, tried in order, and its default reply.
var deskRules = []desk.RuleInput{
	{Keywords: []string{"开放时间", "几点开门", "几点关门", "周一"}, Text: "奥赛博物馆周二至周日 9:30–18:00 开放，周四延长至 21:45；每周一闭馆。最后入场为闭馆前一小时（周四 21:00）。"},
	{Keywords: []string{"门票", "票价", "预约", "免费"}, Text: "全价门票 16 欧元，建议在官网提前预约入场时段。未满 18 岁的观众，以及 18 至 25 岁的欧盟居民免费。每月第一个周日免费开放（需预约）。", Priority: 1},
	{Keywords: []string{"语音导览", "讲解", "中文导览"}, Text: "中文语音导览可在入口处的语音导览服务台租用，介绍莫奈、梵高、雷诺阿等大师的代表作。", Priority: 2},
	{Keywords: []string{"交通", "怎么去", "地铁"}, Text: "乘坐 RER C 线至 Musée d'Orsay 站，或地铁 12 号线至 Solférino 站，步行约 5 分钟。", Priority: 3},
	{Default: true, Text: "您好，感谢您的留言！我们的工作人员会在巴黎时间的工作时段内尽快回复。", Priority: 100},
}

// deskAnswers are the inbox's canned answers: named in French for the team, in
// Chinese for the followers.
var deskAnswers = []desk.CannedAnswerInput{
	{Name: "Nocturne du jeudi", Text: "您好！每周四博物馆开放至 21:45，最后入场时间为 21:00。欢迎晚上来参观！"},
	{Name: "Poussettes et vestiaire", Text: "您好！馆内可以使用婴儿车，入口处的免费寄存处也可以寄存婴儿车和大件行李。"},
	{Name: "Objets trouvés", Text: "您好！请发送您的姓名、参观日期和遗失物品的描述，我们会联系馆内失物招领处并尽快回复您。"},
}

// deskMenu is the account's custom menu: its buttons send the keyword replies' keys.
const deskMenu = `{"button": [
  {"name": "参观信息", "sub_button": [
    {"type": "click", "name": "开放时间", "key": "开放时间"},
    {"type": "click", "name": "门票", "key": "门票"},
    {"type": "click", "name": "交通", "key": "交通"}]},
  {"type": "click", "name": "语音导览", "key": "语音导览"},
  {"type": "view", "name": "官方网站", "url": "https://www.musee-orsay.fr"}]}`

// deskThread is a follower's conversation as the demo shows it.
type deskThread struct {
	openID, placement string
	// ago is how long before the demo's start the follower wrote.
	ago      time.Duration
	messages []string
	reply    string
	status   string
	assignee string // e-mail of the team member it is assigned to
	tags     []string
}

var deskThreads = []deskThread{
	// Within the 48-hour window, assigned, waiting for an answer.
	{openID: "oDemoFollower0001", placement: "entree", ago: 3 * time.Hour,
		messages: []string{"你好，请问周四晚上开放到几点？我们下午六点才能到巴黎。"}, status: store.ConversationOpen, assignee: "translator@passerelle.example"},
	// Within the window, nobody on it yet.
	{openID: "oDemoFollower0002", placement: "librairie", ago: 20 * time.Hour,
		messages: []string{"请问书店有卖梵高《罗纳河上的星夜》的明信片吗？", "可以寄到中国吗？"}, status: store.ConversationOpen, tags: []string{"boutique"}},
	// Answered.
	{openID: "oDemoFollower0003", placement: "audioguides", ago: 30 * time.Hour,
		messages: []string{"请问可以推婴儿车进馆吗？"}, reply: "您好！馆内可以使用婴儿车，入口处的免费寄存处也可以寄存婴儿车和大件行李。", status: store.ConversationAnswered},
	// Answered, then closed.
	{openID: "oDemoFollower0004", placement: "entree", ago: 4 * 24 * time.Hour,
		messages: []string{"我们是一个 25 人的学生团，想预约中文讲解，请问怎么联系？"}, reply: "您好！团体参观请通过官网的团体预约页面提交申请，选择中文讲解即可，我们会在三个工作日内确认。", status: store.ConversationClosed, tags: []string{"groupe scolaire"}},
	// Outside the window: the follower must write again before an answer can go.
	{openID: "oDemoFollower0005", placement: "entree", ago: 3 * 24 * time.Hour,
		messages: []string{"《睡莲》现在在展出吗？"}, status: store.ConversationOpen},
}

// Desk gives the demo's connected WeChat account, Musée d'Orsay's, a service desk a
// newcomer can read: three placements with their codes and a fortnight of follows
// and scans, keyword replies in Chinese, a custom menu, canned answers, and
// followers' conversations (two within WeChat's 48-hour window, one answered, one
// closed, one past the window). Placements, rules, the menu, answers, assignments
// and tags go through the desk service as a person's would (the placements' codes
// and the menu go to the simulator, which must be running); the followers' pushes
// are applied as the drain applies them, and the staff's replies are recorded as
// sent (their time is the demo's start). The simulator learns the followers who
// wrote, so that answering one within the window works in the demo. Call it after
// Seed and Simulated.
func Desk(ctx context.Context, db *store.DB, svc *desk.Service, platforms *sim.Simulator, orgID int64, now time.Time) error {
	owner, _, err := db.UserByEmail(ctx, OwnerEmail)
	if err != nil {
		return err
	}
	accounts, err := db.Accounts(ctx, store.AccountFilter{OrgID: orgID})
	if err != nil {
		return err
	}
	var acct *passerelle.Account
	for _, a := range accounts {
		if a.Platform == passerelle.WeChat && a.Handle == "gh_orsay" {
			acct = a
		}
	}
	if acct == nil {
		return fmt.Errorf("demo desk: no WeChat account gh_orsay")
	}
	for _, p := range deskPlacements {
		if _, err := svc.CreatePlacement(ctx, owner, acct.InstitutionID, desk.PlacementInput{AccountID: acct.ID, Name: p.name, Key: p.key, WelcomeText: p.welcome}); err != nil {
			return fmt.Errorf("demo placement %s: %w", p.key, err)
		}
	}
	for _, r := range deskRules {
		if _, err := svc.CreateRule(ctx, owner, acct.ID, r); err != nil {
			return fmt.Errorf("demo reply rule: %w", err)
		}
	}
	if _, err := svc.PutMenu(ctx, owner, acct.ID, []byte(deskMenu)); err != nil {
		return fmt.Errorf("demo menu: %w", err)
	}
	for _, c := range deskAnswers {
		if _, err := svc.CreateCannedAnswer(ctx, owner, acct.ID, c); err != nil {
			return fmt.Errorf("demo canned answer: %w", err)
		}
	}

	// The pushes WeChat would have sent: a fortnight of visitors following through
	// the codes (or scanning again), then the followers who wrote.
	now = now.UTC().Truncate(time.Second)
	var events []*store.WeChatEvent
	push := func(openID, msgType, event, scene, content string, at time.Time) {
		e := &store.WeChatEvent{AccountID: acct.ID, MsgType: msgType, Event: event, Scene: scene, FromUser: openID, SentAt: at}
		if msgType == wechat.MsgTypeText {
			e.Payload = textPush(acct.Handle, openID, content, at)
		}
		events = append(events, e)
	}
	n := 0
	for day := 14; day >= 1; day-- {
		for i, p := range deskPlacements {
			// Weekends bring more visitors; the counts vary from day to day.
			follows, scans := p.follows+(day*7+i*3)%4, p.scans+(day+i)%2
			if wd := now.AddDate(0, 0, -day).Weekday(); wd == time.Saturday || wd == time.Sunday {
				follows += follows / 2
			}
			for k := range follows + scans {
				n++
				at := now.AddDate(0, 0, -day).Add(time.Duration(k*17+i*5) * time.Minute)
				if k < follows {
					push(fmt.Sprintf("oDemoVisitor%05d", n), wechat.MsgTypeEvent, wechat.EventSubscribe, desk.Scene(p.key), "", at)
				} else {
					push(fmt.Sprintf("oDemoVisitor%05d", n), wechat.MsgTypeEvent, wechat.EventScan, desk.Scene(p.key), "", at)
				}
			}
		}
	}
	for _, th := range deskThreads {
		at := now.Add(-th.ago)
		push(th.openID, wechat.MsgTypeEvent, wechat.EventSubscribe, desk.Scene(th.placement), "", at.Add(-10*time.Minute))
		for i, m := range th.messages {
			push(th.openID, wechat.MsgTypeText, "", "", m, at.Add(time.Duration(i)*2*time.Minute))
		}
	}
	for _, th := range deskThreads {
		last := now.Add(-th.ago).Add(time.Duration(len(th.messages)-1) * 2 * time.Minute)
		if err := platforms.Follower(sim.DemoWeChatAccount("").AppID, th.openID, last); err != nil {
			return fmt.Errorf("demo follower: %w", err)
		}
	}
	if err := db.InTx(ctx, func(tx *store.Tx) error {
		for _, e := range events {
			if err := svc.ApplyTx(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return fmt.Errorf("demo desk pushes: %w", err)
	}

	convs, err := svc.Conversations(ctx, owner, acct.ID, "")
	if err != nil {
		return err
	}
	byPreview := map[string]int64{}
	for _, c := range convs {
		byPreview[c.Preview] = c.ID
	}
	for _, th := range deskThreads {
		id := byPreview[th.messages[len(th.messages)-1]]
		if id == 0 {
			return fmt.Errorf("demo desk: no conversation for %s", th.openID)
		}
		if th.reply != "" {
			if _, err := db.RecordReply(ctx, id, owner.ID, th.reply); err != nil {
				return err
			}
		}
		ch := desk.ConversationChange{Status: &th.status}
		if th.assignee != "" {
			u, _, err := db.UserByEmail(ctx, th.assignee)
			if err != nil {
				return err
			}
			ch.AssigneeID = &u.ID
		}
		if _, err := svc.UpdateConversation(ctx, owner, id, ch); err != nil {
			return fmt.Errorf("demo conversation: %w", err)
		}
		if len(th.tags) > 0 {
			if _, err := svc.SetFollowerTags(ctx, owner, id, th.tags); err != nil {
				return fmt.Errorf("demo follower tags: %w", err)
			}
		}
	}
	return nil
}

// textPush is the plaintext XML of a follower's text message, as WeChat pushes it.
func textPush(to, from, content string, at time.Time) string {
	cdata := func(s string) string { return "<![CDATA[" + strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>") + "]]>" }
	return fmt.Sprintf("<xml><ToUserName>%s</ToUserName><FromUserName>%s</FromUserName><CreateTime>%d</CreateTime><MsgType>%s</MsgType><Content>%s</Content><MsgId>%d</MsgId></xml>",
		cdata(to), cdata(from), at.Unix(), cdata(wechat.MsgTypeText), cdata(content), at.UnixNano())
}

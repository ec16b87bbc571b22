// Package demo fills an empty Passerelle with a believable agency: real French
// institutions with their established Chinese names, their Weibo and WeChat accounts,
// a team with one user per role, and public follower figures. `serve --demo` uses it so
// a newcomer sees the whole product without platform credentials.
package demo

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/auth"
	"github.com/passerelle-oss/passerelle/internal/barometer"
	"github.com/passerelle-oss/passerelle/internal/platform/sim"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Sign-in of the demo owner. The demo is for trying Passerelle on one's own machine;
// these credentials are printed at every start.
const (
	OwnerEmail = "demo@passerelle.example"
	Password   = "passerelle-demo"
)

// institution is one demo client. Chinese names are the established renderings from
// the shared glossary; follower figures are public ones (see Followers).
type institution struct {
	passerelle.Institution
	weibo, wechat account
}

type account struct {
	handle, name, url string
	// followers is the last public figure known to the demo, 0 when none.
	followers int64
	at        string
}

var institutions = []institution{
	{passerelle.Institution{Name: "Musée du Louvre", NameFR: "Musée du Louvre", NameEN: "Louvre Museum", NameZH: "卢浮宫", City: "Paris", Country: "FR", Website: "https://www.louvre.fr", Kind: "museum"},
		// Weibo and WeChat figures from the Louvre's 2020 press kit.
		account{"louvre", "卢浮宫博物馆", "https://weibo.com/louvre", 261000, "2020-04-21"}, account{"gh_louvre", "卢浮宫博物馆", "", 48000, "2020-04-21"}},
	{passerelle.Institution{Name: "Musée d'Orsay", NameFR: "Musée d'Orsay", NameEN: "Musée d'Orsay", NameZH: "奥赛博物馆", City: "Paris", Country: "FR", Website: "https://www.musee-orsay.fr", Kind: "museum"},
		// Sinapses Conseils barometer, 2016-09-12.
		account{"museedorsay", "奥赛博物馆", "https://weibo.com/museedorsay", 37355, "2016-09-12"}, account{"gh_orsay", "奥赛博物馆", "", 0, ""}},
	{passerelle.Institution{Name: "Château de Versailles", NameFR: "Château de Versailles", NameEN: "Palace of Versailles", NameZH: "凡尔赛宫", City: "Versailles", Country: "FR", Website: "https://www.chateauversailles.fr", Kind: "monument"},
		account{"chateauversailles", "凡尔赛宫", "https://weibo.com/chateauversailles", 0, ""}, account{"gh_versailles", "凡尔赛宫", "", 0, ""}},
	{passerelle.Institution{Name: "Centre Pompidou", NameFR: "Centre Pompidou", NameEN: "Centre Pompidou", NameZH: "蓬皮杜艺术中心", City: "Paris", Country: "FR", Website: "https://www.centrepompidou.fr", Kind: "museum"},
		account{"centrepompidou", "蓬皮杜艺术中心", "https://weibo.com/centrepompidou", 0, ""}, account{"gh_pompidou", "蓬皮杜艺术中心", "", 0, ""}},
	{passerelle.Institution{Name: "Musée Rodin", NameFR: "Musée Rodin", NameEN: "Rodin Museum", NameZH: "罗丹博物馆", City: "Paris", Country: "FR", Website: "https://www.musee-rodin.fr", Kind: "museum"},
		account{"museerodin", "罗丹博物馆", "https://weibo.com/museerodin", 0, ""}, account{"gh_rodin", "罗丹博物馆", "", 0, ""}},
	{passerelle.Institution{Name: "Château de Fontainebleau", NameFR: "Château de Fontainebleau", NameEN: "Palace of Fontainebleau", NameZH: "枫丹白露宫", City: "Fontainebleau", Country: "FR", Website: "https://www.chateaudefontainebleau.fr", Kind: "monument"},
		account{"fontainebleau", "枫丹白露宫", "https://weibo.com/fontainebleau", 0, ""}, account{"gh_fontainebleau", "枫丹白露宫", "", 0, ""}},
	// A network: the pass that opens the demo's institutions (and some fifty other
	// museums and monuments of Paris) speaks for its members on one Weibo account
	// (see Network).
	{passerelle.Institution{Name: "Paris Museum Pass", NameFR: "Paris Museum Pass", NameEN: "Paris Museum Pass", NameZH: "巴黎博物馆通票", City: "Paris", Country: "FR", Kind: "other"},
		account{"parismuseumpass", "巴黎博物馆通票", "", 0, ""}, account{}},
}

// networkIndex is the network institution's index in the demo list.
const networkIndex = 6

// barometerNamesZH are the established Chinese names of the barometer file's other
// institutions.
var barometerNamesZH = map[string]string{
	"Metropolitan Museum of Art": "大都会艺术博物馆",
	"Museum of Modern Art":       "纽约现代艺术博物馆",
	"Art Institute of Chicago":   "芝加哥艺术博物馆",
	"Victoria and Albert Museum": "维多利亚与艾伯特博物馆",
	"Rijksmuseum":                "荷兰国家博物馆",
	"Paris Musées":               "巴黎博物馆联盟",
}

// User is a demo team member.
type User struct {
	Email, Name string
	Role        passerelle.Role
	// Institutions the role applies to, by index in the demo list; nil for the owner.
	On []int
}

// Team is the demo organization's users, all with the demo password.
var Team = []User{
	{OwnerEmail, "Camille Martin", passerelle.RoleOwner, nil},
	{"admin@passerelle.example", "Nadia Haddad", passerelle.RoleAdmin, []int{0, 1, 2, 3, 4, 5, 6}},
	{"editor@passerelle.example", "Léa Dubois", passerelle.RoleEditor, []int{0, 1, 2, 3, 4, 5, 6}},
	{"translator@passerelle.example", "王芳 Wang Fang", passerelle.RoleTranslator, []int{0, 1, 2, 3, 4, 5, 6}},
	{"reviewer@orsay.example", "Julien Moreau (Orsay)", passerelle.RoleReviewer, []int{1}},
	{"viewer@passerelle.example", "Hugo Bernard", passerelle.RoleViewer, []int{0}},
}

// Result tells what Seed did.
type Result struct {
	Seeded bool
	OrgID  int64
}

// Seed fills the database when it has no organization yet; otherwise it does nothing.
func Seed(ctx context.Context, db *store.DB, a *auth.Service) (Result, error) {
	orgs, err := db.Organizations(ctx)
	if err != nil || len(orgs) > 0 {
		if len(orgs) > 0 {
			return Result{OrgID: orgs[0].ID}, err
		}
		return Result{}, err
	}
	org, err := db.CreateOrganization(ctx, "Agence Passerelle (démo)")
	if err != nil {
		return Result{}, err
	}
	ids := make([]int64, len(institutions))
	for i, in := range institutions {
		inst := in.Institution
		inst.OrgID = org.ID
		if err := db.CreateInstitution(ctx, &inst); err != nil {
			return Result{}, err
		}
		ids[i] = inst.ID
		for platform, acc := range map[passerelle.Platform]account{passerelle.Weibo: in.weibo, passerelle.WeChat: in.wechat} {
			if acc.handle == "" {
				continue
			}
			a := &passerelle.Account{InstitutionID: inst.ID, Platform: platform, Kind: passerelle.AccountManaged, Handle: acc.handle, DisplayName: acc.name, ProfileURL: acc.url}
			if acc.followers > 0 {
				n := acc.followers
				a.Followers = &n
			}
			if err := db.CreateAccount(ctx, org.ID, a); err != nil {
				return Result{}, err
			}
			if acc.at != "" {
				at, _ := time.Parse(time.DateOnly, acc.at)
				if _, err := db.UpdateAccount(ctx, org.ID, a.ID, func(x *passerelle.Account) error { x.FollowersAt = &at; return nil }); err != nil {
					return Result{}, err
				}
			}
		}
	}
	team := make([]*passerelle.User, len(Team))
	for n, m := range Team {
		u := &passerelle.User{OrgID: org.ID, Email: m.Email, Name: m.Name, Owner: m.Role == passerelle.RoleOwner, Memberships: []passerelle.Membership{}}
		for _, i := range m.On {
			u.Memberships = append(u.Memberships, passerelle.Membership{InstitutionID: ids[i], Role: m.Role})
		}
		team[n] = u
	}
	if err := a.CreateSharedPasswordUsers(ctx, team, Password); err != nil {
		return Result{}, err
	}
	// Public Weibo figures of 2016 (and the Louvre's of 2020) for the barometer, with
	// the published 2016Q3 edition.
	if err := barometer.ImportSeed(ctx, db, org.ID); err != nil {
		return Result{}, err
	}
	// The file names the other institutions in their own language; Chinese readers of
	// the barometer know them by these names.
	insts, err := db.Institutions(ctx, store.InstitutionFilter{OrgID: org.ID})
	if err != nil {
		return Result{}, err
	}
	for _, i := range insts {
		zh, ok := barometerNamesZH[i.Name]
		if !ok || i.NameZH != "" {
			continue
		}
		if _, err := db.UpdateInstitution(ctx, org.ID, i.ID, func(x *passerelle.Institution) error { x.NameZH = zh; return nil }); err != nil {
			return Result{}, err
		}
	}
	// The demo shows its public barometer; a real organization chooses to.
	if err := db.PublishBarometer(ctx, org.ID, "demo"); err != nil {
		return Result{}, err
	}
	return Result{Seeded: true, OrgID: org.ID}, nil
}

// Simulated returns the simulator settings of the demo's connected accounts — Musée
// d'Orsay's WeChat Official Account and Louvre's Weibo app — and stores the matching
// credentials, so that tests, pushes and OAuth work against `passerelle sim`.
func Simulated(ctx context.Context, db *store.DB, orgID int64, baseURL string) ([]sim.WeiboApp, []sim.WeChatAccount, error) {
	accounts, err := db.Accounts(ctx, store.AccountFilter{OrgID: orgID})
	if err != nil {
		return nil, nil, err
	}
	var apps []sim.WeiboApp
	var wx []sim.WeChatAccount
	host := baseURL
	if u, err := url.Parse(baseURL); err == nil {
		host = u.Hostname()
	}
	for _, a := range accounts {
		switch {
		case a.Platform == passerelle.WeChat && a.Handle == "gh_orsay":
			acc := sim.DemoWeChatAccount(baseURL + "/wechat/callback/" + strconv.FormatInt(a.ID, 10))
			wx = append(wx, acc)
			if !a.HasCredentials {
				if err := db.SetCredentials(ctx, orgID, a.ID, map[string]string{"appid": acc.AppID, "app_secret": acc.Secret, "token": acc.Token, "encoding_aes_key": acc.EncodingAESKey}); err != nil {
					return nil, nil, err
				}
			}
		case a.Platform == passerelle.Weibo && a.Handle == "louvre":
			app := sim.DemoWeiboApp(host)
			app.RedirectURI = baseURL + "/oauth/weibo/callback"
			app.ScreenName = a.DisplayName
			// The demo's app has the level that reads partners' relays (RelayedOnWeibo).
			app.CountsAnyAccount = true
			apps = append(apps, app)
			if !a.HasCredentials {
				if err := db.SetCredentials(ctx, orgID, a.ID, map[string]string{"app_key": app.ClientID, "app_secret": app.ClientSecret, "safe_domain": host}); err != nil {
					return nil, nil, err
				}
			}
		}
	}
	return apps, wx, nil
}

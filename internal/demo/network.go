package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/partners"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// networkMembers are the demo institutions the Paris Museum Pass's Weibo account
// speaks for, by index in the demo list: the Louvre, Musée d'Orsay and Musée Rodin
// (all three open with the pass).
var networkMembers = []int{0, 1, 4}

// Network makes the Paris Museum Pass's Weibo account a network account for its
// member institutions of the demo, and writes two posts on it that feature members:
// one on Orsay and Rodin waiting for review (Orsay's reviewer reviews it), one on
// the Louvre scheduled within two hours. Members and featured institutions go through
// the partners service, as the API's handlers do. Call it after Posts.
func Network(ctx context.Context, db *store.DB, edit *editorial.Service, svc *partners.Service, orgID int64, now time.Time) error {
	owner, _, err := db.UserByEmail(ctx, OwnerEmail)
	if err != nil {
		return err
	}
	insts, err := db.Institutions(ctx, store.InstitutionFilter{OrgID: orgID})
	if err != nil {
		return err
	}
	byName := map[string]int64{}
	for _, i := range insts {
		byName[i.Name] = i.ID
	}
	network := byName[institutions[networkIndex].Name]
	var members []int64
	for _, i := range networkMembers {
		members = append(members, byName[institutions[i].Name])
	}
	accounts, err := db.Accounts(ctx, store.AccountFilter{OrgID: orgID})
	if err != nil {
		return err
	}
	var acct *passerelle.Account
	for _, a := range accounts {
		if a.InstitutionID == network && a.Platform == passerelle.Weibo {
			acct = a
		}
	}
	if network == 0 || acct == nil {
		return fmt.Errorf("demo network: no Weibo account of %s", institutions[networkIndex].Name)
	}
	if _, err := svc.SetMembers(ctx, owner, acct.ID, members); err != nil {
		return fmt.Errorf("demo network members: %w", err)
	}
	louvre, orsay, rodin := members[0], members[1], members[2]

	featured := func(in *editorial.PostInput, ids []int64) (*passerelle.Post, error) {
		if err := svc.CheckFeatured(ctx, owner, []int64{acct.ID}, ids); err != nil {
			return nil, fmt.Errorf("demo network post %q: %w", *in.Title, err)
		}
		p, err := create(ctx, edit, owner, in)
		if err != nil {
			return nil, err
		}
		return p, svc.SetFeatured(ctx, owner, p.ID, ids)
	}
	p1, err := featured(&editorial.PostInput{
		InstitutionID: &network,
		Title:         ptr("Du Penseur aux Nymphéas avec le pass"),
		Theme:         ptr("practical"),
		SourceLang:    ptr("fr"),
		SourceText:    ptr("Avec le Paris Museum Pass, passez du Penseur de Rodin au musée Rodin aux Nymphéas de Monet au musée d'Orsay, sans passer par les caisses."),
		TextZH:        ptr("持巴黎博物馆通票，从罗丹博物馆的《思想者》到奥赛博物馆莫奈的《睡莲》，无需在售票处排队购票。"),
		Publications:  &[]editorial.PublicationInput{{AccountID: acct.ID, Format: "photo_text", Topics: []string{"巴黎博物馆通票", "罗丹", "莫奈"}}},
	}, []int64{orsay, rodin})
	if err != nil {
		return err
	}
	for _, to := range []passerelle.Status{passerelle.StatusTranslation, passerelle.StatusReview} {
		if _, err := edit.Transition(ctx, owner, p1.ID, to, ""); err != nil {
			return fmt.Errorf("demo: network post 1 to %s: %w", to, err)
		}
	}
	p2, err := featured(&editorial.PostInput{
		InstitutionID: &network,
		Title:         ptr("Le Louvre avec le Paris Museum Pass"),
		Theme:         ptr("practical"),
		SourceLang:    ptr("fr"),
		SourceText:    ptr("Le Paris Museum Pass ouvre les portes du musée du Louvre : réservez simplement votre créneau de visite en ligne."),
		TextZH:        ptr("巴黎博物馆通票可用于参观卢浮宫：只需在网上预约参观时段，无需另行购票。"),
		Publications:  &[]editorial.PublicationInput{{AccountID: acct.ID, Format: "photo_text", Topics: []string{"巴黎博物馆通票", "卢浮宫"}}},
	}, []int64{louvre})
	if err != nil {
		return err
	}
	for _, to := range []passerelle.Status{passerelle.StatusReview, passerelle.StatusApproved} {
		if _, err := edit.Transition(ctx, owner, p2.ID, to, ""); err != nil {
			return fmt.Errorf("demo: network post 2 to %s: %w", to, err)
		}
	}
	// Within the hours to come, so that the account's page counts it in its members'
	// shares from the start; its kit falls due then (the account is not connected:
	// the team publishes by hand and marks it published).
	at := now.Add(2 * time.Hour).Truncate(time.Hour)
	if _, err := edit.Schedule(ctx, owner, p2.Publications[0].ID, &at); err != nil {
		return fmt.Errorf("demo: network post 2 schedule: %w", err)
	}
	if _, err := edit.Transition(ctx, owner, p2.ID, passerelle.StatusScheduled, ""); err != nil {
		return fmt.Errorf("demo: network post 2 scheduled: %w", err)
	}
	return nil
}

package tenancy_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// world is two organizations: ours with two institutions (the caller's "mine" and
// "sibling", where the caller has no role) and a foreign one, each with an account.
type world struct {
	svc                    *tenancy.Service
	db                     *store.DB
	org, foreignOrg        int64
	mine, sibling, foreign *passerelle.Institution
	accounts               map[string]*passerelle.Account
	owner                  *passerelle.User
	seq                    int
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{svc: &tenancy.Service{DB: db}, db: db, accounts: map[string]*passerelle.Account{}}
	org, err := db.CreateOrganization(ctx, "Agence")
	if err != nil {
		t.Fatal(err)
	}
	other, err := db.CreateOrganization(ctx, "Autre")
	if err != nil {
		t.Fatal(err)
	}
	w.org, w.foreignOrg = org.ID, other.ID
	inst := func(org int64, name string) *passerelle.Institution {
		i := &passerelle.Institution{OrgID: org, Name: name}
		if err := db.CreateInstitution(ctx, i); err != nil {
			t.Fatal(err)
		}
		a := &passerelle.Account{InstitutionID: i.ID, Platform: passerelle.WeChat, Kind: passerelle.AccountManaged, Handle: "h-" + name}
		if err := db.CreateAccount(ctx, org, a); err != nil {
			t.Fatal(err)
		}
		w.accounts[name] = a
		return i
	}
	w.mine, w.sibling, w.foreign = inst(w.org, "mine"), inst(w.org, "sibling"), inst(w.foreignOrg, "foreign")
	w.owner = w.user(t, w.org, true)
	return w
}

func (w *world) user(t *testing.T, org int64, owner bool, ms ...passerelle.Membership) *passerelle.User {
	t.Helper()
	w.seq++
	u := &passerelle.User{OrgID: org, Email: fmt.Sprintf("u%d@example.org", w.seq), Owner: owner, Memberships: ms}
	if err := w.db.CreateUser(context.Background(), u, "h"); err != nil {
		t.Fatal(err)
	}
	return u
}

// TestRulesByRole: every operation of the service, for every role, on the caller's
// institution, on a sibling institution of the same organization where the caller
// has no role, and on another organization's: visible and allowed → nil, visible but
// not allowed → forbidden, invisible → not_found.
func TestRulesByRole(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		type op struct {
			name string
			run  func(u *passerelle.User, inst *passerelle.Institution, acc *passerelle.Account) error
		}
		ops := []op{
			{"read institution", func(u *passerelle.User, i *passerelle.Institution, _ *passerelle.Account) error {
				_, err := w.svc.Institution(ctx, u, i.ID)
				return err
			}},
			{"update institution", func(u *passerelle.User, i *passerelle.Institution, _ *passerelle.Account) error {
				_, err := w.svc.UpdateInstitution(ctx, u, i.ID, func(x *passerelle.Institution) error { x.City = "Paris"; return nil })
				return err
			}},
			{"list accounts", func(u *passerelle.User, i *passerelle.Institution, _ *passerelle.Account) error {
				_, err := w.svc.Accounts(ctx, u, i.ID, false, tenancy.Page{})
				return err
			}},
			{"read account", func(u *passerelle.User, _ *passerelle.Institution, a *passerelle.Account) error {
				_, err := w.svc.Account(ctx, u, a.ID)
				return err
			}},
			{"update account", func(u *passerelle.User, _ *passerelle.Institution, a *passerelle.Account) error {
				_, err := w.svc.UpdateAccount(ctx, u, a.ID, func(x *passerelle.Account) error { x.DisplayName = "奥赛"; return nil })
				return err
			}},
			{"create account", func(u *passerelle.User, i *passerelle.Institution, _ *passerelle.Account) error {
				w.seq++
				return w.svc.CreateAccount(ctx, u, &passerelle.Account{InstitutionID: i.ID, Platform: passerelle.Weibo, Kind: passerelle.AccountWatched, Handle: fmt.Sprintf("w%d", w.seq)})
			}},
			{"set credentials", func(u *passerelle.User, _ *passerelle.Institution, a *passerelle.Account) error {
				return w.svc.SetCredentials(ctx, u, a.ID, map[string]string{"appid": "wx1", "app_secret": "s"})
			}},
			{"credential hints", func(u *passerelle.User, _ *passerelle.Institution, a *passerelle.Account) error {
				_, err := w.svc.CredentialHints(ctx, u, a.ID)
				return err
			}},
		}
		// want[op] for (own institution, sibling, foreign), by role.
		const ok, forbidden, notFound = "", passerelle.EFORBIDDEN, passerelle.ENOTFOUND
		type expect struct{ own, sibling, foreign string }
		view := expect{ok, notFound, notFound}
		manage := func(allowed bool) expect {
			if allowed {
				return expect{ok, notFound, notFound}
			}
			return expect{forbidden, notFound, notFound}
		}
		for _, role := range passerelle.InstitutionRoles {
			u := w.user(t, w.org, false, passerelle.Membership{InstitutionID: w.mine.ID, Role: role})
			admin := role == passerelle.RoleAdmin
			want := map[string]expect{
				"read institution": view, "list accounts": view, "read account": view,
				"update institution": manage(admin), "update account": manage(admin), "create account": manage(admin),
				"set credentials": manage(admin), "credential hints": manage(admin),
			}
			for _, o := range ops {
				for _, tgt := range []struct {
					name string
					inst *passerelle.Institution
					acc  *passerelle.Account
					want string
				}{
					{"own", w.mine, w.accounts["mine"], want[o.name].own},
					{"sibling", w.sibling, w.accounts["sibling"], want[o.name].sibling},
					{"foreign", w.foreign, w.accounts["foreign"], want[o.name].foreign},
				} {
					if got := passerelle.ErrorCode(o.run(u, tgt.inst, tgt.acc)); got != tgt.want {
						t.Errorf("%s, %s on %s: %q, want %q", role, o.name, tgt.name, got, tgt.want)
					}
				}
			}
		}
		// The owner does everything in the organization and nothing outside it.
		for _, o := range ops {
			if err := o.run(w.owner, w.sibling, w.accounts["sibling"]); err != nil {
				t.Errorf("owner, %s: %v", o.name, err)
			}
			if got := passerelle.ErrorCode(o.run(w.owner, w.foreign, w.accounts["foreign"])); got != notFound {
				t.Errorf("owner, %s on a foreign institution: %q, want not_found", o.name, got)
			}
		}
	})
}

// TestListsKeepToWhatIsVisible: lists hold only what the caller may see.
func TestListsKeepToWhatIsVisible(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		editor := w.user(t, w.org, false, passerelle.Membership{InstitutionID: w.mine.ID, Role: passerelle.RoleEditor})
		insts, err := w.svc.Institutions(ctx, editor, false, tenancy.Page{})
		if err != nil || len(insts) != 1 || insts[0].ID != w.mine.ID {
			t.Fatalf("institutions %v %v", insts, err)
		}
		accs, err := w.svc.AllAccounts(ctx, editor)
		if err != nil || len(accs) != 1 || accs[0].ID != w.accounts["mine"].ID {
			t.Fatalf("accounts %v %v", accs, err)
		}
		if insts, _ := w.svc.Institutions(ctx, w.owner, false, tenancy.Page{}); len(insts) != 2 {
			t.Fatalf("owner sees %d institutions, want 2 (not the foreign one)", len(insts))
		}
	})
}

// TestUserRules: only owners manage users; a user sees themself; an owner cannot
// demote or disable themself; nobody reaches another organization's users.
func TestUserRules(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		admin := w.user(t, w.org, false, passerelle.Membership{InstitutionID: w.mine.ID, Role: passerelle.RoleAdmin})
		stranger := w.user(t, w.foreignOrg, true)
		if _, err := w.svc.Users(ctx, admin); passerelle.ErrorCode(err) != passerelle.EFORBIDDEN {
			t.Errorf("admin lists users: %v", err)
		}
		if _, err := w.svc.User(ctx, admin, admin.ID); err != nil {
			t.Errorf("a user reads themself: %v", err)
		}
		if _, err := w.svc.User(ctx, admin, w.owner.ID); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			t.Errorf("admin reads the owner: %v", err)
		}
		if _, err := w.svc.User(ctx, w.owner, stranger.ID); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			t.Errorf("owner reads another organization's user: %v", err)
		}
		yes, no := true, false
		if _, err := w.svc.UpdateUser(ctx, admin, admin.ID, tenancy.UserChange{Owner: &yes}); passerelle.ErrorCode(err) != passerelle.EFORBIDDEN {
			t.Errorf("admin promotes themself: %v", err)
		}
		if _, err := w.svc.UpdateUser(ctx, admin, w.owner.ID, tenancy.UserChange{Disabled: &yes}); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			t.Errorf("admin disables the owner: %v", err)
		}
		if _, err := w.svc.UpdateUser(ctx, w.owner, w.owner.ID, tenancy.UserChange{Owner: &no}); passerelle.ErrorCode(err) != passerelle.ECONFLICT {
			t.Errorf("owner demotes themself: %v", err)
		}
		if _, err := w.svc.UpdateUser(ctx, w.owner, stranger.ID, tenancy.UserChange{Disabled: &yes}); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			t.Errorf("owner disables another organization's user: %v", err)
		}
		got, err := w.svc.UpdateUser(ctx, w.owner, admin.ID, tenancy.UserChange{Disabled: &yes})
		if err != nil || got.DisabledAt == nil {
			t.Fatalf("owner disables an admin: %v", err)
		}
		if err := w.svc.CreateInstitution(ctx, admin, &passerelle.Institution{Name: "X"}); passerelle.ErrorCode(err) != passerelle.EFORBIDDEN {
			t.Errorf("admin creates an institution: %v", err)
		}
		i := &passerelle.Institution{Name: "Musée Rodin", OrgID: w.foreignOrg}
		if err := w.svc.CreateInstitution(ctx, w.owner, i); err != nil || i.OrgID != w.org {
			t.Errorf("owner creates an institution elsewhere: %v, org %d", err, i.OrgID)
		}
	})
}

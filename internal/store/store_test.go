package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/secret"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

func setupOrg(t *testing.T, db *store.DB) *passerelle.Organization {
	t.Helper()
	o, err := db.CreateOrganization(context.Background(), "Agence Pont")
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestInstitutions(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org, other := setupOrg(t, db), setupOrg(t, db)
		louvre := &passerelle.Institution{OrgID: org.ID, Name: "Musée du Louvre", NameZH: "卢浮宫", Country: "fr"}
		if err := db.CreateInstitution(ctx, louvre); err != nil {
			t.Fatal(err)
		}
		if louvre.ID == 0 || louvre.Country != "FR" || louvre.TimeZone != "Europe/Paris" {
			t.Fatalf("created %+v", louvre)
		}
		got, err := db.Institution(ctx, org.ID, louvre.ID)
		if err != nil || got.NameZH != "卢浮宫" || !got.CreatedAt.Equal(louvre.CreatedAt) {
			t.Fatalf("Institution = %+v, %v", got, err)
		}
		if _, err := db.Institution(ctx, other.ID, louvre.ID); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			t.Fatalf("foreign organization: %v", err)
		}
		bad := &passerelle.Institution{OrgID: org.ID, Name: "", Country: "France", TimeZone: "Mars/Olympus"}
		err = db.CreateInstitution(ctx, bad)
		fields := passerelle.ErrorFields(err)
		if passerelle.ErrorCode(err) != passerelle.EINVALID || fields["name"] == "" || fields["country"] == "" || fields["time_zone"] == "" {
			t.Fatalf("invalid institution: %v %v", err, fields)
		}
		orsay := &passerelle.Institution{OrgID: org.ID, Name: "Musée d'Orsay"}
		if err := db.CreateInstitution(ctx, orsay); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		if _, err := db.UpdateInstitution(ctx, org.ID, orsay.ID, func(i *passerelle.Institution) error { i.ArchivedAt = &now; return nil }); err != nil {
			t.Fatal(err)
		}
		list, err := db.Institutions(ctx, store.InstitutionFilter{OrgID: org.ID})
		if err != nil || len(list) != 1 || list[0].ID != louvre.ID {
			t.Fatalf("active list = %v, %v", list, err)
		}
		all, _ := db.Institutions(ctx, store.InstitutionFilter{OrgID: org.ID, IncludeArchived: true})
		if len(all) != 2 {
			t.Fatalf("with archived: %d", len(all))
		}
		page, _ := db.Institutions(ctx, store.InstitutionFilter{OrgID: org.ID, IncludeArchived: true, AfterID: louvre.ID, Limit: 1})
		if len(page) != 1 || page[0].ID != orsay.ID {
			t.Fatalf("page = %v", page)
		}
		mine, _ := db.Institutions(ctx, store.InstitutionFilter{OrgID: org.ID, IDs: []int64{}})
		if len(mine) != 0 {
			t.Fatalf("empty IDs must select nothing, got %d", len(mine))
		}
		_, err = db.UpdateInstitution(ctx, org.ID, louvre.ID, func(i *passerelle.Institution) error { i.Website = "ftp://x"; return nil })
		if passerelle.ErrorCode(err) != passerelle.EINVALID {
			t.Fatalf("invalid update: %v", err)
		}
	})
}

func TestAccountsAndCredentials(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org, other := setupOrg(t, db), setupOrg(t, db)
		inst := &passerelle.Institution{OrgID: org.ID, Name: "Château de Versailles"}
		if err := db.CreateInstitution(ctx, inst); err != nil {
			t.Fatal(err)
		}
		followers := int64(1200)
		a := &passerelle.Account{InstitutionID: inst.ID, Platform: "wechat", Kind: "managed", DisplayName: "凡尔赛宫", Followers: &followers}
		if err := db.CreateAccount(ctx, org.ID, a); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateAccount(ctx, other.ID, &passerelle.Account{InstitutionID: inst.ID, Platform: "weibo", Handle: "x"}); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			t.Fatalf("account on a foreign institution: %v", err)
		}
		if err := db.CreateAccount(ctx, org.ID, &passerelle.Account{InstitutionID: inst.ID, Platform: "myspace", Handle: "x"}); passerelle.ErrorCode(err) != passerelle.EINVALID {
			t.Fatalf("unknown platform: %v", err)
		}
		got, err := db.Account(ctx, org.ID, a.ID)
		if err != nil || *got.Followers != 1200 || got.FollowersAt == nil || got.HasCredentials {
			t.Fatalf("Account = %+v, %v", got, err)
		}
		err = db.SetCredentials(ctx, org.ID, a.ID, map[string]string{"appid": "wx123", "app_secret": "top-secret", "token": "tok", "encoding_aes_key": strings.Repeat("a", 43)})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetCredentials(ctx, org.ID, a.ID, map[string]string{"access_token": "weibo only"}); passerelle.ErrorCode(err) != passerelle.EINVALID {
			t.Fatalf("foreign credential name: %v", err)
		}
		creds, err := db.Credentials(ctx, a.ID)
		if err != nil || creds["app_secret"] != "top-secret" || len(creds) != 4 {
			t.Fatalf("Credentials = %v, %v", creds, err)
		}
		hints, _ := db.CredentialHints(ctx, a.ID)
		if hints["app_secret"] == "top-secret" || hints["appid"] != "wx123" {
			t.Fatalf("hints leak: %v", hints)
		}
		if n, err := db.RotateSecrets(ctx); err != nil || n != 0 {
			t.Fatalf("rotate with one key: %d %v", n, err)
		}
		list, err := db.Accounts(ctx, store.AccountFilter{OrgID: org.ID, InstitutionID: inst.ID})
		if err != nil || len(list) != 1 || !list[0].HasCredentials {
			t.Fatalf("Accounts = %v, %v", list, err)
		}
		// Brief: the account's identity and state, not its texts or credentials.
		brief, err := db.Accounts(ctx, store.AccountFilter{OrgID: org.ID, InstitutionID: inst.ID, Brief: true})
		if err != nil || len(brief) != 1 {
			t.Fatalf("brief Accounts = %v, %v", brief, err)
		}
		want := *list[0]
		want.Handle, want.DisplayName, want.ProfileURL, want.HasCredentials = "", "", "", false
		if !reflect.DeepEqual(*brief[0], want) {
			t.Fatalf("brief account %+v, want %+v", *brief[0], want)
		}
		if _, err := db.UpdateAccount(ctx, org.ID, a.ID, func(a *passerelle.Account) error { a.Platform = "weibo"; return nil }); passerelle.ErrorCode(err) != passerelle.EINVALID {
			t.Fatalf("platform change: %v", err)
		}
	})
}

func TestRotateSecrets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	k1 := secret.NewKey()
	ring1, _ := secret.NewKeyring(map[int][]byte{1: k1})
	db, err := store.Open(ctx, store.Options{DataDir: dir, Keys: ring1})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	org := setupOrg(t, db)
	inst := &passerelle.Institution{OrgID: org.ID, Name: "Centre Pompidou"}
	db.CreateInstitution(ctx, inst)
	a := &passerelle.Account{InstitutionID: inst.ID, Platform: "weibo", Handle: "pompidou"}
	db.CreateAccount(ctx, org.ID, a)
	if err := db.SetCredentials(ctx, org.ID, a.ID, map[string]string{"app_key": "k", "app_secret": "s"}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	ring2, _ := secret.NewKeyring(map[int][]byte{1: k1, 2: secret.NewKey()})
	db, _ = store.Open(ctx, store.Options{DataDir: dir, Keys: ring2})
	defer db.Close()
	if n, err := db.RotateSecrets(ctx); err != nil || n != 2 {
		t.Fatalf("rotate: %d %v", n, err)
	}
	creds, err := db.Credentials(ctx, a.ID)
	if err != nil || creds["app_secret"] != "s" {
		t.Fatalf("after rotation: %v %v", creds, err)
	}
	if n, _ := db.RotateSecrets(ctx); n != 0 {
		t.Fatalf("second rotation re-sealed %d", n)
	}
}

func TestUsersSessionsTokens(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := setupOrg(t, db)
		inst := &passerelle.Institution{OrgID: org.ID, Name: "Musée Rodin"}
		db.CreateInstitution(ctx, inst)
		owner := &passerelle.User{OrgID: org.ID, Email: " Owner@Example.org ", Owner: true}
		if err := db.CreateUser(ctx, owner, "hash"); err != nil {
			t.Fatal(err)
		}
		if owner.Email != "owner@example.org" {
			t.Fatalf("email not normalized: %q", owner.Email)
		}
		if err := db.CreateUser(ctx, &passerelle.User{OrgID: org.ID, Email: "owner@example.org"}, "h"); passerelle.ErrorCode(err) != passerelle.ECONFLICT {
			t.Fatalf("duplicate email: %v", err)
		}
		ed := &passerelle.User{OrgID: org.ID, Email: "ed@example.org", Memberships: []passerelle.Membership{{InstitutionID: inst.ID, Role: passerelle.RoleEditor}}}
		if err := db.CreateUser(ctx, ed, "h2"); err != nil {
			t.Fatal(err)
		}
		u, hash, err := db.UserByEmail(ctx, "ED@example.org")
		if err != nil || hash != "h2" || u.RoleOn(inst.ID) != passerelle.RoleEditor {
			t.Fatalf("UserByEmail = %+v %q %v", u, hash, err)
		}
		now := time.Now().UTC()
		s := &store.Session{Hash: "sess1", UserID: ed.ID, CSRF: "c", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := db.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		if _, su, err := db.SessionUser(ctx, "sess1"); err != nil || su.ID != ed.ID || len(su.Memberships) != 1 {
			t.Fatalf("SessionUser = %v %v", su, err)
		}
		tok := &passerelle.APIToken{UserID: ed.ID, Name: "ci", Prefix: "psl_abcd"}
		if err := db.CreateAPIToken(ctx, tok, "tokhash"); err != nil {
			t.Fatal(err)
		}
		if got, tu, err := db.APITokenUser(ctx, "tokhash"); err != nil || tu.ID != ed.ID || got.LastUsedAt == nil {
			t.Fatalf("APITokenUser = %v %v %v", got, tu, err)
		}
		// Disabling ends sessions at once; tokens stop working too.
		if _, err := db.UpdateUser(ctx, org.ID, ed.ID, func(u *passerelle.User) error { u.DisabledAt = &now; return nil }); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.SessionUser(ctx, "sess1"); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			t.Fatalf("session of a disabled user: %v", err)
		}
		if _, _, err := db.APITokenUser(ctx, "tokhash"); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			t.Fatalf("token of a disabled user: %v", err)
		}
		if _, err := db.UpdateUser(ctx, org.ID, owner.ID, func(u *passerelle.User) error { u.Owner = false; return nil }); passerelle.ErrorCode(err) != passerelle.ECONFLICT {
			t.Fatalf("removing the last owner: %v", err)
		}
		// Revocation.
		tok2 := &passerelle.APIToken{UserID: owner.ID, Name: "x", Prefix: "p"}
		db.CreateAPIToken(ctx, tok2, "h-owner")
		if err := db.RevokeAPIToken(ctx, owner.ID, tok2.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.APITokenUser(ctx, "h-owner"); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			t.Fatalf("revoked token: %v", err)
		}
		if err := db.RevokeAPIToken(ctx, ed.ID, tok2.ID); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			t.Fatalf("revoking another's token: %v", err)
		}
	})
}

func TestLoginFailuresAndSetup(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i := 1; i <= 3; i++ {
			n, err := db.RecordLoginAttempts(ctx, []string{"ip:1.2.3.4", "other"}, time.Minute)
			if err != nil || n[0] != i || n[1] != i {
				t.Fatalf("attempt %d: %v %v", i, n, err)
			}
		}
		if n, _ := db.LoginFailures(ctx, "ip:1.2.3.4", time.Minute); n != 3 {
			t.Fatalf("LoginFailures = %d", n)
		}
		if err := db.ForgetLoginAttempt(ctx, "other"); err != nil {
			t.Fatal(err)
		}
		if n, _ := db.LoginFailures(ctx, "other", time.Minute); n != 2 {
			t.Fatalf("after forgetting one = %d", n)
		}
		// A window that has passed starts again at 1, and is pruned.
		if n, err := db.RecordLoginAttempts(ctx, []string{"other"}, 0); err != nil || n[0] != 1 {
			t.Fatalf("after the window: %v %v", n, err)
		}
		if n, err := db.PruneLoginAttempts(ctx, 0); err != nil || n != 2 {
			t.Fatalf("pruned %d %v", n, err)
		}
		db.ClearLoginFailures(ctx, "ip:1.2.3.4")
		if n, _ := db.LoginFailures(ctx, "ip:1.2.3.4", time.Minute); n != 0 {
			t.Fatalf("after clear = %d", n)
		}
		if err := db.CreateSetupToken(ctx, "setup", 0, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if ok, _, _ := db.SetupTokenValid(ctx, "setup"); !ok {
			t.Fatal("setup token not valid")
		}
		// Two browsers racing on the same link: exactly one wins.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				u := &passerelle.User{Email: "first" + string(rune('a'+i)) + "@example.org"}
				errs[i] = db.CompleteSetup(ctx, "setup", "Agence", u, "h")
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			}
		}
		if ok != 1 {
			t.Fatalf("setup races: %v", errs)
		}
		if ok, _, _ := db.SetupTokenValid(ctx, "setup"); ok {
			t.Fatal("setup token reusable")
		}

		// An organization's own link works while users exist elsewhere, once.
		o, err := db.CreateOrganizationWithSetup(ctx, "Agence Lumière", "org-setup", time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if ok, name, err := db.SetupTokenValid(ctx, "org-setup"); !ok || name != "Agence Lumière" || err != nil {
			t.Fatalf("organization's link: %v %q %v", ok, name, err)
		}
		u := &passerelle.User{Email: "claire@example.org"}
		if err := db.CompleteSetup(ctx, "org-setup", "Agence Lumière Paris", u, "h"); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Organization(ctx, o.ID); u.OrgID != o.ID || !u.Owner || got.Name != "Agence Lumière Paris" {
			t.Fatalf("owner %+v of %+v", u, got)
		}
		if err := db.CompleteSetup(ctx, "org-setup", "", &passerelle.User{Email: "eve@example.org"}, "h"); passerelle.ErrorCode(err) != passerelle.EFORBIDDEN {
			t.Fatalf("link used twice: %v", err)
		}
		// A second link of an organization that now has an owner is void.
		if err := db.CreateSetupToken(ctx, "org-setup-2", o.ID, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if ok, _, _ := db.SetupTokenValid(ctx, "org-setup-2"); ok {
			t.Fatal("link of an organization with an owner is valid")
		}
	})
}

// TestMigrationsParity proves both engines' migrations produce the same tables and
// columns.
func TestMigrationsParity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lite := storetest.SQLite(t)
	pgURL := storetest.PostgresURL(t)
	pg, err := store.Open(ctx, store.Options{URL: pgURL, Keys: storetest.Keyring(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	if err := pg.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	liteCols := columns(t, lite.ReadSQL(), `SELECT m.name || '.' || p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'river_%'`)
	pgCols := columns(t, pg.ReadSQL(), `SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name NOT LIKE 'river_%'`)
	if strings.Join(liteCols, "\n") != strings.Join(pgCols, "\n") {
		t.Fatalf("schemas differ:\nsqlite only: %v\npostgres only: %v", minus(liteCols, pgCols), minus(pgCols, liteCols))
	}
	if len(liteCols) < 20 {
		t.Fatalf("suspiciously few columns: %d", len(liteCols))
	}
}

func columns(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func minus(a, b []string) []string {
	set := map[string]bool{}
	for _, x := range b {
		set[x] = true
	}
	var out []string
	for _, x := range a {
		if !set[x] {
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

func TestMigrateTwiceAndConcurrently(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Add(1)
			go func() { defer wg.Done(); errs <- db.Migrate(ctx) }()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if ok, err := db.MigrationsCurrent(ctx); !ok || err != nil {
			t.Fatalf("MigrationsCurrent = %v %v", ok, err)
		}
	})
}

func TestParseTimeLayout(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"2026-11-26T05:24:54.123456Z", "2024-02-29T23:59:59.000000Z", "0001-01-01T00:00:00.000000Z"} {
		want, err := time.Parse(store.TimeLayout, s)
		got, ok := store.ParseUTC(s)
		if err != nil || !ok || !got.Equal(want) {
			t.Errorf("%s: got %v %v, want %v %v", s, got, ok, want, err)
		}
	}
	for _, s := range []string{"2026-02-30T00:00:00.000000Z", "2026-13-01T00:00:00.000000Z", "2026-11-26 05:24:54", "2026-11-26T05:24:54.12345xZ", ""} {
		if _, ok := store.ParseUTC(s); ok {
			t.Errorf("%q parsed", s)
		}
	}
}

func FuzzParseUTC(f *testing.F) {
	f.Add("2026-11-26T05:24:54.123456Z")
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := store.ParseUTC(s)
		want, err := time.Parse(store.TimeLayout, s)
		if ok && (err != nil || !got.Equal(want)) {
			t.Fatalf("%q: fast %v, time.Parse %v %v", s, got, want, err)
		}
	})
}

// Issue 9, finding 4: both engines store and read the same instants at the ends of
// the range, and both refuse instants outside it before writing anything.
func TestExtremeInstants(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := setupOrg(t, db)
		u := &passerelle.User{OrgID: org.ID, Email: "li@example.org", Owner: true}
		if err := db.CreateUser(ctx, u, "h"); err != nil {
			t.Fatal(err)
		}
		for _, at := range []time.Time{
			time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
			time.Date(1969, 12, 31, 23, 59, 59, 999999000, time.UTC),
			time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC),
			time.Unix(253402300799, 0).UTC(),
		} {
			tok := &passerelle.APIToken{UserID: u.ID, Name: "t", Prefix: "psl_x"}
			tok.ExpiresAt = &at
			if err := db.CreateAPIToken(ctx, tok, fmt.Sprintf("hash-%d", at.UnixNano())); err != nil {
				t.Fatalf("%v: %v", at, err)
			}
			toks, err := db.APITokens(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := toks[0].ExpiresAt; got == nil || !got.Equal(at) {
				t.Errorf("stored %v, read %v", at, got)
			}
		}
		for _, at := range []time.Time{
			time.Unix(9223372036854775807, 0).UTC(),
			time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
			time.Date(0, 12, 31, 23, 59, 59, 0, time.UTC),
			time.Unix(-9223372036854775808, 0).UTC(),
		} {
			tok := &passerelle.APIToken{UserID: u.ID, Name: "t", Prefix: "psl_x", ExpiresAt: &at}
			if err := db.CreateAPIToken(ctx, tok, "out"); passerelle.ErrorCode(err) != passerelle.EINVALID {
				t.Errorf("%v: %v, want EINVALID", at, err)
			}
			_, err := db.StorePushes(ctx, []store.Push{{AccountID: 1, SigKey: "k", BodyHash: "h", Event: &store.WeChatEvent{DedupKey: "d", MsgType: "event", SentAt: at}}}, nil)
			if passerelle.ErrorCode(err) != passerelle.EINVALID {
				t.Errorf("push at %v: %v, want EINVALID", at, err)
			}
		}
	})
}

// TestPostgresCustomPlans: every PostgreSQL connection plans each statement for its
// own parameters (a generic plan made an organization's ranking 50 times slower),
// unless the URL says otherwise.
func TestPostgresCustomPlans(t *testing.T) {
	t.Parallel()
	mode := func(db *store.DB) string {
		t.Helper()
		var m string
		if err := db.SQL().QueryRowContext(context.Background(), `SHOW plan_cache_mode`).Scan(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	u := storetest.PostgresURL(t)
	db, err := store.Open(context.Background(), store.Options{URL: u})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if m := mode(db); m != "force_custom_plan" {
		t.Errorf("plan_cache_mode %q, want force_custom_plan", m)
	}
	given, err := store.Open(context.Background(), store.Options{URL: u + "&plan_cache_mode=auto"})
	if err != nil {
		t.Fatal(err)
	}
	defer given.Close()
	if m := mode(given); m != "auto" {
		t.Errorf("plan_cache_mode %q with plan_cache_mode=auto in the URL", m)
	}
}

// TestAPITokenUseAfterRequest: a request with a token does not wait for the write that
// records its use (here held back by a transaction that locks the token's row); the
// token list shows the use at once, and the write lands when the lock is released.
func TestAPITokenUseAfterRequest(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := setupOrg(t, db)
		u := &passerelle.User{OrgID: org.ID, Email: "script@example.org", Owner: true}
		if err := db.CreateUser(ctx, u, "unused-password"); err != nil {
			t.Fatal(err)
		}
		tok := &passerelle.APIToken{UserID: u.ID, Name: "script", Prefix: "psl_wxyz"}
		if err := db.CreateAPIToken(ctx, tok, "usehash"); err != nil {
			t.Fatal(err)
		}
		tx, err := db.SQL().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback() // on failure; a no-op after Commit
		if _, err := tx.ExecContext(ctx, storetest.Rebind(db, `UPDATE api_tokens SET name = name WHERE id = ?`), tok.ID); err != nil {
			t.Fatal(err)
		}
		type result struct {
			tok *passerelle.APIToken
			err error
		}
		done := make(chan result, 1)
		go func() {
			got, _, err := db.APITokenUser(ctx, "usehash")
			done <- result{got, err}
		}()
		select {
		case r := <-done:
			if r.err != nil || r.tok.LastUsedAt == nil {
				t.Fatalf("APITokenUser = %+v, %v", r.tok, r.err)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("the request waits for the write that records the token's use")
		}
		list, err := db.APITokens(ctx, u.ID)
		if err != nil || len(list) != 1 || list[0].LastUsedAt == nil {
			t.Fatalf("before the write lands, APITokens = %+v, %v", list, err)
		}
		var raw sql.NullString
		if err := db.ReadSQL().QueryRowContext(ctx, storetest.Rebind(db, `SELECT CAST(last_used_at AS TEXT) FROM api_tokens WHERE id = ?`), tok.ID).Scan(&raw); err != nil || raw.Valid {
			t.Fatalf("before the lock is released, last_used_at = %v, %v", raw, err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if err := db.ReadSQL().QueryRowContext(ctx, storetest.Rebind(db, `SELECT CAST(last_used_at AS TEXT) FROM api_tokens WHERE id = ?`), tok.ID).Scan(&raw); err != nil {
				t.Fatal(err)
			}
			if raw.Valid {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the token's use was never written")
			}
		}
	})
}

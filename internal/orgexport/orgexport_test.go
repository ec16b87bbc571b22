package orgexport_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/auth"
	"github.com/passerelle-oss/passerelle/internal/demo"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/orgexport"
	"github.com/passerelle-oss/passerelle/internal/partners"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// TestRoundTrip exports the demo organization, imports it into an empty installation,
// exports that again: every document and media file is the same; no file holds a
// sealed credential or a password hash.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			open := storetest.SQLite
			if engine == "postgres" {
				open = storetest.Postgres
			}
			roundTrip(t, open(t), open(t))
		})
	}
}

func roundTrip(t *testing.T, src, dst *store.DB) {
	ctx := context.Background()
	a := auth.New(src, nil)
	a.Params = auth.Params{Time: 1, Memory: 8 * 1024, Threads: 1}
	res, err := demo.Seed(ctx, src, a)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := demo.Simulated(ctx, src, res.OrgID, "http://127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	srcData := t.TempDir()
	if err := demo.Posts(ctx, src, editorial.New(editorial.Options{DB: src, DataDir: srcData}), res.OrgID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := demo.Partners(ctx, src, partners.New(partners.Options{DB: src}), res.OrgID, time.Now()); err != nil {
		t.Fatal(err)
	}
	seedEveryKind(t, src, res.OrgID)
	out := filepath.Join(t.TempDir(), "export")
	m, err := orgexport.Export(ctx, src, &media.DiskStore{Root: filepath.Join(srcData, "media")}, res.OrgID, "test", orgexport.Dir(out))
	if err != nil {
		t.Fatal(err)
	}
	// Every exported table holds rows, or the round trip proves nothing about it.
	for _, tb := range store.OrgTables {
		if m.Counts[tb.Name] == 0 {
			t.Errorf("the export holds no row of %s: seed one", tb.Name)
		}
	}
	for _, f := range []string{"manifest.json", "README.md"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	for _, k := range orgexport.Kinds {
		if _, err := os.Stat(filepath.Join(out, k.File)); err != nil {
			t.Errorf("missing %s", k.File)
		}
	}

	// No secret: neither the sealed credentials nor password hashes, nor the plain ones.
	var forbidden []string
	rows, err := src.SQL().QueryContext(ctx, `SELECT sealed FROM account_credentials`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		rows.Scan(&s)
		forbidden = append(forbidden, s)
	}
	rows.Close()
	if len(forbidden) == 0 {
		t.Fatal("the demo holds no credentials: the test proves nothing")
	}
	rows, err = src.SQL().QueryContext(ctx, `SELECT nonce_hash FROM guest_links UNION ALL SELECT hash FROM api_tokens UNION ALL SELECT hash FROM sessions`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		rows.Scan(&s)
		forbidden = append(forbidden, s)
	}
	rows.Close()
	forbidden = append(forbidden, "$argon2id$", "password_hash", "sealed")
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if d.IsDir() || strings.HasSuffix(p, "README.md") {
			return nil
		}
		b, _ := os.ReadFile(p)
		for _, s := range forbidden {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %q", p, s)
			}
		}
		return nil
	})

	dstData := t.TempDir()
	dstMedia := &media.DiskStore{Root: filepath.Join(dstData, "media")}
	if _, err := orgexport.Import(ctx, dst, dstMedia, out); err != nil {
		t.Fatal(err)
	}
	if _, err := orgexport.Import(ctx, dst, dstMedia, out); err == nil {
		t.Fatal("a second import into a non-empty installation was accepted")
	}
	again := filepath.Join(t.TempDir(), "again")
	if _, err := orgexport.Export(ctx, dst, dstMedia, res.OrgID, "test", orgexport.Dir(again)); err != nil {
		t.Fatal(err)
	}
	for _, k := range orgexport.Kinds {
		a, _ := os.ReadFile(filepath.Join(out, k.File))
		b, _ := os.ReadFile(filepath.Join(again, k.File))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs after the round trip", k.File)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(out, "media"))
	again2, _ := os.ReadDir(filepath.Join(again, "media"))
	if len(entries) == 0 || len(entries) != len(again2) {
		t.Errorf("media: %d exported, %d after the round trip", len(entries), len(again2))
	}
	// The imported installation works: new rows get new ids.
	if _, err := dst.CreateOrganization(ctx, "Another"); err != nil {
		t.Errorf("after import: %v", err)
	}

	// A damaged export is refused before anything is written.
	bad := filepath.Join(t.TempDir(), "bad")
	os.CopyFS(bad, os.DirFS(out))
	os.WriteFile(filepath.Join(bad, "posts.json"), []byte("{}"), 0o640)
	empty := storetest.SQLite(t)
	if _, err := orgexport.Import(ctx, empty, &media.DiskStore{Root: t.TempDir()}, bad); err == nil {
		t.Error("a damaged export was imported")
	}
	if n, _ := empty.OrganizationCount(ctx); n != 0 {
		t.Error("a refused import wrote an organization")
	}

	// An export made before the service desk existed (no desk.json, no count of its
	// tables) imports; a file the manifest does not list is refused, and so is a
	// manifest whose counts disagree with the files.
	older := rewriteManifest(t, out, func(m *orgexport.Manifest) {
		files := m.Files[:0]
		for _, f := range m.Files {
			if f.Path != "desk.json" {
				files = append(files, f)
			}
		}
		m.Files = files
		for _, k := range orgexport.Kinds {
			if k.File == "desk.json" {
				for _, name := range k.Tables {
					delete(m.Counts, name)
				}
			}
		}
	})
	if _, err := orgexport.Import(ctx, storetest.SQLite(t), &media.DiskStore{Root: t.TempDir()}, older); err == nil || !strings.Contains(err.Error(), "desk.json is not in the manifest") {
		t.Errorf("an unlisted file: %v", err)
	}
	os.Remove(filepath.Join(older, "desk.json"))
	fresh := storetest.SQLite(t)
	if _, err := orgexport.Import(ctx, fresh, &media.DiskStore{Root: t.TempDir()}, older); err != nil {
		t.Errorf("an export without desk.json: %v", err)
	} else if rows, err := fresh.OrgRows(ctx, store.OrgTables[0], res.OrgID); err != nil || len(rows) != 1 {
		t.Errorf("an export without desk.json: organization %v, %v", rows, err)
	}
	miscounted := rewriteManifest(t, out, func(m *orgexport.Manifest) { m.Counts["conversations"]++ })
	if _, err := orgexport.Import(ctx, storetest.SQLite(t), &media.DiskStore{Root: t.TempDir()}, miscounted); err == nil {
		t.Error("an export whose manifest miscounts conversations was imported")
	}
}

// rewriteManifest copies the export in dir and edits the copy's manifest.
func rewriteManifest(t *testing.T, dir string, edit func(*orgexport.Manifest)) string {
	t.Helper()
	cp := filepath.Join(t.TempDir(), "copy")
	if err := os.CopyFS(cp, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(cp, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m orgexport.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	edit(&m)
	if b, err = json.Marshal(&m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cp, "manifest.json"), b, 0o640); err != nil {
		t.Fatal(err)
	}
	return cp
}

// seedEveryKind gives the demo organization a row in each table the demo leaves empty
// (service desk, analytics, visitor pages, networks, notifications), through the store
// as the application writes them.
func seedEveryKind(t *testing.T, db *store.DB, orgID int64) {
	t.Helper()
	ctx := context.Background()
	one := func(q string, dst ...any) {
		t.Helper()
		if err := db.SQL().QueryRowContext(ctx, q).Scan(dst...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var account, institution, other, post, publication, user, image int64
	one(`SELECT a.id, a.institution_id FROM accounts a WHERE a.platform = 'wechat' ORDER BY a.id LIMIT 1`, &account, &institution)
	one(`SELECT id FROM institutions WHERE id <> `+itoa(institution)+` ORDER BY id LIMIT 1`, &other)
	one(`SELECT b.id, b.post_id FROM publications b ORDER BY b.id LIMIT 1`, &publication, &post)
	one(`SELECT id FROM users ORDER BY id LIMIT 1`, &user)
	var imageKey, imageMIME string
	one(`SELECT id, storage_key, mime FROM media_assets WHERE institution_id = `+itoa(institution)+` AND mime LIKE 'image/%' ORDER BY id LIMIT 1`, &image, &imageKey, &imageMIME)
	now := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	day := now.Format("2006-01-02")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// Editorial tables the demo leaves empty.
	must(db.SetCadence(ctx, store.Cadence{AccountID: account, MinPerWeek: 2, MaxPerWeek: 5}))
	must(db.SaveMediaRendition(ctx, &store.MediaRendition{AssetID: image, Spec: "test", StorageKey: imageKey, MIME: imageMIME, Width: 1, Height: 1, Bytes: 1}))
	must(db.AddComment(ctx, &passerelle.Comment{PostID: post, UserID: user, AuthorName: "Claire", Body: "Relu."}))
	must(db.CreateLexiconEntry(ctx, orgID, &store.LexiconEntry{Term: "台湾国", Severity: "warning", Note: "test"}))
	stamp := `'` + now.Format("2006-01-02T15:04:05.000000Z") + `'`
	var attempts int
	one(`SELECT COUNT(*) FROM publication_attempts`, &attempts)
	if attempts == 0 {
		_, err := db.SQL().ExecContext(ctx, `INSERT INTO publication_attempts (publication_id, number, started_at, finished_at, outcome, error)
			VALUES (`+itoa(publication)+`, 1, `+stamp+`, `+stamp+`, 'failed', 'test')`)
		must(err)
	}

	must(db.CreatePlacement(ctx, &store.Placement{InstitutionID: institution, AccountID: account, Key: "entree", Name: "Entrée", Scene: "entree", Attributed: true}))
	must(db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.RecordFollow(ctx, account, "oFollower1", "entree", day, now); err != nil {
			return err
		}
		return tx.RecordInbound(ctx, account, "oFollower1", "text", "开放时间？", now)
	}))
	var conversation int64
	one(`SELECT id FROM conversations ORDER BY id LIMIT 1`, &conversation)
	_, err := db.RecordReply(ctx, conversation, user, "9:00–17:00")
	must(err)
	must(db.CreateReplyRule(ctx, &store.ReplyRule{AccountID: account, Keywords: []string{"开放时间"}, Match: "contains", Text: "9:00–17:00"}))
	must(db.CreateCannedAnswer(ctx, &store.CannedAnswer{AccountID: account, Name: "Horaires", Text: "9:00–17:00"}))
	must(db.SetFollowerTags(ctx, conversation, []string{"ambassador"}))
	must(db.SaveMenu(ctx, account, []byte(`{"button":[{"type":"view","name":"参观","url":"https://example.org"}]}`)))
	views := int64(1200)
	_, err = db.RecordPublicationSnapshots(ctx, orgID, []*store.PublicationSnapshot{{PublicationID: publication, TakenAt: now, Source: store.PubSourceManual, Views: &views}})
	must(err)
	must(db.RecordFollowerDays(ctx, []store.FollowerDay{{AccountID: account, Day: day, New: 12, Lost: 3, Source: "api"}}))
	tour := &passerelle.Tour{InstitutionID: institution, TitleZH: "语音导览", TitleFR: "Audioguide"}
	must(db.CreateTour(ctx, orgID, tour))
	must(db.AddStop(ctx, orgID, &passerelle.Stop{TourID: tour.ID, Number: 1, TitleZH: "睡莲", ImageMediaID: image}))
	exhibition := &passerelle.Exhibition{InstitutionID: institution, TitleZH: "线上展览", CoverMediaID: image}
	must(db.CreateExhibition(ctx, orgID, exhibition))
	must(db.SetCollectionSettings(ctx, orgID, store.CollectionSettings{Hours: []int{1, 3}, WeiboDays: 10, WeChatDays: 7, WeiboReadsPerHour: 150, WeChatCallsPerDay: 500}))
	for _, q := range []string{
		`INSERT INTO collection_slots (publication_id, slot, taken_at) VALUES (` + itoa(publication) + `, 1, ` + stamp + `)`,
		`INSERT INTO relay_collection_slots (relay_id, status_id, slot, taken_at) SELECT id, '3501756485200075', 60, ` + stamp + ` FROM campaign_relays ORDER BY id LIMIT 1`,
		`INSERT INTO report_mails (institution_id, month, user_id, sent_at) VALUES (` + itoa(institution) + `, '2026-11', ` + itoa(user) + `, ` + stamp + `)`,
		`INSERT INTO visit_plays (stop_id, day, starts, completes) SELECT id, '` + day + `', 3, 1 FROM tour_stops WHERE tour_id = ` + itoa(tour.ID),
		`INSERT INTO visit_views (exhibition_id, day, views, completes) VALUES (` + itoa(exhibition.ID) + `, '` + day + `', 5, 2)`,
		`INSERT INTO wechat_mass_sends (account_id, publication_id, client_msg_id, state, reserved_at, sent_at, msg_id, msg_data_id)
			VALUES (` + itoa(account) + `, ` + itoa(publication) + `, 'p` + itoa(publication) + `', 'sent', ` + stamp + `, ` + stamp + `, '1000000001', '2247490001')`,
	} {
		_, err := db.SQL().ExecContext(ctx, q)
		must(err)
	}
	must(db.SetAccountMembers(ctx, orgID, account, []int64{institution, other}))
	must(db.SetPostFeatured(ctx, orgID, post, []int64{other}))
	var partner int64
	one(`SELECT MIN(id) FROM partners WHERE org_id = `+itoa(orgID), &partner)
	must(db.SetPostCoAuthors(ctx, orgID, post, []int64{partner}))
	must(db.PublishBarometer(ctx, orgID, "demo"))
	var n int
	one(`SELECT COUNT(*) FROM notifications`, &n)
	if n == 0 {
		_, err := db.SQL().ExecContext(ctx, `INSERT INTO notifications (org_id, user_id, kind, post_id, publication_id, detail, dedupe, created_at)
			VALUES (`+itoa(orgID)+`, `+itoa(user)+`, 'failed', `+itoa(post)+`, `+itoa(publication)+`, 'test', 'test-1', `+stamp+`)`)
		must(err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestEveryTableAccountedFor enumerates the migrated schema on both engines: each
// table is exported (and in exactly one file of the export) or left out with a reason.
// A new migration's table fails this test until its author decides.
func TestEveryTableAccountedFor(t *testing.T) {
	t.Parallel()
	inFile := map[string]string{}
	for _, k := range orgexport.Kinds {
		for _, name := range k.Tables {
			if f, dup := inFile[name]; dup {
				t.Errorf("%s is in both %s and %s", name, f, k.File)
			}
			inFile[name] = k.File
		}
	}
	exported := map[string]bool{}
	for _, tb := range store.OrgTables {
		if exported[tb.Name] {
			t.Errorf("%s is twice in store.OrgTables", tb.Name)
		}
		exported[tb.Name] = true
		if inFile[tb.Name] == "" {
			t.Errorf("%s is exported but in no file of orgexport.Kinds", tb.Name)
		}
		if reason, ok := store.NotExported[tb.Name]; ok {
			t.Errorf("%s is both exported and left out (%s)", tb.Name, reason)
		}
	}
	for name := range inFile {
		if !exported[name] {
			t.Errorf("orgexport.Kinds names %s, which store.OrgTables does not export", name)
		}
	}
	for name, reason := range store.NotExported {
		if strings.TrimSpace(reason) == "" {
			t.Errorf("%s is left out without a reason", name)
		}
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			var db *store.DB
			q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
			if engine == "postgres" {
				db = storetest.Postgres(t)
				q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
			} else {
				db = storetest.SQLite(t)
			}
			rows, err := db.SQL().QueryContext(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			schema := map[string]bool{}
			for rows.Next() {
				var name string
				if err := rows.Scan(&name); err != nil {
					t.Fatal(err)
				}
				schema[name] = true
				_, left := store.NotExported[name]
				if !exported[name] && !left {
					t.Errorf("table %s is neither exported (store.OrgTables) nor left out with a reason (store.NotExported)", name)
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if len(schema) < 20 {
				t.Fatalf("only %d tables found: the query proves nothing", len(schema))
			}
			for name := range exported {
				if !schema[name] {
					t.Errorf("store.OrgTables exports %s, which the schema does not have", name)
				}
			}
			for name := range store.NotExported {
				if !schema[name] {
					t.Errorf("store.NotExported names %s, which the schema does not have", name)
				}
			}
		})
	}
}

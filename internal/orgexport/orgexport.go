// Package orgexport writes everything an organization owns as plain JSON documents and
// media files — to take it elsewhere, or to leave the product — and imports such an
// export into an empty installation.
//
// An export holds manifest.json, README.md, one JSON file per kind of entity (each an
// object mapping table names to arrays of rows) and media/<sha256> files. It never holds
// a sealed credential, a password hash, a session, an API token or a guest link.
package orgexport

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Format names the layout; import refuses any other.
const Format = "passerelle-org-export/1"

//go:embed README.md
var readme []byte

// Kinds maps each file of an export to the tables it holds.
var Kinds = []struct {
	File   string
	Tables []string
}{
	{"organization.json", []string{"organizations", "editorial_settings", "collection_settings"}},
	{"institutions.json", []string{"institutions"}},
	{"accounts.json", []string{"accounts", "cadence_targets", "account_members"}},
	{"users.json", []string{"users", "memberships", "notifications"}},
	{"media.json", []string{"media_assets", "media_renditions"}},
	{"posts.json", []string{"posts", "publications", "publication_attempts", "post_revisions", "post_transitions", "post_comments", "post_featured_institutions", "wechat_mass_sends"}},
	{"glossary.json", []string{"glossary_terms", "lexicon_entries"}},
	{"figures.json", []string{"account_snapshots", "publication_snapshots", "publication_figures", "follower_days", "collection_slots", "report_mails"}},
	{"barometer_editions.json", []string{"barometer_editions", "public_barometers"}},
	{"audit.json", []string{"audit_log"}},
	{"desk.json", []string{"placements", "placement_daily", "reply_rules", "account_menus", "canned_answers"}},
	{"conversations.json", []string{"conversations", "conversation_messages", "follower_origins", "follower_tags"}},
	{"visit.json", []string{"tours", "tour_stops", "exhibitions", "visit_plays", "visit_views"}},
	{"partners.json", []string{"partners", "partner_accounts", "partner_followers", "campaigns", "campaign_relays", "relay_snapshots", "relay_collection_slots", "live_events", "campaign_templates", "post_coauthors"}},
}

// Manifest describes an export.
type Manifest struct {
	Format        string         `json:"format"`
	CreatedAt     time.Time      `json:"created_at"`
	Version       string         `json:"passerelle_version"`
	SchemaVersion int            `json:"schema_version"`
	Organization  Org            `json:"organization"`
	Counts        map[string]int `json:"counts"`
	Files         []File         `json:"files"`
	MissingMedia  []string       `json:"missing_media,omitempty"`
}

// Org names the exported organization.
type Org struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// File is one file of the export with its checksum.
type File struct {
	Path   string `json:"path"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// Writer receives the files of an export: a directory, or an archive being streamed.
type Writer interface {
	Create(name string) (io.WriteCloser, error)
}

// Dir writes an export into a directory.
type Dir string

// Create implements Writer.
func (d Dir) Create(name string) (io.WriteCloser, error) {
	p := filepath.Join(string(d), filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return nil, err
	}
	return os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
}

// Export writes organization orgID to w.
func Export(ctx context.Context, db *store.DB, st media.Store, orgID int64, version string, w Writer) (*Manifest, error) {
	org, err := db.Organization(ctx, orgID)
	if err != nil {
		return nil, fmt.Errorf("export: organization %d: %w", orgID, err)
	}
	m := &Manifest{Format: Format, CreatedAt: time.Now().UTC().Truncate(time.Second), Version: version, Organization: Org{ID: org.ID, Name: org.Name}, Counts: map[string]int{}}
	if m.SchemaVersion, err = db.SchemaVersion(ctx); err != nil {
		return nil, err
	}
	byName := map[string]store.OrgTable{}
	for _, t := range store.OrgTables {
		byName[t.Name] = t
	}
	keys := map[string]bool{}
	for _, k := range Kinds {
		doc := map[string][]store.Row{}
		for _, name := range k.Tables {
			rows, err := db.OrgRows(ctx, byName[name], orgID)
			if err != nil {
				return nil, err
			}
			doc[name] = rows
			m.Counts[name] = len(rows)
			if name == "media_assets" || name == "media_renditions" {
				for _, r := range rows {
					if key, ok := r["storage_key"].(string); ok {
						keys[key] = true
					}
				}
			}
		}
		body, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			return nil, err
		}
		if err := put(w, m, k.File, bytes.NewReader(append(body, '\n'))); err != nil {
			return nil, err
		}
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, key := range sorted {
		if !media.ValidKey(key) {
			m.MissingMedia = append(m.MissingMedia, key)
			continue
		}
		rc, err := st.Open(ctx, key)
		if passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
			m.MissingMedia = append(m.MissingMedia, key)
			continue
		}
		if err != nil {
			return nil, err
		}
		err = put(w, m, "media/"+key, rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
	}
	if err := put(w, nil, "README.md", bytes.NewReader(readme)); err != nil {
		return nil, err
	}
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := put(w, nil, "manifest.json", bytes.NewReader(append(body, '\n'))); err != nil {
		return nil, err
	}
	return m, nil
}

func put(w Writer, m *Manifest, name string, r io.Reader) error {
	f, err := w.Create(name)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("export: %s: %w", name, err)
	}
	if m != nil {
		m.Files = append(m.Files, File{Path: name, Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))})
	}
	return nil
}

// Import reads the export in dir, checks every file against the manifest, and loads it
// into db, which must hold no organization yet, with its media into st. Users arrive
// without a password: set one with `passerelle user set-password`.
func Import(ctx context.Context, db *store.DB, st media.Store, dir string) (*Manifest, error) {
	body, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("import: manifest.json: %w", err)
	}
	if m.Format != Format {
		return nil, fmt.Errorf("import: format %q, this binary reads %q", m.Format, Format)
	}
	if n, err := db.OrganizationCount(ctx); err != nil {
		return nil, err
	} else if n > 0 {
		return nil, errors.New("import: this installation already holds an organization: import into an empty one")
	}
	// Verify everything before writing anything.
	for _, f := range m.Files {
		if strings.Contains(f.Path, "..") || filepath.IsAbs(f.Path) {
			return nil, fmt.Errorf("import: bad path %q in the manifest", f.Path)
		}
		sum, err := fileSum(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		if sum != f.SHA256 {
			return nil, fmt.Errorf("import: %s does not match the manifest", f.Path)
		}
	}
	listed := map[string]bool{}
	for _, f := range m.Files {
		listed[f.Path] = true
	}
	tables := map[string][]store.Row{}
	for _, k := range Kinds {
		path := filepath.Join(dir, k.File)
		if !listed[k.File] {
			// An export made before this kind of entity existed lacks its file; a file
			// the manifest does not vouch for is never read.
			if _, err := os.Stat(path); err == nil {
				return nil, fmt.Errorf("import: %s is not in the manifest", k.File)
			}
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		doc := map[string][]store.Row{}
		if err := dec.Decode(&doc); err != nil {
			return nil, fmt.Errorf("import: %s: %w", k.File, err)
		}
		for name, rows := range doc {
			tables[name] = rows
		}
	}
	for name, n := range m.Counts {
		if len(tables[name]) != n {
			return nil, fmt.Errorf("import: the manifest counts %d rows of %s, the export holds %d", n, name, len(tables[name]))
		}
	}
	for _, f := range m.Files {
		if !strings.HasPrefix(f.Path, "media/") {
			continue
		}
		src, err := os.Open(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil {
			return nil, err
		}
		key, err := st.Put(ctx, src)
		src.Close()
		if err != nil {
			return nil, err
		}
		if "media/"+key != f.Path {
			return nil, fmt.Errorf("import: %s does not match its name", f.Path)
		}
	}
	if err := db.LoadOrgRows(ctx, tables); err != nil {
		return nil, err
	}
	return &m, nil
}

func fileSum(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Zip writes an export into a zip archive, for a download.
type Zip struct{ W *zip.Writer }

// Create implements Writer.
func (z Zip) Create(name string) (io.WriteCloser, error) {
	w, err := z.W.CreateHeader(&zip.FileHeader{Name: name, Method: zipMethod(name), Modified: time.Now().UTC()})
	if err != nil {
		return nil, err
	}
	return nopCloser{w}, nil
}

// zipMethod stores media as they are (already compressed) and deflates the JSON.
func zipMethod(name string) uint16 {
	if strings.HasPrefix(name, "media/") {
		return zip.Store
	}
	return zip.Deflate
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

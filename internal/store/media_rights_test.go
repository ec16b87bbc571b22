package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// TestMediaTagsRightsSearch: an asset's tags and rights are stored and read back on
// both engines; the library search finds words in the file name, alt text, credit,
// tags and rights, whatever their case, with LIKE wildcards taken literally; invalid
// rights change nothing.
func TestMediaTagsRightsSearch(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org, inst, _, _ := setupInstitution(t, db)
		add := func(key, name string) *store.MediaAsset {
			m := &store.MediaAsset{InstitutionID: inst.ID, StorageKey: key, MIME: "image/png", Width: 10, Height: 10, Bytes: 100, Filename: name}
			if _, err := db.AddMediaAsset(ctx, org.ID, m); err != nil {
				t.Fatal(err)
			}
			return m
		}
		a := add("k1", "nympheas.png")
		b := add("k2", "danseuses_100%.jpg")
		if a.Tags == nil || len(a.Tags) != 0 {
			t.Errorf("new asset tags %v", a.Tags)
		}
		got, err := db.UpdateMediaAsset(ctx, org.ID, a.ID, func(m *store.MediaAsset) error {
			m.Tags, m.Photographer, m.RightsHolder, m.Licence, m.RightsUntil, m.AltZH = []string{"Monet", "印象派"}, "René-Gabriel Ojéda", "RMN-Grand Palais", "CC BY-NC", "2027-06-30", "莫奈的睡莲"
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		back, err := db.MediaAssetByID(ctx, org.ID, a.ID)
		if err != nil || !slices.Equal(back.Tags, []string{"Monet", "印象派"}) || back.Photographer != "René-Gabriel Ojéda" || back.RightsHolder != "RMN-Grand Palais" ||
			back.Licence != "CC BY-NC" || back.RightsUntil != "2027-06-30" || got.RightsUntil != "2027-06-30" {
			t.Fatalf("read back %+v %v", back, err)
		}
		for q, want := range map[string][]int64{
			"monet": {a.ID}, "印象派": {a.ID}, "ojéda": {a.ID}, "rmn": {a.ID}, "cc by": {a.ID}, "睡莲": {a.ID},
			"NYMPHEAS": {a.ID}, "100%": {b.ID}, "%": {b.ID}, "_": {b.ID}, "png": {a.ID}, "absent": nil,
		} {
			ms, err := db.MediaAssets(ctx, store.MediaFilter{OrgID: org.ID, InstitutionID: inst.ID, Search: q})
			if err != nil {
				t.Fatalf("%q: %v", q, err)
			}
			var ids []int64
			for _, m := range ms {
				ids = append(ids, m.ID)
			}
			if !slices.Equal(ids, want) {
				t.Errorf("search %q = %v, want %v", q, ids, want)
			}
		}
		for name, fn := range map[string]func(*store.MediaAsset){
			"date": func(m *store.MediaAsset) { m.RightsUntil = "30/06/2027" },
			"tag":  func(m *store.MediaAsset) { m.Tags = []string{"a,b"} },
			"too many": func(m *store.MediaAsset) {
				m.Tags = make([]string, 21)
				for i := range m.Tags {
					m.Tags[i] = "t"
				}
			},
		} {
			_, err := db.UpdateMediaAsset(ctx, org.ID, a.ID, func(m *store.MediaAsset) error { fn(m); m.Licence = "changed"; return nil })
			if passerelle.ErrorCode(err) != passerelle.EINVALID {
				t.Errorf("%s: %v", name, err)
			}
		}
		if back, _ := db.MediaAssetByID(ctx, org.ID, a.ID); back.Licence != "CC BY-NC" || back.RightsUntil != "2027-06-30" {
			t.Errorf("a refused change was written: %+v", back)
		}
	})
}

package barometer

import (
	"strings"

	"github.com/passerelle-oss/passerelle/internal/store"
)

// Networks: a collective account (Paris Musées' one account for its 14 museums) is
// counted once, under the institution that holds it, and its row lists the member
// institutions. A member that also lists the same platform account among its own (a
// watched account with the same handle, as a seed of the museums' accounts often
// has) does not count it again: the platform account is one audience.

// Member is a member institution listed on a network's row.
type Member struct {
	InstitutionID int64  `json:"institution_id"`
	Name          string `json:"name"`
}

// accountKey names a platform account by its handle, "" when it has none.
func accountKey(r store.Reading) string {
	h := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(r.Handle), "@"))
	if h == "" {
		return ""
	}
	return string(r.Platform) + "\x00" + h
}

// networked drops the readings of accounts that duplicate a network account (the
// same platform and handle) and returns the members to list, by the network
// account's institution.
func networked(readings []store.Reading, members []store.NetworkMember) ([]store.Reading, map[int64][]Member) {
	if len(members) == 0 {
		return readings, nil
	}
	byAccount := map[int64][]store.NetworkMember{}
	for _, m := range members {
		byAccount[m.AccountID] = append(byAccount[m.AccountID], m)
	}
	networks := map[string]bool{}
	listed := map[int64][]Member{}
	seen := map[[2]int64]bool{}
	for _, r := range readings {
		ms, ok := byAccount[r.AccountID]
		if !ok {
			continue
		}
		if k := accountKey(r); k != "" {
			networks[k] = true
		}
		for _, m := range ms {
			if k := [2]int64{r.InstitutionID, m.InstitutionID}; !seen[k] {
				seen[k] = true
				listed[r.InstitutionID] = append(listed[r.InstitutionID], Member{InstitutionID: m.InstitutionID, Name: m.Name})
			}
		}
	}
	out := make([]store.Reading, 0, len(readings))
	for _, r := range readings {
		if _, isNetwork := byAccount[r.AccountID]; !isNetwork && networks[accountKey(r)] {
			continue
		}
		out = append(out, r)
	}
	return out, listed
}

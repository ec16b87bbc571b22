package connect

import (
	"testing"

	"github.com/passerelle-oss/passerelle"
)

func TestSameIdentity(t *testing.T) {
	t.Parallel()
	acc := &passerelle.Account{Handle: "@louvre", DisplayName: "卢浮宫博物馆"}
	for _, tt := range []struct {
		name            string
		prev, uid, user string
		want            bool
	}{
		{"display name", "", "5001", "卢浮宫博物馆", true},
		{"handle, any case", "", "5001", "Louvre", true},
		{"uid as handle", "", "louvre", "", true},
		{"someone else", "", "5001", "模拟博物馆", false},
		{"same uid as before, renamed", "5001", "5001", "新名字", true},
		{"another uid than before", "5001", "5002", "模拟博物馆", false},
		{"unnamed, first time", "", "5001", "", true},
		{"unnamed, another uid than before", "5001", "5002", "", false},
	} {
		if got := sameIdentity(acc, tt.prev, tt.uid, tt.user); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

package passerelle_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/passerelle-oss/passerelle"
)

// localInstantCases are wall-clock times in institutions' zones, some on either side
// of a daylight-saving change, and the instants they name.
var localInstantCases = []struct {
	zone, wall, want string // want "" means the wall time does not exist
}{
	{"Europe/Paris", "2027-06-01T10:00", "2027-06-01T08:00:00Z"},
	{"Europe/Paris", "2027-01-15T10:00", "2027-01-15T09:00:00Z"},
	{"Europe/Paris", "2027-03-28T01:59", "2027-03-28T00:59:00Z"},
	{"Europe/Paris", "2027-03-28T02:30", ""}, // clocks go from 02:00 to 03:00
	{"Europe/Paris", "2027-03-28T03:00", "2027-03-28T01:00:00Z"},
	{"Europe/Paris", "2027-10-31T02:30", "2027-10-31T00:30:00Z"}, // twice: the first
	{"Europe/Paris", "2027-10-31T03:30", "2027-10-31T02:30:00Z"},
	{"Asia/Shanghai", "2027-03-28T09:00", "2027-03-28T01:00:00Z"},
	{"America/New_York", "2027-03-14T02:30", ""},
	{"America/New_York", "2027-11-07T01:30", "2027-11-07T05:30:00Z"},
	{"UTC", "2027-03-28T02:30:15", "2027-03-28T02:30:15Z"},
}

func localInstants(t *testing.T) map[string]string {
	out := map[string]string{}
	for _, c := range localInstantCases {
		loc, err := time.LoadLocation(c.zone)
		if err != nil {
			t.Fatal(err)
		}
		got, err := passerelle.LocalInstant(c.wall, loc)
		if err != nil {
			out[c.zone+" "+c.wall] = ""
			continue
		}
		out[c.zone+" "+c.wall] = got.Format(time.RFC3339)
	}
	return out
}

func TestLocalInstant(t *testing.T) {
	t.Parallel()
	got := localInstants(t)
	for _, c := range localInstantCases {
		if g := got[c.zone+" "+c.wall]; g != c.want {
			t.Errorf("%s in %s = %q, want %q", c.wall, c.zone, g, c.want)
		}
	}
	for _, bad := range []string{"", "2027-02-30T10:00", "10:00", "2027-06-01 10:00"} {
		if _, err := passerelle.LocalInstant(bad, time.UTC); passerelle.ErrorCode(err) != passerelle.EINVALID {
			t.Errorf("LocalInstant(%q) = %v, want invalid", bad, err)
		}
	}
}

// TestLocalInstantIgnoresTZ runs the same conversions in processes whose local zone
// differs (TZ unset, UTC, Asia/Shanghai, Europe/Paris): the instants are the same.
func TestLocalInstantIgnoresTZ(t *testing.T) {
	if os.Getenv("PASSERELLE_TZ_CHILD") == "1" {
		json.NewEncoder(os.Stdout).Encode(localInstants(t))
		return
	}
	t.Parallel()
	want := localInstants(t)
	for _, tz := range []string{"", "UTC", "Asia/Shanghai", "Europe/Paris"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLocalInstantIgnoresTZ$")
		cmd.Env = append(os.Environ(), "PASSERELLE_TZ_CHILD=1")
		if tz == "" {
			cmd.Env = append(cmd.Env, "TZ=")
		} else {
			cmd.Env = append(cmd.Env, "TZ="+tz)
		}
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("TZ=%q: %v", tz, err)
		}
		line := strings.SplitN(string(out), "\n", 2)[0]
		var got map[string]string
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("TZ=%q: %q: %v", tz, out, err)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("TZ=%q: %s = %q, want %q", tz, k, got[k], v)
			}
		}
	}
}

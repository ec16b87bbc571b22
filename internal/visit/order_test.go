package visit

import (
	"slices"
	"testing"
)

func TestMove(t *testing.T) {
	for _, c := range []struct {
		from, to int
		want     []string
	}{
		{0, 0, []string{"a", "b", "c", "d"}},
		{0, 1, []string{"b", "a", "c", "d"}},
		{1, 0, []string{"b", "a", "c", "d"}},
		{0, 3, []string{"b", "c", "d", "a"}},
		{3, 0, []string{"d", "a", "b", "c"}},
		{2, 1, []string{"a", "c", "b", "d"}},
	} {
		got := move([]string{"a", "b", "c", "d"}, c.from, c.to)
		if !slices.Equal(got, c.want) {
			t.Errorf("move(%d, %d) = %v, want %v", c.from, c.to, got, c.want)
		}
	}
}

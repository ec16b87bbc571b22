package weibo

import (
	"math"
	"testing"
	"time"
)

// Issue 9, finding 4: an expires_in from Weibo is outside input; no value overflows
// time.Duration into a past or absurd expiry.
func TestLifetimeClamped(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		secs int64
		want time.Duration
	}{{-5, 0}, {0, 0}, {7200, 2 * time.Hour}, {math.MaxInt64, maxLifetime}, {1 << 40, maxLifetime}} {
		if got := lifetime(tt.secs); got != tt.want {
			t.Errorf("lifetime(%d) = %v, want %v", tt.secs, got, tt.want)
		}
	}
}

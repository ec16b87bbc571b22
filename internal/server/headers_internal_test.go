package server

import (
	"net/http"
	"testing"
)

// The security headers are put in the header map directly: under their canonical
// names, or Header.Get would not find them; as full slices, so that an Add copies.
func TestSecurityHeaderNamesAreCanonical(t *testing.T) {
	for _, h := range append(securityHeaders, struct {
		name  string
		value []string
	}{"Strict-Transport-Security", hsts}) {
		if http.CanonicalHeaderKey(h.name) != h.name || len(h.value) != 1 || cap(h.value) != 1 {
			t.Errorf("%q: canonical %q, value %q (cap %d)", h.name, http.CanonicalHeaderKey(h.name), h.value, cap(h.value))
		}
	}
}

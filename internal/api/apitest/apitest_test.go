package apitest_test

import (
	"testing"

	"github.com/passerelle-oss/passerelle/internal/api/apitest"
)

func TestDocumentLoads(t *testing.T) {
	t.Parallel()
	v := apitest.New(t)
	if got := v.Doc().OpenAPI; got != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", got)
	}
}

package web_test

import (
	"strconv"

	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func tenancyPage() tenancy.Page { return tenancy.Page{} }

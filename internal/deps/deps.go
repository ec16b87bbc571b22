// Package deps pins modules that helpers will import soon; removed once they are used.
package deps

import (
	_ "github.com/6tail/lunar-go/calendar"
	_ "github.com/chromedp/chromedp"
	_ "github.com/getkin/kin-openapi/openapi3filter"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/longbridgeapp/opencc"
	_ "github.com/microcosm-cc/bluemonday"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/riverqueue/river"
	_ "github.com/riverqueue/river/riverdriver/riverdatabasesql"
	_ "github.com/riverqueue/river/riverdriver/riversqlite"
	_ "github.com/silenceper/wechat/v2/util"
	_ "go.yaml.in/yaml/v3"
	_ "golang.org/x/crypto/argon2"
	_ "golang.org/x/image/draw"
	_ "golang.org/x/image/webp"
	_ "golang.org/x/text/language"
	_ "modernc.org/sqlite"
)

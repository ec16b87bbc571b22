package main

// authzTable is the authorization matrix of every route Main registers. One line per
// route and target:
//
//	row(ROUTE, TARGET, anonymous, owner, admin, editor, translator, reviewer, viewer)
//
// ROUTE is the pattern exactly as registered. TARGET is what its wildcard names: none;
// own (an object of the caller's organization on which the caller holds their role);
// foreign (an object of another organization); self (the caller, for user routes).
// Routes with a wildcard need an own and a foreign row. API routes are called with a
// bearer token, the others with a session cookie; SignedIn routes send anonymous
// callers to /login (303).
//
// .with(BODY) sends a body (JSON when it starts with "{", else a form); .at(PATH) sets
// the path when a wildcard is not an id. In both, {institution}, {account}, {user},
// {token} are the ids of the target's objects, {n} a number unique to the request and
// {static} a static file the sign-in page links to.
//
// A route without a row fails TestAuthorizationMatrix, which prints what the server
// answers: review it against the rules (invisible → 404, visible but not allowed →
// 403) before adding it here.
var authzTable = []authzRow{
	// Operations.
	row("GET /healthz", none, 200, 200, 200, 200, 200, 200, 200),
	row("GET /readyz", none, 200, 200, 200, 200, 200, 200, 200),
	row("GET /metrics", none, 200, 200, 200, 200, 200, 200, 200),

	// JSON API: internal/api.
	row("GET /api/openapi.json", none, 200, 200, 200, 200, 200, 200, 200),
	// Unknown API paths: a JSON 404 whoever asks.
	row("GET /api/", none, 404, 404, 404, 404, 404, 404, 404).at("/api/v9/nothing"),
	row("POST /api/", none, 404, 404, 404, 404, 404, 404, 404).at("/api/v9/nothing"),
	row("PUT /api/", none, 404, 404, 404, 404, 404, 404, 404).at("/api/v1/institutions"),
	row("PATCH /api/", none, 404, 404, 404, 404, 404, 404, 404).at("/api/v9/nothing"),
	row("DELETE /api/", none, 404, 404, 404, 404, 404, 404, 404).at("/api/v9/nothing"),
	row("GET /api/v1/me", none, 401, 200, 200, 200, 200, 200, 200),

	row("GET /api/v1/institutions", none, 401, 200, 200, 200, 200, 200, 200),
	row("POST /api/v1/institutions", none, 401, 201, 403, 403, 403, 403, 403).with(`{"name": "Musée {n}", "country": "FR"}`),
	row("GET /api/v1/institutions/{id}", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/institutions/{id}", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("PATCH /api/v1/institutions/{id}", own, 401, 200, 200, 403, 403, 403, 403).with(`{"city": "Paris"}`),
	row("PATCH /api/v1/institutions/{id}", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"city": "Paris"}`),
	row("DELETE /api/v1/institutions/{id}", own, 401, 204, 403, 403, 403, 403, 403),
	row("DELETE /api/v1/institutions/{id}", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("POST /api/v1/institutions/{id}/restore", own, 401, 200, 403, 403, 403, 403, 403),
	row("POST /api/v1/institutions/{id}/restore", foreign, 401, 404, 404, 404, 404, 404, 404),

	row("GET /api/v1/institutions/{id}/accounts", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/institutions/{id}/accounts", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("POST /api/v1/institutions/{id}/accounts", own, 401, 201, 201, 403, 403, 403, 403).with(`{"platform": "weibo", "kind": "watched", "handle": "h{n}"}`),
	row("POST /api/v1/institutions/{id}/accounts", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"platform": "weibo", "kind": "watched", "handle": "h{n}"}`),
	row("GET /api/v1/accounts/{id}", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/accounts/{id}", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("PATCH /api/v1/accounts/{id}", own, 401, 200, 200, 403, 403, 403, 403).with(`{"display_name": "卢浮宫"}`),
	row("PATCH /api/v1/accounts/{id}", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"display_name": "卢浮宫"}`),
	row("DELETE /api/v1/accounts/{id}", own, 401, 204, 204, 403, 403, 403, 403),
	row("DELETE /api/v1/accounts/{id}", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("PUT /api/v1/accounts/{id}/credentials", own, 401, 204, 204, 403, 403, 403, 403).with(`{"appid": "wx{n}", "app_secret": "secret-{n}"}`),
	row("PUT /api/v1/accounts/{id}/credentials", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"appid": "wx{n}"}`),
	row("GET /api/v1/accounts/{id}/credentials", own, 401, 200, 200, 403, 403, 403, 403),
	row("GET /api/v1/accounts/{id}/credentials", foreign, 401, 404, 404, 404, 404, 404, 404),

	row("GET /api/v1/users", none, 401, 200, 403, 403, 403, 403, 403),
	row("POST /api/v1/users", none, 401, 201, 403, 403, 403, 403, 403).with(`{"email": "new{n}@example.org", "password": "correct-horse-battery", "memberships": [{"institution_id": {institution}, "role": "viewer"}]}`),
	row("GET /api/v1/users/{id}", own, 401, 200, 404, 404, 404, 404, 404),
	row("GET /api/v1/users/{id}", self, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/users/{id}", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("PATCH /api/v1/users/{id}", own, 401, 200, 404, 404, 404, 404, 404).with(`{"name": "Li Na"}`),
	row("PATCH /api/v1/users/{id}", self, 401, 200, 403, 403, 403, 403, 403).with(`{"name": "Li Na"}`),
	row("PATCH /api/v1/users/{id}", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"name": "Li Na"}`),

	row("GET /api/v1/tokens", none, 401, 200, 200, 200, 200, 200, 200),
	row("POST /api/v1/tokens", none, 401, 201, 201, 201, 201, 201, 201).with(`{"name": "script {n}"}`),
	row("DELETE /api/v1/tokens/{id}", own, 401, 204, 204, 204, 204, 204, 204),
	row("DELETE /api/v1/tokens/{id}", foreign, 401, 404, 404, 404, 404, 404, 404),

	// JSON API: platform connections (internal/api/platforms.go).
	row("GET /api/v1/accounts/{id}/connection", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/accounts/{id}/connection", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("POST /api/v1/accounts/{id}/connection/test", own, 401, 200, 200, 403, 403, 403, 403),
	row("POST /api/v1/accounts/{id}/connection/test", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("GET /api/v1/accounts/{id}/events", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/accounts/{id}/events", foreign, 401, 404, 404, 404, 404, 404, 404),

	// JSON API: barometer (internal/api/barometer.go). Editions are not per
	// institution: own is an edition id, foreign one that does not exist.
	row("GET /api/v1/barometer", none, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/barometer/compare", none, 401, 422, 422, 422, 422, 422, 422),
	row("GET /api/v1/barometer/editions", none, 401, 200, 200, 200, 200, 200, 200),
	row("POST /api/v1/barometer/editions", none, 401, 400, 400, 400, 400, 400, 400),
	row("POST /api/v1/barometer/import", none, 401, 422, 403, 403, 403, 403, 403),
	row("POST /api/v1/barometer/readings", none, 401, 400, 400, 400, 400, 400, 400),
	row("GET /api/v1/barometer/editions/{edition}", own, 401, 404, 404, 404, 404, 404, 404).at("/api/v1/barometer/editions/1"),
	row("GET /api/v1/barometer/editions/{edition}", foreign, 401, 404, 404, 404, 404, 404, 404).at("/api/v1/barometer/editions/987654321"),

	// WeChat push callbacks (internal/webhook): answered by signature, not by session.
	row("GET /wechat/callback/{account_id}", own, 404, 404, 404, 404, 404, 404, 404),
	row("GET /wechat/callback/{account_id}", foreign, 404, 404, 404, 404, 404, 404, 404),
	row("POST /wechat/callback/{account_id}", own, 404, 404, 404, 404, 404, 404, 404),
	row("POST /wechat/callback/{account_id}", foreign, 404, 404, 404, 404, 404, 404, 404),

	// Web UI (internal/web). A 303 after a POST is the redirect of a form, whether it
	// succeeded or not: the rows say who is turned away with 403 or 404 first.
	row("GET /static/{file}", own, 200, 200, 200, 200, 200, 200, 200).at("{static}"),
	row("GET /static/{file}", foreign, 404, 404, 404, 404, 404, 404, 404).at("/static/nope.css"),
	row("POST /login", none, 401, 401, 401, 401, 401, 401, 401).with("email=nobody{n}@example.org&password=wrong-password"),
	row("GET /", none, 303, 200, 200, 200, 200, 200, 200),
	row("POST /accounts/{id}", own, 303, 422, 422, 403, 403, 403, 403),
	row("POST /accounts/{id}", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("POST /accounts/{id}/archive", own, 303, 303, 303, 403, 403, 403, 403),
	row("POST /accounts/{id}/archive", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("GET /accounts/{id}/credentials", own, 303, 200, 200, 403, 403, 403, 403),
	row("GET /accounts/{id}/credentials", foreign, 303, 404, 404, 404, 404, 404, 404),
	// Platform connection pages (internal/web/connection.go).
	row("GET /accounts/{id}/connection", own, 303, 200, 200, 403, 403, 403, 403),
	row("GET /accounts/{id}/connection", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("POST /accounts/{id}/connection/test", own, 303, 200, 200, 403, 403, 403, 403),
	row("POST /accounts/{id}/connection/test", foreign, 303, 404, 404, 404, 404, 404, 404),
	// The account is a WeChat one: Weibo's OAuth refuses it with a message (303 back).
	row("POST /accounts/{id}/connection/weibo", own, 303, 303, 303, 403, 403, 403, 403),
	row("POST /accounts/{id}/connection/weibo", foreign, 303, 404, 404, 404, 404, 404, 404),
	// Without code and state the callback is refused.
	row("GET /oauth/weibo/callback", none, 303, 422, 422, 422, 422, 422, 422),
	row("POST /accounts/{id}/credentials", own, 303, 422, 422, 403, 403, 403, 403),
	row("POST /accounts/{id}/credentials", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("GET /accounts/{id}/edit", own, 303, 200, 200, 200, 200, 200, 200),
	row("GET /accounts/{id}/edit", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("POST /accounts/{id}/restore", own, 303, 303, 303, 403, 403, 403, 403),
	row("POST /accounts/{id}/restore", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("GET /barometer", none, 404, 404, 404, 404, 404, 404, 404),
	row("GET /barometer.csv", none, 404, 404, 404, 404, 404, 404, 404),
	row("GET /barometer.json", none, 404, 404, 404, 404, 404, 404, 404),
	row("GET /institutions", none, 303, 200, 200, 200, 200, 200, 200),
	row("POST /institutions", none, 303, 422, 403, 403, 403, 403, 403),
	row("GET /institutions/new", none, 303, 200, 200, 200, 200, 200, 200),
	row("GET /institutions/{id}", own, 303, 200, 200, 200, 200, 200, 200),
	row("GET /institutions/{id}", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("POST /institutions/{id}", own, 303, 422, 422, 403, 403, 403, 403),
	row("POST /institutions/{id}", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("POST /institutions/{id}/accounts", own, 303, 422, 422, 403, 403, 403, 403),
	row("POST /institutions/{id}/accounts", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("GET /institutions/{id}/accounts/new", own, 303, 200, 200, 200, 200, 200, 200),
	row("GET /institutions/{id}/accounts/new", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("POST /institutions/{id}/archive", own, 303, 303, 403, 403, 403, 403, 403),
	row("POST /institutions/{id}/archive", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("GET /institutions/{id}/edit", own, 303, 200, 200, 200, 200, 200, 200),
	row("GET /institutions/{id}/edit", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("POST /institutions/{id}/restore", own, 303, 303, 403, 403, 403, 403, 403),
	row("POST /institutions/{id}/restore", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("POST /language", none, 303, 303, 303, 303, 303, 303, 303),
	row("GET /login", none, 200, 303, 303, 303, 303, 303, 303),
	row("POST /logout", none, 303, 303, 303, 303, 303, 303, 303),
	row("GET /settings", none, 303, 200, 200, 200, 200, 200, 200),
	row("POST /settings/password", none, 303, 422, 422, 422, 422, 422, 422),
	row("POST /settings/sign-out-everywhere", none, 303, 303, 303, 303, 303, 303, 303),
	row("GET /setup", none, 403, 403, 403, 403, 403, 403, 403),
	row("POST /setup", none, 422, 422, 422, 422, 422, 422, 422),
	row("GET /tokens", none, 303, 200, 200, 200, 200, 200, 200),
	row("POST /tokens", none, 303, 201, 201, 201, 201, 201, 201),
	row("POST /tokens/{id}/revoke", own, 303, 303, 303, 303, 303, 303, 303),
	row("POST /tokens/{id}/revoke", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("GET /users", none, 303, 200, 403, 403, 403, 403, 403),
	row("POST /users", none, 303, 422, 403, 403, 403, 403, 403),
	row("GET /users/new", none, 303, 200, 403, 403, 403, 403, 403),
	row("POST /users/{id}", own, 303, 303, 404, 404, 404, 404, 404),
	row("POST /users/{id}", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("POST /users/{id}/disable", own, 303, 303, 404, 404, 404, 404, 404),
	row("POST /users/{id}/disable", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("GET /users/{id}/edit", own, 303, 200, 404, 404, 404, 404, 404),
	row("GET /users/{id}/edit", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("POST /users/{id}/enable", own, 303, 303, 404, 404, 404, 404, 404),
	row("POST /users/{id}/enable", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("GET /{$}", none, 303, 200, 200, 200, 200, 200, 200),
}

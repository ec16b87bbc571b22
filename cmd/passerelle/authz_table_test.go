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
	// Not served without a metrics token or address (TestMetricsOwnAddress).
	row("GET /metrics", none, 404, 404, 404, 404, 404, 404, 404),

	// JSON API: internal/api.
	row("GET /api/openapi.json", none, 200, 200, 200, 200, 200, 200, 200),
	// Unknown API paths: a JSON 404 whoever asks.
	row("GET /api/", none, 404, 404, 404, 404, 404, 404, 404).at("/api/v9/nothing"),
	row("POST /api/", none, 404, 404, 404, 404, 404, 404, 404).at("/api/v9/nothing"),
	row("PUT /api/", none, 404, 404, 404, 404, 404, 404, 404).at("/api/v1/institutions"),
	row("PATCH /api/", none, 404, 404, 404, 404, 404, 404, 404).at("/api/v9/nothing"),
	row("DELETE /api/", none, 404, 404, 404, 404, 404, 404, 404).at("/api/v9/nothing"),
	// Methods no API route takes: a JSON 405 whoever asks, on any API path.
	row("OPTIONS /api/", none, 405, 405, 405, 405, 405, 405, 405).at("/api/v1/institutions"),
	row("TRACE /api/", none, 405, 405, 405, 405, 405, 405, 405).at("/api/v1/me"),
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
	row("POST /api/v1/followers/erase", none, 401, 200, 403, 403, 403, 403, 403).with(`{"openid": "oFollower{n}"}`),
	row("GET /api/v1/audit", none, 401, 200, 403, 403, 403, 403, 403).at("/api/v1/audit?from=2020-01-01&to=2099-01-01"),
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

	// JSON API: partnerships and networks (internal/api/partners.go). The directory is
	// the organization's: everyone with a role reads it, those who may schedule keep it.
	row("GET /api/v1/partners", none, 401, 200, 200, 200, 200, 200, 200),
	row("POST /api/v1/partners", none, 401, 201, 201, 201, 403, 403, 403).with(`{"name": "Partenaire {n}", "kind": "museum"}`),
	// An empty file: refused as such by those who may import.
	row("POST /api/v1/partners/import", none, 401, 422, 422, 422, 403, 403, 403),
	row("GET /api/v1/partners/{id}", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/partners/{id}", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("PATCH /api/v1/partners/{id}", own, 401, 200, 200, 200, 403, 403, 403).with(`{"contacts": "wechat: p{n}"}`),
	row("PATCH /api/v1/partners/{id}", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"contacts": "wechat: p{n}"}`),
	row("GET /api/v1/partners/{id}/history", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/partners/{id}/history", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("GET /api/v1/campaigns", none, 401, 200, 200, 200, 200, 200, 200),
	row("POST /api/v1/campaigns", none, 401, 201, 201, 201, 403, 403, 403).with(`{"post_id": {post}, "partner_ids": [{partner}]}`),
	row("GET /api/v1/campaigns/{id}", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/campaigns/{id}", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("PATCH /api/v1/campaigns/{id}", own, 401, 200, 200, 200, 403, 403, 403).with(`{"own_views": 1000}`),
	row("PATCH /api/v1/campaigns/{id}", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"own_views": 1000}`),
	row("PATCH /api/v1/campaigns/{id}/relays/{partner_id}", own, 401, 200, 200, 200, 403, 403, 403).with(`{"status": "accepted"}`),
	row("PATCH /api/v1/campaigns/{id}/relays/{partner_id}", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"status": "accepted"}`),
	row("POST /api/v1/campaigns/{id}/relays/{partner_id}/reminder", own, 401, 200, 200, 200, 403, 403, 403),
	row("POST /api/v1/campaigns/{id}/relays/{partner_id}/reminder", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("DELETE /api/v1/campaigns/{id}/relays/{partner_id}/link", own, 401, 204, 204, 204, 403, 403, 403),
	row("DELETE /api/v1/campaigns/{id}/relays/{partner_id}/link", foreign, 401, 404, 404, 404, 404, 404, 404),
	// The partner link: whoever holds it, signed in or not; a changed token is 404.
	row("GET /api/v1/relay/{token}", own, 200, 200, 200, 200, 200, 200, 200).at("/api/v1/relay/{relay}"),
	row("GET /api/v1/relay/{token}", foreign, 404, 404, 404, 404, 404, 404, 404).at("/api/v1/relay/{relay}x"),
	row("POST /api/v1/relay/{token}", own, 200, 200, 200, 200, 200, 200, 200).at("/api/v1/relay/{relay}").with(`{"status": "accepted"}`),
	row("POST /api/v1/relay/{token}", foreign, 404, 404, 404, 404, 404, 404, 404).at("/api/v1/relay/{relay}x").with(`{"status": "accepted"}`),
	row("GET /api/v1/live-events", none, 401, 200, 200, 200, 200, 200, 200),
	row("POST /api/v1/institutions/{id}/live-events", own, 401, 201, 201, 201, 403, 403, 403).with(`{"platform": "weibo", "starts_at": "{future}", "title_zh": "直播"}`),
	row("POST /api/v1/institutions/{id}/live-events", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"platform": "weibo", "starts_at": "{future}", "title_zh": "直播"}`),
	row("GET /api/v1/live-events/{id}", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/live-events/{id}", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("PATCH /api/v1/live-events/{id}", own, 401, 200, 200, 200, 403, 403, 403).with(`{"total_viewers": 70000}`),
	row("PATCH /api/v1/live-events/{id}", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"total_viewers": 70000}`),
	row("GET /api/v1/accounts/{id}/members", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/accounts/{id}/members", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("PUT /api/v1/accounts/{id}/members", own, 401, 200, 200, 403, 403, 403, 403).with(`{"institution_ids": [{institution}]}`),
	row("PUT /api/v1/accounts/{id}/members", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"institution_ids": []}`),
	row("GET /api/v1/accounts/{id}/network", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/accounts/{id}/network", foreign, 401, 404, 404, 404, 404, 404, 404),

	// JSON API: platform connections (internal/api/platforms.go).
	row("GET /api/v1/accounts/{id}/connection", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/accounts/{id}/connection", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("POST /api/v1/accounts/{id}/connection/test", own, 401, 200, 200, 403, 403, 403, 403),
	row("POST /api/v1/accounts/{id}/connection/test", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("GET /api/v1/accounts/{id}/events", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/accounts/{id}/events", foreign, 401, 404, 404, 404, 404, 404, 404),

	// JSON API: visitor pages (internal/api/visit.go). Writers create; editors and up
	// publish.
	row("POST /api/v1/institutions/{id}/tours", own, 401, 201, 201, 201, 201, 403, 403).with(`{"title_zh": "导览 {n}"}`),
	row("POST /api/v1/institutions/{id}/tours", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"title_zh": "导览 {n}"}`),
	row("GET /api/v1/tours/{id}", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/tours/{id}", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("POST /api/v1/tours/{id}/stops", own, 401, 201, 201, 201, 201, 403, 403).with(`{"number": 1, "title_zh": "第一站"}`),
	row("POST /api/v1/tours/{id}/stops", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"number": 1, "title_zh": "第一站"}`),
	row("POST /api/v1/tours/{id}/publish", own, 401, 200, 200, 200, 403, 403, 403),
	row("POST /api/v1/tours/{id}/publish", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("POST /api/v1/tours/{id}/unpublish", own, 401, 200, 200, 200, 403, 403, 403),
	row("POST /api/v1/tours/{id}/unpublish", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("POST /api/v1/institutions/{id}/exhibitions", own, 401, 201, 201, 201, 201, 403, 403).with(`{"title_zh": "展览 {n}", "rooms": []}`),
	row("POST /api/v1/institutions/{id}/exhibitions", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"title_zh": "展览 {n}", "rooms": []}`),
	row("POST /api/v1/exhibitions/{id}/publish", own, 401, 200, 200, 200, 403, 403, 403),
	row("POST /api/v1/exhibitions/{id}/publish", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("POST /api/v1/exhibitions/{id}/unpublish", own, 401, 200, 200, 200, 403, 403, 403),
	row("POST /api/v1/exhibitions/{id}/unpublish", foreign, 401, 404, 404, 404, 404, 404, 404),
	// JSON API: the WeChat service desk (internal/api/desk.go). Placements, replies
	// and the menu are kept by managers; writers answer the inbox; every member reads.
	// The fixture's account has no credentials: managers get 422 where WeChat is called.
	row("GET /api/v1/institutions/{id}/placements", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/institutions/{id}/placements", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("POST /api/v1/institutions/{id}/placements", own, 401, 422, 422, 403, 403, 403, 403).with(`{"account_id": {account}, "name": "Entrance", "key": "k{n}"}`),
	row("POST /api/v1/institutions/{id}/placements", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"account_id": {account}, "name": "Entrance", "key": "k{n}"}`),
	row("GET /api/v1/institutions/{id}/placements/stats", own, 401, 422, 422, 422, 422, 422, 422),
	row("GET /api/v1/institutions/{id}/placements/stats", own, 401, 200, 200, 200, 200, 200, 200).at("/api/v1/institutions/{institution}/placements/stats?from=2030-01-01&to=2030-01-31"),
	row("GET /api/v1/institutions/{id}/placements/stats", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("GET /api/v1/placements/{id}", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/placements/{id}", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("DELETE /api/v1/placements/{id}", own, 401, 204, 204, 403, 403, 403, 403),
	row("DELETE /api/v1/placements/{id}", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("GET /api/v1/placements/{id}/qr.png", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/placements/{id}/qr.png", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("GET /api/v1/placements/{id}/qr.svg", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/placements/{id}/qr.svg", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("GET /api/v1/accounts/{id}/replies", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/accounts/{id}/replies", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("POST /api/v1/accounts/{id}/replies", own, 401, 201, 201, 403, 403, 403, 403).with(`{"keywords": ["开放时间"], "text": "9:30–18:00"}`),
	row("POST /api/v1/accounts/{id}/replies", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"keywords": ["开放时间"], "text": "9:30–18:00"}`),
	row("DELETE /api/v1/accounts/{id}/replies/{rule}", own, 401, 204, 204, 403, 403, 403, 403),
	row("DELETE /api/v1/accounts/{id}/replies/{rule}", foreign, 401, 404, 404, 404, 404, 404, 404),
	// No menu was pushed on the fixture's account.
	row("GET /api/v1/accounts/{id}/menu", own, 401, 404, 404, 404, 404, 404, 404),
	row("GET /api/v1/accounts/{id}/menu", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("PUT /api/v1/accounts/{id}/menu", own, 401, 422, 422, 403, 403, 403, 403).with(`{"button": [{"type": "click", "name": "开放", "key": "hours"}]}`),
	row("PUT /api/v1/accounts/{id}/menu", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"button": [{"type": "click", "name": "开放", "key": "hours"}]}`),
	row("GET /api/v1/accounts/{id}/conversations", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/accounts/{id}/conversations", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("GET /api/v1/conversations/{id}", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/conversations/{id}", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("PATCH /api/v1/conversations/{id}", own, 401, 200, 200, 200, 200, 403, 403).with(`{"status": "closed"}`),
	row("PATCH /api/v1/conversations/{id}", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"status": "closed"}`),
	row("POST /api/v1/conversations/{id}/replies", own, 401, 422, 422, 422, 422, 403, 403).with(`{"text": "您好"}`),
	row("POST /api/v1/conversations/{id}/replies", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"text": "您好"}`),

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

	// JSON API: editorial (internal/api/posts.go, glossary.go, media.go, calendar.go).
	// Writers are editors and translators; reviewers approve; editors schedule; the
	// vocabulary and the organization's themes are kept by managers and owners.
	row("GET /api/v1/posts", none, 401, 200, 200, 200, 200, 200, 200),
	row("POST /api/v1/posts", none, 401, 201, 201, 201, 201, 403, 403).with(`{"institution_id": {institution}, "title": "Degas {n}", "theme": "collection", "source_lang": "fr", "source_text": "Edgar Degas", "text_zh": "德加", "publications": [{"account_id": {account}, "format": "article", "wechat": {"title": "德加", "author": "奥赛", "digest": "舞者"}}]}`),
	row("GET /api/v1/posts/{id}", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/posts/{id}", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("PATCH /api/v1/posts/{id}", own, 401, 200, 200, 200, 200, 403, 403).with(`{"title": "Degas {n}"}`),
	row("PATCH /api/v1/posts/{id}", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"title": "Degas {n}"}`),
	row("DELETE /api/v1/posts/{id}", own, 401, 204, 204, 204, 204, 403, 403),
	row("DELETE /api/v1/posts/{id}", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("POST /api/v1/posts/{id}/checks", own, 401, 200, 200, 200, 200, 200, 200),
	row("POST /api/v1/posts/{id}/checks", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("POST /api/v1/posts/{id}/transitions", own, 401, 200, 200, 200, 200, 403, 403).with(`{"to": "review"}`),
	row("POST /api/v1/posts/{id}/transitions", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"to": "review"}`),
	row("GET /api/v1/posts/{id}/history", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/posts/{id}/history", foreign, 401, 404, 404, 404, 404, 404, 404),
	// Whoever sees a post may comment on it.
	row("GET /api/v1/posts/{id}/comments", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/posts/{id}/comments", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("POST /api/v1/posts/{id}/comments", own, 401, 201, 201, 201, 201, 201, 201).with(`{"body": "Bravo {n}"}`),
	row("POST /api/v1/posts/{id}/comments", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"body": "Bravo {n}"}`),
	row("GET /api/v1/posts/{id}/guest-links", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/posts/{id}/guest-links", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("POST /api/v1/posts/{id}/guest-links", own, 401, 201, 201, 201, 201, 201, 403).with(`{"label": "Mme Martin"}`),
	row("POST /api/v1/posts/{id}/guest-links", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"label": "Mme Martin"}`),
	row("DELETE /api/v1/posts/{id}/guest-links/{link}", own, 401, 204, 204, 204, 204, 204, 403),
	row("DELETE /api/v1/posts/{id}/guest-links/{link}", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("PUT /api/v1/publications/{id}/schedule", own, 401, 200, 200, 200, 403, 403, 403).with(`{"scheduled_at": "{future}"}`),
	row("PUT /api/v1/publications/{id}/schedule", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"scheduled_at": "{future}"}`),
	// Publishing: the target's post is a draft, so publishing roles get 409.
	row("GET /api/v1/publications", none, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/publications/{id}", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/publications/{id}", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("POST /api/v1/publications/{id}/publish-now", own, 401, 409, 409, 409, 403, 403, 403),
	row("POST /api/v1/publications/{id}/publish-now", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("POST /api/v1/publications/{id}/mark-published", own, 401, 409, 409, 409, 403, 403, 403).with(`{"url": "https://m.weibo.cn/status/4890123456789012"}`),
	row("POST /api/v1/publications/{id}/mark-published", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"url": "https://m.weibo.cn/status/4890123456789012"}`),
	row("POST /api/v1/publications/{id}/resolve", own, 401, 409, 409, 409, 403, 403, 403).with(`{"outcome": "not_published"}`),
	row("POST /api/v1/publications/{id}/resolve", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"outcome": "not_published"}`),
	// Analytics (internal/api/analytics.go): anyone who sees the institution reads its
	// figures; writers record readings and import files (the target account has no
	// published post, so an import is refused row by row: 422).
	row("GET /api/v1/analytics/institutions/{id}", own, 401, 200, 200, 200, 200, 200, 200).at("/api/v1/analytics/institutions/{institution}?from=2026-11-01&to=2026-11-30"),
	row("GET /api/v1/analytics/institutions/{id}", foreign, 401, 404, 404, 404, 404, 404, 404).at("/api/v1/analytics/institutions/{institution}?from=2026-11-01&to=2026-11-30"),
	row("GET /api/v1/analytics/organization", none, 401, 200, 200, 200, 200, 200, 200).at("/api/v1/analytics/organization?from=2026-11-01&to=2026-11-30"),
	row("GET /api/v1/reports/institutions/{id}", own, 401, 200, 200, 200, 200, 200, 200).at("/api/v1/reports/institutions/{institution}?from=2026-11-01&to=2026-11-30&format=csv"),
	row("GET /api/v1/reports/institutions/{id}", foreign, 401, 404, 404, 404, 404, 404, 404).at("/api/v1/reports/institutions/{institution}?from=2026-11-01&to=2026-11-30&format=csv"),
	row("GET /api/v1/reports/organization", none, 401, 200, 200, 200, 200, 200, 200).at("/api/v1/reports/organization?from=2026-11-01&to=2026-11-30&format=xlsx"),
	row("GET /reports/report.css", none, 200, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/publications/{id}/snapshots", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/publications/{id}/snapshots", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("POST /api/v1/publications/{id}/snapshots", own, 401, 201, 201, 201, 201, 403, 403).with(`{"likes": 5}`),
	row("POST /api/v1/publications/{id}/snapshots", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"likes": 5}`),
	row("POST /api/v1/accounts/{id}/metrics/import", own, 401, 422, 422, 422, 422, 403, 403),
	row("POST /api/v1/accounts/{id}/metrics/import", foreign, 401, 404, 404, 404, 404, 404, 404),
	// Collection (internal/api/collection.go): everyone reads the settings and an
	// account's state; owners change the settings.
	row("GET /api/v1/analytics/collection-settings", none, 401, 200, 200, 200, 200, 200, 200),
	row("PUT /api/v1/analytics/collection-settings", none, 401, 200, 403, 403, 403, 403, 403).with(`{"hours": [1, 3, 6, 12, 24], "weibo_days": 10, "wechat_days": 7, "weibo_reads_per_hour": 150, "wechat_calls_per_day": 500}`),
	row("GET /api/v1/accounts/{id}/collection", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/accounts/{id}/collection", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("GET /api/v1/notifications", none, 401, 200, 200, 200, 200, 200, 200),
	row("POST /api/v1/notifications/read", none, 401, 204, 204, 204, 204, 204, 204).with(`{"id": 0}`),

	// Guest review links are public: the signed token is the permission, whoever
	// holds it. Own is a valid link of a post waiting for review (for decisions); a
	// tampered token answers 404 whoever asks.
	row("GET /api/v1/guest/{token}", own, 200, 200, 200, 200, 200, 200, 200).at("/api/v1/guest/{guest}"),
	row("GET /api/v1/guest/{token}", foreign, 404, 404, 404, 404, 404, 404, 404).at("/api/v1/guest/{guest}x"),
	row("POST /api/v1/guest/{token}/decision", own, 200, 200, 200, 200, 200, 200, 200).at("/api/v1/guest/{guest}/decision").with(`{"to": "approved", "name": "Claire"}`),
	row("POST /api/v1/guest/{token}/decision", foreign, 404, 404, 404, 404, 404, 404, 404).at("/api/v1/guest/{guest}x/decision").with(`{"to": "approved", "name": "Claire"}`),
	row("POST /api/v1/guest/{token}/comments", own, 201, 201, 201, 201, 201, 201, 201).at("/api/v1/guest/{guest}/comments").with(`{"body": "Très bien", "name": "Claire"}`),
	row("POST /api/v1/guest/{token}/comments", foreign, 404, 404, 404, 404, 404, 404, 404).at("/api/v1/guest/{guest}x/comments").with(`{"body": "Très bien", "name": "Claire"}`),
	row("GET /api/v1/guest/{token}/media/{media}/{spec}", own, 200, 200, 200, 200, 200, 200, 200).at("/api/v1/guest/{guest}/media/{media}/ui_thumb"),
	row("GET /api/v1/guest/{token}/media/{media}/{spec}", foreign, 404, 404, 404, 404, 404, 404, 404).at("/api/v1/guest/{guest}x/media/{media}/ui_thumb"),

	// The glossary: the organization's (institution_id null) is written by anyone who
	// writes somewhere, an institution's by its writers.
	row("GET /api/v1/glossary", none, 401, 200, 200, 200, 200, 200, 200),
	row("POST /api/v1/glossary", none, 401, 201, 201, 201, 201, 403, 403).with(`{"source": "Edgar Degas {n}", "zh": "德加", "institution_id": {institution}}`),
	row("PATCH /api/v1/glossary/{id}", own, 401, 200, 200, 200, 200, 403, 403).with(`{"zh": "德加"}`),
	row("PATCH /api/v1/glossary/{id}", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"zh": "德加"}`),
	row("DELETE /api/v1/glossary/{id}", own, 401, 204, 204, 204, 204, 403, 403),
	row("DELETE /api/v1/glossary/{id}", foreign, 401, 404, 404, 404, 404, 404, 404),
	// Without a file the import is refused (422) to those allowed to import.
	row("POST /api/v1/glossary/import", none, 401, 422, 422, 422, 422, 403, 403),
	row("GET /api/v1/glossary/export", none, 401, 200, 200, 200, 200, 200, 200),
	// The vocabulary is the organization's: every member reads it, its managers
	// change it. Those who may not change it are refused before any lookup (403), so
	// a foreign entry tells them nothing either.
	row("GET /api/v1/lexicon", none, 401, 200, 200, 200, 200, 200, 200),
	row("POST /api/v1/lexicon", none, 401, 201, 201, 403, 403, 403, 403).with(`{"term": "词{n}", "severity": "warn"}`),
	row("DELETE /api/v1/lexicon/{id}", own, 401, 204, 204, 403, 403, 403, 403),
	row("DELETE /api/v1/lexicon/{id}", foreign, 401, 404, 404, 403, 403, 403, 403),
	row("POST /api/v1/lexicon/import", none, 401, 422, 422, 403, 403, 403, 403),
	row("GET /api/v1/lexicon/export", none, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/themes", none, 401, 200, 200, 200, 200, 200, 200),
	row("PUT /api/v1/themes", none, 401, 200, 403, 403, 403, 403, 403).with(`{"themes": ["collection", "history", "exhibition", "event"]}`),
	row("PUT /api/v1/institutions/{id}/editorial", own, 401, 200, 200, 403, 403, 403, 403).with(`{"two_step_approval": false}`),
	row("PUT /api/v1/institutions/{id}/editorial", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"two_step_approval": false}`),

	// Media library. An empty upload is refused as an unsupported type (415) to
	// writers.
	row("GET /api/v1/institutions/{id}/media", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/institutions/{id}/media", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("POST /api/v1/institutions/{id}/media", own, 401, 415, 415, 415, 415, 403, 403),
	row("POST /api/v1/institutions/{id}/media", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("GET /api/v1/media/{id}", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/media/{id}", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("PATCH /api/v1/media/{id}", own, 401, 200, 200, 200, 200, 403, 403).with(`{"alt_zh": "舞者"}`),
	row("PATCH /api/v1/media/{id}", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"alt_zh": "舞者"}`),
	row("GET /api/v1/media/{id}/file", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/media/{id}/file", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("GET /api/v1/media/{id}/renditions/{spec}", own, 401, 200, 200, 200, 200, 200, 200).at("/api/v1/media/{media}/renditions/ui_thumb"),
	row("GET /api/v1/media/{id}/renditions/{spec}", foreign, 401, 404, 404, 404, 404, 404, 404).at("/api/v1/media/{media}/renditions/ui_thumb"),

	// Calendar: from and to are required; without institution_id it spans every
	// institution the caller sees.
	row("GET /api/v1/calendar", none, 401, 422, 422, 422, 422, 422, 422),
	row("GET /api/v1/calendar", none, 401, 200, 200, 200, 200, 200, 200).at("/api/v1/calendar?from=2030-01-01&to=2030-01-31"),
	row("GET /api/v1/calendar", own, 401, 200, 200, 200, 200, 200, 200).at("/api/v1/calendar?institution_id={institution}&from=2030-01-01&to=2030-01-31"),
	row("GET /api/v1/calendar", foreign, 401, 404, 404, 404, 404, 404, 404).at("/api/v1/calendar?institution_id={institution}&from=2030-01-01&to=2030-01-31"),
	row("PUT /api/v1/accounts/{id}/cadence", own, 401, 200, 200, 200, 403, 403, 403).with(`{"min_per_week": 1, "max_per_week": 3}`),
	row("PUT /api/v1/accounts/{id}/cadence", foreign, 401, 404, 404, 404, 404, 404, 404).with(`{"min_per_week": 1, "max_per_week": 3}`),

	// WeChat push callbacks (internal/webhook): answered by signature, not by session.
	row("GET /wechat/callback/{account_id}", own, 404, 404, 404, 404, 404, 404, 404),
	row("GET /wechat/callback/{account_id}", foreign, 404, 404, 404, 404, 404, 404, 404),
	row("POST /wechat/callback/{account_id}", own, 404, 404, 404, 404, 404, 404, 404),
	row("POST /wechat/callback/{account_id}", foreign, 404, 404, 404, 404, 404, 404, 404),

	// Web UI (internal/web). A 303 after a POST is the redirect of a form, whether it
	// succeeded or not: the rows say who is turned away with 403 or 404 first.
	row("GET /static/{file}", own, 200, 200, 200, 200, 200, 200, 200).at("{static}"),
	row("GET /static/{file}", foreign, 404, 404, 404, 404, 404, 404, 404).at("/static/nope.css"),
	row("GET /favicon.ico", none, 200, 200, 200, 200, 200, 200, 200),
	row("POST /login", none, 401, 401, 401, 401, 401, 401, 401).with("email=nobody{n}@example.org&password=wrong-password"),
	row("GET /", none, 303, 200, 200, 200, 200, 200, 200),
	row("POST /accounts/{id}", own, 303, 422, 422, 403, 403, 403, 403),
	row("POST /accounts/{id}", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("POST /accounts/{id}/archive", own, 303, 303, 303, 403, 403, 403, 403),
	row("POST /accounts/{id}/archive", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("GET /accounts/{id}/credentials", own, 303, 200, 200, 403, 403, 403, 403),
	row("GET /accounts/{id}/credentials", foreign, 303, 404, 404, 404, 404, 404, 404),
	// The WeChat service desk pages (internal/web/desk.go): every member sees them;
	// managers add placements and replies, writers answer. The fixture's account has no
	// credentials: creating a placement or answering is refused with the form (422).
	row("GET /accounts/{id}/desk", own, 303, 200, 200, 200, 200, 200, 200),
	row("GET /accounts/{id}/desk", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("POST /accounts/{id}/placements", own, 303, 422, 422, 403, 403, 403, 403).with("name=Entrance&key=k{n}"),
	row("POST /accounts/{id}/placements", foreign, 303, 404, 404, 404, 404, 404, 404).with("name=Entrance&key=k{n}"),
	row("POST /accounts/{id}/replies", own, 303, 303, 303, 403, 403, 403, 403).with("keywords=开放时间&match=contains&text=9:30"),
	row("POST /accounts/{id}/replies", foreign, 303, 404, 404, 404, 404, 404, 404).with("keywords=开放时间&match=contains&text=9:30"),
	row("GET /placements/{id}/qr.png", own, 303, 200, 200, 200, 200, 200, 200),
	row("GET /placements/{id}/qr.png", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("GET /placements/{id}/qr.svg", own, 303, 200, 200, 200, 200, 200, 200),
	row("GET /placements/{id}/qr.svg", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("GET /conversations/{id}", own, 303, 200, 200, 200, 200, 200, 200),
	row("GET /conversations/{id}", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("POST /conversations/{id}/reply", own, 303, 422, 422, 422, 422, 403, 403).with("text=您好"),
	row("POST /conversations/{id}/reply", foreign, 303, 404, 404, 404, 404, 404, 404).with("text=您好"),
	// Platform connection pages (internal/web/connection.go).
	row("GET /accounts/{id}/connection", own, 303, 200, 200, 403, 403, 403, 403),
	row("GET /accounts/{id}/connection", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("POST /accounts/{id}/connection/test", own, 303, 200, 200, 403, 403, 403, 403),
	row("POST /accounts/{id}/connection/test", foreign, 303, 404, 404, 404, 404, 404, 404),
	// The account is a WeChat one: Weibo's OAuth refuses it with a message (303 back).
	row("POST /accounts/{id}/connection/weibo", own, 303, 303, 303, 403, 403, 403, 403),
	row("POST /accounts/{id}/connection/weibo", foreign, 303, 404, 404, 404, 404, 404, 404),
	// Only in the demo (the simulator plays the scans): not found elsewhere.
	row("POST /accounts/{id}/connection/demo-scan", own, 303, 404, 404, 404, 404, 404, 404),
	row("POST /accounts/{id}/connection/demo-scan", foreign, 303, 404, 404, 404, 404, 404, 404),
	// Without code and state the callback is refused.
	row("GET /oauth/weibo/callback", none, 303, 422, 422, 422, 422, 422, 422),
	row("POST /accounts/{id}/credentials", own, 303, 422, 422, 403, 403, 403, 403),
	row("POST /accounts/{id}/credentials", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("GET /accounts/{id}/edit", own, 303, 200, 200, 200, 200, 200, 200),
	row("GET /accounts/{id}/edit", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("POST /accounts/{id}/restore", own, 303, 303, 303, 403, 403, 403, 403),
	row("POST /accounts/{id}/restore", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("GET /barometer", none, 404, 404, 404, 404, 404, 404, 404),
	// Visitor pages (internal/visit): public, addressed by random tokens. Own: a
	// published tour or exhibition of the organization; foreign: a guessed address,
	// a bare 404 whoever asks.
	row("GET /v/t/{token}", own, 200, 200, 200, 200, 200, 200, 200).at("{tourpage}"),
	row("GET /v/t/{token}", foreign, 404, 404, 404, 404, 404, 404, 404).at("/v/t/aaaaaaaaaaaaaaaaaaaa"),
	row("GET /v/t/{token}/go", own, 303, 303, 303, 303, 303, 303, 303).at("{tourpage}/go?n=7"),
	row("GET /v/t/{token}/go", foreign, 303, 303, 303, 303, 303, 303, 303).at("/v/t/aaaaaaaaaaaaaaaaaaaa/go?n=7"),
	row("GET /v/t/{token}/{n}", own, 200, 200, 200, 200, 200, 200, 200).at("{tourpage}/7"),
	row("GET /v/t/{token}/{n}", foreign, 404, 404, 404, 404, 404, 404, 404).at("/v/t/aaaaaaaaaaaaaaaaaaaa/7"),
	row("GET /v/e/{token}", own, 200, 200, 200, 200, 200, 200, 200).at("{exhibitionpage}"),
	row("GET /v/e/{token}", foreign, 404, 404, 404, 404, 404, 404, 404).at("/v/e/aaaaaaaaaaaaaaaaaaaa"),
	row("GET /v/audio/{file}", own, 200, 200, 200, 200, 200, 200, 200).at("{touraudio}"),
	row("GET /v/audio/{file}", foreign, 404, 404, 404, 404, 404, 404, 404).at("/v/audio/0000000000000000000000000000000000000000000000000000000000000000.mp3"),
	row("GET /v/img/{file}", own, 404, 404, 404, 404, 404, 404, 404).at("/v/img/{media}.png"),
	row("GET /v/img/{file}", foreign, 404, 404, 404, 404, 404, 404, 404).at("/v/img/0000000000000000000000000000000000000000000000000000000000000000.jpg"),
	row("GET /v/static/{file}", own, 404, 404, 404, 404, 404, 404, 404).at("/v/static/nothing.css"),
	row("GET /v/static/{file}", foreign, 404, 404, 404, 404, 404, 404, 404).at("/v/static/visit.css"),
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
	row("POST /institutions/{id}/approval", own, 303, 303, 303, 403, 403, 403, 403),
	row("POST /institutions/{id}/approval", foreign, 303, 404, 404, 404, 404, 404, 404),
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
	row("GET /audit", none, 303, 200, 403, 403, 403, 403, 403),
	row("GET /audit.csv", none, 303, 200, 403, 403, 403, 403, 403),
	row("GET /organization/export.zip", none, 303, 200, 403, 403, 403, 403, 403),
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

	// Editorial pages (internal/web/post_form.go, post_workflow.go, review.go,
	// glossary.go, media_library.go, calendar.go). Forms sent without their fields are
	// refused with a message (303 back, or 422), so the rows show who is turned away
	// with 403 or 404 before that.
	row("GET /posts", none, 303, 200, 200, 200, 200, 200, 200),
	row("GET /posts/new", none, 303, 200, 200, 200, 200, 403, 403),
	// Without an institution the form names nothing: not found.
	row("POST /posts", none, 303, 404, 404, 404, 404, 404, 404),
	row("GET /posts/{id}", own, 303, 200, 200, 200, 200, 200, 200),
	row("GET /posts/{id}", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("POST /posts/{id}", own, 303, 422, 422, 422, 422, 403, 403),
	row("POST /posts/{id}", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("GET /posts/{id}/history", own, 303, 200, 200, 200, 200, 200, 200),
	row("GET /posts/{id}/history", foreign, 303, 404, 404, 404, 404, 404, 404),
	// The framed WeChat body of a preview; the target post has no WeChat publication.
	row("GET /posts/{id}/article", own, 303, 404, 404, 404, 404, 404, 404),
	row("GET /posts/{id}/article", foreign, 303, 404, 404, 404, 404, 404, 404),
	// The composer's live WeChat preview: an empty frame under the article policy, for any
	// signed-in member (the body is written into it by the page).
	row("GET /article-frame", none, 303, 200, 200, 200, 200, 200, 200),
	// Live checks of the editor's form: nothing is saved, whoever sees the post may.
	row("POST /posts/{id}/check", own, 303, 200, 200, 200, 200, 200, 200),
	row("POST /posts/{id}/check", foreign, 303, 404, 404, 404, 404, 404, 404),
	// The same for the form of a new post: only those who may write posts there.
	row("POST /institutions/{id}/posts/check", own, 303, 200, 200, 200, 200, 403, 403).with(`title=Bravo`),
	row("POST /institutions/{id}/posts/check", foreign, 303, 404, 404, 404, 404, 404, 404).with(`title=Bravo`),
	row("POST /posts/{id}/comments", own, 303, 303, 303, 303, 303, 303, 303).with(`body=Bravo`),
	row("POST /posts/{id}/comments", foreign, 303, 404, 404, 404, 404, 404, 404).with(`body=Bravo`),
	row("POST /posts/{id}/delete", own, 303, 303, 303, 303, 303, 403, 403),
	row("POST /posts/{id}/delete", foreign, 303, 404, 404, 404, 404, 404, 404),
	// Post/Redirect/Get: the new link is shown once after the redirect.
	row("POST /posts/{id}/guest-links", own, 303, 303, 303, 303, 303, 303, 403).with(`label=Mme+Martin&days=3`),
	row("POST /posts/{id}/guest-links", foreign, 303, 404, 404, 404, 404, 404, 404).with(`label=Mme+Martin&days=3`),
	row("POST /posts/{id}/guest-links/{link}/revoke", own, 303, 303, 303, 303, 303, 303, 403),
	row("POST /posts/{id}/guest-links/{link}/revoke", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("POST /posts/{id}/transition", own, 303, 303, 303, 303, 303, 403, 403).with(`to=review`),
	row("POST /posts/{id}/transition", foreign, 303, 404, 404, 404, 404, 404, 404).with(`to=review`),
	row("POST /publications/{id}/schedule", own, 303, 303, 303, 303, 403, 403, 403).with(`at={futurelocal}`),
	row("POST /publications/{id}/schedule", foreign, 303, 404, 404, 404, 404, 404, 404).with(`at={futurelocal}`),
	// Publishing pages (internal/web/publishing.go): the target's post is a draft, so
	// the actions answer with the engine's refusal as a flash (303); the kit is read by
	// anyone who sees the publication.
	row("POST /publications/{id}/publish-now", own, 303, 303, 303, 303, 403, 403, 403),
	row("POST /publications/{id}/publish-now", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("POST /publications/{id}/mark-published", own, 303, 303, 303, 303, 403, 403, 403).with("url=https://m.weibo.cn/status/4890123456789012"),
	row("POST /publications/{id}/mark-published", foreign, 303, 404, 404, 404, 404, 404, 404).with("url=https://m.weibo.cn/status/4890123456789012"),
	row("POST /publications/{id}/resolve", own, 303, 303, 303, 303, 403, 403, 403).with("outcome=not_published"),
	row("POST /publications/{id}/resolve", foreign, 303, 404, 404, 404, 404, 404, 404).with("outcome=not_published"),
	// Analytics pages (internal/web/analytics.go).
	row("GET /institutions/{id}/analytics", own, 303, 200, 200, 200, 200, 200, 200),
	row("GET /institutions/{id}/analytics", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("GET /institutions/{id}/analytics/chart.csv", own, 303, 200, 200, 200, 200, 200, 200).at("/institutions/{institution}/analytics/chart.csv?chart=format"),
	row("GET /institutions/{id}/analytics/chart.csv", foreign, 303, 404, 404, 404, 404, 404, 404).at("/institutions/{institution}/analytics/chart.csv?chart=format"),
	row("GET /institutions/{id}/analytics/report", own, 303, 200, 200, 200, 200, 200, 200).at("/institutions/{institution}/analytics/report?format=xlsx"),
	row("GET /institutions/{id}/analytics/report", foreign, 303, 404, 404, 404, 404, 404, 404).at("/institutions/{institution}/analytics/report?format=xlsx"),
	row("GET /publications/{id}/kit", own, 303, 200, 200, 200, 200, 200, 200),
	row("GET /publications/{id}/kit", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("GET /publications/{id}/kit/images.zip", own, 303, 200, 200, 200, 200, 200, 200),
	row("GET /publications/{id}/kit/images.zip", foreign, 303, 404, 404, 404, 404, 404, 404),
	// The QR code carries the kit's phone link, made only while approved content waits
	// to be posted: the target's draft has none (TestKitPhoneLink covers the rest).
	row("GET /publications/{id}/kit/qr.png", own, 303, 403, 403, 403, 403, 403, 403),
	row("GET /publications/{id}/kit/qr.png", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("GET /outbox", none, 303, 200, 200, 200, 200, 200, 200),
	row("GET /notifications", none, 303, 200, 200, 200, 200, 200, 200),
	// Marks the caller's own notifications only (the store matches the user).
	row("POST /notifications/read", none, 303, 303, 303, 303, 303, 303, 303),
	row("POST /notifications/read", none, 303, 303, 303, 303, 303, 303, 303).with("id={n}"),
	// Jobs: owners and admins. River's ids are the instance's, so the id is in the body
	// and a job they may not see answers 404 (TestJobsOfAnotherOrganization).
	row("GET /jobs", none, 303, 200, 200, 403, 403, 403, 403),
	row("POST /jobs/retry", none, 303, 404, 404, 403, 403, 403, 403).with("id=999999999"),
	row("POST /jobs/cancel", none, 303, 404, 404, 403, 403, 403, 403).with("id=999999999"),
	// The phone kit is public: the signed link is the permission; anything else is not
	// found (a review link is not a kit link).
	row("GET /k/{token}", own, 404, 404, 404, 404, 404, 404, 404).at("/k/{guest}"),
	row("GET /k/{token}", foreign, 404, 404, 404, 404, 404, 404, 404).at("/k/{guest}x"),
	row("GET /k/{token}/media/{n}", own, 404, 404, 404, 404, 404, 404, 404).at("/k/{guest}/media/1"),
	row("GET /k/{token}/media/{n}", foreign, 404, 404, 404, 404, 404, 404, 404).at("/k/{guest}x/media/1"),
	// The guest review page is public: the token is the permission.
	// Partnerships (internal/web/partners.go); the partner's page answers whoever holds
	// the link.
	row("GET /partners", none, 303, 200, 200, 200, 200, 200, 200),
	row("POST /partners", none, 303, 303, 303, 303, 403, 403, 403).with("name=Partenaire+{n}&kind=museum"),
	row("GET /campaigns", none, 303, 200, 200, 200, 200, 200, 200),
	row("POST /campaigns", none, 303, 201, 201, 201, 403, 403, 403).with("post_id={post}&partner_id={partner}"),
	row("GET /campaigns/{id}", own, 303, 200, 200, 200, 200, 200, 200),
	row("GET /campaigns/{id}", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("GET /relay/{token}", own, 200, 200, 200, 200, 200, 200, 200).at("/relay/{relay}"),
	row("GET /relay/{token}", foreign, 404, 404, 404, 404, 404, 404, 404).at("/relay/{relay}x"),
	row("POST /relay/{token}", own, 303, 303, 303, 303, 303, 303, 303).at("/relay/{relay}").with("status=accepted"),
	row("POST /relay/{token}", foreign, 404, 404, 404, 404, 404, 404, 404).at("/relay/{relay}x").with("status=accepted"),
	// Live visits (internal/web/live.go): every member reads them and their run sheet;
	// those who schedule plan them and enter their figures.
	row("GET /live-events", none, 303, 200, 200, 200, 200, 200, 200),
	row("GET /live-events/new", none, 303, 200, 200, 200, 403, 403, 403).at("/live-events/new?institution={institution}"),
	row("POST /live-events", none, 303, 303, 303, 303, 403, 403, 403).with("institution_id={institution}&platform=weibo&title_zh=直播{n}&starts_at=2030-01-01T10:00&zone=Asia/Shanghai"),
	row("GET /live-events/{id}", own, 303, 200, 200, 200, 200, 200, 200),
	row("GET /live-events/{id}", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("GET /live-events/{id}/edit", own, 303, 200, 200, 200, 403, 403, 403),
	row("GET /live-events/{id}/edit", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("POST /live-events/{id}", own, 303, 303, 303, 303, 403, 403, 403).with("platform=weibo&title_zh=直播{n}&starts_at=2030-01-01T10:00&zone=Europe/Paris"),
	row("POST /live-events/{id}", foreign, 303, 404, 404, 404, 404, 404, 404).with("platform=weibo&title_zh=直播{n}&starts_at=2030-01-01T10:00&zone=Europe/Paris"),
	row("POST /live-events/{id}/figures", own, 303, 303, 303, 303, 403, 403, 403).with("peak_viewers=100&total_viewers=1000"),
	row("POST /live-events/{id}/figures", foreign, 303, 404, 404, 404, 404, 404, 404).with("peak_viewers=100&total_viewers=1000"),
	row("GET /live-events/{id}/sheet", own, 303, 200, 200, 200, 200, 200, 200),
	row("GET /live-events/{id}/sheet", foreign, 303, 404, 404, 404, 404, 404, 404),
	// A network account's page (internal/web/network.go): every member reads the
	// members' shares; those who manage the account's institution choose the members.
	row("GET /accounts/{id}/network", own, 303, 200, 200, 200, 200, 200, 200),
	row("GET /accounts/{id}/network", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("POST /accounts/{id}/members", own, 303, 303, 303, 403, 403, 403, 403).with("institution_id={institution}"),
	row("POST /accounts/{id}/members", foreign, 303, 404, 404, 404, 404, 404, 404).with("institution_id={institution}"),
	row("GET /review/{token}", own, 200, 200, 200, 200, 200, 200, 200).at("/review/{guest}"),
	row("GET /review/{token}", foreign, 404, 404, 404, 404, 404, 404, 404).at("/review/{guest}x"),
	row("POST /review/{token}/comments", own, 303, 303, 303, 303, 303, 303, 303).at("/review/{guest}/comments"),
	row("POST /review/{token}/comments", foreign, 404, 404, 404, 404, 404, 404, 404).at("/review/{guest}x/comments"),
	row("POST /review/{token}/decision", own, 303, 303, 303, 303, 303, 303, 303).at("/review/{guest}/decision"),
	row("POST /review/{token}/decision", foreign, 404, 404, 404, 404, 404, 404, 404).at("/review/{guest}x/decision"),
	row("GET /review/{token}/article", own, 404, 404, 404, 404, 404, 404, 404).at("/review/{guest}/article"),
	row("GET /review/{token}/article", foreign, 404, 404, 404, 404, 404, 404, 404).at("/review/{guest}x/article"),
	row("GET /review/{token}/media/{media}/{spec}", own, 200, 200, 200, 200, 200, 200, 200).at("/review/{guest}/media/{media}/ui_thumb"),
	row("GET /review/{token}/media/{media}/{spec}", foreign, 404, 404, 404, 404, 404, 404, 404).at("/review/{guest}x/media/{media}/ui_thumb"),
	row("GET /glossary", none, 303, 200, 200, 200, 200, 200, 200),
	row("POST /glossary", none, 303, 422, 422, 422, 422, 403, 403),
	row("GET /glossary/export", none, 303, 200, 200, 200, 200, 200, 200),
	row("POST /glossary/import", none, 303, 303, 303, 303, 303, 303, 303),
	row("POST /glossary/{id}/delete", own, 303, 303, 303, 303, 303, 403, 403),
	row("POST /glossary/{id}/delete", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("GET /glossary/{id}/edit", own, 303, 200, 200, 200, 200, 403, 403),
	row("GET /glossary/{id}/edit", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("POST /glossary/{id}", own, 303, 303, 303, 303, 303, 403, 403).with(`source=Terme+{n}&zh=%E6%9C%AF%E8%AF%AD`),
	row("POST /glossary/{id}", foreign, 303, 404, 404, 404, 404, 404, 404).with(`source=Terme+{n}&zh=%E6%9C%AF%E8%AF%AD`),
	row("GET /lexicon", none, 303, 200, 200, 200, 200, 200, 200),
	row("POST /lexicon", none, 303, 422, 422, 403, 403, 403, 403),
	row("GET /lexicon/export", none, 303, 200, 200, 200, 200, 200, 200),
	row("POST /lexicon/import", none, 303, 303, 303, 303, 303, 303, 303),
	row("POST /lexicon/{id}/delete", own, 303, 303, 303, 403, 403, 403, 403),
	row("POST /lexicon/{id}/delete", foreign, 303, 404, 404, 403, 403, 403, 403),
	row("POST /themes", none, 303, 422, 403, 403, 403, 403, 403),
	row("GET /institutions/{id}/media", own, 303, 200, 200, 200, 200, 200, 200),
	row("GET /institutions/{id}/media", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("POST /institutions/{id}/media", own, 303, 303, 303, 303, 303, 303, 303),
	row("POST /institutions/{id}/media", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("GET /media/{id}/{spec}", own, 303, 200, 200, 200, 200, 200, 200).at("/media/{media}/ui_thumb"),
	row("GET /media/{id}/{spec}", foreign, 303, 404, 404, 404, 404, 404, 404).at("/media/{media}/ui_thumb"),
	row("POST /media/{id}", own, 303, 303, 303, 303, 303, 403, 403),
	row("POST /media/{id}", foreign, 303, 404, 404, 404, 404, 404, 404),
	row("GET /calendar", none, 303, 200, 200, 200, 200, 200, 200),
	row("POST /accounts/{id}/cadence", own, 303, 303, 303, 303, 403, 403, 403).with(`min=1&max=3`),
	row("POST /accounts/{id}/cadence", foreign, 303, 404, 404, 404, 404, 404, 404).with(`min=1&max=3`),
	// Printable sheets of a placement (desk12): API and page, A4 by default.
	row("GET /api/v1/placements/{id}/sheet.pdf", own, 401, 200, 200, 200, 200, 200, 200),
	row("GET /api/v1/placements/{id}/sheet.pdf", foreign, 401, 404, 404, 404, 404, 404, 404),
	row("GET /placements/{id}/sheet.pdf", own, 303, 200, 200, 200, 200, 200, 200).at("/placements/{placement}/sheet.pdf?size=a6"),
	row("GET /placements/{id}/sheet.pdf", foreign, 303, 404, 404, 404, 404, 404, 404).at("/placements/{placement}/sheet.pdf?size=a6"),
	row("POST /accounts/{id}/replies/{rule}/delete", own, 303, 303, 303, 403, 403, 403, 403).at("/accounts/{account}/replies/{rule}/delete"),
	row("POST /accounts/{id}/replies/{rule}/delete", foreign, 303, 404, 404, 404, 404, 404, 404).at("/accounts/{account}/replies/{rule}/delete"),
	// Figures imported from the analytics page and entered from the post page
	// (internal/web/analytics_import.go): writers upload (no file here: the refusal is a
	// flash, 303); an upload is its uploader's only, so another's id is not found.
	row("POST /institutions/{id}/analytics/import", own, 303, 303, 303, 303, 303, 403, 403).with("account=1"),
	row("POST /institutions/{id}/analytics/import", foreign, 303, 404, 404, 404, 404, 404, 404).with("account=1"),
	row("GET /institutions/{id}/analytics/import/{upload}", own, 303, 404, 404, 404, 404, 404, 404).at("/institutions/{institution}/analytics/import/{n}"),
	row("GET /institutions/{id}/analytics/import/{upload}", foreign, 303, 404, 404, 404, 404, 404, 404).at("/institutions/{institution}/analytics/import/{n}"),
	row("POST /institutions/{id}/analytics/import/{upload}/commit", own, 303, 404, 404, 404, 404, 404, 404).at("/institutions/{institution}/analytics/import/{n}/commit"),
	row("POST /institutions/{id}/analytics/import/{upload}/commit", foreign, 303, 404, 404, 404, 404, 404, 404).at("/institutions/{institution}/analytics/import/{n}/commit"),
	row("POST /institutions/{id}/analytics/import/{upload}/discard", own, 303, 404, 404, 404, 404, 404, 404).at("/institutions/{institution}/analytics/import/{n}/discard"),
	row("POST /institutions/{id}/analytics/import/{upload}/discard", foreign, 303, 404, 404, 404, 404, 404, 404).at("/institutions/{institution}/analytics/import/{n}/discard"),
	row("POST /publications/{id}/figures", own, 303, 303, 303, 303, 303, 403, 403).with("views=1200&likes=30"),
	row("POST /publications/{id}/figures", foreign, 303, 404, 404, 404, 404, 404, 404).with("views=1200&likes=30"),
	// The custom-menu editor of the desk page (menu12, internal/web/desk_menu.go):
	// managers only, as PUT /api/v1/accounts/{id}/menu. The fixture's account has no
	// credentials: a valid menu is refused with the form (422), nothing pushed.
	row("POST /accounts/{id}/menu", own, 303, 422, 422, 403, 403, 403, 403).with("button[0].name=HOURS&button[0].type=click&button[0].key=HOURS"),
	row("POST /accounts/{id}/menu", foreign, 303, 404, 404, 404, 404, 404, 404).with("button[0].name=HOURS&button[0].type=click&button[0].key=HOURS"),
	row("GET /accounts/{id}/menu/wechat", own, 303, 422, 422, 403, 403, 403, 403),
	row("GET /accounts/{id}/menu/wechat", foreign, 303, 404, 404, 404, 404, 404, 404),
}

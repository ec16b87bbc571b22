// Package wechat is the thin client of the WeChat Official Account API (tokens,
// materials, drafts, publishing, mass sends, QR codes, analytics) and the code that reads
// what WeChat pushes to our callback URL: signatures, safe-mode message crypto and event
// parsing. Every failure of the API client is a *platform.Error; every failure of push
// handling is a *passerelle.Error wrapping one of the Err* sentinels.
package wechat

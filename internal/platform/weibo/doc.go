// Package weibo is a thin client of the Weibo Open API (https://api.weibo.com): the
// OAuth2 authorization-code flow, token expiry (oauth2/get_token_info), link sharing
// (statuses/share.json) and the metrics a third-party app may read (statuses/count,
// users/show, users/counts).
//
// Every failure is a *platform.Error whose Kind tells the caller what to do. Reads are
// retried on transient faults; statuses/share.json never is: when its outcome is unknown
// (timeout, connection lost after sending) the error is platform.Ambiguous and the caller
// must look at the account before trying again.
//
// Weibo ids exceed 2^53, so ids are kept as decimal strings end to end and never pass
// through float64.
package weibo

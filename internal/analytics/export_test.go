package analytics

import "github.com/passerelle-oss/passerelle/internal/store"

// WeiboPostID exposes weiboPostID to the tests.
func WeiboPostID(s string) string { return weiboPostID(store.CollectionCandidate{PlatformPostID: s}) }

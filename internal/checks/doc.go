// Package checks holds the pre-publication checks of the editorial workflow: what a
// post and its publications must satisfy before approval and scheduling. It reads
// plain values (Input), does no I/O and knows nothing of the store.
//
// A Checker is built once per organization (and institution) from its glossary,
// sensitive vocabulary and platform limits, then Check runs every rule on a post:
//
//   - Weibo: length by Weibo's counting rule (WeiboLength), images and video,
//     #topic# syntax, and for posts sent by API no topic and a link to the account's
//     safe domain;
//   - WeChat: title, author, digest and body limits, cover, scripts, images not
//     hosted by WeChat, links;
//   - language: glossary renderings and their non-preferred variants, traditional
//     characters in simplified text, the organization's sensitive vocabulary
//     (matched with an Aho–Corasick automaton over folded text, so simplified,
//     traditional, full-width and half-width forms all match), typography.
//
// Each Finding has a rule id, a severity (errors block approval, warnings do not),
// a span of rune offsets into one field and a message in the user's language.
//
// The package also converts simplified Chinese to traditional (ToTraditional,
// Checker.ToTraditional, with OpenCC's dictionaries compiled into the binary),
// sanitises WeChat article bodies (SanitizeWeChatHTML) and reads and writes the
// glossary and vocabulary CSV files.
package checks

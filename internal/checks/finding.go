package checks

import (
	"slices"
	"strings"
)

// Rule ids. A rule id names what is checked; the message key (Finding.Code) says
// which way it failed.
const (
	RuleWeiboLength         = "weibo_length"
	RuleWeiboImages         = "weibo_images"
	RuleWeiboTopic          = "weibo_topic"
	RuleWeiboSafeDomain     = "weibo_safe_domain"
	RuleWeChatTitleLength   = "wechat_title_length"
	RuleWeChatAuthorLength  = "wechat_author_length"
	RuleWeChatDigestLength  = "wechat_digest_length"
	RuleWeChatBodyLength    = "wechat_body_length"
	RuleWeChatCover         = "wechat_cover"
	RuleWeChatExternalImage = "wechat_external_image"
	RuleWeChatScript        = "wechat_script"
	RuleLink                = "link"
	RuleGlossary            = "glossary"
	RuleGlossaryVariant     = "glossary_variant"
	RuleTraditionalChars    = "traditional_chars"
	RuleSensitive           = "sensitive"
	RuleTypography          = "typography"
)

// Severities. Errors block approval and scheduling; warnings are shown only.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Languages of messages.
const (
	LangFrench     = "fr"
	LangEnglish    = "en"
	LangSimplified = "zh-Hans"
)

// Finding is one problem found by a check, tied to a span of one field.
type Finding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	// PublicationID is the publication the finding concerns, 0 for the post itself.
	PublicationID int64 `json:"publication_id"`
	// Field names the checked text: "source_text", "text_zh", or for a publication
	// "publications[i].text", "publications[i].topics[j]", "publications[i].images",
	// "publications[i].wechat.title", ".author", ".digest", ".body_html", ".cover",
	// ".source_url", where i is the index in Input.Publications.
	Field string `json:"field"`
	// Start and End are rune offsets into the field's value, End exclusive; both 0
	// when the finding concerns the field as a whole.
	Start int `json:"start"`
	End   int `json:"end"`
	// Code is the message key (catalog entry); Params fill its placeholders. They let
	// a stored finding be shown again in another language (see Localize).
	Code    string            `json:"code"`
	Params  map[string]string `json:"params,omitempty"`
	Message string            `json:"message"`
}

// Blocking reports whether the finding blocks approval and scheduling.
func (f Finding) Blocking() bool { return f.Severity == SeverityError }

// Localize returns the finding's message in lang ("fr", "en", "zh-Hans"; regional
// tags such as "fr-FR" or "zh-CN" are accepted; anything else gives English).
func (f Finding) Localize(lang string) string { return message(lang, f.Code, f.Params) }

// HasBlocking reports whether any finding is an error.
func HasBlocking(fs []Finding) bool {
	return slices.ContainsFunc(fs, Finding.Blocking)
}

// normalizeLang maps a language tag to one of the catalog's languages.
func normalizeLang(lang string) string {
	l := strings.ToLower(strings.TrimSpace(lang))
	switch {
	case l == "fr" || strings.HasPrefix(l, "fr-") || strings.HasPrefix(l, "fr_"):
		return LangFrench
	case l == "zh" || strings.HasPrefix(l, "zh-") || strings.HasPrefix(l, "zh_"):
		return LangSimplified
	default:
		return LangEnglish
	}
}

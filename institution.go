package passerelle

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Organization is the agency or team that uses Passerelle; everything belongs to one.
type Organization struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// Institution is a museum or monument an organization serves.
type Institution struct {
	ID         int64      `json:"id"`
	OrgID      int64      `json:"-"`
	Name       string     `json:"name"`
	NameFR     string     `json:"name_fr"`
	NameEN     string     `json:"name_en"`
	NameZH     string     `json:"name_zh"`
	City       string     `json:"city"`
	Country    string     `json:"country"`
	Website    string     `json:"website"`
	TimeZone   string     `json:"time_zone"`
	Kind       string     `json:"kind"`
	LogoURL    string     `json:"logo_url"`
	ArchivedAt *time.Time `json:"archived_at"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// DefaultTimeZone is the zone of a new institution when none is given.
const DefaultTimeZone = "Europe/Paris"

// InstitutionKinds are the types used to filter rankings.
var InstitutionKinds = []string{"museum", "monument", "library", "gallery", "foundation", "other"}

// Normalize trims the text fields and fills defaults.
func (i *Institution) Normalize() {
	for _, p := range []*string{&i.Name, &i.NameFR, &i.NameEN, &i.NameZH, &i.City, &i.Country, &i.Website, &i.TimeZone, &i.Kind, &i.LogoURL} {
		*p = strings.TrimSpace(*p)
	}
	i.Country = strings.ToUpper(i.Country)
	if i.TimeZone == "" {
		i.TimeZone = DefaultTimeZone
	}
	if i.Kind == "" {
		i.Kind = "museum"
	}
}

// Validate reports every invalid field.
func (i *Institution) Validate() error {
	f := FieldErrors{}
	if i.Name == "" {
		f.Add("name", "A name is required.")
	}
	checkLen(f, "name", i.Name, 200)
	checkLen(f, "name_fr", i.NameFR, 200)
	checkLen(f, "name_en", i.NameEN, 200)
	checkLen(f, "name_zh", i.NameZH, 200)
	checkLen(f, "city", i.City, 100)
	if i.Country != "" && !isCountryCode(i.Country) {
		f.Add("country", "Use a two-letter ISO 3166 country code, such as FR.")
	}
	if i.Website != "" && !isHTTPURL(i.Website) {
		f.Add("website", "Use an http or https address.")
	}
	if i.LogoURL != "" && !isHTTPURL(i.LogoURL) && !strings.HasPrefix(i.LogoURL, "/") {
		f.Add("logo_url", "Use an http or https address.")
	}
	if _, err := time.LoadLocation(i.TimeZone); err != nil || i.TimeZone == "" || i.TimeZone == "Local" {
		f.Add("time_zone", "Unknown time zone; use an IANA name such as Europe/Paris.")
	}
	if !contains(InstitutionKinds, i.Kind) {
		f.Add("kind", "Unknown institution type.")
	}
	return f.Err()
}

// Platform is a social network.
type Platform string

const (
	Weibo       Platform = "weibo"
	WeChat      Platform = "wechat"
	Douyin      Platform = "douyin"
	Xiaohongshu Platform = "xiaohongshu"
	// Channels is WeChat Channels (视频号): no public API, assisted kits only.
	Channels Platform = "wechat_channels"
)

// Platforms lists the known platforms.
var Platforms = []Platform{Weibo, WeChat, Douyin, Xiaohongshu, Channels}

// Valid reports whether p is a known platform.
func (p Platform) Valid() bool {
	for _, q := range Platforms {
		if p == q {
			return true
		}
	}
	return false
}

// Account kinds.
const (
	// AccountManaged: Passerelle holds the credentials and publishes.
	AccountManaged = "managed"
	// AccountWatched: only public figures are recorded, for the barometer.
	AccountWatched = "watched"
)

// Account is an institution's presence on a platform.
type Account struct {
	ID             int64      `json:"id"`
	InstitutionID  int64      `json:"institution_id"`
	Platform       Platform   `json:"platform"`
	Kind           string     `json:"kind"`
	Handle         string     `json:"handle"`
	DisplayName    string     `json:"display_name"`
	ProfileURL     string     `json:"profile_url"`
	Followers      *int64     `json:"followers"`
	FollowersAt    *time.Time `json:"followers_at"`
	HasCredentials bool       `json:"has_credentials"`
	// WeChatType is a WeChat account's type, which sets its mass-send quota:
	// "subscription" (订阅号, one a day) or "service" (服务号, four a month). Empty on
	// other platforms.
	WeChatType string     `json:"wechat_type,omitempty"`
	ArchivedAt *time.Time `json:"archived_at"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// Normalize trims the text fields and fills defaults.
func (a *Account) Normalize() {
	for _, p := range []*string{&a.Kind, &a.Handle, &a.DisplayName, &a.ProfileURL} {
		*p = strings.TrimSpace(*p)
	}
	a.Platform = Platform(strings.ToLower(strings.TrimSpace(string(a.Platform))))
	if a.Kind == "" {
		a.Kind = AccountManaged
	}
	a.WeChatType = strings.TrimSpace(a.WeChatType)
	if a.Platform == WeChat && a.WeChatType == "" {
		a.WeChatType = WeChatSubscription
	}
	if a.Platform != WeChat {
		a.WeChatType = ""
	}
}

// Validate reports every invalid field.
func (a *Account) Validate() error {
	f := FieldErrors{}
	if !a.Platform.Valid() {
		f.Add("platform", "Choose weibo, wechat, douyin or xiaohongshu.")
	}
	if a.Kind != AccountManaged && a.Kind != AccountWatched {
		f.Add("kind", "Choose managed or watched.")
	}
	if a.Platform == WeChat && a.WeChatType != WeChatSubscription && a.WeChatType != WeChatService {
		f.Add("wechat_type", "Choose subscription or service.")
	}
	if a.Handle == "" && a.DisplayName == "" {
		f.Add("handle", "Give a handle, a uid or a display name.")
	}
	checkLen(f, "handle", a.Handle, 200)
	checkLen(f, "display_name", a.DisplayName, 200)
	if a.ProfileURL != "" && !isHTTPURL(a.ProfileURL) {
		f.Add("profile_url", "Use an http or https address.")
	}
	if a.Followers != nil && *a.Followers < 0 {
		f.Add("followers", "Followers cannot be negative.")
	}
	return f.Err()
}

// CredentialNames lists the secret fields a managed account may hold, per platform.
var CredentialNames = map[Platform][]string{
	// safe_domain is the app's registered safe domain: a post by API must link to it.
	Weibo:  {"app_key", "app_secret", "access_token", "safe_domain"},
	WeChat: {"appid", "app_secret", "token", "encoding_aes_key"},
}

func checkLen(f FieldErrors, field, s string, max int) {
	if utf8.RuneCountInString(s) > max {
		f.Add(field, "Too long.")
	}
	if !utf8.ValidString(s) {
		f.Add(field, "Not valid UTF-8 text.")
	}
}

func isCountryCode(s string) bool {
	if len(s) != 2 {
		return false
	}
	for _, c := range s {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

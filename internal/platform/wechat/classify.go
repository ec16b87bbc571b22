package wechat

import (
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle/internal/platform"
)

// WeChat errcodes Passerelle acts on. The full list is WeChat's; these are the ones
// that change what the caller does.
const (
	CodeBusy               = -1
	CodeInvalidCredential  = 40001 // token invalid, or (on stable_token) AppSecret wrong
	CodeInvalidAppID       = 40013
	CodeInvalidToken       = 40014
	CodeInvalidMediaID     = 40007
	CodeInvalidAppSecret   = 40125
	CodeIPNotWhitelisted   = 40164
	CodeTokenExpired       = 42001
	CodeUnauthorized       = 48001 // API not granted: account not verified
	CodeAPIForbidden       = 48004
	CodeDailyQuota         = 45009
	CodeMinuteQuota        = 45011
	CodeMassSendQuota      = 45028
	CodeForceRefreshLimit  = 45033 // force_refresh too often (reported by stable_token)
	CodeDuplicateClientMsg = 45065 // mass send: clientmsgid already used
	CodeInvalidArticleID   = 53600
)

// tokenCodes are the answers that mean "this access_token is no good": refresh, retry once.
func isTokenCode(code int) bool {
	return code == CodeInvalidCredential || code == CodeInvalidToken || code == CodeTokenExpired
}

// beijing is China Standard Time; China has no daylight saving, so a fixed zone is exact
// and needs no tzdata.
var beijing = time.FixedZone("CST", 8*60*60)

// nextBeijingMidnight is when WeChat's daily quotas reset.
func nextBeijingMidnight(now time.Time) time.Time {
	t := now.In(beijing)
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, beijing)
}

// classify turns a non-zero errcode into a platform error.
func classify(op string, code int, msg string, now time.Time) *platform.Error {
	e := &platform.Error{Platform: "wechat", Op: op, Code: code, Message: msg, Kind: platform.Permanent}
	switch code {
	case CodeBusy:
		e.Kind = platform.Retryable
	case CodeDailyQuota, CodeMassSendQuota:
		e.Kind = platform.RateLimited
		e.ResumeAt = nextBeijingMidnight(now)
	case CodeMinuteQuota:
		e.Kind = platform.RateLimited
		e.ResumeAt = now.Add(time.Minute)
	case CodeForceRefreshLimit:
		e.Kind = platform.RateLimited
		e.ResumeAt = now.Add(30 * time.Second)
	case CodeInvalidCredential, CodeInvalidToken, CodeTokenExpired:
		e.Kind = platform.AuthExpired
	}
	return e
}

// Diagnosis is a plain-language explanation of a failure for the "Test connection" button.
type Diagnosis struct {
	// Key names the situation for code that branches on it: "ip_whitelist",
	// "not_verified", "credentials", "unreachable", "rate_limited", "busy", "other", or
	// "ok" for a nil error.
	Key string
	// Message is the explanation in the requested language.
	Message string
	// AssistedOnly is set when publishing must fall back to assisted mode.
	AssistedOnly bool
}

var ipInMessage = regexp.MustCompile(`\b(\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:]+)\b`)

// Diagnose explains err in lang ("fr", "en" or "zh-Hans"; anything else gives English).
func Diagnose(err error, lang string) Diagnosis {
	if err == nil {
		return Diagnosis{Key: "ok", Message: pick(lang, diagOK)}
	}
	var pe *platform.Error
	if !errors.As(err, &pe) {
		return Diagnosis{Key: "other", Message: pick(lang, diagOther)}
	}
	switch {
	case pe.Code == CodeIPNotWhitelisted:
		ip := ipInMessage.FindString(pe.Message)
		msg := pick(lang, diagIP)
		if ip != "" {
			msg += " " + strings.ReplaceAll(pick(lang, diagIPSeen), "{ip}", ip)
		}
		return Diagnosis{Key: "ip_whitelist", Message: msg}
	case pe.Code == CodeUnauthorized || pe.Code == CodeAPIForbidden:
		return Diagnosis{Key: "not_verified", Message: pick(lang, diagUnverified), AssistedOnly: true}
	case pe.Code == CodeInvalidCredential || pe.Code == CodeInvalidAppSecret ||
		pe.Code == CodeInvalidAppID || pe.Kind == platform.AuthExpired:
		return Diagnosis{Key: "credentials", Message: pick(lang, diagCredentials)}
	case pe.Kind == platform.RateLimited:
		return Diagnosis{Key: "rate_limited", Message: pick(lang, diagRate)}
	case pe.Code == CodeBusy:
		return Diagnosis{Key: "busy", Message: pick(lang, diagBusy)}
	case pe.Code == 0 && (pe.Kind == platform.Retryable || pe.Kind == platform.Ambiguous):
		return Diagnosis{Key: "unreachable", Message: pick(lang, diagUnreachable)}
	}
	return Diagnosis{Key: "other", Message: pick(lang, diagOther)}
}

type phrases struct{ fr, en, zh string }

func pick(lang string, p phrases) string {
	switch strings.ToLower(lang) {
	case "fr":
		return p.fr
	case "zh-hans", "zh", "zh-cn":
		return p.zh
	}
	return p.en
}

var (
	diagOK = phrases{
		fr: "La connexion à WeChat fonctionne.",
		en: "The connection to WeChat works.",
		zh: "与微信的连接正常。",
	}
	diagIP = phrases{
		fr: "WeChat refuse l'adresse IP de ce serveur. Dans la console WeChat (Paramètres et développement › Configuration de base), ajoutez l'adresse IP publique du serveur Passerelle à la liste blanche IP, puis réessayez.",
		en: "WeChat refuses this server's IP address. In the WeChat console (Settings and Development › Basic Configuration), add the public IP address of the Passerelle server to the IP whitelist, then try again.",
		zh: "微信拒绝了本服务器的 IP 地址。请在公众平台“设置与开发 › 基本配置”中，将 Passerelle 服务器的公网 IP 加入 IP 白名单，然后重试。",
	}
	diagIPSeen = phrases{
		fr: "Adresse vue par WeChat : {ip}.",
		en: "Address seen by WeChat: {ip}.",
		zh: "微信看到的地址：{ip}。",
	}
	diagUnverified = phrases{
		fr: "Ce compte n'est pas certifié (认证) : WeChat n'ouvre pas les API de publication et de statistiques. Les publications passeront en mode assisté ; faites certifier le compte pour publier par API.",
		en: "This account is not verified (认证): WeChat does not open its publishing and analytics APIs to it. Posts will go out in assisted mode; have the account verified to publish by API.",
		zh: "该公众号未认证，微信未向其开放发布和数据统计接口。内容将以辅助模式发布；完成微信认证后即可通过接口发布。",
	}
	diagCredentials = phrases{
		fr: "L'AppID ou l'AppSecret est incorrect, ou l'AppSecret a été réinitialisé. Copiez-les de nouveau depuis la console WeChat (Paramètres et développement › Configuration de base).",
		en: "The AppID or AppSecret is wrong, or the AppSecret was reset. Copy them again from the WeChat console (Settings and Development › Basic Configuration).",
		zh: "AppID 或 AppSecret 不正确，或 AppSecret 已被重置。请在公众平台“设置与开发 › 基本配置”中重新复制。",
	}
	diagRate = phrases{
		fr: "Le quota d'appels WeChat est atteint pour le moment. Passerelle réessaiera automatiquement plus tard.",
		en: "The WeChat call quota is reached for now. Passerelle will try again later by itself.",
		zh: "微信接口调用次数已达上限。Passerelle 会稍后自动重试。",
	}
	diagBusy = phrases{
		fr: "WeChat est momentanément occupé. Réessayez dans quelques instants.",
		en: "WeChat is busy at the moment. Try again in a moment.",
		zh: "微信系统繁忙，请稍后再试。",
	}
	diagUnreachable = phrases{
		fr: "Les serveurs de WeChat sont injoignables depuis ce serveur. Vérifiez sa connexion Internet, son pare-feu et son proxy sortant.",
		en: "WeChat's servers cannot be reached from this server. Check its Internet connection, firewall and outgoing proxy.",
		zh: "本服务器无法连接微信服务器。请检查网络连接、防火墙和出站代理。",
	}
	diagOther = phrases{
		fr: "WeChat a refusé la demande. Le détail technique figure dans le journal.",
		en: "WeChat refused the request. The technical detail is in the log.",
		zh: "微信拒绝了该请求。技术细节见日志。",
	}
)

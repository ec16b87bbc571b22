package connect

import "fmt"

// Plain-language messages, in the UI's three languages.
type msg struct{ fr, en, zh string }

func pick(lang string, m msg) string {
	switch lang {
	case "fr":
		return m.fr
	case "zh-Hans", "zh":
		return m.zh
	}
	return m.en
}

// pickf formats m in lang with args.
func pickf(lang string, m msg, args ...any) string { return fmt.Sprintf(pick(lang, m), args...) }

var (
	msgWrongIdentity = msg{
		"Weibo a autorisé « %s » (uid %s), qui n'est pas le compte %s : rien n'est enregistré. Connectez-vous à Weibo avec le compte du musée, ou corrigez l'identifiant du compte.",
		"Weibo authorised “%s” (uid %s), which is not the account %s: nothing was saved. Sign in to Weibo as the museum's account, or correct the account's handle.",
		"微博授权的是“%s”（uid %s），不是账号 %s：未保存授权。请用博物馆的微博账号登录，或修改账号的用户名。"}
	msgMissingWeChat = msg{
		"Saisissez l'AppID et l'AppSecret du compte officiel (console WeChat › Paramètres et développement › Configuration de base).",
		"Enter the Official Account's AppID and AppSecret (WeChat console › Settings and development › Basic configuration).",
		"请填写公众号的 AppID 和 AppSecret（公众平台 › 设置与开发 › 基本配置）。"}
	msgMissingWeibo = msg{
		"Saisissez l'App Key et l'App Secret de l'application Weibo, puis autorisez le compte.",
		"Enter the Weibo app's App Key and App Secret, then authorise the account.",
		"请填写微博应用的 App Key 和 App Secret，然后授权账号。"}
	msgAuthorize = msg{
		"Le compte n'est pas encore autorisé : cliquez sur « Connecter Weibo ».",
		"The account is not authorised yet: click “Connect Weibo”.",
		"账号尚未授权：请点击“连接微博”。"}
	msgWeiboAuth = msg{
		"Weibo n'accepte plus l'autorisation de ce compte : reconnectez-le.",
		"Weibo no longer accepts this account's authorisation: connect it again.",
		"微博授权已失效：请重新连接。"}
	msgWeiboOK = msg{
		"Connexion Weibo en ordre : les publications courtes avec lien partent par API.",
		"Weibo connection works: short link posts can go out by API.",
		"微博连接正常：带链接的短微博可通过 API 发布。"}
	msgExpiring = msg{
		"L'autorisation Weibo expire dans moins de 5 jours : reconnectez le compte.",
		"The Weibo authorisation expires in less than 5 days: connect the account again.",
		"微博授权将在 5 天内过期：请重新连接账号。"}
	msgRate = msg{
		"Limite d'appels atteinte chez la plateforme : réessayez dans une heure.",
		"The platform's call limit is reached: try again in an hour.",
		"已达到平台调用频率限制：请一小时后重试。"}
	msgUnreachable = msg{
		"La plateforme ne répond pas depuis ce serveur : vérifiez son accès réseau.",
		"The platform cannot be reached from this server: check its network access.",
		"服务器无法连接平台：请检查网络。"}
	msgOther = msg{
		"La plateforme a refusé la demande.",
		"The platform refused the request.",
		"平台拒绝了请求。"}
)

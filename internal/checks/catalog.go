package checks

// entry is one message in the three languages of the interface. Placeholders are
// {name}, filled from Finding.Params or Removal.Params.
type entry struct{ en, fr, zh string }

// catalog holds every message this package can produce. It is compiled in and never
// modified.
var catalog = map[string]entry{
	// Weibo.
	"weibo_length.too_long": {
		en: "Weibo counts {length} characters; the limit for this post is {limit}.",
		fr: "Weibo compte {length} caractères ; la limite pour ce message est de {limit}.",
		zh: "按微博规则计为 {length} 字，本条上限为 {limit} 字。",
	},
	"weibo_images.too_many": {
		en: "{count} images attached; Weibo allows at most {limit}.",
		fr: "{count} images jointes ; Weibo en accepte au plus {limit}.",
		zh: "附有 {count} 张图片，微博最多允许 {limit} 张。",
	},
	"weibo_images.too_many_videos": {
		en: "{count} videos attached; a Weibo post carries at most one.",
		fr: "{count} vidéos jointes ; un message Weibo en porte au plus une.",
		zh: "附有 {count} 个视频，一条微博最多一个视频。",
	},
	"weibo_images.mixed": {
		en: "A Weibo post carries either images or one video, not both.",
		fr: "Un message Weibo porte des images ou une vidéo, pas les deux.",
		zh: "一条微博只能带图片或一个视频，不能同时带两者。",
	},
	"weibo_images.api": {
		en: "Posts published by API carry at most one picture and no video; publish this one in assisted mode.",
		fr: "Les messages publiés par API portent au plus une image et aucune vidéo ; publiez celui-ci en mode assisté.",
		zh: "通过 API 发布的微博最多一张图片且不能带视频，请改用辅助发布模式。",
	},
	"weibo_topic.api": {
		en: "Posts published by API must not contain topics (#…#); remove it or publish in assisted mode.",
		fr: "Les messages publiés par API ne doivent pas contenir de sujets (#…#) ; retirez-le ou publiez en mode assisté.",
		zh: "通过 API 发布的微博不能包含话题（#…#），请删除或改用辅助发布模式。",
	},
	"weibo_topic.unclosed": {
		en: "This # opens a topic that is never closed: write #topic#.",
		fr: "Ce # ouvre un sujet qui n'est jamais fermé : écrivez #sujet#.",
		zh: "此 # 开始的话题没有闭合，应写作 #话题#。",
	},
	"weibo_topic.empty": {
		en: "Empty topic: ## has no text between the marks.",
		fr: "Sujet vide : ## ne contient aucun texte.",
		zh: "空话题：## 之间没有内容。",
	},
	"weibo_topic.fullwidth": {
		en: "Weibo only recognises the half-width #; replace ＃ with #.",
		fr: "Weibo ne reconnaît que le # demi-chasse ; remplacez ＃ par #.",
		zh: "微博只识别半角 #，请将 ＃ 改为 #。",
	},
	"weibo_topic.invalid": {
		en: "The topic “{topic}” is not valid: it must not be empty nor contain #, line breaks or be longer than {limit} characters.",
		fr: "Le sujet « {topic} » n'est pas valide : il ne doit être ni vide, ni contenir de #, de saut de ligne, ni dépasser {limit} caractères.",
		zh: "话题“{topic}”无效：不能为空，不能包含 # 或换行，长度不超过 {limit} 字。",
	},
	"weibo_safe_domain.missing_url": {
		en: "Posts published by API must contain a link to the account's safe domain {domain}.",
		fr: "Les messages publiés par API doivent contenir un lien vers le domaine sûr du compte, {domain}.",
		zh: "通过 API 发布的微博必须包含指向该账号安全域名 {domain} 的链接。",
	},
	"weibo_safe_domain.no_domain": {
		en: "The account has no safe domain configured; posts published by API need a link to it.",
		fr: "Le compte n'a pas de domaine sûr configuré ; les messages publiés par API doivent contenir un lien vers celui-ci.",
		zh: "该账号未设置安全域名，而通过 API 发布的微博必须包含指向安全域名的链接。",
	},

	// WeChat.
	"wechat_title_length.too_long": {
		en: "The title is {length} characters long; WeChat allows {limit}.",
		fr: "Le titre fait {length} caractères ; WeChat en accepte {limit}.",
		zh: "标题长 {length} 字，微信上限为 {limit} 字。",
	},
	"wechat_title_length.empty": {
		en: "The article needs a title.",
		fr: "L'article doit avoir un titre.",
		zh: "文章需要标题。",
	},
	"wechat_author_length.too_long": {
		en: "The author is {length} characters long; WeChat allows {limit}.",
		fr: "L'auteur fait {length} caractères ; WeChat en accepte {limit}.",
		zh: "作者长 {length} 字，微信上限为 {limit} 字。",
	},
	"wechat_digest_length.too_long": {
		en: "The summary is {length} characters long; WeChat allows {limit}.",
		fr: "Le résumé fait {length} caractères ; WeChat en accepte {limit}.",
		zh: "摘要长 {length} 字，微信上限为 {limit} 字。",
	},
	"wechat_body_length.too_long": {
		en: "The body is {length} characters long including tags; WeChat accepts fewer than {limit}.",
		fr: "Le corps fait {length} caractères balises comprises ; WeChat en accepte moins de {limit}.",
		zh: "正文含标签共 {length} 字，微信要求少于 {limit} 字。",
	},
	"wechat_body_length.too_large": {
		en: "The body weighs {size} bytes; WeChat accepts less than {limit}.",
		fr: "Le corps pèse {size} octets ; WeChat accepte moins de {limit}.",
		zh: "正文大小为 {size} 字节，微信要求小于 {limit} 字节。",
	},
	"wechat_body_length.empty": {
		en: "The article body is empty.",
		fr: "Le corps de l'article est vide.",
		zh: "文章正文为空。",
	},
	"wechat_cover.missing": {
		en: "The article needs a cover image.",
		fr: "L'article doit avoir une image de couverture.",
		zh: "文章需要封面图片。",
	},
	"wechat_external_image.found": {
		en: "This image is not hosted on WeChat ({src}); WeChat removes external images. Upload it again.",
		fr: "Cette image n'est pas hébergée par WeChat ({src}) ; WeChat retire les images externes. Téléversez-la à nouveau.",
		zh: "此图片不在微信服务器上（{src}），微信会删除外部图片，请重新上传。",
	},
	"wechat_script.script": {
		en: "Scripts are not allowed in a WeChat article.",
		fr: "Les scripts sont interdits dans un article WeChat.",
		zh: "微信文章中不允许脚本。",
	},
	"wechat_script.event_handler": {
		en: "The attribute {attr} runs a script; it is not allowed in a WeChat article.",
		fr: "L'attribut {attr} exécute un script ; il est interdit dans un article WeChat.",
		zh: "属性 {attr} 会执行脚本，微信文章中不允许。",
	},
	"wechat_script.javascript_url": {
		en: "javascript: links are not allowed in a WeChat article.",
		fr: "Les liens javascript: sont interdits dans un article WeChat.",
		zh: "微信文章中不允许 javascript: 链接。",
	},
	"wechat_script.embed": {
		en: "The element <{tag}> is not allowed in a WeChat article.",
		fr: "L'élément <{tag}> est interdit dans un article WeChat.",
		zh: "微信文章中不允许 <{tag}> 元素。",
	},
	"link.invalid": {
		en: "“{url}” is not a valid web address (http:// or https://).",
		fr: "« {url} » n'est pas une adresse web valide (http:// ou https://).",
		zh: "“{url}”不是有效的网址（应以 http:// 或 https:// 开头）。",
	},
	"link.not_wechat": {
		en: "WeChat articles only keep links to other WeChat articles; {url} will not be clickable. Use the “Read more” source URL instead.",
		fr: "Les articles WeChat ne gardent que les liens vers d'autres articles WeChat ; {url} ne sera pas cliquable. Utilisez plutôt l'URL source (« Lire la suite »).",
		zh: "微信文章正文只能链接其他公众号文章，{url} 将无法点击，请改用“阅读原文”链接。",
	},

	// Language.
	"glossary.missing": {
		en: "The source mentions “{source}”: the Chinese text should use the approved rendering {zh}.",
		fr: "La source mentionne « {source} » : le texte chinois doit employer la traduction validée {zh}.",
		zh: "原文提到“{source}”，中文应使用规定译名“{zh}”。",
	},
	"glossary.missing_weibo": {
		en: "The source mentions “{source}”: this Weibo text does not use the approved rendering {zh}.",
		fr: "La source mentionne « {source} » : ce texte Weibo n'emploie pas la traduction validée {zh}.",
		zh: "原文提到“{source}”，这条微博正文未使用规定译名“{zh}”。",
	},
	"glossary.missing_wechat": {
		en: "The source mentions “{source}”: this WeChat article (title, digest and body) does not use the approved rendering {zh}.",
		fr: "La source mentionne « {source} » : cet article WeChat (titre, résumé et corps) n'emploie pas la traduction validée {zh}.",
		zh: "原文提到“{source}”，这篇微信文章（标题、摘要和正文）未使用规定译名“{zh}”。",
	},
	"glossary_variant.found": {
		en: "“{variant}” is a non-preferred rendering of “{source}”; use {zh}.",
		fr: "« {variant} » n'est pas la traduction retenue de « {source} » ; employez {zh}.",
		zh: "“{variant}”不是“{source}”的规定译名，请使用“{zh}”。",
	},
	"traditional_chars.found": {
		en: "Traditional characters “{text}” in a simplified Chinese text (simplified: {simplified}).",
		fr: "Caractères traditionnels « {text} » dans un texte en chinois simplifié (simplifié : {simplified}).",
		zh: "简体中文中出现繁体字“{text}”（简体：{simplified}）。",
	},
	"traditional_chars.more": {
		en: "…and {count} more traditional characters from here on.",
		fr: "…et {count} autres caractères traditionnels à partir d'ici.",
		zh: "……此后还有 {count} 处繁体字。",
	},
	"sensitive.block": {
		en: "“{term}” is on the organization's blocked vocabulary list.",
		fr: "« {term} » figure dans la liste de vocabulaire bloquant de l'organisation.",
		zh: "“{term}”在本机构的禁用词表中。",
	},
	"sensitive.block_note": {
		en: "“{term}” is on the organization's blocked vocabulary list: {note}",
		fr: "« {term} » figure dans la liste de vocabulaire bloquant de l'organisation : {note}",
		zh: "“{term}”在本机构的禁用词表中：{note}",
	},
	"sensitive.warn": {
		en: "“{term}” is on the organization's sensitive vocabulary list; check the wording.",
		fr: "« {term} » figure dans la liste de vocabulaire sensible de l'organisation ; vérifiez la formulation.",
		zh: "“{term}”在本机构的敏感词表中，请斟酌用词。",
	},
	"sensitive.warn_note": {
		en: "“{term}” is on the organization's sensitive vocabulary list: {note}",
		fr: "« {term} » figure dans la liste de vocabulaire sensible de l'organisation : {note}",
		zh: "“{term}”在本机构的敏感词表中：{note}",
	},
	"typography.halfwidth_punct": {
		en: "Half-width “{char}” inside a Chinese sentence; use “{suggestion}”.",
		fr: "« {char} » demi-chasse dans une phrase chinoise ; employez « {suggestion} ».",
		zh: "中文句子中使用了半角“{char}”，应为“{suggestion}”。",
	},
	"typography.unclosed": {
		en: "“{char}” is never closed.",
		fr: "« {char} » n'est jamais fermé.",
		zh: "“{char}”没有对应的闭合符号。",
	},
	"typography.unopened": {
		en: "“{char}” closes nothing.",
		fr: "« {char} » ne ferme rien.",
		zh: "“{char}”没有对应的开始符号。",
	},
	"typography.double_space": {
		en: "Several spaces in a row.",
		fr: "Plusieurs espaces à la suite.",
		zh: "连续多个空格。",
	},

	// What the WeChat sanitiser removed (Removal.Code).
	"removed.script": {
		en: "Removed {count} script(s).",
		fr: "{count} script(s) retiré(s).",
		zh: "已删除 {count} 个脚本。",
	},
	"removed.event_handler": {
		en: "Removed {count} event attribute(s) ({detail}).",
		fr: "{count} attribut(s) d'événement retiré(s) ({detail}).",
		zh: "已删除 {count} 个事件属性（{detail}）。",
	},
	"removed.javascript_url": {
		en: "Removed {count} javascript: link(s).",
		fr: "{count} lien(s) javascript: retiré(s).",
		zh: "已删除 {count} 个 javascript: 链接。",
	},
	"removed.embed": {
		en: "Removed {count} embedded element(s) ({detail}).",
		fr: "{count} élément(s) intégré(s) retiré(s) ({detail}).",
		zh: "已删除 {count} 个嵌入元素（{detail}）。",
	},
	"removed.external_image": {
		en: "Removed {count} image(s) not hosted on WeChat ({detail}); upload them again.",
		fr: "{count} image(s) non hébergée(s) par WeChat retirée(s) ({detail}) ; téléversez-les à nouveau.",
		zh: "已删除 {count} 张非微信托管的图片（{detail}），请重新上传。",
	},
	"removed.element": {
		en: "Removed the formatting of {count} unsupported element(s) ({detail}); their text is kept.",
		fr: "Mise en forme de {count} élément(s) non pris en charge retirée ({detail}) ; leur texte est conservé.",
		zh: "已去除 {count} 个不支持元素的格式（{detail}），保留其文字。",
	},
	"removed.attribute": {
		en: "Removed {count} unsupported attribute(s) ({detail}).",
		fr: "{count} attribut(s) non pris en charge retiré(s) ({detail}).",
		zh: "已删除 {count} 个不支持的属性（{detail}）。",
	},
	"removed.style": {
		en: "Removed {count} style sheet(s) or unsupported style(s) ({detail}).",
		fr: "{count} feuille(s) de style ou style(s) non pris en charge retiré(s) ({detail}).",
		zh: "已删除 {count} 个样式表或不支持的样式（{detail}）。",
	},
}

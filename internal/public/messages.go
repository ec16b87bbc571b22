package public

import (
	"net/http"
	"strconv"
	"strings"
)

// Languages of the public pages, in the order of the language switch.
var languages = []string{"fr", "en", "zh"}

// catalog returns the page's messages per language. It is built once per handler and
// never changed.
func catalog() map[string]map[string]string {
	return map[string]map[string]string{
		"fr": {
			"lang":        "fr",
			"colon":       "\u00a0: ",
			"title":       "Baromètre des institutions culturelles sur les réseaux chinois",
			"subtitle":    "Institutions les plus suivies",
			"period":      "Période",
			"published":   "Publié le",
			"live":        "chiffres provisoires, pas encore une édition publiée",
			"rank":        "Rang",
			"institution": "Institution",
			"country":     "Pays",
			"followers":   "Abonnés",
			"share":       "Part",
			"growth":      "Croissance",
			"index":       "Indice",
			"movement":    "Évolution",
			"new":         "nouveau",
			"nodata":      "pas de donnée",
			"total":       "Total des abonnés suivis",
			"chart":       "Abonnés, dix premières institutions",
			"methodology": "Méthodologie",
			"method1":     "Abonnés : somme, pour chaque institution, du dernier relevé public de ses comptes au plus tard le dernier jour de la période (jours de Chine). Un compte sans relevé dans la période ne compte pas ; une institution sans aucun relevé est indiquée « pas de donnée », jamais zéro.",
			"method2":     "Part : abonnés de l'institution ÷ total des institutions ayant des données × 100. Croissance : abonnés en fin de période moins le dernier relevé au plus tard le premier jour. Les ex aequo partagent le même rang (1, 2, 2, 4) ; l'évolution compare au rang de la période précédente.",
			"method3":     "Indice d'influence, dans l'esprit des indices publics WCI/BCI : 10 × (0,5·ln(abonnés+1) + 0,3·ln(vues par jour+1) + 0,2·ln(10·interactions par jour+1)), divisé par la somme des poids des termes connus.",
			"method4":     "Chaque édition est figée à sa publication : une correction ultérieure ne modifie jamais un classement publié.",
			"download":    "Télécharger",
			"editions":    "Éditions",
			"platform":    "Réseau",
			"all":         "Tous réseaux",
			"weibo":       "Weibo",
			"wechat":      "WeChat",
			"douyin":      "Douyin",
			"xiaohongshu": "Xiaohongshu",
			"none":        "Aucun baromètre n'est encore publié.",
			"source":      "Source : relevés publics des comptes, publiés avec Passerelle.",
		},
		"en": {
			"lang":        "en",
			"colon":       ": ",
			"title":       "Barometer of cultural institutions on Chinese social networks",
			"subtitle":    "Most followed institutions",
			"period":      "Period",
			"published":   "Published",
			"live":        "provisional figures, not yet a published edition",
			"rank":        "Rank",
			"institution": "Institution",
			"country":     "Country",
			"followers":   "Followers",
			"share":       "Share",
			"growth":      "Growth",
			"index":       "Index",
			"movement":    "Movement",
			"new":         "new",
			"nodata":      "no data",
			"total":       "Total followers tracked",
			"chart":       "Followers, top ten institutions",
			"methodology": "Methodology",
			"method1":     "Followers: for each institution, the sum of the latest public reading of each of its accounts on or before the last day of the period (days in China). An account with no reading in the period does not count; an institution with no reading at all shows “no data”, never zero.",
			"method2":     "Share: the institution's followers ÷ the total of the institutions with data × 100. Growth: followers at the end of the period minus the latest reading on or before its first day. Ties share a rank (1, 2, 2, 4); movement compares with the rank of the previous period.",
			"method3":     "Influence index, in the spirit of the public WCI/BCI indices: 10 × (0.5·ln(followers+1) + 0.3·ln(views per day+1) + 0.2·ln(10·interactions per day+1)), divided by the sum of the weights of the known terms.",
			"method4":     "Each edition is frozen when published: a later correction never changes a published ranking.",
			"download":    "Download",
			"editions":    "Editions",
			"platform":    "Network",
			"all":         "All networks",
			"weibo":       "Weibo",
			"wechat":      "WeChat",
			"douyin":      "Douyin",
			"xiaohongshu": "Xiaohongshu",
			"none":        "No barometer is published yet.",
			"source":      "Source: public readings of the accounts, published with Passerelle.",
		},
		"zh": {
			"lang":        "zh-Hans",
			"colon":       "：",
			"title":       "文化机构中国社交媒体影响力榜",
			"subtitle":    "粉丝最多的机构",
			"period":      "统计周期",
			"published":   "发布日期",
			"live":        "临时数据，尚未正式发布",
			"rank":        "排名",
			"institution": "机构",
			"country":     "国家",
			"followers":   "粉丝数",
			"share":       "占比",
			"growth":      "增长",
			"index":       "指数",
			"movement":    "名次变化",
			"new":         "新上榜",
			"nodata":      "暂无数据",
			"total":       "追踪粉丝总数",
			"chart":       "粉丝数（前十名）",
			"methodology": "计算方法",
			"method1":     "粉丝数：每个机构各账号在统计周期最后一天（北京时间）或之前的最新公开数据之和。周期内没有数据的账号不计入；完全没有数据的机构标为“暂无数据”，而不是零。",
			"method2":     "占比：机构粉丝数 ÷ 有数据机构的粉丝总数 × 100。增长：周期末粉丝数减去周期第一天或之前的最新数据。并列者名次相同（1、2、2、4）；名次变化与上一周期相比。",
			"method3":     "影响力指数，参照公开的 WCI/BCI 指数：10 × (0.5·ln(粉丝数+1) + 0.3·ln(日均阅读数+1) + 0.2·ln(10·日均互动数+1))，再除以已知项权重之和。",
			"method4":     "每期榜单发布即冻结：之后的数据更正不会改变已发布的排名。",
			"download":    "下载",
			"editions":    "往期榜单",
			"platform":    "平台",
			"all":         "全部平台",
			"weibo":       "微博",
			"wechat":      "微信",
			"douyin":      "抖音",
			"xiaohongshu": "小红书",
			"none":        "尚未发布榜单。",
			"source":      "数据来源：各账号公开数据，由 Passerelle 发布。",
		},
	}
}

// chooseLanguage takes ?lang=, else the first of the browser's languages we speak,
// else English.
func chooseLanguage(r *http.Request) string {
	if l := strings.ToLower(r.URL.Query().Get("lang")); l != "" {
		for _, x := range languages {
			if l == x || strings.HasPrefix(l, x+"-") {
				return x
			}
		}
	}
	best, bestQ := "en", -1.0
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		for _, x := range languages {
			if base == x && q > bestQ {
				best, bestQ = x, q
			}
		}
	}
	return best
}

// formatInt groups digits the way the language writes them.
func formatInt(lang string, n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := ","
	if lang == "fr" {
		sep = "\u202f"
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	if neg {
		return "−" + b.String()
	}
	return b.String()
}

// formatFloat writes a decimal with the language's separator.
func formatFloat(lang string, f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if lang == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return strings.Replace(s, "-", "−", 1)
}

func formatPercent(lang string, f float64) string {
	if lang == "fr" {
		return formatFloat(lang, f) + "\u202f%"
	}
	return formatFloat(lang, f) + "%"
}

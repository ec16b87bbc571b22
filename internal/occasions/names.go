package occasions

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

type lang int

const (
	langEN lang = iota
	langFR
	langZH
)

func language(s string) lang {
	switch s {
	case "fr":
		return langFR
	case "zh-Hans", "zh":
		return langZH
	default:
		return langEN
	}
}

type names struct{ fr, en, zh string }

func (n names) in(l lang) string {
	switch l {
	case langFR:
		return n.fr
	case langZH:
		return n.zh
	default:
		return n.en
	}
}

// fixedNames are the names of the festivals and museum days; the Chinese names are the
// ones used on Weibo and WeChat.
var fixedNames = map[string]names{
	"spring_festival":               {"Fête du Printemps (Nouvel An chinois)", "Spring Festival (Chinese New Year)", "春节"},
	"lantern_festival":              {"Fête des Lanternes", "Lantern Festival", "元宵节"},
	"qingming":                      {"Fête de Qingming", "Qingming Festival", "清明节"},
	"dragon_boat":                   {"Fête des Bateaux-Dragons", "Dragon Boat Festival", "端午节"},
	"qixi":                          {"Qixi (Saint-Valentin chinoise)", "Qixi Festival (Chinese Valentine's Day)", "七夕节"},
	"mid_autumn":                    {"Fête de la mi-automne", "Mid-Autumn Festival", "中秋节"},
	"double_ninth":                  {"Fête du Double Neuf", "Double Ninth Festival", "重阳节"},
	"national_day":                  {"Fête nationale chinoise", "Chinese National Day", "国庆节"},
	"national_day_golden_week":      {"Fête nationale chinoise (semaine d'or)", "Chinese National Day (Golden Week)", "国庆节黄金周"},
	"new_year":                      {"Nouvel An (元旦)", "New Year's Day (元旦)", "元旦"},
	"winter_solstice":               {"Solstice d'hiver (Dongzhi)", "Winter Solstice (Dongzhi)", "冬至"},
	"520":                           {"520, fête des déclarations d'amour", "520, day of love declarations", "520网络情人节"},
	"cultural_natural_heritage_day": {"Journée du patrimoine culturel et naturel de Chine", "China's Cultural and Natural Heritage Day", "文化和自然遗产日"},
	"cultural_heritage_day":         {"Journée du patrimoine culturel de Chine", "China's Cultural Heritage Day", "文化遗产日"},
	"spring_festival_golden_week":   {"Congés de la Fête du Printemps (semaine d'or)", "Spring Festival holidays (Golden Week)", "春节黄金周"},
	"labour_day_holiday":            {"Congés du 1er Mai", "May Day holidays", "五一假期"},
	"international_museum_day":      {"Journée internationale des musées", "International Museum Day", "国际博物馆日"},
	"nuit_des_musees":               {"Nuit européenne des musées", "European Night of Museums", "欧洲博物馆之夜"},
	"journees_du_patrimoine":        {"Journées européennes du patrimoine", "European Heritage Days", "欧洲文化遗产日"},
}

func personName(p Person, l lang) string {
	if l == langZH && p.NameZH != "" {
		return p.NameZH
	}
	if p.Name != "" {
		return p.Name
	}
	return p.NameZH
}

var frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// anniversaryName reads like a line of the calendar: "190th anniversary of the birth
// of Edgar Degas (19 July 1834)", "德加诞辰190周年（1834年7月19日）".
func anniversaryName(l lang, o occasion) string {
	d := o.origin
	switch l {
	case langFR:
		var when string
		switch o.precision {
		case PrecisionDay:
			day := fmt.Sprint(d.Day)
			if d.Day == 1 {
				day = "1er"
			}
			when = fmt.Sprintf("%s %s %d", day, frenchMonths[d.Month-1], d.Year)
		case PrecisionMonth:
			when = fmt.Sprintf("%s %d", frenchMonths[d.Month-1], d.Year)
		default:
			when = fmt.Sprint(d.Year)
		}
		what := "la naissance"
		if o.event == EventDeath {
			what = "la mort"
		}
		ord := fmt.Sprintf("%de", o.years)
		if o.years == 1 {
			ord = "1er"
		}
		return fmt.Sprintf("%s anniversaire de %s %s (%s)", ord, what, frenchOf(o.personName), when)
	case langZH:
		var when string
		switch o.precision {
		case PrecisionDay:
			when = fmt.Sprintf("%d年%d月%d日", d.Year, int(d.Month), d.Day)
		case PrecisionMonth:
			when = fmt.Sprintf("%d年%d月", d.Year, int(d.Month))
		default:
			when = fmt.Sprintf("%d年", d.Year)
		}
		what := "诞辰"
		if o.event == EventDeath {
			what = "逝世"
		}
		return fmt.Sprintf("%s%s%d周年（%s）", o.personName, what, o.years, when)
	default:
		var when string
		switch o.precision {
		case PrecisionDay:
			when = fmt.Sprintf("%d %s %d", d.Day, d.Month, d.Year)
		case PrecisionMonth:
			when = fmt.Sprintf("%s %d", d.Month, d.Year)
		default:
			when = fmt.Sprint(d.Year)
		}
		what := "birth"
		if o.event == EventDeath {
			what = "death"
		}
		return fmt.Sprintf("%s anniversary of the %s of %s (%s)", englishOrdinal(o.years), what, o.personName, when)
	}
}

// frenchOf elides "de" before a vowel or a mute h: "d'Edgar Degas", "d'Henri
// Matisse", "de Claude Monet".
func frenchOf(name string) string {
	r, _ := utf8.DecodeRuneInString(name)
	base := unicode.ToLower(r)
	if strings.ContainsRune("aeiouyhàâäéèêëîïôöùûüÿœæ", base) {
		return "d'" + name
	}
	return "de " + name
}

func englishOrdinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

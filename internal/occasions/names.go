package occasions

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/passerelle-oss/passerelle/internal/i18n"
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

// localizer is the catalog of internal/i18n in the occasion's language; the names of
// the festivals and museum days (occasions.*.json) are the ones used on Weibo and WeChat
// in Chinese.
func localizer(l lang) *i18n.Localizer {
	return i18n.Shared().Localizer([...]string{langEN: "en", langFR: "fr", langZH: "zh-Hans"}[l])
}

// fixedName names a festival or museum day by its key.
func fixedName(l lang, key string) string { return localizer(l).T("occasion." + key) }

func personName(p Person, l lang) string {
	if l == langZH && p.NameZH != "" {
		return p.NameZH
	}
	if p.Name != "" {
		return p.Name
	}
	return p.NameZH
}

// anniversaryName reads like a line of the calendar: "190th anniversary of the birth
// of Edgar Degas (19 July 1834)", "德加诞辰190周年（1834年7月19日）". The words come from
// the catalog; the ordinals are the languages' number formatting.
func anniversaryName(l lang, o occasion) string {
	loc := localizer(l)
	d := o.origin
	date := map[string]string{"year": strconv.Itoa(d.Year), "month": loc.T(fmt.Sprintf("occasion.month.%d", int(d.Month))), "day": strconv.Itoa(d.Day)}
	if d.Day == 1 {
		date["day"] = loc.T("occasion.day.first")
	}
	var when string
	switch o.precision {
	case PrecisionDay:
		when = loc.Fill("occasion.date.day", date)
	case PrecisionMonth:
		when = loc.Fill("occasion.date.month", date)
	default:
		when = loc.Fill("occasion.date.year", date)
	}
	of := "occasion.of"
	if elides(o.personName) {
		of = "occasion.of_elided"
	}
	id := "occasion.anniversary.birth"
	if o.event == EventDeath {
		id = "occasion.anniversary.death"
	}
	return loc.Fill(id, map[string]string{
		"ordinal": ordinal(l, o.years),
		"of_name": loc.Fill(of, map[string]string{"name": o.personName}),
		"date":    when,
	})
}

// elides reports whether French elides "de" before the name: a vowel or a mute h
// ("d'Edgar Degas", "d'Henri Matisse", "de Claude Monet"). The catalog's other
// languages say the same in both forms.
func elides(name string) bool {
	r, _ := utf8.DecodeRuneInString(name)
	return strings.ContainsRune("aeiouyhàâäéèêëîïôöùûüÿœæ", unicode.ToLower(r))
}

// ordinal writes n as the language's ordinal number: 1st, 112th; 1er, 190e; 190.
func ordinal(l lang, n int) string {
	switch l {
	case langFR:
		if n == 1 {
			return "1er"
		}
		return strconv.Itoa(n) + "e"
	case langZH:
		return strconv.Itoa(n)
	default:
		return englishOrdinal(n)
	}
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

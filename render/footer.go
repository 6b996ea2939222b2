package render

import "strings"

// builtinFooter is the footer text and unsubscribe label in each built-in
// language.
var builtinFooter = map[string]struct{ text, unsubscribe string }{
	"en": {"Replies to this message reach the team in charge and stay attached to this case.", "Unsubscribe"},
	"fr": {"Les réponses à ce message parviennent à l’équipe en charge et restent rattachées à ce dossier.", "Se désabonner"},
	"de": {"Antworten auf diese Nachricht erreichen das zuständige Team und bleiben diesem Vorgang zugeordnet.", "Abmelden"},
	"es": {"Las respuestas a este mensaje llegan al equipo responsable y quedan vinculadas a este caso.", "Darse de baja"},
}

// builtinFor returns the built-in strings for locale (pt-BR tries pt-BR,
// then pt), English when the language is not built in.
func builtinFor(locale string) (text, unsubscribe string) {
	for _, l := range localeChain(strings.ToLower(strings.ReplaceAll(locale, "_", "-"))) {
		if f, ok := builtinFooter[l]; ok {
			return f.text, f.unsubscribe
		}
	}
	f := builtinFooter["en"]
	return f.text, f.unsubscribe
}

// footerFor returns the footer text for locale: the brand's own text for
// it, else the built-in one in its language.
func footerFor(b *Brand, locale string) string {
	if s, ok := b.footerText(locale); ok {
		return s
	}
	text, _ := builtinFor(locale)
	return text
}

// textFooter is the footer of the text part: a signature separator, then
// the brand's name, address, footer text and unsubscribe URL, one a line.
// It is empty without a brand, so unbranded messages keep their text.
func textFooter(b *Brand, locale string) string {
	if b == nil || b.Name == "" && b.Address == "" && b.Unsubscribe == "" && len(b.Footer) == 0 {
		return ""
	}
	var lines []string
	if b.Name != "" {
		lines = append(lines, b.Name)
	}
	if a := strings.TrimSpace(b.Address); a != "" {
		lines = append(lines, strings.Split(a, "\n")...)
	}
	if f := strings.TrimSpace(footerFor(b, locale)); f != "" {
		lines = append(lines, f)
	}
	if b.Unsubscribe != "" {
		_, label := builtinFor(locale)
		lines = append(lines, label+": "+b.Unsubscribe)
	}
	return "\n-- \n" + strings.Join(lines, "\n") + "\n"
}

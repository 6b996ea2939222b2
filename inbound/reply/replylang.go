package reply

import (
	"regexp"
	"strings"
)

// Language is what mail clients write around a quoted original in one
// language: the words [StripQuote] and [StripSignature] recognise. The
// tables are data so that tests (and test helpers that write replies as
// clients do) use the same knowledge as the reader.
//
// Every phrase is matched without regard to case, with any run of blanks
// between its words.
type Language struct {
	// Code is the ISO 639-1 code: "en", "fr", "de", "es", "it", "nl", "pt".
	Code string
	// AttributionOpeners open an "On <date>, <name> wrote:" line: "On",
	// "At", "Le", "Am", "El", "Il", "In data", "Op", "Em".
	AttributionOpeners []string
	// AttributionVerbs end one, before the colon: "wrote", "a écrit",
	// "schrieb", "escribió", "ha scritto", "schreef", "escreveu".
	AttributionVerbs []string
	// Separators are the words of an "-----Original Message-----" line
	// (between runs of dashes, underscores or equals signs).
	Separators []string
	// ForwardLines are whole lines that open a forwarded original, written
	// with a colon after them: "Begin forwarded message:".
	ForwardLines []string
	// FromLabels and OtherLabels are the labels of a quoted header block
	// ("From:", "Sent:", "To:", "Subject:"), without the colon.
	FromLabels, OtherLabels []string
	// DeviceSignatures open the line a mobile client appends: "Sent from
	// my" (then a device), "Get Outlook for" (then iOS or Android). Such a
	// line may end with a link in angle brackets, as Outlook mobile's does
	// in plain text: "Get Outlook for iOS<https://aka.ms/o0ukef>".
	DeviceSignatures []string
	// Closings are sign-off lines: "Thanks", "Best regards", "Cordialement".
	Closings []string
}

// replyLanguages is the table behind [Languages].
var replyLanguages = []Language{
	{
		Code:               "en",
		AttributionOpeners: []string{"On", "At", "In message"},
		AttributionVerbs:   []string{"wrote", "writes", "sent"},
		Separators:         []string{"Original Message", "Reply Message", "Forwarded Message", "Forwarded message"},
		ForwardLines:       []string{"Begin forwarded message"},
		FromLabels:         []string{"From"},
		OtherLabels:        []string{"Sent", "Date", "To", "Cc", "Subject"},
		DeviceSignatures: []string{"Sent from my", "Sent from Outlook", "Sent from Mail", "Sent from Yahoo Mail",
			"Sent from Gmail", "Sent from AOL", "Sent from Samsung", "Sent from ProtonMail", "Sent from Proton Mail",
			"Sent from TypeApp", "Sent from BlueMail", "Sent from Spark", "Sent with", "Sent via", "Get Outlook for",
			"Download Outlook for", "Get BlueMail for"},
		Closings: []string{"Thanks", "Thank you", "Many thanks", "Thx", "Regards", "Best regards", "Kind regards",
			"Best", "Cheers", "Sincerely", "Yours"},
	},
	{
		Code:               "fr",
		AttributionOpeners: []string{"Le"},
		AttributionVerbs:   []string{"a écrit", "nous a dit"},
		Separators:         []string{"Message d'origine", "Message original", "Message transféré"},
		ForwardLines:       []string{"Début du message réexpédié", "Début du message transféré"},
		FromLabels:         []string{"De"},
		OtherLabels:        []string{"Envoyé", "Date d'envoi", "Date", "À", "A", "Cc", "Copie à", "Objet", "Sujet", "Message du"},
		DeviceSignatures: []string{"Envoyé de mon", "Envoyé depuis mon", "Envoyé depuis ma", "Envoyé de l'application",
			"Envoyé à partir de", "Obtenir Outlook pour", "Télécharger Outlook pour"},
		Closings: []string{"Merci", "Cordialement", "Bien à vous", "Bien cordialement", "Salutations"},
	},
	{
		Code:               "de",
		AttributionOpeners: []string{"Am"},
		AttributionVerbs:   []string{"schrieb", "schrieben Sie", "geschrieben"},
		Separators:         []string{"Ursprüngliche Nachricht", "Weitergeleitete Nachricht", "Antwort Nachricht"},
		ForwardLines:       []string{"Anfang der weitergeleiteten Nachricht"},
		FromLabels:         []string{"Von"},
		OtherLabels:        []string{"Gesendet", "Datum", "An", "Cc", "Kopie", "Betreff"},
		DeviceSignatures: []string{"Von meinem", "Gesendet von", "Gesendet mit", "Outlook für iOS herunterladen",
			"Outlook für Android herunterladen"},
		Closings: []string{"Mit freundlichen Grüßen", "Freundliche Grüße", "Viele Grüße", "Beste Grüße", "Grüße", "Gruß",
			"Danke"},
	},
	{
		Code:               "es",
		AttributionOpeners: []string{"El"},
		AttributionVerbs:   []string{"escribió"},
		Separators:         []string{"Mensaje original", "Mensaje reenviado"},
		ForwardLines:       []string{"Inicio del mensaje reenviado"},
		FromLabels:         []string{"De"},
		OtherLabels:        []string{"Enviado", "Enviado el", "Fecha", "Para", "CC", "Asunto"},
		DeviceSignatures:   []string{"Enviado desde mi", "Enviado desde", "Obtener Outlook para"},
		Closings:           []string{"Saludos", "Un saludo", "Atentamente", "Gracias"},
	},
	{
		Code:               "it",
		AttributionOpeners: []string{"Il", "In data"},
		AttributionVerbs:   []string{"ha scritto"},
		Separators:         []string{"Messaggio originale", "Messaggio inoltrato"},
		ForwardLines:       []string{"Inizio messaggio inoltrato"},
		FromLabels:         []string{"Da"},
		OtherLabels:        []string{"Inviato", "Data", "A", "Cc", "Oggetto"},
		DeviceSignatures:   []string{"Inviato da", "Inviato dal mio", "Scarica Outlook per"},
		Closings:           []string{"Cordiali saluti", "Saluti", "Grazie", "Distinti saluti"},
	},
	{
		Code:               "nl",
		AttributionOpeners: []string{"Op"},
		AttributionVerbs:   []string{"schreef", "het volgende geschreven"},
		Separators:         []string{"Oorspronkelijk bericht", "Origineel bericht", "Doorgestuurd bericht"},
		ForwardLines:       []string{"Begin doorgestuurd bericht"},
		FromLabels:         []string{"Van"},
		OtherLabels:        []string{"Verzonden", "Datum", "Aan", "Cc", "Onderwerp"},
		DeviceSignatures:   []string{"Verzonden vanaf mijn", "Verstuurd vanaf mijn", "Verzonden met", "Download Outlook voor"},
		Closings:           []string{"Met vriendelijke groet", "Met vriendelijke groeten", "Groeten", "Groet", "Bedankt"},
	},
	{
		Code:               "pt",
		AttributionOpeners: []string{"Em", "No dia"},
		AttributionVerbs:   []string{"escreveu"},
		Separators:         []string{"Mensagem original", "Mensagem encaminhada"},
		ForwardLines:       []string{"Início da mensagem reencaminhada", "Início da mensagem encaminhada"},
		FromLabels:         []string{"De"},
		OtherLabels:        []string{"Enviado", "Enviada em", "Data", "Para", "Cc", "Assunto"},
		DeviceSignatures:   []string{"Enviado do meu", "Enviado do", "Obter o Outlook para"},
		Closings:           []string{"Obrigado", "Obrigada", "Atenciosamente", "Cumprimentos", "Abraço"},
	},
}

// Languages returns the phrases of every language the reply reader
// knows, English first. The result is a copy: changing it changes nothing
// else.
func Languages() []Language {
	out := make([]Language, len(replyLanguages))
	for i, l := range replyLanguages {
		out[i] = Language{
			Code:               l.Code,
			AttributionOpeners: clone(l.AttributionOpeners),
			AttributionVerbs:   clone(l.AttributionVerbs),
			Separators:         clone(l.Separators),
			ForwardLines:       clone(l.ForwardLines),
			FromLabels:         clone(l.FromLabels),
			OtherLabels:        clone(l.OtherLabels),
			DeviceSignatures:   clone(l.DeviceSignatures),
			Closings:           clone(l.Closings),
		}
	}
	return out
}

func clone(s []string) []string { return append([]string(nil), s...) }

// phrases gathers one list from every language, for a regular expression:
// each phrase quoted, its blanks matching any run of blanks.
func phrases(pick func(Language) []string) string {
	seen := map[string]bool{}
	var alts []string
	for _, l := range replyLanguages {
		for _, p := range pick(l) {
			q := strings.Join(strings.Fields(regexp.QuoteMeta(p)), `\s+`)
			if !seen[strings.ToLower(q)] {
				seen[strings.ToLower(q)] = true
				alts = append(alts, q)
			}
		}
	}
	// Longest first, so that "Best regards" wins over "Best".
	for i := 1; i < len(alts); i++ {
		for j := i; j > 0 && len(alts[j]) > len(alts[j-1]); j-- {
			alts[j], alts[j-1] = alts[j-1], alts[j]
		}
	}
	return "(?:" + strings.Join(alts, "|") + ")"
}

// firstBytes returns the set of bytes that the phrases start with, in
// both cases, for a cheap test before a regular expression.
func firstBytes(pick func(Language) []string) *[256]bool {
	var set [256]bool
	for _, l := range replyLanguages {
		for _, p := range pick(l) {
			c := p[0]
			set[c] = true
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
				set[c^0x20] = true
			}
		}
	}
	return &set
}

// openerWords lists the first words of the attribution openers, lower
// case, in table order, without repeats.
func openerWords() []string {
	var words []string
	seen := map[string]bool{}
	for _, l := range replyLanguages {
		for _, o := range l.AttributionOpeners {
			if w := strings.ToLower(strings.Fields(o)[0]); !seen[w] {
				seen[w] = true
				words = append(words, w)
			}
		}
	}
	return words
}

package replytest

import (
	"strings"

	"github.com/mailtrail/mailtrail/inbound/reply"
)

// phrases is what the clients write in one language. The words that mark
// a quote come from the reply reader's own tables (reply.Languages,
// see fromReader): attribution openers and verbs ({O}, {O2}, {V}, {V2} in
// the templates), the "original message" separator, the forward line and
// the From label. The rest is how each client puts them together (word
// order, dates, labels by role, device lines), and every phrase of it is
// one the reader knows (TestPhrases_known checks it).
type phrases struct {
	sample  string // the default answer
	closing string // a sign-off line above the partner's name
	ooo     string // an out-of-office text

	// Attribution lines, with the tokens of expand: Gmail's, Apple Mail's
	// (and iOS Mail's), Thunderbird's.
	gmailAttr, appleAttr, tbAttr string
	openers, verbs               []string // from the reader's table

	// Outlook: reply and forward prefixes, the header block's labels in
	// order (From, Sent, To, Subject), the colon as written after a label
	// (" :" in French), and the Sent date.
	outlookRe, outlookFw string
	outlookLabels        [4]string
	colon                string
	outlookDate          string

	// Samsung Email: the separator's words (the reader's first
	// separator), the header block's labels (From, Date, To, Subject) and
	// its device line.
	original      string
	samsungLabels [4]string
	samsung       string

	iphone        string // iOS Mail's device line
	outlookMobile string // Outlook mobile's line, a link follows it

	gmailFwd, tbFwd string // forward separators' words
	appleFwd        string // the forward line: the reader's first
	oooSubject      string // Exchange's automatic reply prefix

	wd, weekday, mon, month [12]string // day names from Sunday; month names from January
}

var languages = map[Language]*phrases{
	English: {
		sample: "Done, everything is in order.", closing: "Kind regards,", ooo: "I am out of the office until Monday.",
		gmailAttr: "{O} {wd}, {mon} {d}, {yyyy} at {h12}:{MM} {ampm} {from} {V}:",
		appleAttr: "{O} {d} {mon} {yyyy}, at {HH}:{MM}, {from} {V}:",
		tbAttr:    "{O} {m}/{d}/{yy} {HH}:{MM}, {name} {V}:",
		outlookRe: "RE: ", outlookFw: "FW: ",
		outlookLabels: [4]string{"", "Sent", "To", "Subject"}, colon: ":",
		outlookDate:   "{weekday}, {month} {d}, {yyyy} {h12}:{MM} {ampm}",
		samsungLabels: [4]string{"", "Date", "To", "Subject"},
		samsung:       "Sent from my Galaxy", iphone: "Sent from my iPhone", outlookMobile: "Get Outlook for iOS",
		gmailFwd: "Forwarded message", tbFwd: "Forwarded Message",
		oooSubject: "Automatic reply: ",
		wd:         [12]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"},
		weekday:    [12]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
		mon:        [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
		month:      [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	},
	French: {
		sample: "C'est fait, tout est en ordre.", closing: "Cordialement,", ooo: "Je suis absent du bureau jusqu'à lundi.",
		gmailAttr: "{O} {wd} {d} {mon} {yyyy} à {HH}:{MM}, {from} {V} :",
		appleAttr: "{O} {d} {month} {yyyy} à {HH}:{MM}, {from} {V} :",
		tbAttr:    "{O} {dd}/{mm}/{yyyy} à {HH}:{MM}, {name} {V} :",
		outlookRe: "RE : ", outlookFw: "TR : ",
		outlookLabels: [4]string{"", "Envoyé", "À", "Objet"}, colon: " :",
		outlookDate:   "{weekday} {d} {month} {yyyy} {HH}:{MM}",
		samsungLabels: [4]string{"", "Date", "À", "Objet"},
		samsung:       "Envoyé depuis mon appareil Galaxy", iphone: "Envoyé de mon iPhone", outlookMobile: "Obtenir Outlook pour iOS",
		gmailFwd: "Message transféré", tbFwd: "Message transféré",
		oooSubject: "Réponse automatique : ",
		wd:         [12]string{"dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."},
		weekday:    [12]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"},
		mon:        [12]string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."},
		month:      [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	},
	German: {
		sample: "Erledigt, alles ist in Ordnung.", closing: "Mit freundlichen Grüßen", ooo: "Ich bin bis Montag nicht im Büro.",
		gmailAttr: "{O} {wd}, {d}. {mon} {yyyy} um {HH}:{MM} Uhr {V} {from}:",
		appleAttr: "{O} {dd}.{mm}.{yyyy} um {HH}:{MM} {V} {from}:",
		tbAttr:    "{O} {dd}.{mm}.{yy} um {HH}:{MM} {V} {name}:",
		outlookRe: "AW: ", outlookFw: "WG: ",
		outlookLabels: [4]string{"", "Gesendet", "An", "Betreff"}, colon: ":",
		outlookDate:   "{weekday}, {d}. {month} {yyyy} {HH}:{MM}",
		samsungLabels: [4]string{"", "Datum", "An", "Betreff"},
		samsung:       "Von meinem Galaxy gesendet", iphone: "Von meinem iPhone gesendet", outlookMobile: "Outlook für iOS herunterladen",
		gmailFwd: "Weitergeleitete Nachricht", tbFwd: "Weitergeleitete Nachricht",
		oooSubject: "Automatische Antwort: ",
		wd:         [12]string{"So.", "Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa."},
		weekday:    [12]string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"},
		mon:        [12]string{"Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."},
		month:      [12]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
	},
	Spanish: {
		sample: "Hecho, todo está en orden.", closing: "Saludos,", ooo: "Estoy fuera de la oficina hasta el lunes.",
		gmailAttr: "{O} {wd}, {d} {mon} {yyyy} a las {H}:{MM}, {from} {V}:",
		appleAttr: "{O} {d} {mon} {yyyy}, a las {H}:{MM}, {from} {V}:",
		tbAttr:    "{O} {d}/{m}/{yy} a las {H}:{MM}, {name} {V}:",
		outlookRe: "RE: ", outlookFw: "RV: ",
		outlookLabels: [4]string{"", "Enviado", "Para", "Asunto"}, colon: ":",
		outlookDate:   "{weekday}, {d} de {month} de {yyyy} {H}:{MM}",
		samsungLabels: [4]string{"", "Fecha", "Para", "Asunto"},
		samsung:       "Enviado desde mi Galaxy", iphone: "Enviado desde mi iPhone", outlookMobile: "Obtener Outlook para iOS",
		gmailFwd: "Mensaje reenviado", tbFwd: "Mensaje reenviado",
		oooSubject: "Respuesta automática: ",
		wd:         [12]string{"dom", "lun", "mar", "mié", "jue", "vie", "sáb"},
		weekday:    [12]string{"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"},
		mon:        [12]string{"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"},
		month:      [12]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
	},
	Italian: {
		sample: "Fatto, è tutto in ordine.", closing: "Cordiali saluti,", ooo: "Sono fuori ufficio fino a lunedì.",
		gmailAttr: "{O} giorno {wd} {d} {mon} {yyyy} alle ore {HH}:{MM} {from} {V}:",
		appleAttr: "{O} giorno {d} {mon} {yyyy}, alle ore {HH}:{MM}, {from} {V}:",
		tbAttr:    "{O} {dd}/{mm}/{yy} {HH}:{MM}, {name} {V}:",
		outlookRe: "R: ", outlookFw: "I: ",
		outlookLabels: [4]string{"", "Inviato", "A", "Oggetto"}, colon: ":",
		outlookDate:   "{weekday} {d} {month} {yyyy} {HH}:{MM}",
		samsungLabels: [4]string{"", "Data", "A", "Oggetto"},
		samsung:       "Inviato dal mio Galaxy", iphone: "Inviato da iPhone", outlookMobile: "Scarica Outlook per iOS",
		gmailFwd: "Messaggio inoltrato", tbFwd: "Messaggio inoltrato",
		oooSubject: "Risposta automatica: ",
		wd:         [12]string{"dom", "lun", "mar", "mer", "gio", "ven", "sab"},
		weekday:    [12]string{"domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"},
		mon:        [12]string{"gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"},
		month:      [12]string{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"},
	},
	Dutch: {
		sample: "Gedaan, alles is in orde.", closing: "Met vriendelijke groet,", ooo: "Ik ben tot maandag afwezig.",
		gmailAttr: "{O} {wd} {d} {mon} {yyyy} om {HH}:{MM} {V} {from}:",
		appleAttr: "{O} {d} {mon} {yyyy} om {HH}:{MM} heeft {from} {V2}:",
		tbAttr:    "{O} {dd}-{mm}-{yyyy} om {HH}:{MM} {V} {name}:",
		outlookRe: "RE: ", outlookFw: "FW: ",
		outlookLabels: [4]string{"", "Verzonden", "Aan", "Onderwerp"}, colon: ":",
		outlookDate:   "{weekday} {d} {month} {yyyy} {HH}:{MM}",
		samsungLabels: [4]string{"", "Datum", "Aan", "Onderwerp"},
		samsung:       "Verzonden vanaf mijn Galaxy", iphone: "Verstuurd vanaf mijn iPhone", outlookMobile: "Download Outlook voor iOS",
		gmailFwd: "Doorgestuurd bericht", tbFwd: "Doorgestuurd bericht",
		oooSubject: "Automatisch antwoord: ",
		wd:         [12]string{"zo", "ma", "di", "wo", "do", "vr", "za"},
		weekday:    [12]string{"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"},
		mon:        [12]string{"jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"},
		month:      [12]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
	},
	Portuguese: {
		sample: "Feito, está tudo em ordem.", closing: "Atenciosamente,", ooo: "Estou fora do escritório até segunda-feira.",
		gmailAttr: "{O} {wd}, {d} de {mon} de {yyyy} às {HH}:{MM}, {from} {V}:",
		appleAttr: "{O2} {d} de {mon} de {yyyy}, às {HH}:{MM}, {from} {V}:",
		tbAttr:    "{O} {dd}/{mm}/{yyyy} {HH}:{MM}, {name} {V}:",
		outlookRe: "RE: ", outlookFw: "ENC: ",
		outlookLabels: [4]string{"", "Enviado", "Para", "Assunto"}, colon: ":",
		outlookDate:   "{weekday}, {d} de {month} de {yyyy} {HH}:{MM}",
		samsungLabels: [4]string{"", "Data", "Para", "Assunto"},
		samsung:       "Enviado do meu Galaxy", iphone: "Enviado do meu iPhone", outlookMobile: "Obter o Outlook para iOS",
		gmailFwd: "Mensagem encaminhada", tbFwd: "Mensagem encaminhada",
		oooSubject: "Resposta automática: ",
		wd:         [12]string{"dom.", "seg.", "ter.", "qua.", "qui.", "sex.", "sáb."},
		weekday:    [12]string{"domingo", "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado"},
		mon:        [12]string{"jan.", "fev.", "mar.", "abr.", "mai.", "jun.", "jul.", "ago.", "set.", "out.", "nov.", "dez."},
		month:      [12]string{"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"},
	},
}

// fromReader fills each language's phrases from the reply reader's table
// for it; a language the reader does not know keeps its gaps and fails
// TestPhrases_known.
func fromReader() map[Language]*phrases {
	for _, l := range reply.Languages() {
		ph := languages[Language(l.Code)]
		if ph == nil || len(l.AttributionOpeners) == 0 || len(l.AttributionVerbs) == 0 ||
			len(l.Separators) == 0 || len(l.ForwardLines) == 0 || len(l.FromLabels) == 0 {
			continue
		}
		ph.openers, ph.verbs = l.AttributionOpeners, l.AttributionVerbs
		ph.original, ph.appleFwd = l.Separators[0], l.ForwardLines[0]
		ph.outlookLabels[0], ph.samsungLabels[0] = l.FromLabels[0], l.FromLabels[0]
	}
	return languages
}

var known = fromReader()

// nth returns list[i], or the first, or "".
func nth(list []string, i int) string {
	switch {
	case i < len(list):
		return list[i]
	case len(list) > 0:
		return list[0]
	}
	return ""
}

// attr fills a template's opener and verb tokens.
func (ph *phrases) attr(tmpl string) string {
	return strings.NewReplacer("{O2}", nth(ph.openers, 1), "{O}", nth(ph.openers, 0),
		"{V2}", nth(ph.verbs, 1), "{V}", nth(ph.verbs, 0)).Replace(tmpl)
}

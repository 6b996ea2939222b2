package replytest

// phrases is what the clients write in one language. Every phrase that
// marks a quote, a separator, a header block or a signature is one the
// reply reader knows (inbound's per-language tables; TestPhrases_known
// checks it).
type phrases struct {
	sample  string // the default answer
	closing string // a sign-off line above the partner's name
	ooo     string // an out-of-office text

	// Attribution lines, with the tokens of expand: Gmail's, Apple Mail's
	// (and iOS Mail's), Thunderbird's.
	gmailAttr, appleAttr, tbAttr string

	// Outlook: reply and forward prefixes, the header block's labels in
	// order (From, Sent, To, Subject), the colon as written after a label
	// (" :" in French), and the Sent date.
	outlookRe, outlookFw string
	outlookLabels        [4]string
	colon                string
	outlookDate          string

	// Samsung Email: the separator's words, the header block's labels
	// (From, Date, To, Subject) and its device line.
	original      string
	samsungLabels [4]string
	samsung       string

	iphone        string // iOS Mail's device line
	outlookMobile string // Outlook mobile's line, a link follows it

	gmailFwd, appleFwd, tbFwd string // forward separators' words
	oooSubject                string // Exchange's automatic reply prefix

	wd, weekday, mon, month [12]string // day names from Sunday; month names from January
}

var languages = map[Language]*phrases{
	English: {
		sample: "Done, everything is in order.", closing: "Kind regards,", ooo: "I am out of the office until Monday.",
		gmailAttr: "On {wd}, {mon} {d}, {yyyy} at {h12}:{MM} {ampm} {from} wrote:",
		appleAttr: "On {d} {mon} {yyyy}, at {HH}:{MM}, {from} wrote:",
		tbAttr:    "On {m}/{d}/{yy} {HH}:{MM}, {name} wrote:",
		outlookRe: "RE: ", outlookFw: "FW: ",
		outlookLabels: [4]string{"From", "Sent", "To", "Subject"}, colon: ":",
		outlookDate: "{weekday}, {month} {d}, {yyyy} {h12}:{MM} {ampm}",
		original:    "Original message", samsungLabels: [4]string{"From", "Date", "To", "Subject"},
		samsung: "Sent from my Galaxy", iphone: "Sent from my iPhone", outlookMobile: "Get Outlook for iOS",
		gmailFwd: "Forwarded message", appleFwd: "Begin forwarded message", tbFwd: "Forwarded Message",
		oooSubject: "Automatic reply: ",
		wd:         [12]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"},
		weekday:    [12]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
		mon:        [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
		month:      [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	},
	French: {
		sample: "C'est fait, tout est en ordre.", closing: "Cordialement,", ooo: "Je suis absent du bureau jusqu'à lundi.",
		gmailAttr: "Le {wd} {d} {mon} {yyyy} à {HH}:{MM}, {from} a écrit :",
		appleAttr: "Le {d} {month} {yyyy} à {HH}:{MM}, {from} a écrit :",
		tbAttr:    "Le {dd}/{mm}/{yyyy} à {HH}:{MM}, {name} a écrit :",
		outlookRe: "RE : ", outlookFw: "TR : ",
		outlookLabels: [4]string{"De", "Envoyé", "À", "Objet"}, colon: " :",
		outlookDate: "{weekday} {d} {month} {yyyy} {HH}:{MM}",
		original:    "Message d'origine", samsungLabels: [4]string{"De", "Date", "À", "Objet"},
		samsung: "Envoyé depuis mon appareil Galaxy", iphone: "Envoyé de mon iPhone", outlookMobile: "Obtenir Outlook pour iOS",
		gmailFwd: "Message transféré", appleFwd: "Début du message réexpédié", tbFwd: "Message transféré",
		oooSubject: "Réponse automatique : ",
		wd:         [12]string{"dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."},
		weekday:    [12]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"},
		mon:        [12]string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."},
		month:      [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	},
	German: {
		sample: "Erledigt, alles ist in Ordnung.", closing: "Mit freundlichen Grüßen", ooo: "Ich bin bis Montag nicht im Büro.",
		gmailAttr: "Am {wd}, {d}. {mon} {yyyy} um {HH}:{MM} Uhr schrieb {from}:",
		appleAttr: "Am {dd}.{mm}.{yyyy} um {HH}:{MM} schrieb {from}:",
		tbAttr:    "Am {dd}.{mm}.{yy} um {HH}:{MM} schrieb {name}:",
		outlookRe: "AW: ", outlookFw: "WG: ",
		outlookLabels: [4]string{"Von", "Gesendet", "An", "Betreff"}, colon: ":",
		outlookDate: "{weekday}, {d}. {month} {yyyy} {HH}:{MM}",
		original:    "Ursprüngliche Nachricht", samsungLabels: [4]string{"Von", "Datum", "An", "Betreff"},
		samsung: "Von meinem Galaxy gesendet", iphone: "Von meinem iPhone gesendet", outlookMobile: "Outlook für iOS herunterladen",
		gmailFwd: "Weitergeleitete Nachricht", appleFwd: "Anfang der weitergeleiteten Nachricht", tbFwd: "Weitergeleitete Nachricht",
		oooSubject: "Automatische Antwort: ",
		wd:         [12]string{"So.", "Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa."},
		weekday:    [12]string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"},
		mon:        [12]string{"Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."},
		month:      [12]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
	},
	Spanish: {
		sample: "Hecho, todo está en orden.", closing: "Saludos,", ooo: "Estoy fuera de la oficina hasta el lunes.",
		gmailAttr: "El {wd}, {d} {mon} {yyyy} a las {H}:{MM}, {from} escribió:",
		appleAttr: "El {d} {mon} {yyyy}, a las {H}:{MM}, {from} escribió:",
		tbAttr:    "El {d}/{m}/{yy} a las {H}:{MM}, {name} escribió:",
		outlookRe: "RE: ", outlookFw: "RV: ",
		outlookLabels: [4]string{"De", "Enviado", "Para", "Asunto"}, colon: ":",
		outlookDate: "{weekday}, {d} de {month} de {yyyy} {H}:{MM}",
		original:    "Mensaje original", samsungLabels: [4]string{"De", "Fecha", "Para", "Asunto"},
		samsung: "Enviado desde mi Galaxy", iphone: "Enviado desde mi iPhone", outlookMobile: "Obtener Outlook para iOS",
		gmailFwd: "Mensaje reenviado", appleFwd: "Inicio del mensaje reenviado", tbFwd: "Mensaje reenviado",
		oooSubject: "Respuesta automática: ",
		wd:         [12]string{"dom", "lun", "mar", "mié", "jue", "vie", "sáb"},
		weekday:    [12]string{"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"},
		mon:        [12]string{"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"},
		month:      [12]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
	},
	Italian: {
		sample: "Fatto, è tutto in ordine.", closing: "Cordiali saluti,", ooo: "Sono fuori ufficio fino a lunedì.",
		gmailAttr: "Il giorno {wd} {d} {mon} {yyyy} alle ore {HH}:{MM} {from} ha scritto:",
		appleAttr: "Il giorno {d} {mon} {yyyy}, alle ore {HH}:{MM}, {from} ha scritto:",
		tbAttr:    "Il {dd}/{mm}/{yy} {HH}:{MM}, {name} ha scritto:",
		outlookRe: "R: ", outlookFw: "I: ",
		outlookLabels: [4]string{"Da", "Inviato", "A", "Oggetto"}, colon: ":",
		outlookDate: "{weekday} {d} {month} {yyyy} {HH}:{MM}",
		original:    "Messaggio originale", samsungLabels: [4]string{"Da", "Data", "A", "Oggetto"},
		samsung: "Inviato dal mio Galaxy", iphone: "Inviato da iPhone", outlookMobile: "Scarica Outlook per iOS",
		gmailFwd: "Messaggio inoltrato", appleFwd: "Inizio messaggio inoltrato", tbFwd: "Messaggio inoltrato",
		oooSubject: "Risposta automatica: ",
		wd:         [12]string{"dom", "lun", "mar", "mer", "gio", "ven", "sab"},
		weekday:    [12]string{"domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"},
		mon:        [12]string{"gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"},
		month:      [12]string{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"},
	},
	Dutch: {
		sample: "Gedaan, alles is in orde.", closing: "Met vriendelijke groet,", ooo: "Ik ben tot maandag afwezig.",
		gmailAttr: "Op {wd} {d} {mon} {yyyy} om {HH}:{MM} schreef {from}:",
		appleAttr: "Op {d} {mon} {yyyy} om {HH}:{MM} heeft {from} het volgende geschreven:",
		tbAttr:    "Op {dd}-{mm}-{yyyy} om {HH}:{MM} schreef {name}:",
		outlookRe: "RE: ", outlookFw: "FW: ",
		outlookLabels: [4]string{"Van", "Verzonden", "Aan", "Onderwerp"}, colon: ":",
		outlookDate: "{weekday} {d} {month} {yyyy} {HH}:{MM}",
		original:    "Oorspronkelijk bericht", samsungLabels: [4]string{"Van", "Datum", "Aan", "Onderwerp"},
		samsung: "Verzonden vanaf mijn Galaxy", iphone: "Verstuurd vanaf mijn iPhone", outlookMobile: "Download Outlook voor iOS",
		gmailFwd: "Doorgestuurd bericht", appleFwd: "Begin doorgestuurd bericht", tbFwd: "Doorgestuurd bericht",
		oooSubject: "Automatisch antwoord: ",
		wd:         [12]string{"zo", "ma", "di", "wo", "do", "vr", "za"},
		weekday:    [12]string{"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"},
		mon:        [12]string{"jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"},
		month:      [12]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
	},
	Portuguese: {
		sample: "Feito, está tudo em ordem.", closing: "Atenciosamente,", ooo: "Estou fora do escritório até segunda-feira.",
		gmailAttr: "Em {wd}, {d} de {mon} de {yyyy} às {HH}:{MM}, {from} escreveu:",
		appleAttr: "No dia {d} de {mon} de {yyyy}, às {HH}:{MM}, {from} escreveu:",
		tbAttr:    "Em {dd}/{mm}/{yyyy} {HH}:{MM}, {name} escreveu:",
		outlookRe: "RE: ", outlookFw: "ENC: ",
		outlookLabels: [4]string{"De", "Enviado", "Para", "Assunto"}, colon: ":",
		outlookDate: "{weekday}, {d} de {month} de {yyyy} {HH}:{MM}",
		original:    "Mensagem original", samsungLabels: [4]string{"De", "Data", "Para", "Assunto"},
		samsung: "Enviado do meu Galaxy", iphone: "Enviado do meu iPhone", outlookMobile: "Obter o Outlook para iOS",
		gmailFwd: "Mensagem encaminhada", appleFwd: "Início da mensagem reencaminhada", tbFwd: "Mensagem encaminhada",
		oooSubject: "Resposta automática: ",
		wd:         [12]string{"dom.", "seg.", "ter.", "qua.", "qui.", "sex.", "sáb."},
		weekday:    [12]string{"domingo", "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado"},
		mon:        [12]string{"jan.", "fev.", "mar.", "abr.", "mai.", "jun.", "jul.", "ago.", "set.", "out.", "nov.", "dez."},
		month:      [12]string{"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"},
	},
}

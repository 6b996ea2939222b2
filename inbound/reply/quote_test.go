package reply

import "testing"

func TestStripQuote(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"gmail en", "Yes, Friday.\n\nOn Tue, Mar 3, 2026 at 9:00 AM Fleet <fleet@example.com> wrote:\n\n> Friday?\n> Thanks\n", "Yes, Friday."},
		{"gmail fr", "Oui, vendredi.\n\nLe mar. 3 mars 2026 à 09:00, Fleet <fleet@example.com> a écrit :\n\n> Vendredi ?\n", "Oui, vendredi."},
		{"gmail de", "Ja, Freitag.\n\nAm Di., 3. März 2026 um 09:00 Uhr schrieb Fleet <fleet@example.com>:\n\n> Freitag?\n", "Ja, Freitag."},
		{"gmail es", "Sí, viernes.\n\nEl mar, 3 mar 2026 a las 9:00, Fleet (<fleet@example.com>) escribió:\n\n> ¿Viernes?\n", "Sí, viernes."},
		{"folded attribution", "OK\n\nOn Tue, Mar 3, 2026 at 9:00 AM Fleet desk <\nfleet@example.com> wrote:\n> q\n", "OK"},
		{"outlook en", "Done.\n\n-----Original Message-----\nFrom: Fleet\nSent: Tuesday\nTo: me\nSubject: x\n\nold text\n", "Done."},
		{"outlook fr", "Fait.\n\n-----Message d'origine-----\nDe : Fleet\nEnvoyé : mardi\nÀ : moi\nObjet : x\n\nancien\n", "Fait."},
		{"outlook de", "Erledigt.\n\n-----Ursprüngliche Nachricht-----\nVon: Fleet\nGesendet: Dienstag\nAn: mich\nBetreff: x\n\nalt\n", "Erledigt."},
		{"outlook es", "Hecho.\n\n-----Mensaje original-----\nDe: Fleet\nEnviado el: martes\nPara: mí\nAsunto: x\n\nviejo\n", "Hecho."},
		{"outlook header block", "Done.\n\n________________________________\nFrom: Fleet <fleet@example.com>\nSent: Tuesday, March 3, 2026 9:00 AM\nTo: Jean\nSubject: x\n\nold\n", "Done."},
		{"outlook bold header block", "Done.\n\n*From:* Fleet\n*Sent:* Tuesday\n*To:* Jean\n*Subject:* x\n\nold\n", "Done."},
		{"forwarded gmail", "FYI\n\n---------- Forwarded message ---------\nFrom: Fleet\nDate: Tue\nSubject: x\n\nold\n", "FYI"},
		{"forwarded apple", "FYI\n\nBegin forwarded message:\n\nFrom: Fleet\n", "FYI"},
		{"thunderbird original", "OK\n\n-------- Original Message --------\nSubject: x\n", "OK"},
		{"signature", "OK\n\n-- \nJean Partner\nGarage Partner\n", "OK"},
		{"iphone en", "OK\n\nSent from my iPhone\n\n> On 3 Mar 2026, at 09:00, Fleet <fleet@example.com> wrote:\n> q\n", "OK"},
		{"iphone fr", "OK\n\nEnvoyé de mon iPhone\n", "OK"},
		{"iphone de", "OK\n\nVon meinem iPhone gesendet\n", "OK"},
		{"iphone es", "OK\n\nEnviado desde mi iPhone\n", "OK"},
		{"outlook mobile", "OK\n\nGet Outlook for iOS\n", "OK"},
		{"gmail fr folded before écrit", "Oui.\n\nLe mar. 3 mars 2026 à 09:00, Fleet desk <fleet@example.com> a\nécrit :\n\n> Vendredi ?\n", "Oui."},
		{"gmail de folded in the address", "Ja.\n\nAm Di., 3. März 2026 um 09:00 Uhr schrieb Fleet desk <\nfleet@example.com>:\n\n> Freitag?\n", "Ja."},
		{"gmail es folded before escribió", "Sí.\n\nEl mar., 3 mar. 2026 9:00, Fleet desk <fleet@example.com>\nescribió:\n\n> ¿Viernes?\n", "Sí."},
		{"folded lines ending in colon that are no attribution", "On Monday I checked the car.\nHere is what I found at fleet@example.com>:\n- tyres\n", "On Monday I checked the car.\nHere is what I found at fleet@example.com>:\n- tyres"},
		{"samsung en", "OK\n\nSent from my Samsung Galaxy smartphone.\n", "OK"},
		{"samsung fr", "OK\n\nEnvoyé depuis mon smartphone Samsung Galaxy.\n", "OK"},
		{"samsung de", "OK\n\nVon meinem Samsung Galaxy Smartphone gesendet.\n", "OK"},
		{"samsung es", "OK\n\nEnviado desde mi smartphone Samsung Galaxy.\n", "OK"},
		{"outlook mobile fr", "OK\n\nObtenir Outlook pour Android\n", "OK"},
		{"outlook mobile de", "OK\n\nOutlook für iOS herunterladen\n", "OK"},
		{"outlook mobile es", "OK\n\nObtener Outlook para Android\n", "OK"},
		{"sentence kept", "OK\n\nSent from my desk, which is easier.\n", "OK\n\nSent from my desk, which is easier."},
		{"bottom post", "On Tue, Mar 3, 2026 at 9:00 AM Fleet <fleet@example.com> wrote:\n> Friday?\n\nYes.\n", "Yes."},
		{"inline answers kept", "> Friday?\nYes.\n> Morning?\nNo, afternoon.\n", "> Friday?\nYes.\n> Morning?\nNo, afternoon."},
		{"crlf", "Yes.\r\n\r\n> q\r\n", "Yes."},
		{"no quote", "Just this.", "Just this."},
		{"empty", "", ""},
		{"mid-line dashes", "A -- B\nC\n", "A -- B\nC"},
		// An attribution followed by an original that is not quoted.
		{"unquoted original en", "Yes.\n\nOn Tue, Mar 3, 2026 at 9:00 AM Fleet <fleet@example.com> wrote:\n\nFriday?\n", "Yes."},
		{"unquoted original it", "Sì.\n\nIl giorno mar 3 mar 2026 alle ore 09:00 Fleet <fleet@example.com> ha scritto:\n\nVenerdì?\n", "Sì."},
		{"unquoted original nl", "Ja.\n\nOp di 3 mrt. 2026 om 09:00 schreef Fleet <fleet@example.com>:\n\nVrijdag?\n", "Ja."},
		{"unquoted original nl long", "Ja.\n\nOp 3 mrt. 2026, om 09:00 heeft Fleet <fleet@example.com> het volgende geschreven:\n\nVrijdag?\n", "Ja."},
		{"unquoted original pt", "Sim.\n\nEm ter., 3 de mar. de 2026 às 09:00, Fleet <fleet@example.com> escreveu:\n\nSexta?\n", "Sim."},
		{"interleaved answer kept", "See below.\n\nOn Tue, Mar 3, 2026 at 9:00 AM Fleet <fleet@example.com> wrote:\n> Friday?\nYes.\n> Morning?\nNo.\n",
			"See below.\n\nOn Tue, Mar 3, 2026 at 9:00 AM Fleet <fleet@example.com> wrote:\n> Friday?\nYes.\n> Morning?\nNo."},
		{"sentence like an attribution stays", "On Monday I wrote:\nthe car is ready.\n", "On Monday I wrote:\nthe car is ready."},
		// Attribution lines that stayed behind.
		{"gmail de folded schrieb am", "Ja.\n\nMax Mustermann <fleet@example.com> schrieb am Fr., 28.\nApr. 2017 um 11:53 Uhr:\n\n> Freitag?\n", "Ja."},
		{"via service schrieb", "Ja.\n\nFleet via Mailtrail <fleet@example.com> schrieb:\n\n> Freitag?\n", "Ja."},
		{"via service wrote", "Yes.\n\nfleet via Mailtrail wrote:\n\n> Friday?\n", "Yes."},
		{"at date you wrote", "Yes.\n\nAt 6/16/2016 08:32 PM, you wrote:\n\n> Friday?\n", "Yes."},
		{"gmail wordless folded in address", "Yes.\n\n2016-03-03 17:21 GMT+01:00 Fleet desk <\nfleet@example.com>:\n\n> Friday?\n", "Yes."},
		// Mobile signatures followed by a link.
		{"outlook ios link", "OK\n\nGet Outlook for iOS<https://aka.ms/o0ukef>\n", "OK"},
		{"outlook ios fr link", "OK\n\nEnvoyé à partir de Outlook pour iOS<https://aka.ms/o0ukef>\n", "OK"},
		{"outlook mobile link", "OK\n\nSent from Outlook Mobile<https://aka.ms/blhgte>\n", "OK"},
		{"typeapp link", "OK\n\nSent from TypeApp<http://www.typeapp.com/r?b=123>\n", "OK"},
		{"linked signature above unquoted original", "OK\n\nGet Outlook for Android<https://aka.ms/ghei36>\n\nFrom: Fleet\nold text\n", "OK"},
		{"iphone it", "OK\n\nInviato da iPhone\n", "OK"},
		{"iphone nl", "OK\n\nVerzonden vanaf mijn iPhone\n", "OK"},
		{"iphone pt", "OK\n\nEnviado do meu iPhone\n", "OK"},
		// Separators in other dress.
		{"bold original message", "OK\n\n*-------- Original Message --------*\nSubject: x\n\nold\n", "OK"},
		{"equals rule and french webmail block", "OK\n\n====\n\nMessage du : 12/12/2016 13:20\nDe : \"Fleet\" <fleet@example.com>\nA : jean@example.fr\nSujet : x\n\nold\n", "OK"},
		{"outlook it", "Fatto.\n\n-----Messaggio originale-----\nDa: Fleet\nInviato: martedì\nA: me\nOggetto: x\n\nvecchio\n", "Fatto."},
		{"outlook nl", "Gedaan.\n\n-----Oorspronkelijk bericht-----\nVan: Fleet\nVerzonden: dinsdag\nAan: mij\nOnderwerp: x\n\noud\n", "Gedaan."},
		{"outlook pt", "Feito.\n\n-----Mensagem original-----\nDe: Fleet\nEnviado: terça\nPara: mim\nAssunto: x\n\nvelho\n", "Feito."},
		{"header block nl", "Gedaan.\n\nVan: Fleet <fleet@example.com>\nVerzonden: dinsdag 3 maart 2026 09:00\nAan: Jan\nOnderwerp: x\n\noud\n", "Gedaan."},
		// Bottom-posted replies.
		{"bottom post fr", "Le mar. 3 mars 2026 à 09:00, Fleet <fleet@example.com> a écrit :\n> Vendredi ?\n> Merci\n\nOui, vendredi.\n", "Oui, vendredi."},
		{"bottom post it", "Il giorno mar 3 mar 2026 alle ore 09:00 Fleet <fleet@example.com> ha scritto:\n> Venerdì?\n\nSì.\n", "Sì."},
		// A sign-off under a quote answers nothing: the quote goes.
		{"sign-off under quote", "Yes, Friday.\n\nOn Tue, Mar 3, 2026 at 9:00 AM Fleet <fleet@example.com> wrote:\n> Friday?\n\nKind regards,\nJean",
			"Yes, Friday.\n\nKind regards,\nJean"},
		{"sign-off under quote it", "Sì.\n\n> Venerdì?\n\nCordiali saluti", "Sì.\n\nCordiali saluti"},
		{"answer under quote stays", "See below.\n\n> Friday?\n\nYes, and bring the keys.", "See below.\n\n> Friday?\n\nYes, and bring the keys."},
		// A link wrapped out of a quote stays with it.
		{"wrapped link tail", "OK\n\nOn Mon, 24 Sep 2012 at 3:46 PM, bob wrote:\n\n> View (http://example.com/a\n_nonce=3dd518)\n>\n", "OK"},
		{"inline one-word answer stays", "> Friday?\nYes\n> Morning?\nNo\n", "> Friday?\nYes\n> Morning?\nNo"},
		// The answer and the attribution on one line.
		{"shared line", "reply On Wed, Apr 4, 2012 at 3:59 PM, bob@example.com wrote:\n> Hi", "reply"},
		{"shared line dashes", "reply--- On Wed, Apr 4, 2012 at 3:59 PM, me@domain.com wrote:\n> Hi", "reply"},
		// Section breaks inside the reply stay.
		{"underscore rule between paragraphs", "First part.\n\n______________________________\n\nSecond part.\n", "First part.\n\n______________________________\n\nSecond part."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StripQuote(tt.in); got != tt.want {
				t.Errorf("StripQuote(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHTMLText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"blocks", "<p>a</p><div>b<br>c</div><ul><li>d</li><li>e</li></ul>", "a\n\nb\nc\n\n- d\n- e"},
		{"script and style", "<head><style>x{}</style></head><body><script>alert(1)</script>ok</body>", "ok"},
		{"blockquote", "hi<blockquote>q1<br>q2<blockquote>qq</blockquote></blockquote>", "hi\n\n> q1\n> q2\n\n>> qq"},
		{"gmail quote dropped", `yes<div class="gmail_quote">On x wrote:<blockquote>q</blockquote></div>`, "yes"},
		{"entities and spaces", "a&nbsp;&amp;   b\n c", "a\u00a0& b c"},
		{"pre", "<pre>  x\n  y</pre>", "x\ny"},
		{"hr", "a<hr>b", "a\n\n________________________________\nb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HTMLText(tt.in); got != tt.want {
				t.Errorf("HTMLText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestReply_Get(t *testing.T) {
	r := &Reply{Data: map[string]any{"Status": "done", "vehicle": map[string]any{"Plate_Number": "AB-123-CD"}, "a b": 1, "a-b": 2}}
	tests := []struct {
		key  string
		want any
		ok   bool
	}{
		{"status", "done", true},
		{"STATUS", "done", true},
		{"vehicle.plate number", "AB-123-CD", true},
		{"Vehicle.Plate-Number", "AB-123-CD", true},
		{"a b", 1, true}, // exact wins
		{"A_B", 1, true}, // loose: the smallest key, "a b"
		{"missing", nil, false},
		{"status.x", nil, false},
	}
	for _, tt := range tests {
		got, ok := r.Get(tt.key)
		if ok != tt.ok || got != tt.want {
			t.Errorf("Get(%q) = %v, %v, want %v, %v", tt.key, got, ok, tt.want, tt.ok)
		}
	}
}

func TestTextData(t *testing.T) {
	tests := []struct {
		in   string
		keys int // -1: no data
	}{
		{"status: done\nmileage: 48213", 2},
		{"status: done\n---\nfree text: here, and more", 1},
		{`{"Status": "done"}`, 1},
		{"Checked: all fine", 1},
		{"Checked: the vehicle is fine, tyres at 2.4 bar.", -1},
		{"See below, the mechanic answered: all good.", -1},
		{"Just text.", -1},
		{"- a\n- b", -1},
		{"", -1},
	}
	for _, tt := range tests {
		got := textData(tt.in)
		if (tt.keys < 0) != (got == nil) || tt.keys >= 0 && len(got) != tt.keys {
			t.Errorf("textData(%q) = %v, want %d keys", tt.in, got, tt.keys)
		}
	}
}

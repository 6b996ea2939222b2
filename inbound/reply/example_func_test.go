package reply_test

import (
	"fmt"

	"github.com/mailtrail/mailtrail/inbound/reply"
)

func ExampleHTMLText() {
	fmt.Println(reply.HTMLText(`<div><p>Vehicle <b>AB-123-CD</b> is ready.</p><ul><li>tyres</li><li>brakes</li></ul><script>x()</script></div>`))
	// Output:
	// Vehicle AB-123-CD is ready.
	//
	// - tyres
	// - brakes
}

func ExampleStripSignature() {
	body, sig := reply.StripSignature("The car is ready.\n\nBest regards,\nJean Dupont\nGarage du Port\n+33 1 23 45 67 89", "Jean Dupont <jean@garage.example>")
	fmt.Printf("%q\n%q\n", body, sig)
	// Output:
	// "The car is ready."
	// "Best regards,\nJean Dupont\nGarage du Port\n+33 1 23 45 67 89"
}

func ExampleLanguages() {
	for _, l := range reply.Languages() {
		fmt.Print(l.Code, " ")
	}
	fmt.Println()
	// Output: en fr de es it nl pt
}

//go:build race

package e2e

// raceEnabled says the tests run with -race, so the command is built with
// the race detector too.
const raceEnabled = true

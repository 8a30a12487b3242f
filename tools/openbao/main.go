// Command bao builds a real OpenBao server for bybit-vault's integration tests.
package main

import (
	"os"

	"github.com/openbao/openbao/command"
)

func main() {
	os.Exit(command.Run(os.Args[1:]))
}

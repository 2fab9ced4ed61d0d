// Command compose-check loads a Compose file the way `docker compose config` does (Compose
// specification schema, interpolation, cross-references such as depends_on), without a Docker
// engine, and prints the resolved model as JSON for further assertions.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-check <compose.yml>...")
		os.Exit(2)
	}
	// No OS environment and no .env: CI must see the same model on every machine.
	options, err := cli.NewProjectOptions(os.Args[1:], cli.WithName("convene"), cli.WithConsistency(true))
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	out, err := project.MarshalJSON()
	if err != nil {
		fail(err)
	}
	if _, err := os.Stdout.Write(out); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "compose-check: %v\n", err)
	os.Exit(1)
}

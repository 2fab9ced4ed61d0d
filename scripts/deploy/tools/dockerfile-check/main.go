// Command dockerfile-check lints a Dockerfile offline with BuildKit's own parser and linter (the
// rules of `docker build --check`), then enforces Convene's image policy: a pinned Node 24 base,
// a non-root numeric USER, a HEALTHCHECK and an exec-form ENTRYPOINT in the final stage, production
// dependencies only, and every COPY source present in the build context and not excluded by
// .dockerignore.
package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

type report struct{ problems []string }

func (r *report) add(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: dockerfile-check <Dockerfile> <context dir>")
		os.Exit(2)
	}
	dockerfile, contextDir := os.Args[1], os.Args[2]
	r := &report{}

	stages, metaArgs := parse(dockerfile, r)
	if len(stages) > 0 {
		checkStages(stages, metaArgs, r)
		checkFinalStage(stages[len(stages)-1], r)
		checkContext(stages, contextDir, r)
	}

	if len(r.problems) > 0 {
		for _, p := range r.problems {
			fmt.Fprintf(os.Stderr, "dockerfile-check: %s\n", p)
		}
		os.Exit(1)
	}
	fmt.Printf("dockerfile-check: %s passes (%d stages)\n", dockerfile, len(stages))
}

// parse runs BuildKit's parser and instruction linter; every lint warning counts as a problem.
func parse(path string, r *report) ([]instructions.Stage, []instructions.ArgCommand) {
	file, err := os.Open(path)
	if err != nil {
		r.add("%v", err)
		return nil, nil
	}
	defer file.Close()
	result, err := parser.Parse(file)
	if err != nil {
		r.add("parse: %v", err)
		return nil, nil
	}
	for _, w := range result.Warnings {
		line := 0
		if w.Location != nil {
			line = w.Location.Start.Line
		}
		r.add("line %d: %s", line, w.Short)
	}
	lint := linter.New(&linter.Config{Warn: func(rule, _, _, msg string, location []parser.Range) {
		line := 0
		if len(location) > 0 {
			line = location[0].Start.Line
		}
		r.add("line %d: %s: %s", line, rule, msg)
	}})
	stages, metaArgs, err := instructions.Parse(result.AST, lint)
	if err != nil {
		r.add("instructions: %v", err)
	}
	return stages, metaArgs
}

var pinnedNode24 = regexp.MustCompile(`^node:24(\.[0-9]+){0,2}-(bookworm|trixie)-slim(@sha256:[a-f0-9]{64})?$|^node:24(\.[0-9]+){0,2}-slim(@sha256:[a-f0-9]{64})?$`)

func checkStages(stages []instructions.Stage, metaArgs []instructions.ArgCommand, r *report) {
	if len(stages) < 2 {
		r.add("expected a multi-stage build, found %d stage", len(stages))
	}
	defaults := map[string]string{}
	for _, arg := range metaArgs {
		for _, kv := range arg.Args {
			if kv.Value != nil {
				defaults[kv.Key] = *kv.Value
			}
		}
	}
	names := map[string]bool{}
	prodDeps := false
	for _, stage := range stages {
		base := expand(stage.BaseName, defaults)
		if !names[base] && !pinnedNode24.MatchString(base) {
			r.add("stage %q: base image %q is not a pinned Node 24 slim image", stage.Name, base)
		}
		names[stage.Name] = true
		for _, cmd := range stage.Commands {
			if run, ok := cmd.(*instructions.RunCommand); ok && strings.Contains(strings.Join(run.CmdLine, " "), "npm ci --omit=dev") {
				prodDeps = true
			}
			if add, ok := cmd.(*instructions.AddCommand); ok {
				r.add("stage %q: ADD %v: use COPY", stage.Name, add.SourcePaths)
			}
		}
	}
	if !prodDeps {
		r.add("no stage installs production dependencies only (npm ci --omit=dev)")
	}
}

func expand(value string, vars map[string]string) string {
	return os.Expand(value, func(name string) string { return vars[name] })
}

func checkFinalStage(stage instructions.Stage, r *report) {
	var user string
	var healthcheck *instructions.HealthCheckCommand
	var entrypoint *instructions.EntrypointCommand
	for _, cmd := range stage.Commands {
		switch c := cmd.(type) {
		case *instructions.UserCommand:
			user = c.User
		case *instructions.HealthCheckCommand:
			healthcheck = c
		case *instructions.EntrypointCommand:
			entrypoint = c
		}
	}
	uid := strings.SplitN(user, ":", 2)[0]
	switch {
	case user == "":
		r.add("final stage %q has no USER: it would run as root", stage.Name)
	case !regexp.MustCompile(`^[0-9]+$`).MatchString(uid):
		r.add("final stage USER %q: use a numeric uid so Kubernetes can verify runAsNonRoot", user)
	case uid == "0":
		r.add("final stage USER is root")
	}
	if healthcheck == nil || len(healthcheck.Health.Test) == 0 || healthcheck.Health.Test[0] == "NONE" {
		r.add("final stage %q has no HEALTHCHECK", stage.Name)
	}
	if entrypoint == nil || entrypoint.PrependShell {
		r.add("final stage %q needs an exec-form (JSON) ENTRYPOINT so signals reach the process", stage.Name)
	}
}

// checkContext verifies that what COPY takes from the build context exists and survives .dockerignore.
func checkContext(stages []instructions.Stage, contextDir string, r *report) {
	patterns, err := readIgnore(filepath.Join(contextDir, ".dockerignore"))
	if err != nil {
		r.add(".dockerignore: %v", err)
		return
	}
	matcher, err := patternmatcher.New(patterns)
	if err != nil {
		r.add(".dockerignore: %v", err)
		return
	}
	for _, stage := range stages {
		for _, cmd := range stage.Commands {
			copyCmd, ok := cmd.(*instructions.CopyCommand)
			if !ok || copyCmd.From != "" {
				continue
			}
			for _, source := range copyCmd.SourcePaths {
				checkSource(filepath.Clean(source), contextDir, matcher, r)
			}
		}
	}
}

// checkSource wants a file source kept, and a directory source to keep at least one file.
func checkSource(source, contextDir string, matcher *patternmatcher.PatternMatcher, r *report) {
	root := filepath.Join(contextDir, source)
	if _, err := os.Stat(root); err != nil {
		r.add("COPY %s: not in the build context", source)
		return
	}
	kept := 0
	err := filepath.WalkDir(root, func(path string, entry fs.DirEntry, err error) error {
		if err != nil || entry.IsDir() {
			return err
		}
		relative, err := filepath.Rel(contextDir, path)
		if err != nil {
			return err
		}
		excluded, err := matcher.MatchesOrParentMatches(filepath.ToSlash(relative))
		if err == nil && !excluded {
			kept++
		}
		return err
	})
	if err != nil {
		r.add("COPY %s: %v", source, err)
	} else if kept == 0 {
		r.add("COPY %s: excluded by .dockerignore", source)
	}
}

func readIgnore(path string) ([]string, error) {
	file, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, fmt.Errorf("missing: the whole directory, secrets included, would be sent to the builder")
	}
	if err != nil {
		return nil, err
	}
	defer file.Close()
	return ignorefile.ReadAll(file)
}

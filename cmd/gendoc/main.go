// Command gendoc writes the sidecar documentation of the illumos.zonemgr
// Ansible collection: one plugins/modules/<module>.yml per module, next to
// the module binary, which ansible-doc reads. The DOCUMENTATION options
// come from each module's argument spec (modules.All, through
// ansible.Spec.DocOptions), so the documented options are exactly the ones
// the module accepts; the short description, notes, EXAMPLES and RETURN
// are written by hand in cmd/gendoc/docs/<module>.yml and checked against
// the spec where they can be.
//
// Usage:
//
//	gendoc [-dir collection/plugins/modules] [-check]
//
// With -check nothing is written: gendoc lists the sidecar files that
// differ from what it would write and exits 1 when there is any.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	dir := flag.String("dir", "collection/plugins/modules", "the collection's plugins/modules directory")
	check := flag.Bool("check", false, "write nothing; list the sidecar files that differ and exit 1 if any does")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "gendoc: unexpected arguments: %v\n", flag.Args())
		flag.Usage()
		os.Exit(2)
	}
	os.Exit(run(*dir, *check, os.Stdout, os.Stderr))
}

// run generates every module's sidecar and writes it into dir, or with
// check compares it with the file in dir. It returns the exit status.
func run(dir string, check bool, stdout, stderr io.Writer) int {
	files, err := Generate()
	if err != nil {
		fmt.Fprintf(stderr, "gendoc: %v\n", err)
		return 1
	}
	if check {
		stale, err := Stale(dir, files)
		if err != nil {
			fmt.Fprintf(stderr, "gendoc: %v\n", err)
			return 1
		}
		for _, name := range stale {
			fmt.Fprintf(stdout, "%s is out of date: run `make docs`\n", name)
		}
		if len(stale) > 0 {
			return 1
		}
		return 0
	}
	if err := Write(dir, files); err != nil {
		fmt.Fprintf(stderr, "gendoc: %v\n", err)
		return 1
	}
	return 0
}

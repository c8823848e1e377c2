// Command zone_diz is the Ansible binary module zone_diz: argv[1] is the JSON
// args file Ansible writes; exactly one JSON object is printed on stdout.
package main

import (
	"os"

	"github.com/zonemgr/zonemgr/modules"
)

func main() {
	os.Exit(modules.Main(modules.ZoneDIZ()))
}

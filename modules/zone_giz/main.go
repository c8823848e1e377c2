// Command zone_giz is the Ansible binary module zone_giz: argv[1] is the JSON
// args file Ansible writes; exactly one JSON object is printed on stdout.
// It hashes the image streams it exports and imports with crypto/sha256,
// whose assembly is several times as fast as internal/digest's Go.
package main

import (
	"crypto/sha256"
	"os"

	"github.com/zonemgr/zonemgr/internal/digest"
	"github.com/zonemgr/zonemgr/modules"
)

func main() {
	digest.Register(sha256.New)
	os.Exit(modules.Main(modules.ZoneGIZ()))
}

module github.com/zonemgr/zonemgr

go 1.26

require (
	github.com/hashicorp/go-multierror v1.1.1
	github.com/mistifyio/go-zfs/v3 v3.1.0
	github.com/spf13/pflag v1.1.0
	go.yaml.in/yaml/v3 v3.0.6
)

require (
	github.com/google/uuid v1.2.0 // indirect
	github.com/hashicorp/errwrap v1.0.0 // indirect
)

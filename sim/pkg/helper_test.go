package pkg_test

import (
	"testing"

	"github.com/zonemgr/zonemgr/sim/internal/simtest"
)

func TestMain(m *testing.M) { simtest.Main(m) }

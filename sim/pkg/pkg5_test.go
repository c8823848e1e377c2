package pkg_test

// The simulated pkg against pkg5
// (omniosorg/pkg5 src/client.py, src/modules/client/client_api.py).

import (
	"testing"

	"github.com/zonemgr/zonemgr/sim/internal/simtest"
	"github.com/zonemgr/zonemgr/sim/pkg"
)

// TestSetPublisherDuplicateOrigin: pkg set-publisher -g URL NAME when
// NAME already has the origin URL fails and changes nothing.
// client_api.py _add_update_pub(): repo.add_origin(uri) raises
// DuplicateRepositoryOrigin (publisher.py Repository.add_origin()
// dup_check(), trailing-slash normalised by RepositoryURI), re-raised
// unless --enable/--disable is given; _set_pub_error_wrap() turns the
// ApiException into EXIT_OOPS with reason "\n" + str(e), which
// client.py publisher_set() prints with emsg() (no "pkg ..." prefix):
// "Origin '{0}' already exists for the specified publisher."
// (api_errors.py DuplicateRepositoryOrigin).
func TestSetPublisherDuplicateOrigin(t *testing.T) {
	s := simtest.New(t)
	s.OK("pkg", "set-publisher", "-g", "http://pkg.example.org/", "extra")
	for _, url := range []string{"http://pkg.example.org/", "http://pkg.example.org"} {
		simtest.Check(t, "set-publisher -g "+url+" (origin already there)",
			s.Run(nil, "pkg", "set-publisher", "-g", url, "extra"), "",
			"\nOrigin 'http://pkg.example.org/' already exists for the specified publisher.\n", 1)
	}
	// With --enable (-e) the duplicate is turned into an update of the
	// origin (client_api.py _add_update_pub(): "if not (disable_origins
	// or enable_origins): raise"; options.py: -e makes the added
	// origins the origins to enable): exit 0.
	simtest.Check(t, "set-publisher -e -g (idempotent form)",
		s.Run(nil, "pkg", "set-publisher", "-e", "-g", "http://pkg.example.org/", "extra"), "", "", 0)
	// The global zone's own publisher and origin: what a zone installed
	// from it (copy-publishers-from) has too.
	simtest.Check(t, "set-publisher -g of the GZ publisher's origin",
		s.Run(nil, "pkg", "set-publisher", "-g", "https://pkg.omnios.org/r151054/core/", "omnios"), "",
		"\nOrigin 'https://pkg.omnios.org/r151054/core/' already exists for the specified publisher.\n", 1)
}

// TestPublisherTSVWithoutOrigin: a publisher with neither origin nor
// mirror is still listed by pkg publisher -F tsv, with empty TYPE,
// STATUS, URI and PROXY (client_api.py _publisher_list(): "if not
// origins and not mirrors: set_value(field_data["type"], "") ...
// data["publishers"].append(entry)").
func TestPublisherTSVWithoutOrigin(t *testing.T) {
	s := simtest.New(t)
	s.OK("pkg", "set-publisher", "-g", "http://pkg.example.org/", "extra")
	s.OK("pkg", "set-publisher", "-G", "*", "extra")
	simtest.Check(t, "tsv", s.Run(nil, "pkg", "publisher", "-H", "-F", "tsv"),
		"omnios\ttrue\tfalse\ttrue\torigin\tonline\thttps://pkg.omnios.org/r151054/core/\t-\n"+
			"extra\ttrue\tfalse\ttrue\t\t\t\t\n", "", 0)
}

// TestQuietPrintsNothing: -q silences pkg list's rows and its "no
// packages matching" error (client.py list_inventory() gen(): "if
// quiet: return"; client_api.py _list_inventory(): "if quiet: #
// Collect nothing."), and the "No updates necessary/available"
// message of install/update (client.py display_plan(): "if not quiet
// and ... planned_nothingtodo()"). The exit codes stay 0/1/4.
func TestQuietPrintsNothing(t *testing.T) {
	s := simtest.New(t)
	simtest.Check(t, "list -Hq installed", s.Run(nil, "pkg", "list", "-Hq", "shell/bash"), "", "", 0)
	simtest.Check(t, "list -Hq not installed", s.Run(nil, "pkg", "list", "-Hq", "gnu-make"), "", "", 1)
	simtest.Check(t, "list -Hqa known", s.Run(nil, "pkg", "list", "-Hqa", "gnu-make"), "", "", 0)
	simtest.Check(t, "list -Hqa unknown", s.Run(nil, "pkg", "list", "-Hqa", "nosuch/pkg"), "", "", 1)
	simtest.Check(t, "install -nq nothing to do", s.Run(nil, "pkg", "install", "-nq", "shell/bash"), "", "", 4)
	simtest.Check(t, "update -nq nothing to do", s.Run(nil, "pkg", "update", "-nq"), "", "", 4)
}

// TestErrorTexts: the texts pkg5 prints for the errors zonemgr meets.
//   - pkg list -a, no match: client_api.py _list_inventory() LIST_ALL
//     "no known packages matching:\n  {0}", errtype "inventory", which
//     client.py _emit_error_general_cb() prints after emsg(" ").
//   - pkg list, not installed: the same, "no packages matching the
//     following patterns are installed:\n  {0}".
//   - pkg publisher NAME, unknown: Image.get_publisher() raises
//     UnknownPublisher, caught by client.py handle_errors()
//     (PublisherError: error(__e), EXIT_OOPS): "pkg: Unknown publisher
//     'NAME'.".
//   - pkg unset-publisher NAME, unknown: client_api.py
//     _publisher_unset(): "\nRemoval failed for '{pub}': {msg}\n"
//     through _error_json(cmd=op): "\npkg unset-publisher: Removal
//     failed ...\n", printed with emsg().
//   - pkg uninstall, not installed: PlanCreationException
//     missing_matches "'{0}' matches no installed packages", through
//     _error_json("\n" + txt, cmd=op).
func TestErrorTexts(t *testing.T) {
	s := simtest.New(t)
	simtest.Check(t, "list -a unknown", s.Run(nil, "pkg", "list", "-aH", "nosuch/pkg"), "",
		" \npkg list: no known packages matching:\n  nosuch/pkg\n", 1)
	simtest.Check(t, "list not installed", s.Run(nil, "pkg", "list", "-H", "gnu-make"), "",
		" \npkg list: no packages matching the following patterns are installed:\n  gnu-make\n", 1)
	simtest.Check(t, "publisher unknown", s.Run(nil, "pkg", "publisher", "-H", "nosuch"), "",
		"pkg: Unknown publisher 'nosuch'.\n", 1)
	simtest.Check(t, "unset-publisher unknown", s.Run(nil, "pkg", "unset-publisher", "nosuch"), "",
		"\npkg unset-publisher: Removal failed for 'nosuch': Unknown publisher 'nosuch'.\n\n", 1)
	simtest.Check(t, "uninstall not installed", s.Run(nil, "pkg", "uninstall", "gnu-make"), "",
		"\npkg uninstall: 'gnu-make' matches no installed packages\n", 1)
}

// TestUnsetPublisherPartial: unset-publisher removes every publisher it
// can and exits EXIT_PARTIAL (3) when only some failed
// (client_api.py _publisher_unset(): "if len(errors) == len(pargs):
// retcode = EXIT_OOPS else: retcode = EXIT_PARTIAL").
func TestUnsetPublisherPartial(t *testing.T) {
	s := simtest.New(t)
	s.OK("pkg", "set-publisher", "-g", "http://pkg.example.org/", "extra")
	r := s.Run(nil, "pkg", "unset-publisher", "nosuch", "extra")
	if r.Code != 3 {
		t.Errorf("unset-publisher nosuch extra: exit %d, want 3", r.Code)
	}
	simtest.Check(t, "extra removed", s.Run(nil, "pkg", "publisher", "-H", "-F", "tsv"),
		"omnios\ttrue\tfalse\ttrue\torigin\tonline\thttps://pkg.omnios.org/r151054/core/\t-\n", "", 0)
}

// TestExitCodesAgree: the exit codes zonemgr reads, where the sim
// already agrees with pkg5 (kept as a regression test).
func TestExitCodesAgree(t *testing.T) {
	s := simtest.New(t)
	code := func(what string, want int, args ...string) {
		t.Helper()
		if r := s.Run(nil, "pkg", args...); r.Code != want {
			t.Errorf("%s: exit %d, want %d\n%s%s", what, r.Code, want, r.Stdout, r.Stderr)
		}
	}
	code("publisher -H -F tsv", 0, "publisher", "-H", "-F", "tsv")
	code("publisher -H known", 0, "publisher", "-H", "omnios")
	code("publisher -H unknown", 1, "publisher", "-H", "nosuch")
	code("list -Hq installed", 0, "list", "-Hq", "shell/bash")
	code("list -Hq not installed", 1, "list", "-Hq", "gnu-make")
	code("list -Hq partial", 3, "list", "-Hq", "shell/bash", "gnu-make")
	code("list -Hqa known", 0, "list", "-Hqa", "gnu-make")
	code("list -Hqa unknown", 1, "list", "-Hqa", "nosuch/pkg")
	code("install -nq installed at newest", 4, "install", "-nq", "shell/bash")
	code("install -nq not installed", 0, "install", "-nq", "gnu-make")
	code("install -nq unknown", 1, "install", "-nq", "nosuch/pkg")
	code("install -nq one unknown of two", 1, "install", "-nq", "gnu-make", "nosuch/pkg")
	code("update -nq nothing", 4, "update", "-nq")
	code("uninstall not installed", 1, "uninstall", "gnu-make")
	code("unset-publisher unknown", 1, "unset-publisher", "nosuch")
	code("-R without an image", 1, "-R", "/nowhere", "list")
	if err := pkg.Publish(s.Root, "shell/bash", "5.2.21-151054.1"); err != nil {
		t.Fatal(err)
	}
	// pkg_solver.py solve_install(): the proposed packages are fixed "at
	// their optimum (newest) level": install of an installed package
	// updates it.
	code("install -nq installed, newer available", 0, "install", "-nq", "shell/bash")
	code("update -nq newer available", 0, "update", "-nq")
	code("install -q updates", 0, "install", "-q", "shell/bash")
	simtest.Check(t, "updated by install", s.Run(nil, "pkg", "list", "-H", "shell/bash"),
		"shell/bash                                        5.2.21-151054.1            i--\n", "", 0)
}

// TestUpdateWhilePkgIsOutOfDate: an update of every package is refused
// while a newer package/pkg is installable for the running pkg(7), dry
// run or not (api.py gen_plan_update(), __ipkg_require_latest(),
// image.py ipkg_is_up_to_date(); client.py __api_plan_exception() prints
// the warning with msg() and exits EXIT_OOPS). Named packages or -f skip
// the check. With -R the running pkg(7) is the global zone's: a zone
// image with an older package/pkg of its own is not what is checked.
func TestUpdateWhilePkgIsOutOfDate(t *testing.T) {
	s := simtest.New(t)
	pubs, err := pkg.Publishers(s.Root)
	if err != nil {
		t.Fatal(err)
	}
	if err := pkg.InstallBase(s.Root, s.Path("/zones/z1/root"), []string{"SUNWcs", "package/pkg", "shell/bash"}, pubs); err != nil {
		t.Fatal(err)
	}
	if err := pkg.Publish(s.Root, "package/pkg", "0.5.11-151054.1"); err != nil {
		t.Fatal(err)
	}
	const warning = "WARNING: pkg(7) appears to be out of date, and should be updated before\n" +
		"running update.  Please update pkg(7) by executing 'pkg install\n" +
		"pkg:/package/pkg' as a privileged user and then retry the update.\n"
	simtest.Check(t, "update -n", s.Run(nil, "pkg", "update", "-n"), warning, "", 1)
	simtest.Check(t, "update -nq", s.Run(nil, "pkg", "update", "-nq"), warning, "", 1)
	simtest.Check(t, "-R zone update -nq: the global zone's pkg(7) is checked", s.Run(nil, "pkg", "-R", "/zones/z1/root", "update", "-nq"), warning, "", 1)
	code := func(what string, want int, args ...string) {
		t.Helper()
		if r := s.Run(nil, "pkg", args...); r.Code != want {
			t.Errorf("%s: exit %d, want %d\n%s%s", what, r.Code, want, r.Stdout, r.Stderr)
		}
	}
	code("update -nqf skips the check", 0, "update", "-nqf")
	code("update -nq package/pkg names a package", 0, "update", "-nq", "package/pkg")
	code("update -q package/pkg", 0, "update", "-q", "package/pkg")
	code("update -nq once pkg(7) is up to date", 4, "update", "-nq")
	// The zone's own package/pkg is older, but pkg -R runs the global
	// zone's, which is up to date now.
	code("-R zone update -nq", 0, "-R", "/zones/z1/root", "update", "-nq")
}

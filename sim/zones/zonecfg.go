package zones

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/zonemgr/zonemgr/sim/core"
	"github.com/zonemgr/zonemgr/sim/rbac"
)

// libzonecfg error numbers used by zonecfg's messages (libzonecfg.h), and
// their zonecfg_strerror() texts.
const (
	zOK = iota
	zNoEntry
	zBogusZoneName
	zReqdResourceMissing
	zReqdPropertyMissing
	zInval
	zNoZone
	zNoResourceType
	zNoResourceID
	zNoPropertyType
	zBadZoneState
	zInvalidDocument
	zNameInUse
	zInsufficientSpec
	zIncompatible
	zAliasDisallow
	zClearDisallow
	zBadProperty
	zSavingFile
	zBadHandle
	zErr
)

var zStrerror = map[int]string{
	zNoEntry:             "No such entry",
	zBogusZoneName:       "Bogus zone name",
	zReqdResourceMissing: "Required resource missing",
	zReqdPropertyMissing: "Required property missing",
	zInval:               "Invalid argument",
	zNoZone:              "No such zone configured",
	zNoResourceType:      "No such resource type",
	zNoResourceID:        "No such resource with that id",
	zNoPropertyType:      "No such property type",
	zBadZoneState:        "Zone state is invalid for the requested operation",
	zInvalidDocument:     "Invalid document",
	zNameInUse:           "Zone name already in use",
	zInsufficientSpec:    "Insufficient specification",
	zIncompatible:        "Incompatible settings",
	zAliasDisallow:       "An incompatible rctl already exists for this property",
	zClearDisallow:       "Cannot clear this property",
	zBadProperty:         "Bad document property",
	zSavingFile:          "Problem saving file",
	zBadHandle:           "Bad handle",
}

// zcSession is one zonecfg run: the state zonecfg.c keeps in globals.
type zcSession struct {
	inv        *core.Invocation
	root       string
	out, errw  io.Writer
	zone       string
	revertZone string

	handle     *Config // the configuration being edited; nil when none
	gotHandle  bool
	needCommit bool
	sawError   bool

	globalScope bool
	resScope    string
	endOp       string // "add" or "select"

	// cur is the resource being added or selected (a *FS, *Net, ...,
	// *Pset or *Mcap; nil for capped-cpu, which has nothing to edit) and
	// old the selected one as it was (zonecfg.c's in_progress_* and
	// old_* tabs).
	cur, old any

	readOnly    bool
	globalZone  bool
	cmdFileMode bool
	interactive bool
	fileName    string
	line        int // lex_lineno when the current command runs
	lastErrLine int
	timeToExit  bool
	forceExit   bool
	exitNow     bool // exit(Z_ERR) called by a handler

	lock *core.Lock
}

// zonecfgMain runs zonecfg.
func zonecfgMain(inv *core.Invocation) int {
	s := &zcSession{inv: inv, root: inv.Root, out: inv.Stdout, errw: inv.Stderr, globalScope: true}
	defer s.unlock()
	if inv.Zone != "" {
		s.zerr("zonecfg can only be run from the global zone.")
		return 1
	}
	args := inv.Args
	if len(args) == 0 {
		zcUsage(s.errw, helpUsage|helpSubcmds, false)
		return 2
	}
	if args[0] == "help" {
		inv.Begin("help", false)
		s.run(strings.Join(args, " ")+"\n", false)
		return 0
	}
	opts, optind, bad := getopt(args, "?f:R:z:")
	for _, o := range opts {
		switch o.opt {
		case 'f':
			s.fileName = o.arg
			s.cmdFileMode = true
		case 'R':
			if !strings.HasPrefix(o.arg, "/") {
				s.zerr("root path must be absolute: %s", o.arg)
				return 2
			}
			alt := filepath.Join(inv.Root, o.arg)
			if st, err := os.Stat(alt); err != nil || !st.IsDir() {
				s.zerr("root path must be a directory: %s", o.arg)
				return 2
			}
			s.root = alt
		case 'z':
			if o.arg == "global" {
				s.globalZone = true
			} else if !validZoneName(o.arg) {
				s.zonePerror(o.arg, zBogusZoneName, true)
				zcUsage(s.errw, helpSyntax, false)
				return 2
			}
			s.zone, s.revertZone = o.arg, o.arg
		}
	}
	if bad != 0 {
		if bad == '?' {
			zcUsage(s.out, helpUsage|helpSubcmds, true)
		} else {
			zcUsage(s.errw, helpUsage, false)
		}
		return 2
	}
	if s.zone == "" {
		zcUsage(s.errw, helpUsage, false)
		return 2
	}
	oneOff := optind < len(args)
	if rbac.Check(inv, "/usr/sbin/zonecfg") != rbac.Full {
		s.readOnly = true
		if !oneOff {
			fmt.Fprint(s.errw, "WARNING: you do not have write access to this zone's configuration file;\ngoing into read-only mode.\n")
		}
	}

	var script string
	switch {
	case oneOff:
		s.cmdFileMode = false
		script = strings.Join(args[optind:], " ") + "\n"
	case s.cmdFileMode && s.fileName != "-":
		s.cmdFileMode = false
		st, err := os.Stat(s.fileName)
		if err != nil {
			s.zerr("could not open file %s: %s", s.fileName, strerror(err))
			return 1
		}
		if !st.Mode().IsRegular() {
			s.zerr("%s is not a regular file.", s.fileName)
			return 1
		}
		b, err := os.ReadFile(s.fileName)
		if err != nil {
			s.zerr("could not open file %s: %s", s.fileName, strerror(err))
			return 1
		}
		s.cmdFileMode = true
		script = string(b)
	default:
		// "-f -" is interactive mode reading stdin; so is a plain
		// "zonecfg -z Z" whose stdin is not a terminal.
		s.interactive = true
		b, err := io.ReadAll(inv.Stdin)
		if err != nil {
			s.zerr("could not read standard input: %s", strerror(err))
			return 1
		}
		script = string(b)
	}

	words := commandWords(script)
	sub := "zonecfg"
	if len(words) > 0 {
		sub = words[0]
	}
	mutating := false
	for _, w := range words {
		switch w {
		case "create", "set", "add", "remove", "delete", "commit", "clear", "select", "revert":
			mutating = true
		}
	}
	if code, injected := inv.Begin(sub, mutating); injected {
		return code
	}
	if mutating {
		if err := s.takeLock(); err != nil {
			s.zerr("%s: %v", s.zone, err)
			return 1
		}
	}
	if s.interactive && !s.cmdFileMode && !s.readOnly {
		s.initialize(false)
	}
	return s.run(script, oneOff)
}

// takeLock takes the sim's state lock for the rest of the session.
func (s *zcSession) takeLock() error {
	if s.lock != nil {
		return nil
	}
	l, err := s.inv.LockState()
	if err != nil {
		return fmt.Errorf("lock zone configuration: %w", err)
	}
	s.lock = l
	return nil
}

func (s *zcSession) unlock() {
	if s.lock != nil {
		s.lock.Unlock()
		s.lock = nil
	}
}

// run parses and executes a script, then does zonecfg's cleanup(): the
// pending configuration is committed at the end.
func (s *zcSession) run(script string, oneOff bool) int {
	p := &parser{toks: lex(script)}
	for {
		item := p.next()
		s.line = item.line
		if item.eof {
			break
		}
		s.exec(item)
		if s.exitNow {
			return 1
		}
		if oneOff {
			continue
		}
		// Bail out on an error in command file mode.
		if s.sawError && s.cmdFileMode && !s.interactive {
			s.timeToExit = true
		}
		if s.timeToExit {
			break
		}
	}
	return s.cleanup()
}

// exec runs one parsed item.
func (s *zcSession) exec(item parseItem) {
	switch {
	case item.synErr != nil:
		t := item.synErr
		text := t.raw
		if t.kind == tkNewline {
			text = `\n`
		}
		s.sawError = true
		if t.kind == tkEOF {
			fmt.Fprint(s.errw, "syntax error, token expected\n")
			return
		}
		if s.cmdFileMode {
			fmt.Fprintf(s.errw, "syntax error on line %d at '%s'\n", t.line, text)
		} else {
			fmt.Fprintf(s.errw, "syntax error at '%s'\n", text)
		}
		zcUsage(s.errw, helpSubcmds, false)
	case item.usage != "":
		s.shortUsage(item.usage)
		if item.usageRes {
			fmt.Fprint(s.errw, "\n")
			flags := helpResources | helpProps
			if item.usage == "set" || item.usage == "clear" {
				flags = helpProps
			}
			zcUsage(s.errw, flags, false)
		}
	default:
		s.dispatch(item.cmd)
	}
}

func (s *zcSession) dispatch(c *command) {
	switch c.name {
	case "add":
		s.addFunc(c)
	case "cancel":
		s.cancelFunc(c)
	case "clear":
		s.clearFunc(c)
	case "commit":
		s.commitFunc(c)
	case "create":
		s.createFunc(c)
	case "delete":
		s.deleteFunc(c)
	case "end":
		s.endFunc(c)
	case "exit":
		s.exitFunc(c)
	case "export":
		s.exportFunc(c)
	case "help":
		s.helpFunc(c)
	case "info":
		s.infoFunc(c)
	case "remove":
		s.removeFunc(c)
	case "revert":
		s.revertFunc(c)
	case "select":
		s.selectFunc(c)
	case "set":
		s.setFunc(c)
	case "verify":
		s.verifyFunc(c, false)
	}
}

// zerr prints an error, prefixed by the command-file line the first time
// an error is reported for a line (zonecfg.c zerr()).
func (s *zcSession) zerr(format string, a ...any) {
	if s.cmdFileMode && s.line > s.lastErrLine {
		if s.fileName == "-" {
			fmt.Fprintf(s.errw, "On line %d:\n", s.line-1)
		} else {
			fmt.Fprintf(s.errw, "On line %d of %s:\n", s.line-1, s.fileName)
		}
		s.lastErrLine = s.line
	}
	fmt.Fprintf(s.errw, format, a...)
	fmt.Fprint(s.errw, "\n")
}

// zonePerror prints "<prefix>: <libzonecfg error>".
func (s *zcSession) zonePerror(prefix string, err int, setSaw bool) {
	s.zerr("%s: %s", prefix, zStrerror[err])
	if setSaw {
		s.sawError = true
	}
}

// cmdRtPerror prints "<cmd> <resource>: <libzonecfg error>".
func (s *zcSession) cmdRtPerror(cmd, rt string, err int) {
	s.zerr("%s %s: %s", cmd, rt, zStrerror[err])
	s.sawError = true
}

// shortUsage is for bad syntax (short_usage()).
func (s *zcSession) shortUsage(cmd string) {
	if s.cmdFileMode {
		if s.fileName == "-" {
			fmt.Fprintf(s.errw, "syntax error on line %d\n", s.line-1)
		} else {
			fmt.Fprintf(s.errw, "syntax error on line %d of %s\n", s.line-1, s.fileName)
		}
	}
	fmt.Fprintf(s.errw, "usage:\n%s\n", zcShortUsage[cmd])
	s.sawError = true
}

// longUsage is for bad semantics (long_usage()).
func (s *zcSession) longUsage(cmd string, setSaw bool) {
	w := s.out
	if setSaw {
		w = s.errw
		s.sawError = true
	}
	fmt.Fprintf(w, "usage:\n%s\n", zcShortUsage[cmd])
	fmt.Fprintf(w, "\t%s\n", zcLongHelp[cmd])
}

// longerUsage is for "help cmd" and "cmd -?".
func (s *zcSession) longerUsage(cmd string) {
	s.longUsage(cmd, false)
	flags := 0
	switch cmd {
	case "add", "info", "remove", "select":
		flags = helpResources | helpProps
	case "clear", "set":
		flags = helpProps
	}
	if flags != 0 {
		fmt.Fprint(s.out, "\n")
		zcUsage(s.out, flags, true)
	}
}

// scopeUsage reports a command used in the wrong scope.
func (s *zcSession) scopeUsage(cmd string) {
	scope := "global"
	if s.globalScope {
		scope = "resource"
	}
	s.zerr("The %s command only makes sense in the %s scope.", cmd, scope)
	s.sawError = true
}

// askYesNo stands for zonecfg's prompts: the sim never has a terminal,
// so it cannot ask (ok_to_prompt is false) and reports -1.
func (s *zcSession) askYesNo() int {
	s.sawError = true
	return -1
}

// parseOpts runs getopt over a command's arguments and handles the '?'
// and unknown-option cases the way every zonecfg handler does; ok is false
// when the handler must return.
func (s *zcSession) parseOpts(c *command, spec string) (opts []option, optind int, ok bool) {
	opts, optind, bad := getopt(c.argv, spec)
	if bad != 0 {
		if bad == '?' {
			s.longerUsage(c.name)
		} else {
			s.shortUsage(c.name)
		}
		return nil, 0, false
	}
	return opts, optind, true
}

// initialize loads the zone's configuration unless a handle exists.
func (s *zcSession) initialize(handleExpected bool) int {
	if s.handle != nil {
		return zOK
	}
	c, err := LoadConfig(s.root, s.zone)
	if err == nil {
		s.handle, s.gotHandle = c, true
		return zOK
	}
	code := zInvalidDocument
	if errors.Is(err, fs.ErrNotExist) {
		code = zNoZone
	}
	if s.globalZone && code == zNoZone && !s.gotHandle && !s.readOnly {
		t, terr := LoadConfig(s.root, "SUNWblank")
		if terr != nil {
			s.zonePerror("SUNWblank", zNoZone, true)
			return zNoZone
		}
		t.Name = "global"
		s.handle, s.gotHandle, s.needCommit = t, true, true
		return zOK
	}
	s.zonePerror(s.zone, code, handleExpected || s.gotHandle)
	if code == zNoZone && !s.gotHandle && s.interactive && !s.readOnly {
		fmt.Fprint(s.out, "Use 'create' to begin configuring a new zone.\n")
	}
	return code
}

// state returns the zone's current state; ok is false for no such zone.
func (s *zcSession) state() (int, bool) {
	st, ok, err := zoneStatus(s.root, s.zone)
	if err != nil {
		s.zerr("Unexpectedly failed to determine state of zone %s: %v", s.zone, err)
		s.exitNow = true
		return 0, false
	}
	return st.State, ok
}

func (s *zcSession) stateAtLeast(min int) bool {
	st, ok := s.state()
	return ok && st >= min
}

// zoneIsReadOnly refuses changes to SUNW templates and in read-only mode.
func (s *zcSession) zoneIsReadOnly(cmd string) bool {
	if strings.HasPrefix(s.zone, "SUNW") {
		s.zerr("%s: zones beginning with SUNW are read-only.", s.zone)
		s.sawError = true
		return true
	}
	if s.readOnly {
		s.zerr("%s: cannot %s in read-only mode.", s.zone, cmd)
		s.sawError = true
		return true
	}
	return false
}

// createFunc is "create [-F] [-a path | -b | -t template]": the
// template is SUNWdefault, SUNWblank with -b, or the -t argument, which
// OmniOS prefixes with OMNI unless it starts with an upper-case letter
// (create_func(); templateName()). What each template holds depends on
// the flavour (flavor.go flavorTemplates).
func (s *zcSession) createFunc(c *command) {
	template := "SUNWdefault"
	force, attach := false, ""
	opts, optind, ok := s.parseOpts(c, "?a:bFt:")
	if !ok {
		return
	}
	for _, o := range opts {
		switch o.opt {
		case 'a':
			attach = o.arg
		case 'b':
			template = "SUNWblank"
		case 'F':
			force = true
		case 't':
			template = templateName(s.inv.Flavor(), o.arg)
		}
	}
	if optind != len(c.argv) {
		s.shortUsage("create")
		return
	}
	if s.zoneIsReadOnly("create") {
		return
	}
	if _, err := LoadConfig(s.root, s.zone); err == nil {
		if s.stateAtLeast(StateInstalled) {
			// zonecfg.c does not set saw_error here; the exit status 1
			// is the one illumos-commands.md §10 gives.
			s.zerr("Zone %s already installed; create not allowed.", s.zone)
			s.sawError = true
			return
		}
		if !force {
			s.askYesNo()
			s.zerr("Zone exists, input not from terminal and -F not specified:\ncreate command ignored, exiting.")
			s.exitNow = true
			return
		}
		fmt.Fprintf(s.out, "Zone %s already exists; overwriting.\n", s.zone)
	}
	var tmpl *Config
	if attach != "" {
		b, err := os.ReadFile(filepath.Join(s.inv.Path(attach), "SUNWdetached.xml"))
		if err != nil {
			fmt.Fprint(s.errw, "invalid path to detached zone\n")
			return
		}
		if tmpl, err = ParseConfig(b); err != nil {
			fmt.Fprint(s.errw, "Cannot attach to an earlier release of the operating system\n")
			return
		}
	} else {
		t, err := LoadConfig(s.root, template)
		if err != nil {
			s.zonePerror(template, zNoZone, true)
			return
		}
		tmpl = t
	}
	tmpl.Name = s.zone
	tmpl.DebugID = ""
	s.handle, s.gotHandle, s.needCommit = tmpl, true, true
}

// exitFunc is "exit [-F]".
func (s *zcSession) exitFunc(c *command) {
	opts, optind, ok := s.parseOpts(c, "?F")
	if !ok {
		return
	}
	for _, o := range opts {
		if o.opt == 'F' {
			s.forceExit = true
		}
	}
	if optind < len(c.argv) {
		s.shortUsage("exit")
		return
	}
	if s.globalScope || s.forceExit {
		s.timeToExit = true
		return
	}
	s.askYesNo()
	s.zerr("Resource incomplete, input not from terminal and -F not specified:\nexit command ignored, but exiting anyway.")
	s.exitNow = true
}

// deleteFunc is "delete [-F]".
func (s *zcSession) deleteFunc(c *command) {
	opts, optind, ok := s.parseOpts(c, "?F")
	if !ok {
		return
	}
	force := false
	for _, o := range opts {
		if o.opt == 'F' {
			force = true
		}
	}
	if optind != len(c.argv) {
		s.shortUsage("delete")
		return
	}
	if s.zoneIsReadOnly("delete") {
		return
	}
	if !force {
		if s.initialize(true) != zOK {
			return
		}
		s.askYesNo()
		s.zerr("Input not from terminal and -F not specified:\ndelete command ignored, exiting.")
		s.exitNow = true
		return
	}
	if s.initialize(true) == zOK {
		authorizeAdmins(s.root, s.zone, s.handle.Admin, nil)
	}
	if err := s.destroy(force); err != zOK {
		s.zonePerror(s.zone, err, true)
	}
	s.needCommit = false
	if s.gotHandle {
		s.handle = nil
		if c, err := LoadConfig(s.root, s.zone); err == nil {
			s.handle = c
		} else {
			s.gotHandle = false
		}
	}
}

// destroy removes the zone's index entry and XML file (zonecfg_destroy()).
func (s *zcSession) destroy(force bool) int {
	if err := s.takeLock(); err != nil {
		return zSavingFile
	}
	ix, err := ReadIndex(s.root)
	if err != nil {
		return zSavingFile
	}
	st, inIndex, err := zoneStatus(s.root, s.zone)
	if err != nil {
		return zSavingFile
	}
	_, xmlErr := os.Stat(configPath(s.root, s.zone))
	if !inIndex && errors.Is(xmlErr, fs.ErrNotExist) {
		return zNoZone
	}
	if inIndex && (st.State > StateInstalled || (!force && st.State > StateConfigured)) {
		return zBadZoneState
	}
	ix.Remove(s.zone)
	if err := ix.Write(s.root); err != nil && !force {
		return zSavingFile
	}
	if err := os.Remove(configPath(s.root, s.zone)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return zSavingFile
	}
	return zOK
}

// cancelFunc is "cancel".
func (s *zcSession) cancelFunc(c *command) {
	_, optind, ok := s.parseOpts(c, "?")
	if !ok {
		return
	}
	if optind != len(c.argv) {
		s.shortUsage("cancel")
		return
	}
	if s.globalScope {
		s.scopeUsage("cancel")
	}
	s.globalScope = true
	s.cur, s.old = nil, nil
}

// commitFunc is "commit": verify, then save.
func (s *zcSession) commitFunc(c *command) {
	_, optind, ok := s.parseOpts(c, "?")
	if !ok {
		return
	}
	if optind != len(c.argv) {
		s.shortUsage("commit")
		return
	}
	if s.zoneIsReadOnly("commit") {
		return
	}
	s.verifyFunc(&command{name: "verify"}, true)
}

// revertFunc is "revert [-F]".
func (s *zcSession) revertFunc(c *command) {
	opts, optind, ok := s.parseOpts(c, "?F")
	if !ok {
		return
	}
	force := false
	for _, o := range opts {
		if o.opt == 'F' {
			force = true
		}
	}
	if optind != len(c.argv) {
		s.shortUsage("revert")
		return
	}
	if s.zoneIsReadOnly("revert") {
		return
	}
	if !s.globalScope {
		s.zerr("You can only use revert in the global scope.\nUse 'cancel' to cancel changes to a resource specification.")
		s.sawError = true
		return
	}
	if s.handle == nil {
		s.zerr("No changes to revert.")
		s.sawError = true
		return
	}
	if !force {
		s.askYesNo()
		s.zerr("Input not from terminal and -F not specified:\nrevert command ignored, exiting.")
		s.exitNow = true
		return
	}
	s.handle = nil
	c2, err := LoadConfig(s.root, s.revertZone)
	if err != nil {
		s.sawError = true
		s.gotHandle = false
		if errors.Is(err, fs.ErrNotExist) {
			s.zerr("%s: no such saved zone to revert to.", s.revertZone)
		} else {
			s.zonePerror(s.zone, zInvalidDocument, true)
		}
	} else {
		s.handle = c2
	}
	s.zone = s.revertZone
}

// helpFunc is "help [usage|commands|syntax|<command>]".
func (s *zcSession) helpFunc(c *command) {
	if len(c.argv) == 0 {
		zcUsage(s.out, helpSubcmds, true)
		return
	}
	switch a := c.argv[0]; a {
	case "usage":
		zcUsage(s.out, helpUsage, true)
	case "commands":
		zcUsage(s.out, helpSubcmds, true)
	case "syntax":
		zcUsage(s.out, helpSyntax|helpResources|helpProps, true)
	case "-?":
		s.longerUsage("help")
	default:
		if _, ok := zcShortUsage[a]; ok {
			s.longerUsage(a)
			return
		}
		fmt.Fprintf(s.errw, "Unknown help subject %s.  ", a)
		zcUsage(s.errw, helpMeta, false)
	}
}

// cleanup ends a session: an unfinished resource is an error, and pending
// changes are committed.
func (s *zcSession) cleanup() int {
	if !s.globalScope {
		if !s.timeToExit {
			s.askYesNo()
			s.zerr("Resource incomplete.")
			return 1
		}
		s.sawError = true
	}
	if s.needCommit && s.handle != nil {
		s.verifyFunc(&command{name: "verify"}, true)
		if s.needCommit {
			if !s.forceExit {
				s.askYesNo()
			}
			s.zerr("Configuration not saved.")
			return 1
		}
	}
	if s.needCommit || s.sawError {
		return 1
	}
	return 0
}

// save writes the configuration and updates the index (zonecfg_save()).
func (s *zcSession) save() int {
	if err := s.takeLock(); err != nil {
		return zSavingFile
	}
	ix, err := ReadIndex(s.root)
	if err != nil {
		return zSavingFile
	}
	c := s.handle
	if !s.globalZone {
		oldName := s.revertZone
		if e, ok := ix.Lookup(c.Name); ok {
			e.Zonepath = c.Zonepath
		} else if e, ok := ix.Lookup(oldName); ok && oldName != c.Name {
			e.Name, e.Zonepath = c.Name, c.Zonepath
			if err := os.Remove(configPath(s.root, oldName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return zSavingFile
			}
		} else {
			ix.Entries = append(ix.Entries, IndexEntry{Name: c.Name, State: StateConfigured, Zonepath: c.Zonepath})
		}
		if c.DebugID == "" && assignsDebugIDs(s.inv.Flavor()) {
			did, err := nextDebugID(s.root)
			if err != nil {
				return zSavingFile
			}
			c.DebugID = did
		}
	}
	var oldAdmins []Admin
	if prev, err := LoadConfig(s.root, s.revertZone); err == nil && !s.globalZone {
		oldAdmins = prev.Admin
	}
	if err := SaveConfig(s.root, c); err != nil {
		return zSavingFile
	}
	if err := authorizeAdmins(s.root, c.Name, oldAdmins, c.Admin); err != nil {
		return zSavingFile
	}
	if !s.globalZone {
		if err := ix.Write(s.root); err != nil {
			return zSavingFile
		}
	}
	return zOK
}

// strerror renders a Go file error the way strerror(3C) words it.
func strerror(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "No such file or directory"
	case errors.Is(err, fs.ErrPermission):
		return "Permission denied"
	}
	msg := err.Error()
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	return msg
}

// An option is one parsed command-line option.
type option struct {
	opt byte
	arg string
}

// getopt parses args with illumos getopt(3C) rules: options must come
// first (no permutation), "--" ends them, "-ab" clusters, and an option
// argument is the rest of the word or the next word. bad is the offending
// option letter ('?' for "-?") or 0.
func getopt(args []string, spec string) (opts []option, optind int, bad byte) {
	i := 0
	for i < len(args) {
		a := args[i]
		if a == "--" {
			return opts, i + 1, 0
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		i++
		for j := 1; j < len(a); j++ {
			c := a[j]
			if c == '?' {
				return opts, i, '?'
			}
			k := strings.IndexByte(spec, c)
			if c == ':' || k < 0 {
				return opts, i, c
			}
			if k+1 < len(spec) && spec[k+1] == ':' {
				if j+1 < len(a) {
					opts = append(opts, option{c, a[j+1:]})
				} else if i < len(args) {
					opts = append(opts, option{c, args[i]})
					i++
				} else {
					return opts, i, c
				}
				break
			}
			opts = append(opts, option{c, ""})
		}
	}
	return opts, i, 0
}

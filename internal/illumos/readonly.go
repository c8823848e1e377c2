package illumos

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"unicode"
)

// IsMutating reports whether running argv may change the system. It knows
// the read-only forms of the tools zonemgr runs (zonecfg export/info/verify,
// zoneadm list/verify, zfs list/get/holds, zpool list/get/status, dladm show-*,
// pkg list/info/publisher and dry runs, svcs, and zlogin running one of
// those) and looks through pfexec, sudo and env prefixes. Anything it does
// not know is mutating.
func IsMutating(argv []string) bool {
	argv = stripPrefixes(argv)
	if len(argv) == 0 {
		return true
	}
	args := argv[1:]
	switch filepath.Base(argv[0]) {
	case "zonecfg":
		return zonecfgMutates(args)
	case "zoneadm":
		sub := firstOperand(args, "zuR")
		return !(sub == "list" || sub == "verify" || sub == "help")
	case "zfs":
		sub := firstOperand(args, "")
		return !(sub == "list" || sub == "get" || sub == "holds")
	case "zpool":
		sub := firstOperand(args, "")
		return !(sub == "list" || sub == "get" || sub == "status")
	case "dladm":
		return !strings.HasPrefix(firstOperand(args, ""), "show-")
	case "pkg":
		return pkgMutates(args)
	case "svcs", "svcprop", "zonename", "uname", "id", "getent":
		return false
	case "zlogin":
		return zloginMutates(args)
	default:
		return true
	}
}

// stripPrefixes removes privilege and environment wrappers: pfexec, sudo
// (with its options) and env (with its assignments).
func stripPrefixes(argv []string) []string {
	for len(argv) > 0 {
		switch filepath.Base(argv[0]) {
		case "pfexec":
			argv = argv[1:]
		case "sudo":
			argv = skipOptions(argv[1:], "ugCphrtDUTR")
			argv = skipAssignments(argv)
		case "env":
			argv = skipOptions(argv[1:], "u")
			argv = skipAssignments(argv)
		default:
			return argv
		}
	}
	return argv
}

// skipOptions drops leading options; letters in withArg take a value
// (either attached or as the next argument). "--" ends the options.
func skipOptions(args []string, withArg string) []string {
	for len(args) > 0 {
		a := args[0]
		if a == "--" {
			return args[1:]
		}
		if len(a) < 2 || a[0] != '-' {
			return args
		}
		args = args[1:]
		if strings.HasPrefix(a, "--") {
			continue
		}
		for i := 1; i < len(a); i++ {
			if strings.IndexByte(withArg, a[i]) >= 0 {
				if i == len(a)-1 && len(args) > 0 {
					args = args[1:]
				}
				break
			}
		}
	}
	return args
}

func skipAssignments(args []string) []string {
	for len(args) > 0 && strings.Contains(args[0], "=") && !strings.HasPrefix(args[0], "-") {
		args = args[1:]
	}
	return args
}

// firstOperand returns the first argument after the options.
func firstOperand(args []string, withArg string) string {
	args = skipOptions(args, withArg)
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

// zonecfgMutates classifies zonecfg [-z zone] [-R root] [-f file | cmds].
// The subcommands may be several arguments joined by zonecfg into one line
// of ;-separated commands; only export (without -f), info, verify and help
// leave everything as it was.
func zonecfgMutates(args []string) bool {
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "-z", "-R":
			if len(args) < 2 {
				return true
			}
			args = args[2:]
		default:
			// -f FILE (a command file) and anything unknown.
			return true
		}
	}
	if len(args) == 0 {
		return true // interactive
	}
	line := strings.Join(args, " ")
	cmds, err := lexZonecfg(line)
	if err != nil || len(cmds) == 0 {
		return true
	}
	for _, c := range cmds {
		switch c.name {
		case "info", "verify", "help", "?":
		case "export":
			for _, t := range c.toks {
				if t.kind == tokWord && !t.quoted && strings.HasPrefix(t.text, "-f") {
					return true
				}
			}
		default:
			return true
		}
	}
	return false
}

// pkgMutates classifies pkg [-R root] [-D opt] subcommand ...: listing
// subcommands are reads, and so is any install/update/uninstall/change run
// with -n (a dry run).
func pkgMutates(args []string) bool {
	args = skipOptions(args, "RD")
	if len(args) == 0 {
		return true
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "list", "info", "publisher", "search", "contents", "verify", "history", "version", "property", "facet", "variant":
		return false
	case "install", "update", "uninstall", "change-facet", "change-variant", "set-mediator":
		return !hasDryRun(rest)
	}
	return true
}

// hasDryRun reports whether pkg options include -n, alone or among
// combined single-letter flags such as -nv, before any "--".
func hasDryRun(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if len(a) < 2 || a[0] != '-' || a[1] == '-' {
			continue
		}
		flags := a[1:]
		letters := strings.IndexFunc(flags, func(r rune) bool { return !unicode.IsLetter(r) }) < 0
		if letters && strings.ContainsRune(flags, 'n') {
			return true
		}
	}
	return false
}

// zloginMutates classifies zlogin [options] zone [command...]. It is a read
// only when the command inside the zone is one IsMutating knows as a read
// (svcs, svcprop, pkg list, ...). An interactive login is mutating.
func zloginMutates(args []string) bool {
	args = skipOptions(args, "le")
	if len(args) < 2 {
		return true
	}
	inner := args[1:]
	if len(inner) == 1 {
		// zlogin passes a single argument to the zone's shell as is;
		// split it only when no shell syntax could change its meaning.
		if strings.ContainsAny(inner[0], "\"'`$;&|<>()*?[]{}!#~\\\n") {
			return true
		}
		inner = strings.Fields(inner[0])
	}
	if len(inner) == 0 {
		return true
	}
	switch filepath.Base(inner[0]) {
	case "pfexec", "sudo", "env", "zlogin", "zonecfg", "zoneadm":
		return true
	}
	return IsMutating(inner)
}

// A ReadOnlyError is the refusal of a read-only runner (see [ReadOnly]) to
// run a command that could change the system.
type ReadOnlyError struct {
	Cmd Cmd
}

func (e *ReadOnlyError) Error() string {
	return fmt.Sprintf("refusing to run \"%s\" in read-only mode (check mode)", e.Cmd.String())
}

// ReadOnly returns a Runner that passes reads through to r and refuses
// every command IsMutating classifies as a change with a *ReadOnlyError.
// Check mode and the second (idempotent) run of every test use it, so a
// plan that would mutate cannot pass unnoticed.
func ReadOnly(r Runner) Runner {
	return &readOnly{next: r}
}

// IsReadOnly reports whether r is, or wraps, a runner made by ReadOnly.
func IsReadOnly(r Runner) bool {
	for r != nil {
		if _, ok := r.(*readOnly); ok {
			return true
		}
		u, ok := r.(interface{ unwrapRunner() Runner })
		if !ok {
			return false
		}
		r = u.unwrapRunner()
	}
	return false
}

type readOnly struct {
	next Runner
}

func (r *readOnly) Run(ctx context.Context, c Cmd) (Result, error) {
	if IsMutating(c.Argv) {
		return Result{ExitCode: -1}, &ReadOnlyError{Cmd: c}
	}
	return r.next.Run(ctx, c)
}

func (r *readOnly) unwrapRunner() Runner { return r.next }

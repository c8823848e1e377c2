package zfs

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// zfsHelp holds the usage lines of each zfs subcommand, as illumos's
// zfs_main.c get_usage() prints them.
var zfsHelp = map[string]string{
	"create": "\tcreate [-p] [-o property=value] ... <filesystem>\n" +
		"\tcreate [-ps] [-b blocksize] [-o property=value] ... -V <size> <volume>\n",
	"destroy": "\tdestroy [-fnpRrv] <filesystem|volume>\n" +
		"\tdestroy [-dnpRrv] <filesystem|volume>@<snap>[%<snap>][,...]\n" +
		"\tdestroy <filesystem|volume>#<bookmark>\n",
	"snapshot": "\tsnapshot [-r] [-o property=value] ... <filesystem|volume>@<snap> ...\n",
	"rollback": "\trollback [-rRf] <snapshot>\n",
	"clone":    "\tclone [-p] [-o property=value] ... <snapshot> <filesystem|volume>\n",
	"promote":  "\tpromote <clone-filesystem>\n",
	"rename": "\trename [-f] <filesystem|volume|snapshot> <filesystem|volume|snapshot>\n" +
		"\trename [-f] -p <filesystem|volume> <filesystem|volume>\n" +
		"\trename -r <snapshot> <snapshot>\n",
	"bookmark": "\tbookmark <snapshot> <bookmark>\n",
	"program":  "\tprogram [-n] [-t <instruction limit>] [-m <memory limit (b)>] <pool> <program file> [lua args...]\n",
	"list": "\tlist [-Hp] [-r|-d max] [-o property[,...]] [-s property]...\n" +
		"\t    [-S property]... [-t type[,...]] [filesystem|volume|snapshot] ...\n",
	"set": "\tset <property=value> ... <filesystem|volume|snapshot> ...\n",
	"get": "\tget [-rHp] [-d max] [-o \"all\" | field[,...]]\n" +
		"\t    [-t type[,...]] [-s source[,...]]\n" +
		"\t    <\"all\" | property[,...]> [filesystem|volume|snapshot|bookmark] ...\n",
	"inherit": "\tinherit [-rS] <property> <filesystem|volume|snapshot> ...\n",
	"upgrade": "\tupgrade [-v]\n" +
		"\tupgrade [-r] [-V version] <-a | filesystem ...>\n",
	"userspace": "\tuserspace [-Hinp] [-o field[,...]] [-s field] ...\n" +
		"\t    [-S field] ... [-t type[,...]] <filesystem|snapshot>\n",
	"groupspace": "\tgroupspace [-Hinp] [-o field[,...]] [-s field] ...\n" +
		"\t    [-S field] ... [-t type[,...]] <filesystem|snapshot>\n",
	"mount": "\tmount\n" +
		"\tmount [-vO] [-o opts] <-a | filesystem>\n",
	"unmount": "\tunmount [-f] <-a | filesystem|mountpoint>\n",
	"share":   "\tshare <-a | filesystem>\n",
	"unshare": "\tunshare <-a | filesystem|mountpoint>\n",
	"send": "\tsend [-DnPpRvLec] [-[iI] snapshot] <snapshot>\n" +
		"\tsend [-Le] [-i snapshot|bookmark] <filesystem|volume|snapshot>\n" +
		"\tsend [-nvPe] -t <receive_resume_token>\n",
	"receive": "\treceive [-vnsFu] <filesystem|volume|snapshot>\n" +
		"\treceive [-vnsFu] [-o origin=<snapshot>] [-d | -e] <filesystem>\n" +
		"\treceive -A <filesystem|volume>\n",
	"allow": "\tallow <filesystem|volume>\n" +
		"\tallow [-ldug] <\"everyone\"|user|group>[,...] <perm|@setname>[,...]\n" +
		"\t    <filesystem|volume>\n" +
		"\tallow [-ld] -e <perm|@setname>[,...] <filesystem|volume>\n" +
		"\tallow -c <perm|@setname>[,...] <filesystem|volume>\n" +
		"\tallow -s @setname <perm|@setname>[,...] <filesystem|volume>\n",
	"unallow": "\tunallow [-rldug] <\"everyone\"|user|group>[,...]\n" +
		"\t    [<perm|@setname>[,...]] <filesystem|volume>\n" +
		"\tunallow [-rld] -e [<perm|@setname>[,...]] <filesystem|volume>\n" +
		"\tunallow [-r] -c [<perm|@setname>[,...]] <filesystem|volume>\n" +
		"\tunallow [-r] -s @setname [<perm|@setname>[,...]] <filesystem|volume>\n",
	"hold":    "\thold [-r] <tag> <snapshot> ...\n",
	"holds":   "\tholds [-r] <snapshot> ...\n",
	"release": "\trelease [-r] <tag> <snapshot> ...\n",
	"diff":    "\tdiff [-FHt] <snapshot> [snapshot|filesystem]\n",
	"remap":   "\tremap <filesystem | volume>\n",
}

// zfsCommandOrder is the command table of zfs_main.c; "" marks the blank
// lines between groups in the full usage text.
var zfsCommandOrder = []string{
	"create", "destroy", "",
	"snapshot", "rollback", "clone", "promote", "rename", "bookmark", "program", "",
	"list", "",
	"set", "get", "inherit", "upgrade", "userspace", "groupspace", "",
	"mount", "unmount", "share", "unshare", "",
	"send", "receive", "",
	"allow", "",
	"unallow", "",
	"hold", "holds", "release", "diff", "remap",
}

// writeZfsUsage prints the usage text of one subcommand (or of all when
// cmd is ""), as zfs_main.c usage() does.
func writeZfsUsage(w io.Writer, cmd string) {
	if cmd == "" {
		fmt.Fprint(w, "usage: zfs command args ...\n")
		fmt.Fprint(w, "where 'command' is one of the following:\n\n")
		for _, c := range zfsCommandOrder {
			if c == "" {
				fmt.Fprint(w, "\n")
			} else {
				fmt.Fprint(w, zfsHelp[c])
			}
		}
		fmt.Fprint(w, "\nEach dataset is of the form: pool/[dataset/]*dataset[@name]\n")
	} else {
		fmt.Fprint(w, "usage:\n")
		fmt.Fprint(w, zfsHelp[cmd])
	}
	switch cmd {
	case "set", "get", "inherit", "list":
		writePropertyTable(w)
	default:
		fmt.Fprint(w, "\nFor the property list, run: zfs set|get\n")
		fmt.Fprint(w, "\nFor the delegated permission list, run: zfs allow|unallow\n")
	}
}

// writePropertyTable prints the property list that follows the usage of
// set, get, inherit and list: read-only properties first, then by name.
func writePropertyTable(w io.Writer) {
	fmt.Fprint(w, "\nThe following properties are supported:\n")
	fmt.Fprintf(w, "\n\t%-14s %s  %s   %s\n\n", "PROPERTY", "EDIT", "INHERIT", "VALUES")
	var props []*propDef
	for _, p := range propDefs {
		if !p.hidden {
			props = append(props, p)
		}
	}
	sort.SliceStable(props, func(i, j int) bool {
		if props[i].readonly != props[j].readonly {
			return props[i].readonly
		}
		return props[i].name < props[j].name
	})
	for _, p := range props {
		fmt.Fprintf(w, "\t%-15s ", p.name)
		if p.readonly {
			fmt.Fprint(w, " NO    ")
		} else {
			fmt.Fprint(w, "YES    ")
		}
		if p.inherit {
			fmt.Fprint(w, "  YES   ")
		} else {
			fmt.Fprint(w, "   NO   ")
		}
		fmt.Fprintf(w, "%s\n", p.values)
	}
	for _, line := range []struct{ name, rest string }{
		{"userused@...", " NO       NO   <size>"},
		{"groupused@...", " NO       NO   <size>"},
		{"userquota@...", "YES       NO   <size> | none"},
		{"groupquota@...", "YES       NO   <size> | none"},
		{"written@<snap>", " NO       NO   <size>"},
	} {
		fmt.Fprintf(w, "\t%-15s %s\n", line.name, line.rest)
	}
	fmt.Fprint(w, "\nSizes are specified in bytes with standard units such as K, M, G, etc.\n")
	fmt.Fprint(w, "\nUser-defined properties can be specified by using a name containing a colon (:).\n")
	fmt.Fprint(w, strings.Join([]string{
		"\nThe {user|group}{used|quota}@ properties must be appended with",
		"a user or group specifier of one of these forms:",
		"    POSIX name      (eg: \"matt\")",
		"    POSIX id        (eg: \"126829\")",
		"    SMB name@domain (eg: \"matt@sun\")",
		"    SMB SID         (eg: \"S-1-234-567-89\")\n",
	}, "\n"))
}

package zones

import (
	"fmt"
	"io"
)

// zonecfg's usage texts, from illumos usr/src/cmd/zonecfg/zonecfg.c
// (helptab[], long_help() and usage()).

// zcCommands lists the commands in helptab[] order.
var zcCommands = []string{"add", "cancel", "clear", "commit", "create", "delete", "end",
	"exit", "export", "help", "info", "remove", "revert", "select", "set", "verify"}

var zcShortUsage = map[string]string{
	"add":    "add <resource-type>\n\t(global scope)\nadd <property-name> <property-value>\n\t(resource scope)",
	"cancel": "cancel",
	"clear":  "clear <property-name>",
	"commit": "commit",
	"create": "create [-F] [ -a <path> | -b | -t <template> ]",
	"delete": "delete [-F]",
	"end":    "end",
	"exit":   "exit [-F]",
	"export": "export [-f output-file]",
	"help":   "help [commands] [syntax] [usage] [<command-name>]",
	"info":   "info [<resource-type> [property-name=property-value]*]",
	"remove": "remove [-F] <resource-type> [ <property-name>=<property-value> ]*\n\t(global scope)\nremove <property-name> <property-value>\n\t(resource scope)",
	"revert": "revert [-F]",
	"select": "select <resource-type> { <property-name>=<property-value> }",
	"set":    "set <property-name>=<property-value>",
	"verify": "verify",
}

var zcLongHelp = map[string]string{
	"help": "Prints help message.",
	"create": "Creates a configuration for the specified zone.  create should be\n\tused to " +
		"begin configuring a new zone.  If overwriting an existing\n\tconfiguration, the -F flag can be " +
		"used to force the action.  If\n\t-t template is given, creates a configuration identical to the\n" +
		"\tspecified template, except that the zone name is changed from\n\ttemplate to zonename.  'create -a' " +
		"creates a configuration from a\n\tdetached zonepath.  'create -b' results in a blank " +
		"configuration.\n\t'create' with no arguments applies the Sun default settings.",
	"exit":   "Exits the program.  The -F flag can be used to force the action.",
	"export": "Prints configuration to standard output, or to output-file if\n\tspecified, in a form suitable for use in a command-file.",
	"add":    "Add specified resource to configuration.",
	"delete": "Deletes the specified zone.  The -F flag can be used to force the\n\taction.",
	"remove": "Remove specified resource from configuration.  The -F flag can be used\n\tto force the action.",
	"select": "Selects a resource to modify.  Resource modification is completed\n\twith the command \"end\".  " +
		"The property name/value pairs must uniquely\n\tidentify a resource.  Note that the curly braces ('{', '}') mean one\n\tor more of whatever is between them.",
	"set":   "Sets property values.",
	"clear": "Clears property values.",
	"info": "Displays information about the current configuration.  If resource\n\ttype is specified, displays only " +
		"information about resources of\n\tthe relevant type.  If resource id is specified, displays only\n\tinformation about that resource.",
	"verify": "Verifies current configuration for correctness (some resource types\n\thave required properties).",
	"commit": "Commits current configuration.  Configuration must be committed to\n\tbe used by zoneadm.  Until the " +
		"configuration is committed, changes \n\tcan be removed with the revert command.  This operation is\n\t" +
		"attempted automatically upon completion of a zonecfg session.",
	"revert": "Reverts configuration back to the last committed state.  The -F flag\n\tcan be used to force the action.",
	"cancel": "Cancels resource/property specification.",
	"end":    "Ends resource/property specification.",
}

// Flags of zonecfg's usage().
const (
	helpUsage     = 1 << iota // HELP_USAGE
	helpSubcmds               // HELP_SUBCMDS
	helpSyntax                // HELP_SYNTAX
	helpResources             // HELP_RESOURCES
	helpProps                 // HELP_PROPS
	helpMeta                  // HELP_META
)

// zcUsage prints the parts of zonecfg's usage() selected by flags;
// verbose is set when help was asked for (usage(B_TRUE, ...)).
func zcUsage(w io.Writer, flags int, verbose bool) {
	if flags&helpMeta != 0 {
		fmt.Fprint(w, "More help is available for the following:\n\n\tcommands ('help commands')\n"+
			"\tsyntax ('help syntax')\n\tusage ('help usage')\n\n"+
			"You may also obtain help on any command by typing 'help <command-name>.'\n")
	}
	if flags&helpUsage != 0 {
		fmt.Fprint(w, "usage:\tzonecfg help\n\tzonecfg -z <zone>\t\t\t(interactive)\n"+
			"\tzonecfg -z <zone> <command>\n\tzonecfg -z <zone> -f <command-file>\n")
	}
	if flags&helpSubcmds != 0 {
		fmt.Fprint(w, "Commands:\n\n")
		for _, c := range zcCommands {
			fmt.Fprintf(w, "%s\n", zcShortUsage[c])
			if verbose {
				fmt.Fprintf(w, "\t%s\n\n", zcLongHelp[c])
			}
		}
	}
	if flags&helpSyntax != 0 {
		if !verbose {
			fmt.Fprint(w, "\n")
		}
		fmt.Fprint(w, "<zone> := [A-Za-z0-9][A-Za-z0-9_.-]*\n"+
			"\t(except the reserved words 'global' and anything starting with 'SUNW')\n"+
			"\tName must be less than 64 characters.\n")
		if verbose {
			fmt.Fprint(w, "\n")
		}
	}
	if flags&helpResources != 0 {
		fmt.Fprint(w, "<resource type> := fs | net | device | rctl | attr |\n"+
			"\tdataset | dedicated-cpu | capped-cpu | capped-memory | admin\n\n")
	}
	if flags&helpProps != 0 {
		fmt.Fprint(w, "For resource type ... there are property types ...:\n")
		for _, p := range []string{"zonename", "zonepath", "brand", "autoboot", "bootargs", "pool",
			"limitpriv", "scheduling-class", "ip-type", "hostid", "fs-allowed", "max-lwps",
			"max-processes", "max-shm-memory", "max-shm-ids", "max-msg-ids", "max-sem-ids", "cpu-shares"} {
			fmt.Fprintf(w, "\t(global)\t%s\n", p)
		}
		fmt.Fprint(w, "\tfs\t\tdir, special, raw, type, options\n"+
			"\tnet\t\taddress, allowed-address, physical, defrouter\n"+
			"\tdevice\t\tmatch\n"+
			"\trctl\t\tname, value\n"+
			"\tattr\t\tname, type, value\n"+
			"\tdataset\t\tname\n"+
			"\tdedicated-cpu\tncpus, importance\n"+
			"\tcapped-cpu\tncpus\n"+
			"\tcapped-memory\tphysical, swap, locked\n"+
			"\tadmin\t\tuser, auths\n")
	}
}

package zfs

import "strings"

// An option is one parsed command-line option.
type option struct {
	c   byte
	arg string
}

// A getoptError is a command-line error in the form getopt(3C) reports
// it: an unknown option (missing is false) or an option whose argument is
// missing.
type getoptError struct {
	c       byte
	missing bool
}

// getopt parses args like illumos getopt(3C) with opterr=0: options come
// first, "--" ends them, and the first operand ends them too (illumos does
// not permute), so options after operands are left as operands.
func getopt(args []string, optstring string) ([]option, []string, *getoptError) {
	optstring = strings.TrimPrefix(optstring, ":")
	var opts []option
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			k := strings.IndexByte(optstring, c)
			if k < 0 || c == ':' {
				return nil, nil, &getoptError{c: c}
			}
			if k+1 < len(optstring) && optstring[k+1] == ':' {
				if j+1 < len(a) {
					opts = append(opts, option{c: c, arg: a[j+1:]})
				} else if i+1 < len(args) {
					i++
					opts = append(opts, option{c: c, arg: args[i]})
				} else {
					return nil, nil, &getoptError{c: c, missing: true}
				}
				break
			}
			opts = append(opts, option{c: c})
		}
	}
	return opts, args[i:], nil
}

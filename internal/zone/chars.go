package zone

import (
	"math"
	"strconv"
	"strings"
)

// The checks below are the shapes of a few values zonemgr accepts, each
// written out as a loop rather than a regular expression: the regexp
// package is a quarter of a megabyte of every module binary, which
// Ansible copies to the host for every task. chars_test.go checks each
// against the regular expression it replaces.

// only reports whether s is non-empty and every byte of it is one ok
// accepts.
func only(s string, ok func(c byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return s != ""
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
func isAlnum(c byte) bool { return isDigit(c) || isLower(c) || 'A' <= c && c <= 'Z' }
func isHex(c byte) bool   { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// isRctlName reports whether s names a zone resource control:
// ^zone\.[a-z][a-z0-9-]*$.
func isRctlName(s string) bool {
	rest, ok := strings.CutPrefix(s, "zone.")
	return ok && rest != "" && isLower(rest[0]) &&
		(len(rest) == 1 || only(rest[1:], func(c byte) bool { return isLower(c) || isDigit(c) || c == '-' }))
}

// isRctlWord reports whether s is a word of a resource control value:
// ^[A-Za-z0-9]+$.
func isRctlWord(s string) bool { return only(s, isAlnum) }

// isCPURange reports whether s is a dedicated-cpu ncpus, N or N-M:
// ^[0-9]+(-[0-9]+)?$.
func isCPURange(s string) bool {
	lo, hi, ranged := strings.Cut(s, "-")
	return only(lo, isDigit) && (!ranged || only(hi, isDigit))
}

// isPlainPath reports whether a shell takes path p as one word without
// quotes: ^[A-Za-z0-9/._+-]+$.
func isPlainPath(p string) bool {
	return only(p, func(c byte) bool { return isAlnum(c) || strings.IndexByte("/._+-", c) >= 0 })
}

// isMAC reports whether s is six hex octets of one or two digits,
// separated by ':': ^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$.
func isMAC(s string) bool {
	octets := strings.Split(s, ":")
	for _, o := range octets {
		if len(o) > 2 || !only(o, isHex) {
			return false
		}
	}
	return len(octets) == 6
}

// memLimit reads a capped-memory size as zonecfg does
// (libzonecfg.c zonecfg_valid_memlimit()): digits, then a K, M, G or T
// scale, which is required, and an optional trailing b; it returns the
// size in bytes.
func memLimit(s string) (uint64, bool) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 || i == len(s) {
		return 0, false
	}
	n, err := strconv.ParseUint(s[:i], 10, 64)
	if err != nil {
		return 0, false
	}
	shift := map[byte]uint{'k': 10, 'K': 10, 'm': 20, 'M': 20, 'g': 30, 'G': 30, 't': 40, 'T': 40}[s[i]]
	if shift == 0 || n > math.MaxUint64>>shift {
		return 0, false
	}
	if rest := s[i+1:]; rest != "" && rest != "b" && rest != "B" {
		return 0, false
	}
	return n << shift, true
}

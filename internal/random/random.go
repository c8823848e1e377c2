// Package random draws bytes from the kernel's random source,
// /dev/urandom (random(4D) on illumos, random(4) on Linux), for run ids,
// the nonces of zlogin status lines and generated zone names.
//
// It stands in for crypto/rand, which links Go's FIPS 140 module (its
// DRBG, AES and SHA-3 code and self-tests) into every module binary that
// imports it; the kernel's source is what crypto/rand reads in the end.
package random

import (
	"encoding/hex"
	"fmt"
	"io"
	"os"
)

// source is the device read; a variable for tests.
var source = "/dev/urandom"

// read fills b with random bytes.
func read(b []byte) error {
	f, err := os.Open(source)
	if err != nil {
		return fmt.Errorf("random bytes: %w", err)
	}
	defer f.Close()
	return readFrom(f, b)
}

func readFrom(f *os.File, b []byte) error {
	if _, err := io.ReadFull(f, b); err != nil {
		return fmt.Errorf("random bytes: read %s: %w", source, err)
	}
	return nil
}

// Hex returns n random bytes as 2n lowercase hex digits.
func Hex(n int) (string, error) {
	b := make([]byte, n)
	if err := read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// Below returns a uniformly distributed number in [0, n); n must be at
// least 1. Draws that would bias the result are rejected and drawn again.
func Below(n uint32) (uint32, error) {
	if n == 0 {
		return 0, fmt.Errorf("random number below 0: no such number")
	}
	// The largest multiple of n that fits in 32 bits bounds the draws
	// that map onto [0, n) evenly.
	limit := uint64(1<<32) - uint64(1<<32)%uint64(n)
	f, err := os.Open(source)
	if err != nil {
		return 0, fmt.Errorf("random bytes: %w", err)
	}
	defer f.Close()
	var b [4]byte
	for {
		if err := readFrom(f, b[:]); err != nil {
			return 0, err
		}
		v := uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
		if v < limit {
			return uint32(v % uint64(n)), nil
		}
	}
}

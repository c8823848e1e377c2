// Package digest computes SHA-256 (FIPS 180-4) for the module binaries.
//
// The standard library's crypto/sha256 links Go's FIPS 140 module, whose
// DRBG, AES-GCM, SHA-3, SHA-512 and HMAC code and self-tests come with it
// into every binary that imports it; zonemgr needs only the digest, to name
// content, check image streams and stdin sections, and fingerprint saved
// configurations, so the module binaries Ansible copies for every task carry
// this one instead. sha256_test.go checks it against crypto/sha256.
//
// This package's Go is several times slower than crypto/sha256's assembly
// (SHA-NI, AVX2), which matters only where gigabytes are hashed: the
// streams of golden images that zone_giz and the zonemgr command export
// and import. Those programs Register crypto/sha256.New, and link it.
package digest

import (
	"encoding/binary"
	"hash"
	"math/bits"
)

// Size is the length of a SHA-256 sum in bytes.
const Size = 32

// BlockSize is SHA-256's block length in bytes.
const BlockSize = 64

// initial hash value H(0) (FIPS 180-4 section 5.3.3).
var initial = [8]uint32{
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
}

// k holds the round constants K(0..63) (FIPS 180-4 section 4.2.2).
var k = [64]uint32{
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}

// state is a running SHA-256 computation.
type state struct {
	h   [8]uint32
	buf [BlockSize]byte
	nb  int    // bytes in buf
	len uint64 // bytes written in all
}

// registered is the SHA-256 implementation Register gave, or nil.
var registered func() hash.Hash

// Register makes New and Sum256 use newHash, a SHA-256 implementation
// (crypto/sha256.New), from then on. Call it at the start of main, before
// anything is hashed.
func Register(newHash func() hash.Hash) { registered = newHash }

// New returns a SHA-256 hash.Hash: the registered implementation's, or
// else this package's.
func New() hash.Hash {
	if registered != nil {
		return registered()
	}
	s := &state{}
	s.Reset()
	return s
}

// Sum256 returns the SHA-256 sum of data.
func Sum256(data []byte) [Size]byte {
	if registered != nil {
		var out [Size]byte
		h := registered()
		h.Write(data)
		h.Sum(out[:0])
		return out
	}
	var s state
	s.Reset()
	s.Write(data)
	return s.sum()
}

func (s *state) Reset() {
	s.h = initial
	s.nb = 0
	s.len = 0
}

func (s *state) Size() int      { return Size }
func (s *state) BlockSize() int { return BlockSize }

// Write adds p to the message; it never fails.
func (s *state) Write(p []byte) (int, error) {
	n := len(p)
	s.len += uint64(n)
	if s.nb > 0 {
		c := copy(s.buf[s.nb:], p)
		s.nb += c
		p = p[c:]
		if s.nb < BlockSize {
			return n, nil
		}
		s.block(s.buf[:])
		s.nb = 0
	}
	for len(p) >= BlockSize {
		s.block(p[:BlockSize])
		p = p[BlockSize:]
	}
	s.nb = copy(s.buf[:], p)
	return n, nil
}

// Sum appends the sum of what was written so far to b; the hash can be
// written to further.
func (s *state) Sum(b []byte) []byte {
	c := *s
	sum := c.sum()
	return append(b, sum[:]...)
}

// sum pads the message (FIPS 180-4 section 5.1.1) and returns the digest;
// it changes s.
func (s *state) sum() [Size]byte {
	bitLen := s.len << 3
	var pad [BlockSize + 8]byte
	pad[0] = 0x80
	n := 56 - s.nb
	if s.nb >= 56 {
		n += BlockSize
	}
	binary.BigEndian.PutUint64(pad[n:], bitLen)
	s.Write(pad[:n+8])
	var out [Size]byte
	for i, v := range s.h {
		binary.BigEndian.PutUint32(out[4*i:], v)
	}
	return out
}

// block processes one 64-byte block (FIPS 180-4 section 6.2.2).
func (s *state) block(p []byte) {
	var w [64]uint32
	for i := 0; i < 16; i++ {
		w[i] = binary.BigEndian.Uint32(p[4*i:])
	}
	for i := 16; i < 64; i++ {
		v1, v2 := w[i-2], w[i-15]
		s1 := bits.RotateLeft32(v1, -17) ^ bits.RotateLeft32(v1, -19) ^ (v1 >> 10)
		s0 := bits.RotateLeft32(v2, -7) ^ bits.RotateLeft32(v2, -18) ^ (v2 >> 3)
		w[i] = s1 + w[i-7] + s0 + w[i-16]
	}
	a, b, c, d, e, f, g, h := s.h[0], s.h[1], s.h[2], s.h[3], s.h[4], s.h[5], s.h[6], s.h[7]
	for i := 0; i < 64; i++ {
		t1 := h + (bits.RotateLeft32(e, -6) ^ bits.RotateLeft32(e, -11) ^ bits.RotateLeft32(e, -25)) + ((e & f) ^ (^e & g)) + k[i] + w[i]
		t2 := (bits.RotateLeft32(a, -2) ^ bits.RotateLeft32(a, -13) ^ bits.RotateLeft32(a, -22)) + ((a & b) ^ (a & c) ^ (b & c))
		h, g, f, e, d, c, b, a = g, f, e, d+t1, c, b, a, t1+t2
	}
	s.h[0] += a
	s.h[1] += b
	s.h[2] += c
	s.h[3] += d
	s.h[4] += e
	s.h[5] += f
	s.h[6] += g
	s.h[7] += h
}

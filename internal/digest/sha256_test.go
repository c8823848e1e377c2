package digest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"math/rand/v2"
	"testing"
)

// TestKnownAnswers checks FIPS 180-4's examples (and NIST's one-million-a
// vector) in one Write and byte by byte.
func TestKnownAnswers(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
		{string(bytes.Repeat([]byte("a"), 1000000)), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
	} {
		sum := Sum256([]byte(tc.in))
		if got := hex.EncodeToString(sum[:]); got != tc.want {
			t.Errorf("Sum256(%.20q) = %s, want %s", tc.in, got, tc.want)
		}
		if len(tc.in) > 1000 {
			continue
		}
		h := New()
		for i := range len(tc.in) {
			h.Write([]byte{tc.in[i]})
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != tc.want {
			t.Errorf("byte-wise New(%.20q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestAgreesWithCryptoSHA256 writes every length around the block and
// padding edges, in random chunks, and checks Sum, Sum after more writes,
// and Reset against crypto/sha256.
func TestAgreesWithCryptoSHA256(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 1100)
	for i := range data {
		data[i] = byte(r.UintN(256))
	}
	for n := 0; n <= len(data); n++ {
		msg := data[:n]
		want := sha256.Sum256(msg)
		if got := Sum256(msg); got != want {
			t.Fatalf("Sum256 of %d bytes = %x, want %x", n, got, want)
		}
		h := New()
		for rest := msg; len(rest) > 0; {
			c := min(len(rest), 1+int(r.UintN(130)))
			if w, err := h.Write(rest[:c]); w != c || err != nil {
				t.Fatalf("Write(%d bytes) = %d, %v", c, w, err)
			}
			rest = rest[c:]
			if len(rest) == n/2 {
				h.Sum(nil) // a Sum midway must not disturb the running hash
			}
		}
		if got := h.Sum([]byte("prefix")); !bytes.Equal(got, append([]byte("prefix"), want[:]...)) {
			t.Fatalf("chunked sum of %d bytes = %x, want prefix+%x", n, got, want)
		}
		h.Write([]byte("more"))
		w2 := sha256.Sum256(append(append([]byte{}, msg...), "more"...))
		if got := h.Sum(nil); !bytes.Equal(got, w2[:]) {
			t.Fatalf("sum after writing on of %d bytes = %x, want %x", n, got, w2)
		}
		h.Reset()
		h.Write(msg)
		if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
			t.Fatalf("sum after Reset of %d bytes = %x, want %x", n, got, want)
		}
	}
	if h := New(); h.Size() != sha256.Size || h.BlockSize() != sha256.BlockSize {
		t.Errorf("Size, BlockSize = %d, %d; want %d, %d", h.Size(), h.BlockSize(), sha256.Size, sha256.BlockSize)
	}
}

func FuzzAgreesWithCryptoSHA256(f *testing.F) {
	f.Add([]byte("abc"), uint8(1))
	f.Add(bytes.Repeat([]byte{0}, 119), uint8(55))
	f.Fuzz(func(t *testing.T, msg []byte, chunk uint8) {
		want := sha256.Sum256(msg)
		h := New()
		step := int(chunk) + 1
		for i := 0; i < len(msg); i += step {
			h.Write(msg[i:min(len(msg), i+step)])
		}
		if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
			t.Fatalf("sum of %d bytes in chunks of %d = %x, want %x", len(msg), step, got, want)
		}
	})
}

// TestRegister checks that a registered implementation serves New and
// Sum256, and gives the same sums.
func TestRegister(t *testing.T) {
	defer Register(nil)
	calls := 0
	Register(func() hash.Hash { calls++; return sha256.New() })
	msg := []byte("golden image stream")
	want := sha256.Sum256(msg)
	if got := Sum256(msg); got != want || calls != 1 {
		t.Errorf("Sum256 with crypto/sha256 registered = %x (%d calls), want %x (1 call)", got, calls, want)
	}
	h := New()
	h.Write(msg)
	if got := h.Sum(nil); !bytes.Equal(got, want[:]) || calls != 2 {
		t.Errorf("New with crypto/sha256 registered: sum %x (%d calls), want %x (2 calls)", got, calls, want)
	}
	Register(nil)
	if got := Sum256(msg); got != want || calls != 2 {
		t.Errorf("Sum256 after Register(nil) = %x (%d calls), want %x from this package", got, calls, want)
	}
}

// BenchmarkSHA256 compares this package's Go with crypto/sha256, which
// zone_giz and the zonemgr command register for image streams.
func BenchmarkSHA256(b *testing.B) {
	buf := make([]byte, 1<<20)
	for _, bc := range []struct {
		name string
		new  func() hash.Hash
	}{{"digest", New}, {"crypto-sha256", sha256.New}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(buf)))
			h := bc.new()
			for range b.N {
				h.Write(buf)
			}
		})
	}
}

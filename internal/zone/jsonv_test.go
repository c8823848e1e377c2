package zone

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/zonemgr/zonemgr/internal/jsonv"
)

// TestJSONOfOwnTypes checks that the types zonemgr writes as JSON (results,
// journals, image manifests) encode byte for byte as encoding/json encodes
// them, with and without HTML escaping, and that what encoding/json wrote
// (journals of earlier versions) decodes to the same values.
func TestJSONOfOwnTypes(t *testing.T) {
	step := 3
	verified := false
	guard := &Guard{Zone: "b<1>", ZoneRun: "r1", States: []string{"installed"}, Dataset: "rpool/zones/b", Childless: true, Hold: "h"}
	values := []any{
		Info{Zones: []ZoneInfo{{Name: "b1", Role: "diz", VNICs: []string{}, Snaps: []SnapshotInfo{{Name: "s", Clones: nil, Held: true}},
			Size: 1 << 33, Content: []string{"pkg:/a&b"}}}, Orphans: Orphans{Journals: []string{}}, Exists: true, Verified: &verified},
		GCReport{Found: Orphans{Zones: []string{"z"}}, Commands: []string{"zfs destroy rpool/a"}},
		JournalHeader{Version: 2, Op: "diz", Zone: "d", Run: "r", PID: 42, Started: time.Date(2026, 12, 6, 1, 2, 3, 4, time.UTC),
			Recover: &Recovery{Kind: "destroy", Zone: "d", ZoneRun: "r", Force: true}},
		JournalHeader{},
		JournalEntry{Step: 0, Do: "zoneadm -z d boot", Undo: []string{"zoneadm", "-z", "d", "halt"}, Guard: guard, State: "begun"},
		journalEvent{Step: &step, State: "undone"},
		ImageManifest{Format: 1, Zone: "g", Config: "create -b\nset zonepath=/z\n", Packages: []ImagePackage{{"pkg:/x", "1.0"}}, StreamSize: 7},
		FieldSet(FieldNone+1, FieldNone+2), Fields(0),
	}
	for _, v := range values {
		for _, html := range []bool{true, false} {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(html)
			if err := enc.Encode(v); err != nil {
				t.Fatal(err)
			}
			got, err := jsonv.Append(nil, v, html)
			if err != nil {
				t.Fatalf("%T: %v", v, err)
			}
			want := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
			if !bytes.Equal(got, want) {
				t.Errorf("%T, html %v:\n got %s\nwant %s", v, html, got, want)
			}
			// Decode what encoding/json wrote, both ways.
			pj := reflect.New(reflect.TypeOf(v))
			pv := reflect.New(reflect.TypeOf(v))
			if err := json.Unmarshal(want, pj.Interface()); err != nil {
				continue // a type only written (Fields)
			}
			if err := jsonv.Unmarshal(want, pv.Interface()); err != nil {
				t.Fatalf("%T: jsonv.Unmarshal(%s): %v", v, want, err)
			}
			if !reflect.DeepEqual(pj.Elem().Interface(), pv.Elem().Interface()) {
				t.Errorf("%T decoded:\n got %+v\nwant %+v", v, pv.Elem().Interface(), pj.Elem().Interface())
			}
		}
	}
}

// BenchmarkEncodeInfo encodes zone_info's result for 5,000 zones with
// jsonv, as the module does, and with encoding/json, for comparison.
func BenchmarkEncodeInfo(b *testing.B) {
	var in Info
	for i := range 5000 {
		in.Zones = append(in.Zones, ZoneInfo{Name: "z" + strconv.Itoa(i), Role: "diz", State: "installed", Brand: "ipkg",
			Zonepath: "/zones/z", Dataset: "rpool/zones/z", GIZ: "golden", Origin: "giz:golden", Created: "2026-12-06T23:01:05Z",
			VNICs: []string{"autodizz_0"}, Datasets: []string{}, Mounts: []string{"/src"},
			Snaps: []SnapshotInfo{{Name: "s", Creation: 1, Clones: []string{"c"}}}})
	}
	b.Run("jsonv", func(b *testing.B) {
		for range b.N {
			if _, err := jsonv.Append(nil, in, false); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		for range b.N {
			if _, err := json.Marshal(in); err != nil {
				b.Fatal(err)
			}
		}
	})
}

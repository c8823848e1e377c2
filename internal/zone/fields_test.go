package zone

import (
	"errors"
	"fmt"
	"testing"

	"github.com/hashicorp/go-multierror"
)

// testNamer phrases fields as a command line would: flags, and switches
// turned on by their flag.
var testNamer = &Namer{
	Name: func(f Field) string {
		return map[Field]string{FieldVNICsOver: "--add-vnic-over", FieldForce: "-f", FieldSource: "-c", FieldBrand: "-b"}[f]
	},
	Enable: func(f Field) string { return map[Field]string{FieldForce: "-f", FieldRecreate: "--recreate"}[f] },
}

func TestPhrase(t *testing.T) {
	inner := optErr(FieldVNICsOver, "%q: want %q", "e1000g0|x", "LINK[|VLAN[|MAC]]")
	tests := []struct {
		name        string
		err         error
		engine, cli string
	}{
		{"nil", nil, "", ""},
		{"plain", errors.New("zoneadm failed"), "zoneadm failed", "zoneadm failed"},
		{"field", inner, `VNICs over links: "e1000g0|x": want "LINK[|VLAN[|MAC]]"`, `--add-vnic-over: "e1000g0|x": want "LINK[|VLAN[|MAC]]"`},
		{"enable", optErr(FieldNone, "newer snapshots: s2; allow it with %v", Enable(FieldForce)),
			"newer snapshots: s2; allow it with force on", "newer snapshots: s2; allow it with -f"},
		{"fields and errors", optErr(FieldNone, "built differently: %v (%v)", []error{optErr(FieldNone, "%v x", FieldSource), optErr(FieldNone, "%v", []Field{FieldBrand, FieldForce})}, Enable(FieldRecreate)),
			"built differently: source zone x; brand, force (recreate on)", "built differently: -c x; -b, -f (--recreate)"},
		{"collected", OneLine(multierror.Append(nil, inner, errors.New("other"))),
			`VNICs over links: "e1000g0|x": want "LINK[|VLAN[|MAC]]"; other`, `--add-vnic-over: "e1000g0|x": want "LINK[|VLAN[|MAC]]"; other`},
		{"wrapped error argument", optErr(FieldNone, "import failed: %w", inner),
			`import failed: VNICs over links: "e1000g0|x": want "LINK[|VLAN[|MAC]]"`, `import failed: --add-vnic-over: "e1000g0|x": want "LINK[|VLAN[|MAC]]"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Phrase(tt.err, nil); got != tt.engine {
				t.Errorf("Phrase(nil namer) = %q, want %q", got, tt.engine)
			}
			if got := Phrase(tt.err, testNamer); got != tt.cli {
				t.Errorf("Phrase(cli namer) = %q, want %q", got, tt.cli)
			}
			if tt.err != nil && tt.err.Error() != tt.engine {
				t.Errorf("Error() = %q, want the engine's words %q", tt.err.Error(), tt.engine)
			}
		})
	}
	// An option error wrapping another error still matches it.
	ae := &ApplyError{Zone: "g", Err: fmt.Errorf("attach failed")}
	if err := optErr(FieldNone, "%w; retry with %v", ae, Enable(FieldForce)); !errors.As(err, &ae) {
		t.Errorf("errors.As(option error, *ApplyError) failed")
	}
}

func TestFieldSet(t *testing.T) {
	s := FieldSet(FieldLofs, FieldRole)
	for f := FieldNone + 1; f < fieldCount; f++ {
		if got, want := s.Has(f), f == FieldLofs || f == FieldRole; got != want {
			t.Errorf("FieldSet(lofs, role).Has(%v) = %v", f, got)
		}
		if fieldWords[f] == "" {
			t.Errorf("field %d has no words", f)
		}
	}
}

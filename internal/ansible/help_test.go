package ansible

import (
	"reflect"
	"testing"
)

func helpSpec() Spec {
	return Spec{
		Module:      "zone_snapshot",
		Description: "Take, list and remove ZFS snapshots of a golden-image zone, so that disposable zones can be cloned from them.",
		Options: []Option{
			{Name: "zone", Required: true, Aliases: []string{"name", "z"}, Description: "The golden-image zone."},
			{Name: "state", Default: "present", Choices: []string{"present", "absent"}, Description: "Whether the snapshot should exist."},
			{Name: "snapshot", Aliases: []string{"s"}, Description: "Snapshot name; without it a name autozone-<UTC stamp> is made up when state is present, which is what cron jobs want."},
			{Name: "keep", Type: TypeInt, Default: 3, Choices: []string{"1", "3", "10"}},
			{Name: "props", Type: TypeList, Elements: TypeDict, Description: "ZFS properties.", Suboptions: []Option{
				{Name: "name", Required: true},
				{Name: "secret", NoLog: true, Description: "A value kept out of logs."},
			}},
		},
		MutuallyExclusive: [][]string{{"snapshot", "keep"}},
		RequiredIf:        []RequiredIf{{Key: "state", Value: "absent", Requires: []string{"snapshot"}}},
	}
}

func TestHelp(t *testing.T) {
	s := helpSpec()
	want := `zone_snapshot: Take, list and remove ZFS snapshots of a golden-image zone, so
that disposable zones can be cloned from them.

Usage:
  zone_snapshot ARGS_FILE   run with the JSON args file Ansible writes
  zone_snapshot < ARGS      run with the JSON args object on standard input
  zone_snapshot --help      print this help

Options:
  zone (str, required)
      The golden-image zone.
      aliases: name, z
  state (str, default: "present")
      Whether the snapshot should exist.
      choices: present, absent
  snapshot (str)
      Snapshot name; without it a name autozone-<UTC stamp> is made up when
      state is present, which is what cron jobs want.
      aliases: s
  keep (int, default: 3)
      choices: 1, 3, 10
  props (list of dict)
      ZFS properties.
      suboptions:
        name (str, required)
        secret (str, no_log)
            A value kept out of logs.

Constraints:
  mutually exclusive: snapshot, keep
  when state is absent, all of these are required: snapshot

Check mode: not supported; the module is skipped.

Output: one JSON object on standard output.
Exit status: 0 on success, 1 when the module failed.
`
	if got := s.Help(); got != want {
		t.Errorf("Help() =\n%s\nwant\n%s", got, want)
	}

	bare := Spec{Module: "zone_info", SupportsCheckMode: true}
	wantBare := `zone_info

Usage:
  zone_info ARGS_FILE   run with the JSON args file Ansible writes
  zone_info < ARGS      run with the JSON args object on standard input
  zone_info --help      print this help

Options:
  (none)

Check mode: supported; the module predicts changes and makes none.

Output: one JSON object on standard output.
Exit status: 0 on success, 1 when the module failed.
`
	if got := bare.Help(); got != wantBare {
		t.Errorf("Help() =\n%s\nwant\n%s", got, wantBare)
	}
}

func TestDocOptions(t *testing.T) {
	s := helpSpec()
	want := map[string]any{
		"zone":     map[string]any{"description": "The golden-image zone.", "type": "str", "required": true, "aliases": []string{"name", "z"}},
		"state":    map[string]any{"description": "Whether the snapshot should exist.", "type": "str", "default": "present", "choices": []any{"present", "absent"}},
		"snapshot": map[string]any{"description": s.Options[2].Description, "type": "str", "aliases": []string{"s"}},
		"keep":     map[string]any{"description": "", "type": "int", "default": 3, "choices": []any{1, 3, 10}},
		"props": map[string]any{"description": "ZFS properties.", "type": "list", "elements": "dict", "suboptions": map[string]any{
			"name":   map[string]any{"description": "", "type": "str", "required": true},
			"secret": map[string]any{"description": "A value kept out of logs.", "type": "str"},
		}},
	}
	if got := s.DocOptions(); !reflect.DeepEqual(got, want) {
		t.Errorf("DocOptions() =\n%#v\nwant\n%#v", got, want)
	}
}

package main

import "testing"

func TestWantsHelp(t *testing.T) {
	tests := []struct {
		args []string
		want bool
	}{
		{nil, true},
		{[]string{"--help"}, true},
		{[]string{"create-diz", "-h"}, true},
		{[]string{"-help", "list"}, true},
		{[]string{"play", "tasks.yml", "--help"}, true},
		{[]string{"list"}, false},
		{[]string{"exec", "-z", "z", "--exec-cmd", "grep --helpful"}, false},
	}
	for _, tt := range tests {
		if got := wantsHelp(tt.args); got != tt.want {
			t.Errorf("wantsHelp(%q) = %v, want %v", tt.args, got, tt.want)
		}
	}
}

package play

import "fmt"

// refusedMagic are the variables Ansible sets from its installation, its
// configuration or its inventory, which zonemgr play (no inventory, no
// Ansible installation) cannot give the same values.
var refusedMagic = map[string]string{
	"inventory_dir":              "there is no inventory",
	"inventory_file":             "there is no inventory",
	"ansible_inventory_sources":  "there is no inventory",
	"ansible_limit":              "there is no inventory",
	"ansible_config_file":        "there is no Ansible configuration",
	"ansible_playbook_python":    "there is no Ansible installation",
	"ansible_python_interpreter": "there is no inventory",
	"ansible_connection":         "there is no inventory",
	"ansible_host":               "there is no inventory",
	"ansible_user":               "there is no inventory",
	"ansible_port":               "there is no inventory",
	"ansible_search_path":        "there are no roles",
	"role_path":                  "there are no roles",
	"role_name":                  "there are no roles",
	"ansible_collection_name":    "there are no roles",
	"ansible_parent_role_names":  "there are no roles",
	"ansible_parent_role_paths":  "there are no roles",
	"ansible_local":              "local facts are not gathered",
}

// checkMagic returns why a template or condition using these variable
// names is refused, or "".
func checkMagic(names []string) string {
	for _, n := range names {
		if why, ok := refusedMagic[n]; ok {
			return fmt.Sprintf("the variable %s is not supported by zonemgr play (%s)", n, why)
		}
	}
	return ""
}

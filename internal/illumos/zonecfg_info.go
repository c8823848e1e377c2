package illumos

import (
	"fmt"
	"strings"
)

// ParseZonecfgInfo parses `zonecfg -z Z info` output (or the output of
// `info <resource>`): "name: value" global lines, then resource blocks
// whose properties are indented with a TAB. The bracketed aliases
// ("[max-lwps: N]") repeat rctls listed in full below them and are
// skipped; capped-cpu and capped-memory are read from their blocks (info
// prints sizes rounded, as "2.5G"). Resource values holding a blank are
// printed double-quoted; the quotes are removed.
func ParseZonecfgInfo(b []byte) (*ZoneConfig, error) {
	c := &ZoneConfig{}
	p := &infoParser{cfg: c}
	for i, line := range splitLines(b) {
		if err := p.line(line); err != nil {
			return nil, fmt.Errorf("parse zonecfg info line %d %q: %w", i+1, line, err)
		}
	}
	if err := p.flush(); err != nil {
		return nil, fmt.Errorf("parse zonecfg info: %w", err)
	}
	return c, nil
}

type infoParser struct {
	cfg   *ZoneConfig
	block string
	props [][2]string // property name and raw value, in order
}

func (p *infoParser) line(line string) error {
	if line == "" {
		return nil
	}
	if strings.HasPrefix(line, "\t") {
		if p.block == "" {
			return fmt.Errorf("indented line outside a resource")
		}
		body := line[1:]
		if strings.HasPrefix(body, "[") && strings.HasSuffix(body, "]") {
			body = body[1 : len(body)-1]
		}
		if name, ok := strings.CutSuffix(body, " not specified"); ok && !strings.Contains(name, ":") {
			p.props = append(p.props, [2]string{name, ""})
			return nil
		}
		name, val, ok := strings.Cut(body, ": ")
		if !ok {
			if n, ok := strings.CutSuffix(body, ":"); ok {
				name, val = n, ""
			} else {
				return fmt.Errorf("want \"<property>: <value>\"")
			}
		}
		p.props = append(p.props, [2]string{name, val})
		return nil
	}
	if err := p.flush(); err != nil {
		return err
	}
	if strings.HasPrefix(line, "[") {
		// An aliased rctl; the rctl itself is listed below.
		return nil
	}
	if rt, ok := strings.CutSuffix(line, ":"); ok && (zcResourceTypes[rt]) {
		p.block = rt
		return nil
	}
	if name, ok := strings.CutSuffix(line, " not specified"); ok {
		return p.global(name, "")
	}
	name, val, ok := strings.Cut(line, ": ")
	if !ok {
		if n, ok2 := strings.CutSuffix(line, ":"); ok2 {
			name, val, ok = n, "", true
		}
	}
	if !ok {
		return fmt.Errorf("want \"<property>: <value>\" or a resource header")
	}
	return p.global(name, val)
}

func (p *infoParser) global(name, val string) error {
	c := p.cfg
	switch name {
	case "zonename":
		c.Name = val
	case "zonepath":
		c.Zonepath = val
	case "brand":
		c.Brand = val
	case "autoboot":
		switch val {
		case "true":
			c.Autoboot = true
		case "false":
		default:
			return fmt.Errorf("autoboot %q is neither true nor false", val)
		}
	case "ip-type":
		if val != "shared" && val != "exclusive" {
			return fmt.Errorf("ip-type %q is neither shared nor exclusive", val)
		}
		c.IPType = val
	case "bootargs":
		c.Bootargs = val
	case "pool":
		c.Pool = val
	case "limitpriv":
		c.LimitPriv = val
	case "scheduling-class":
		c.SchedulingClass = val
	case "hostid":
		c.HostID = val
	case "fs-allowed":
		c.FSAllowed = val
	default:
		return fmt.Errorf("unknown global property %q", name)
	}
	return nil
}

// unquoteInfo removes the double quotes zonecfg info puts around a value
// that holds a blank.
func unquoteInfo(v string) string {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return v[1 : len(v)-1]
	}
	return v
}

// infoComplex reads a complex value such as
// "(priv=privileged,limit=10,action=deny)".
func infoComplex(v string) (map[string]string, error) {
	cmds, err := lexZonecfg("add value " + v)
	if err != nil || len(cmds) != 1 || len(cmds[0].toks) != 2 || cmds[0].toks[1].kind != tokComplex {
		return nil, fmt.Errorf("%q is not a (name=value,...) list", v)
	}
	m := map[string]string{}
	for _, pr := range cmds[0].toks[1].pairs {
		m[pr.name] = pr.value.text
	}
	return m, nil
}

// infoList reads a list such as `[ro,nodevices,"uid=1000"]`.
func infoList(v string) ([]string, error) {
	cmds, err := lexZonecfg("add options " + v)
	if err != nil || len(cmds) != 1 || len(cmds[0].toks) != 2 || cmds[0].toks[1].kind != tokList {
		return nil, fmt.Errorf("%q is not a [...] list", v)
	}
	var out []string
	for _, it := range cmds[0].toks[1].items {
		if it.kind != tokWord {
			return nil, fmt.Errorf("%q holds a complex value", v)
		}
		out = append(out, it.text)
	}
	return out, nil
}

// flush stores the resource block read so far.
func (p *infoParser) flush() error {
	if p.block == "" {
		return nil
	}
	block, props := p.block, p.props
	p.block, p.props = "", nil
	get := func(name string) string {
		for _, kv := range props {
			if kv[0] == name {
				return unquoteInfo(kv[1])
			}
		}
		return ""
	}
	var resProps []ResProperty
	var values []RctlValue
	var options []string
	for _, kv := range props {
		switch {
		case kv[0] == "property" && (block == "net" || block == "device"):
			m, err := infoComplex(kv[1])
			if err != nil {
				return fmt.Errorf("%s property: %w", block, err)
			}
			resProps = append(resProps, ResProperty{Name: m["name"], Value: m["value"]})
		case kv[0] == "value" && block == "rctl":
			m, err := infoComplex(kv[1])
			if err != nil {
				return fmt.Errorf("rctl value: %w", err)
			}
			values = append(values, RctlValue{Priv: m["priv"], Limit: m["limit"], Action: m["action"]})
		case kv[0] == "options" && block == "fs":
			o, err := infoList(kv[1])
			if err != nil {
				return fmt.Errorf("fs options: %w", err)
			}
			options = o
		}
	}
	c := p.cfg
	switch block {
	case "fs":
		c.FS = append(c.FS, FS{Dir: get("dir"), Special: get("special"), Raw: get("raw"), Type: get("type"), Options: options})
	case "net":
		c.Nets = append(c.Nets, Net{
			Address: get("address"), AllowedAddress: get("allowed-address"), Physical: get("physical"),
			Defrouter: get("defrouter"), GlobalNIC: get("global-nic"), MACAddr: get("mac-addr"),
			VLANID: get("vlan-id"), Properties: resProps,
		})
	case "device":
		c.Devices = append(c.Devices, Device{Match: get("match"), Properties: resProps})
	case "rctl":
		c.Rctls = append(c.Rctls, Rctl{Name: get("name"), Values: values})
	case "attr":
		c.Attrs = append(c.Attrs, Attr{Name: get("name"), Type: get("type"), Value: get("value")})
	case "dataset":
		c.Datasets = append(c.Datasets, Dataset{Name: get("name")})
	case "admin":
		c.Admins = append(c.Admins, Admin{User: get("user"), Auths: get("auths")})
	case "dedicated-cpu":
		c.DedicatedCPU = &DedicatedCPU{NCPUs: get("ncpus"), Importance: get("importance")}
	case "capped-cpu":
		c.CappedCPU = &CappedCPU{NCPUs: get("ncpus")}
	case "capped-memory":
		c.CappedMemory = &CappedMemory{Physical: get("physical"), Swap: get("swap"), Locked: get("locked")}
	case "security-flags":
		c.SecurityFlags = &SecurityFlags{Default: get("default"), Lower: get("lower"), Upper: get("upper")}
	}
	return nil
}

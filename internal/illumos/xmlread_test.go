package illumos

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// refZone is xmlZone as encoding/xml reads it: the reference readXML and
// xmlZone.read are checked against.
type refZone struct {
	XMLName         xml.Name `xml:"zone" json:"-"`
	Name            string   `xml:"name,attr"`
	Zonepath        string   `xml:"zonepath,attr"`
	Autoboot        string   `xml:"autoboot,attr"`
	Brand           string   `xml:"brand,attr"`
	IPType          string   `xml:"ip-type,attr"`
	HostID          string   `xml:"hostid,attr"`
	Pool            string   `xml:"pool,attr"`
	LimitPriv       string   `xml:"limitpriv,attr"`
	Bootargs        string   `xml:"bootargs,attr"`
	SchedulingClass string   `xml:"scheduling-class,attr"`
	FSAllowed       string   `xml:"fs-allowed,attr"`
	FS              []struct {
		Special   string `xml:"special,attr"`
		Raw       string `xml:"raw,attr"`
		Directory string `xml:"directory,attr"`
		Type      string `xml:"type,attr"`
		Options   []struct {
			Name string `xml:"name,attr"`
		} `xml:"fsoption"`
	} `xml:"filesystem"`
	Nets []struct {
		Address        string       `xml:"address,attr"`
		AllowedAddress string       `xml:"allowed-address,attr"`
		Defrouter      string       `xml:"defrouter,attr"`
		GlobalNIC      string       `xml:"global-nic,attr"`
		MACAddr        string       `xml:"mac-addr,attr"`
		Physical       string       `xml:"physical,attr"`
		VLANID         string       `xml:"vlan-id,attr"`
		Attrs          []refNetAttr `xml:"net-attr"`
	} `xml:"network"`
	Devices []struct {
		Match string       `xml:"match,attr"`
		Attrs []refNetAttr `xml:"net-attr"`
	} `xml:"device"`
	Rctls []struct {
		Name   string `xml:"name,attr"`
		Values []struct {
			Priv   string `xml:"priv,attr"`
			Limit  string `xml:"limit,attr"`
			Action string `xml:"action,attr"`
		} `xml:"rctl-value"`
	} `xml:"rctl"`
	Attrs []struct {
		Name  string `xml:"name,attr"`
		Type  string `xml:"type,attr"`
		Value string `xml:"value,attr"`
	} `xml:"attr"`
	Datasets []struct {
		Name string `xml:"name,attr"`
	} `xml:"dataset"`
	Admins []struct {
		User  string `xml:"user,attr"`
		Auths string `xml:"auths,attr"`
	} `xml:"admin"`
	Pset *struct {
		NCPUMin string `xml:"ncpu_min,attr"`
		NCPUMax string `xml:"ncpu_max,attr"`
	} `xml:"pset"`
	TmpPool *struct {
		Importance string `xml:"importance,attr"`
	} `xml:"tmp_pool"`
	Mcap *struct {
		Physcap string `xml:"physcap,attr"`
	} `xml:"mcap"`
	SecurityFlags *struct {
		Default string `xml:"default,attr"`
		Lower   string `xml:"lower,attr"`
		Upper   string `xml:"upper,attr"`
	} `xml:"security-flags"`
}

type refNetAttr struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// readBoth reads doc with readXML and xmlZone.read, and with
// encoding/xml, and returns each as JSON (field names are the same), or
// "" where it failed.
func readBoth(doc string) (ours, ref string, oursErr, refErr error) {
	var z xmlZone
	root, err := readXML([]byte(doc))
	if err == nil && root.name != "zone" {
		err = fmt.Errorf("root %s", root.name)
	}
	if oursErr = err; err == nil {
		z.read(root)
		b, _ := json.Marshal(z)
		ours = string(b)
	}
	var r refZone
	dec := xml.NewDecoder(bytes.NewReader([]byte(doc)))
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	if refErr = dec.Decode(&r); refErr == nil {
		r.XMLName = xml.Name{}
		b, _ := json.Marshal(r)
		ref = string(b)
	}
	return ours, ref, oursErr, refErr
}

func TestReadXMLAgreesWithEncodingXML(t *testing.T) {
	docs := []string{
		string(readTestdata(t, "root/etc/zones/build1.xml")),
		string(readTestdata(t, "root/etc/zones/oz1.xml")),
		string(readTestdata(t, "root/etc/zones/odd.xml")),
		`<zone name="a" name="b"/>`,
		`<zone name='single' zonepath = "/z" ><pset ncpu_min="1"/><pset ncpu_max="2"/></zone>`,
		"<zone name=\"a\r\nb\" brand=\"x&#10;y&#x9;z\"/>",
		`<zone name="z"><other><attr name="hidden"/></other><attr name="seen"/></zone>`,
		`<zone name="z"><![CDATA[<attr name="no"/>]]><!-- <attr/> --><?pi x?></zone>trailing <garbage`,
		`text before <!DOCTYPE zone [<!ENTITY x "y">]><zone name="z"/>`,
		`<zone name="z"><network physical="n0"><net-attr name="mtu" value="9000"/><net-attr name="a"/></network></zone>`,
		`<zones name="z"/>`,
		`<zone name="z">`,
		`<zone name="z"></zon>`,
		`<zone name=z/>`,
		`<zone name="a&b"/>`,
		`<zone name="a&nbsp;b"/>`,
		`<zone name="&#0;"/>`,
		`<zone name="&#xD800;"/>`,
		`<zone name="a<b"/>`,
		"<zone name=\"\xff\"/>",
		`<zone name="z"><!-- a -- b --></zone>`,
		`<?xml version="1.1"?><zone name="z"/>`,
		`<zone name="z"attr="x"/>`,
		`<zone name="z"><attr name="a"/ ></zone>`,
		``,
	}
	for _, doc := range docs {
		checkAgreement(t, doc)
	}
}

// checkAgreement fails when readXML and encoding/xml disagree on doc: a
// document encoding/xml reads must read the same; one it refuses must be
// refused.
func checkAgreement(t *testing.T, doc string) {
	t.Helper()
	ours, ref, oursErr, refErr := readBoth(doc)
	switch {
	case refErr == nil && oursErr != nil:
		t.Errorf("%q: encoding/xml reads it, readXML says %v", doc, oursErr)
	case refErr == nil && ours != ref:
		t.Errorf("%q:\n readXML      %s\n encoding/xml %s", doc, ours, ref)
	case refErr != nil && oursErr == nil:
		t.Errorf("%q: encoding/xml refuses it (%v), readXML reads %s", doc, refErr, ours)
	}
}

// TestReadXMLAgreesOnGeneratedDocuments generates zone files the way
// libzonecfg writes them, with every element and attribute it may hold,
// values with entities, character references and line ends, comments,
// unknown elements, repeats, and then damages some of them.
func TestReadXMLAgreesOnGeneratedDocuments(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n := 4000
	if testing.Short() {
		n = 500
	}
	elems := map[string][]string{
		"filesystem":     {"special", "raw", "directory", "type"},
		"fsoption":       {"name"},
		"network":        {"address", "allowed-address", "defrouter", "global-nic", "mac-addr", "physical", "vlan-id"},
		"net-attr":       {"name", "value"},
		"device":         {"match"},
		"rctl":           {"name"},
		"rctl-value":     {"priv", "limit", "action"},
		"attr":           {"name", "type", "value"},
		"dataset":        {"name"},
		"admin":          {"user", "auths"},
		"pset":           {"ncpu_min", "ncpu_max"},
		"tmp_pool":       {"importance"},
		"mcap":           {"physcap"},
		"security-flags": {"default", "lower", "upper"},
		"unknown":        {"name", "x"},
	}
	zoneAttrs := []string{"name", "zonepath", "autoboot", "brand", "ip-type", "hostid", "pool", "limitpriv",
		"bootargs", "scheduling-class", "fs-allowed", "unknown"}
	sub := map[string][]string{"filesystem": {"fsoption"}, "network": {"net-attr"}, "device": {"net-attr"},
		"rctl": {"rctl-value"}, "unknown": {"attr", "fsoption"}}
	var names []string
	for name := range elems {
		names = append(names, name)
	}
	pieces := []string{"a", "Z", "0", "/", " ", "-", ".", ":", "&amp;", "&lt;", "&gt;", "&quot;", "&apos;",
		"&#10;", "&#x41;", "\r\n", "\n", "\t", "é", "'", `"`}
	value := func(q byte) string {
		var b strings.Builder
		for range rng.IntN(6) {
			p := pieces[rng.IntN(len(pieces))]
			if p[0] == q {
				p = "&#39;"
			}
			b.WriteString(p)
		}
		return b.String()
	}
	attrList := func(b *strings.Builder, as []string) {
		for range rng.IntN(len(as) + 2) {
			q := byte('"')
			if rng.IntN(4) == 0 {
				q = '\''
			}
			fmt.Fprintf(b, "%s%s=%c%s%c", []string{" ", "  ", "\n\t", " \r\n "}[rng.IntN(4)], as[rng.IntN(len(as))], q, value(q), q)
		}
	}
	misc := func(b *strings.Builder) {
		switch rng.IntN(6) {
		case 0:
			b.WriteString("\n  ")
		case 1:
			b.WriteString("<!-- comment - with <tags> -->")
		case 2:
			b.WriteString("text &amp; more")
		case 3:
			b.WriteString("<![CDATA[ <attr name=\"no\"/> ]]>")
		}
	}
	var element func(b *strings.Builder, name string, depth int)
	element = func(b *strings.Builder, name string, depth int) {
		b.WriteString("<" + name)
		attrList(b, elems[name])
		kids := sub[name]
		if depth < 3 && rng.IntN(8) == 0 {
			kids = append(kids, names[rng.IntN(len(names))])
		}
		if len(kids) == 0 || rng.IntN(3) == 0 {
			b.WriteString([]string{"/>", " />"}[rng.IntN(2)])
			return
		}
		b.WriteString(">")
		for range rng.IntN(4) {
			misc(b)
			element(b, kids[rng.IntN(len(kids))], depth+1)
		}
		misc(b)
		b.WriteString("</" + name + ">")
	}
	for i := range n {
		var b strings.Builder
		if rng.IntN(2) == 0 {
			b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
		}
		if rng.IntN(2) == 0 {
			b.WriteString("<!DOCTYPE zone PUBLIC \"-//Sun Microsystems Inc//DTD Zones//EN\" \"file:///usr/share/lib/xml/dtd/zonecfg.dtd.1\">\n")
		}
		b.WriteString("<!--\n    DO NOT EDIT THIS FILE.  Use zonecfg(8) instead.\n-->\n<zone")
		attrList(&b, zoneAttrs)
		b.WriteString(">\n")
		for range rng.IntN(12) {
			misc(&b)
			name := names[rng.IntN(len(names))]
			element(&b, name, 1)
		}
		b.WriteString("</zone>\n")
		doc := b.String()
		checkAgreement(t, doc)
		// Then damaged: cut short, or one byte replaced.
		cut := doc[:rng.IntN(len(doc))]
		checkAgreement(t, cut)
		d := []byte(doc)
		d[rng.IntN(len(d))] = "<>&;\"'=/ a!?-\x00\xff"[rng.IntN(15)]
		checkAgreement(t, string(d))
		if t.Failed() {
			t.Fatalf("document %d", i)
		}
	}
}

func FuzzReadXMLAgreesWithEncodingXML(f *testing.F) {
	addSeeds(f, "root/etc/zones/build1.xml", "root/etc/zones/oz1.xml", "root/etc/zones/odd.xml")
	f.Add([]byte(`<!DOCTYPE zone [<!-- > -->]><zone name="z"><pset ncpu_min="1"/><![CDATA[x]]></zone>`))
	f.Fuzz(func(t *testing.T, b []byte) { checkAgreement(t, string(b)) })
}

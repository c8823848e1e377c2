package rbac

import (
	"fmt"
	"os"
	"path/filepath"
)

// A file is one database file Init writes.
type file struct {
	path string
	mode os.FileMode
	text string
}

// initFiles are the account and RBAC databases of a fresh simulated
// global zone: the system accounts, the build users jenkins (Primary
// Administrator), jim (zone, ZFS and network management profiles plus
// zone authorizations), builder and noprivs (nothing), and the shipped
// profiles of illumos's libsecdb that the sim's tools consult. exec_attr
// also holds the entry pkg5 ships in /etc/security/exec_attr.d/package:pkg
// (omniosorg/pkg5 src/util/misc/exec_attr.d/package:pkg: Software
// Installation runs /usr/bin/pkg as uid 0), which the sim keeps in the
// one file.
var initFiles = []file{
	{PasswdFile, 0o644, `root:x:0:0:Super-User:/root:/usr/bin/bash
daemon:x:1:1::/:
bin:x:2:2::/usr/bin:
sys:x:3:3::/:
adm:x:4:4:Admin:/var/adm:
dladm:x:15:65:Datalink Admin:/:
nobody:x:60001:60001:NFS Anonymous Access User:/:
jenkins:x:1001:1001:Jenkins build agent:/export/home/jenkins:/bin/bash
jim:x:1002:10:Jim Builder:/export/home/jim:/bin/bash
builder:x:1003:10:Unprivileged build user:/export/home/builder:/bin/bash
noprivs:x:1004:10:No privileges at all:/export/home/noprivs:/bin/bash
`},
	{ShadowFile, 0o400, `root:$5$Rt0oQx2V$1oXb9Pq8mZ3J0kYH6w3tS5nUeL2aCvDgIfRbT4sWy.7:19700::::::
daemon:NP:6445::::::
bin:NP:6445::::::
sys:NP:6445::::::
adm:NP:6445::::::
dladm:*LK*:::::::
nobody:*LK*:6445::::::
jenkins:$5$Kq7vT2pX$PksgtO9S4.RCvxtA19ikZA1y6stvEmGbtitBgYGhE20:19700::::::
jim:$5$Wd3nH8sL$8k4YNt61TCYkJFaVe4Rw4XM0EkdjZ7A/3AW3iOQ4kO3:19700::::::
builder:$5$Pz5rB1cM$/G4oOvD3mQDbGXwEnx6P840ihO8UMW.Pr7jaOQ9whv5:19700::::::
noprivs:$5$Ty9gF4jQ$iup2XtY0v5RjXbaEBhwCLXW0Lmd8vAutgHR4lwUQgO7:19700::::::
`},
	{GroupFile, 0o644, `root::0:
other::1:root
bin::2:root,daemon
sys::3:root,bin,adm
adm::4:root,daemon
staff::10:jim
netadm::65:
nobody::60001:
jenkins::1001:jim
`},
	{UserAttrFile, 0o644, `#
# /etc/user_attr
#
# user attributes. see user_attr(5)
#
adm::::profiles=Log Management
lp::::profiles=Printer Management
root::::auths=solaris.*,solaris.grant;profiles=All;lock_after_retries=no;min_label=admin_low;clearance=admin_high
jenkins::::profiles=Primary Administrator
jim::::profiles=Zone Management,Zone Security,ZFS File System Management,Network Management;auths=solaris.zone.manage,solaris.zone.login,solaris.zone.clonefrom
`},
	{ProfAttrFile, 0o644, `#
# /etc/security/prof_attr
#
# profiles attributes. see prof_attr(5)
#
All:::Execute any command as the user or role:help=RtAll.html
Basic Solaris User:::Automatically assigned rights:auths=solaris.profmgr.read,solaris.jobs.user,solaris.mail.mailq,solaris.device.mount.removable;profiles=All;help=RtDefault.html
Network Management:::Manage the host and network configuration:auths=solaris.smf.manage.name-service-cache,solaris.smf.manage.bind,solaris.smf.value.routing,solaris.smf.manage.routing;help=RtNetMngmnt.html
Primary Administrator:::Can perform all administrative tasks:auths=solaris.*,solaris.grant;help=RtPriAdmin.html
Software Installation:::Add application software to the system:profiles=ZFS File System Management;help=RtSoftwareInstall.html
ZFS File System Management:::Create and Manage ZFS File Systems:help=RtZFSFileSysMngmnt.html
ZFS Storage Management:::Create and Manage ZFS Storage Pools:help=RtZFSStorageMngmnt.html
Zone Management:::Zones Virtual Application Environment Administration:help=RtZoneMngmnt.html
Zone Security:::Zones Virtual Application Environment Security:auths=solaris.zone.*,solaris.zone.grant;help=RtZoneSecurity.html
`},
	{ExecAttrFile, 0o644, `#
# /etc/security/exec_attr
#
# execution attributes for profiles. see exec_attr(5)
#
All:solaris:cmd:::*:
Network Management:solaris:cmd:::/sbin/dladm:euid=dladm;egid=netadm;\
	privs=sys_dl_config,net_rawaccess,proc_audit
Network Management:solaris:cmd:::/sbin/flowadm:euid=dladm;egid=netadm;\
	privs=sys_dl_config,net_rawaccess,proc_audit
Network Management:solaris:cmd:::/sbin/ifconfig:uid=0
Network Management:solaris:cmd:::/sbin/ipadm:euid=netadm;egid=netadm;\
	privs=sys_ip_config,net_rawaccess
Primary Administrator:solaris:cmd:::*:uid=0;gid=0
Software Installation:solaris:cmd:::/usr/bin/ln:euid=0
Software Installation:solaris:cmd:::/usr/bin/pkg:uid=0
Software Installation:solaris:cmd:::/usr/bin/pkginfo:uid=0
Software Installation:solaris:cmd:::/usr/bin/pkgmk:uid=0
Software Installation:solaris:cmd:::/usr/bin/pkgparam:uid=0
Software Installation:solaris:cmd:::/usr/bin/pkgproto:uid=0
Software Installation:solaris:cmd:::/usr/bin/pkgtrans:uid=0
Software Installation:solaris:cmd:::/usr/sbin/install:euid=0
Software Installation:solaris:cmd:::/usr/sbin/pkgadd:uid=0;gid=bin
Software Installation:solaris:cmd:::/usr/sbin/pkgask:uid=0
Software Installation:solaris:cmd:::/usr/sbin/pkgchk:uid=0
Software Installation:solaris:cmd:::/usr/sbin/pkgrm:uid=0;gid=bin
ZFS File System Management:solaris:cmd:::/sbin/zfs:euid=0
ZFS Storage Management:solaris:cmd:::/sbin/zpool:uid=0
ZFS Storage Management:solaris:cmd:::/usr/lib/zfs/availdevs:uid=0
Zone Management:solaris:cmd:::/usr/sbin/zoneadm:euid=0
Zone Management:solaris:cmd:::/usr/sbin/zlogin:euid=0
Zone Security:solaris:cmd:::/usr/sbin/txzonemgr:uid=0
Zone Security:solaris:cmd:::/usr/sbin/zonecfg:uid=0
`},
	{AuthAttrFile, 0o644, `#
# /etc/security/auth_attr
#
# authorizations. see auth_attr(5)
#
solaris.:::All Solaris Authorizations::help=AllSolAuthsHeader.html
solaris.grant:::Grant All Solaris Authorizations::help=PriAdmin.html
solaris.zone.:::Zone Management::help=ZoneHeader.html
solaris.zone.clonefrom:::Clone another Zone::help=ZoneCloneFrom.html
solaris.zone.login:::Zone Login::help=ZoneLogin.html
solaris.zone.manage:::Zone Deployment::help=ZoneManage.html
solaris.zone.grant:::Delegate Zone Administration::help=ZoneGrant.html
`},
	{PolicyFile, 0o644, `#
# /etc/security/policy.conf
#
AUTHS_GRANTED=
PROFS_GRANTED=Basic Solaris User
CONSOLE_USER=Console User
CRYPT_DEFAULT=5
`},
}

// Init writes the account and RBAC databases of a fresh simulated global
// zone under root.
func Init(root string) error {
	for _, f := range initFiles {
		p := filepath.Join(root, filepath.Clean("/"+f.path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("init rbac: %w", err)
		}
		if err := os.WriteFile(p, []byte(f.text), f.mode); err != nil {
			return fmt.Errorf("init rbac: %w", err)
		}
		if err := os.Chmod(p, f.mode); err != nil {
			return fmt.Errorf("init rbac: %w", err)
		}
	}
	return nil
}

// InitHomes makes the build users' home directories under
// /export/home (a dataset, so after the pool is made), as useradd -m
// leaves them on a real host: su refuses a login whose home is missing
// ("No directory!": su.c).
func InitHomes(root string) error {
	for _, u := range []struct {
		name     string
		uid, gid int
	}{{"jenkins", 1001, 1001}, {"jim", 1002, 10}, {"builder", 1003, 10}, {"noprivs", 1004, 10}} {
		home := filepath.Join(root, "export", "home", u.name)
		if err := os.MkdirAll(home, 0o755); err != nil {
			return fmt.Errorf("init rbac: %w", err)
		}
		if err := os.Chown(home, u.uid, u.gid); err != nil && !os.IsPermission(err) {
			return fmt.Errorf("init rbac: %w", err)
		}
	}
	return nil
}

package zones

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/zonemgr/zonemgr/sim/core"
)

// This file is the simulated kernel of a zone, as the zone's own
// userland sees it. On illumos a command in a zone reaches the global
// zone's state through system calls: uadmin(2) to halt or reboot the zone
// (zone_kadmin() hands the request to zoneadmd), the datalink and IP
// ioctls for the zone's links and interfaces, the ZFS ioctls for the
// datasets delegated to it. Commands the sim runs in a zone are chrooted
// into the zone root and cannot read the sim's state, so zlogin, which
// runs in the global zone, serves these requests for the zone while its
// session lasts: the zone's sim tools (userland.go) connect to it over a
// unix socket and pass their standard streams along, and zlogin answers
// as the kernel would, with the state lock and the sim's own functions.
//
// The socket is in the abstract namespace (no file in the hostile zone
// root), named after the zone root directory's device and inode, which
// the chrooted client finds by stat("/"); each zlogin of the zone binds
// the first free of kernelSlots names, and a client uses the first that
// answers. A request is accepted only from a process whose root
// directory is the zone's root (/proc/<pid>/root), and carries the
// caller's uid from SO_PEERCRED.

// kernelSlots bounds the concurrent zlogin sessions of one zone that can
// serve its kernel requests.
const kernelSlots = 64

// A kernelRequest is one call of a zone tool into the simulated kernel.
type kernelRequest struct {
	Tool string   `json:"tool"`
	Args []string `json:"args"`
}

// A kernelReply is the kernel's answer: the tool's exit status, and for
// queries their result.
type kernelReply struct {
	Code int    `json:"code"`
	Data string `json:"data,omitempty"`
}

// kernelAddr is the abstract socket name of a zone kernel slot.
func kernelAddr(dev, ino uint64, slot int) *net.UnixAddr {
	return &net.UnixAddr{Name: fmt.Sprintf("@illumos-sim-kernel/%x:%x/%d", dev, ino, slot), Net: "unixpacket"}
}

// dirIdentity returns a directory's device and inode numbers.
func dirIdentity(p string) (dev, ino uint64, err error) {
	fi, err := os.Stat(p)
	if err != nil {
		return 0, 0, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, fmt.Errorf("stat %s: no inode", p)
	}
	return uint64(st.Dev), st.Ino, nil
}

// A zoneKernel serves one zone's kernel requests during a zlogin.
type zoneKernel struct {
	gzRoot string // the sim's state root
	zone   string
	root   string // the zone root (real path)
	ln     *net.UnixListener
	wg     sync.WaitGroup
}

// startZoneKernel starts serving a zone's kernel requests.
func startZoneKernel(gzRoot, zone, root string) (*zoneKernel, error) {
	// The zone's commands are not the product's: failure injection
	// (ILLUMOS_SIM_FAIL) counts and fails global-zone commands only, so
	// the tools run here on the zone's behalf never see it.
	os.Unsetenv(core.EnvFail)
	dev, ino, err := dirIdentity(root)
	if err != nil {
		return nil, err
	}
	for slot := 0; slot < kernelSlots; slot++ {
		ln, err := net.ListenUnix("unixpacket", kernelAddr(dev, ino, slot))
		if errors.Is(err, syscall.EADDRINUSE) {
			continue
		}
		if err != nil {
			return nil, err
		}
		k := &zoneKernel{gzRoot: gzRoot, zone: zone, root: root, ln: ln}
		k.wg.Add(1)
		go k.serve()
		return k, nil
	}
	return nil, fmt.Errorf("more than %d zlogin sessions", kernelSlots)
}

// close stops accepting requests and waits for those under way (a halt
// or reboot the zone asked for completes before zlogin exits).
func (k *zoneKernel) close() {
	if k == nil {
		return
	}
	k.ln.Close()
	k.wg.Wait()
}

func (k *zoneKernel) serve() {
	defer k.wg.Done()
	for {
		conn, err := k.ln.AcceptUnix()
		if err != nil {
			return
		}
		k.wg.Add(1)
		go func() {
			defer k.wg.Done()
			k.handle(conn)
		}()
	}
}

// A kernelCall is one request being served.
type kernelCall struct {
	uid            int
	args           []string
	stdin          *os.File
	stdout, stderr io.Writer
	data           string // a query's result
	after          func() // work done after the reply (init)
}

// handle serves one connection: check the peer, read the request and the
// caller's standard streams, run it, answer.
func (k *zoneKernel) handle(conn *net.UnixConn) {
	defer conn.Close()
	var cred *syscall.Ucred
	raw, err := conn.SyscallConn()
	if err != nil {
		return
	}
	var cerr error
	raw.Control(func(fd uintptr) {
		cred, cerr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	})
	if cerr != nil || !k.inZone(int(cred.Pid)) {
		return
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 1<<20)
	oob := make([]byte, syscall.CmsgSpace(3*4))
	n, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
	if err != nil {
		return
	}
	var fds []int
	if msgs, err := syscall.ParseSocketControlMessage(oob[:oobn]); err == nil {
		for _, m := range msgs {
			if r, err := syscall.ParseUnixRights(&m); err == nil {
				fds = append(fds, r...)
			}
		}
	}
	files := make([]*os.File, len(fds))
	for i, fd := range fds {
		files[i] = os.NewFile(uintptr(fd), fmt.Sprintf("fd%d", i))
	}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	var req kernelRequest
	if len(files) != 3 || json.Unmarshal(buf[:n], &req) != nil {
		return
	}
	conn.SetReadDeadline(time.Time{})
	c := &kernelCall{uid: int(cred.Uid), args: req.Args, stdin: files[0],
		stdout: files[1], stderr: files[2]}
	code := k.dispatch(req.Tool, c)
	b, _ := json.Marshal(kernelReply{Code: code, Data: c.data})
	conn.Write(b)
	if c.after != nil {
		c.after()
	}
}

// inZone reports whether a process runs in this zone: its root
// directory is the zone root.
func (k *zoneKernel) inZone(pid int) bool {
	r, err := os.Readlink(fmt.Sprintf("/proc/%d/root", pid))
	return err == nil && r == k.root
}

// dispatch runs one request.
func (k *zoneKernel) dispatch(tool string, c *kernelCall) int {
	switch tool {
	case "uadmin":
		// uadmin(A_SHUTDOWN, AD_HALT|AD_POWEROFF) or (A_REBOOT,
		// AD_BOOT) from a zone: uts/common/os/zone.c zone_kadmin() and
		// zoneadmd halt or reboot it; a reboot's remaining arguments
		// are the boot arguments zone_kadmin() hands zoneadmd (see
		// stopZone). The caller (halt, reboot) is killed with every
		// other process of the zone.
		if len(c.args) >= 1 {
			k.stopZone(c.args[0] == "reboot", strings.Join(c.args[1:], " "))
		}
		return 0
	case "init":
		// init(8) signals the zone's init, which has svc.startd stop
		// the services and then calls uadmin; the init command itself
		// has already exited 0 (init.c userinit()).
		if len(c.args) == 1 {
			reboot := c.args[0] == "6"
			c.after = func() { k.stopZone(reboot, "") }
		}
		return 0
	case "utsname":
		c.data = unameVersion(core.MustFlavor(k.gzRoot))
		return 0
	case "ifconfig":
		return k.ifconfig(c)
	case "dladm":
		return k.dladm(c)
	case "zfs":
		return k.zfs(c)
	}
	fmt.Fprintf(c.stderr, "%s: not a call of the simulated zone kernel\n", tool)
	return 1
}

// stopZone halts the zone, or reboots it, as zoneadmd does when the zone
// asks through uadmin(2): the same halt and boot as "zoneadm halt" and
// "zoneadm reboot" (lifecycle.go).
func (k *zoneKernel) stopZone(reboot bool, bootbuf string) {
	inv := &core.Invocation{Root: k.gzRoot, Tool: "zoneadm", Stdin: strings.NewReader(""),
		Stdout: io.Discard, Stderr: io.Discard}
	lock, err := inv.LockState()
	if err != nil {
		return
	}
	defer lock.Unlock()
	st, ok, err := zoneStatus(k.gzRoot, k.zone)
	if err != nil || !ok || st.State != StateRunning {
		return
	}
	// zoneadmd's messages go to the zone's console log, not to the
	// caller. A reboot from inside the zone passes reboot's operands as
	// the boot arguments (zone.c zone_kadmin() copies uadmin's mdep to
	// zarg.bootbuf); without any, zoneadmd boots it with the configured
	// bootargs, not those of the previous boot.
	a := &adm{inv: inv, root: k.gzRoot, out: io.Discard, errw: io.Discard, zone: k.zone, cmd: "halt", status: st}
	a.stop(reboot, bootbuf)
}

// callKernel is the client side, run by a tool inside the zone: it sends
// the request with the process's standard streams and returns the reply.
func callKernel(tool string, args []string) (kernelReply, error) {
	dev, ino, err := dirIdentity("/")
	if err != nil {
		return kernelReply{}, err
	}
	var conn *net.UnixConn
	for slot := 0; slot < kernelSlots && conn == nil; slot++ {
		conn, _ = net.DialUnix("unixpacket", nil, kernelAddr(dev, ino, slot))
	}
	if conn == nil {
		return kernelReply{}, errors.New("no zlogin session of this zone is serving its kernel requests")
	}
	defer conn.Close()
	b, err := json.Marshal(kernelRequest{Tool: tool, Args: args})
	if err != nil {
		return kernelReply{}, err
	}
	if _, _, err := conn.WriteMsgUnix(b, syscall.UnixRights(0, 1, 2), nil); err != nil {
		return kernelReply{}, err
	}
	buf := make([]byte, 64<<10)
	n, err := conn.Read(buf)
	if err != nil {
		return kernelReply{}, err
	}
	var r kernelReply
	if err := json.Unmarshal(buf[:n], &r); err != nil {
		return kernelReply{}, err
	}
	return r, nil
}

// kernelForward runs a tool whose work needs the global zone's state
// (ifconfig, dladm, zfs) in the zone's kernel.
func kernelForward(inv *core.Invocation) int {
	r, err := callKernel(inv.Tool, inv.Args)
	if err != nil {
		fmt.Fprintf(inv.Stderr, "%s: %v\n", inv.Tool, err)
		return 1
	}
	return r.Code
}

// tempRootDir makes a scratch sim root for a zone's view of global
// state (see dladm in userland_net.go).
func tempRootDir() (string, error) {
	dir, err := os.MkdirTemp("", "illumos-sim-zone-view")
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Join(dir, core.SimDir), 0o755); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

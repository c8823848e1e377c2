package zfs

import (
	"fmt"
	"time"
)

// BootEnvironmentUUID is the org.opensolaris.libbe:uuid of the simulated
// global zone's boot environment rpool/ROOT/openindiana. The ipkg brand
// records it as the parentbe of every zone boot environment.
const BootEnvironmentUUID = "5a4b27e6-3a2c-6f0e-8d1b-c2f37e9a0b14"

// Init creates the pool of a fresh simulated global zone: rpool
// (compression=lz4), rpool/ROOT (legacy), the boot environment
// rpool/ROOT/openindiana mounted on "/" (recorded only: its contents are
// the whole simulated global zone and are never copied), rpool/zones on
// /zones, rpool/export on /export and rpool/export/home.
func Init(root string) error {
	s, err := Open(root)
	if err != nil {
		return err
	}
	if err := s.createPool("rpool", map[string]string{"compression": "lz4"}); err != nil {
		return fmt.Errorf("init zfs: %w", err)
	}
	steps := []struct {
		name  string
		props map[string]string
	}{
		{"rpool/ROOT", map[string]string{"mountpoint": "legacy"}},
		{"rpool/zones", map[string]string{"mountpoint": "/zones"}},
		{"rpool/export", map[string]string{"mountpoint": "/export"}},
		{"rpool/export/home", nil},
	}
	for _, st := range steps {
		if err := s.Create(st.name, st.props, false); err != nil {
			return fmt.Errorf("init zfs: %w", err)
		}
	}
	be := s.newDataset("rpool/ROOT/openindiana", typeFilesystem, s.nextTxg(), time.Now().Unix())
	be.NoData = true
	be.MountPath = "/"
	be.Props["mountpoint"] = "/"
	be.Props["canmount"] = "noauto"
	be.Props["org.opensolaris.libbe:uuid"] = BootEnvironmentUUID
	be.Props["org.opensolaris.libbe:policy"] = "static"
	if err := s.Save(); err != nil {
		return fmt.Errorf("init zfs: %w", err)
	}
	return nil
}

// AddPool adds a second pool to a simulated global zone, as zpool create
// NAME DEVICE does: its root file system mounted on /NAME. Tests use it
// to put delegated datasets on another pool than the zones'. The caller
// holds the sim's state lock when other processes may run.
func AddPool(root, name string) error {
	s, err := Open(root)
	if err != nil {
		return err
	}
	if err := s.createPool(name, nil); err != nil {
		return fmt.Errorf("add pool: %w", err)
	}
	return s.Save()
}

// createPool adds a pool's root filesystem and mounts it on /<pool>.
func (s *State) createPool(name string, props map[string]string) error {
	action := fmt.Sprintf("cannot create '%s'", name)
	if s.Exists(name) {
		return errf("%s: pool already exists", action)
	}
	clean, err := validateProps(props, typeFilesystem, action, true)
	if err != nil {
		return err
	}
	d := s.newDataset(name, typeFilesystem, s.nextTxg(), time.Now().Unix())
	for k, v := range clean {
		d.Props[k] = v
	}
	return s.autoMount(d, action)
}

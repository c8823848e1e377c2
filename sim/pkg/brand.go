package pkg

// InstalledFMRI returns what the ipkg brand scripts' get_pkg_fmri()
// (omniosorg/pkg5 src/brand/ipkg/common.ksh; OpenIndiana/pkg5
// src/brand/common.ksh) makes of "pkg info pkg:/NAME" run on the image at
// imageDir (the global zone's root, or a zone root): "NAME@" followed by
// the part of the FMRI line after the '@' ("<version>:<timestamp>"). ok
// is false when the package is not installed there (pkg info fails).
func InstalledFMRI(imageDir, name string) (fmri string, ok bool, err error) {
	img, err := loadImage(imageDir)
	if err != nil {
		return "", false, err
	}
	p := img.installed[name]
	if p == nil {
		return "", false, nil
	}
	return name + "@" + p.Version + ":" + p.Timestamp, true, nil
}

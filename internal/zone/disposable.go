package zone

// A disposable is a disposable zone made for one run (exec-diz). The
// journal of its creation outlives the creation and covers the run: it
// records that gc destroys the zone, while it is still the one the run
// made, should the run be killed before it destroyed the zone itself.
type disposable struct{ j *Journal }

// journal returns the disposable zone's journal (nil when none was made:
// check mode, or a zone kept whatever happens).
func (d *disposable) journal() *Journal {
	if d == nil {
		return nil
	}
	return d.j
}

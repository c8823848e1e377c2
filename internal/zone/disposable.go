package zone

import "context"

// A disposable carries, through EnsureDIZ, the journal of a disposable
// zone made for one run (exec-diz), so that the journal outlives the
// creation and covers the run: a run killed while its command runs
// leaves a journal that tells gc to destroy the zone.
type disposable struct{ j *Journal }

type disposableKey struct{}

// withDisposable returns a context under which the plan journal of a
// zone creation is kept and marked Discard.
func withDisposable(ctx context.Context) (context.Context, *disposable) {
	d := &disposable{}
	return context.WithValue(ctx, disposableKey{}, d), d
}

// adoptJournal marks a plan's journal as a disposable zone's when ctx
// carries a disposable.
func adoptJournal(ctx context.Context, j *Journal) error {
	d, _ := ctx.Value(disposableKey{}).(*disposable)
	if d == nil || j == nil {
		return nil
	}
	d.j = j
	return j.adopt()
}

// journal returns the disposable zone's journal, starting one when the
// zone already existed and its creation journaled nothing. A nil
// disposable journals nothing.
func (d *disposable) journal(h *Host, zone string) (*Journal, error) {
	if d == nil {
		return nil, nil
	}
	if d.j != nil || h.CheckMode {
		return d.j, nil
	}
	j, err := h.journal("exec-diz", zone)
	if err != nil {
		return nil, err
	}
	ctx := context.WithValue(context.Background(), disposableKey{}, d)
	if err := adoptJournal(ctx, j); err != nil {
		return nil, err
	}
	return j, nil
}

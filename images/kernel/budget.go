package kernel

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// The whole search of an image is bounded: every filesystem operation it
// makes costs one unit per path element it walks (what a lookup costs in
// the filesystem's own reader), symbolic-link hops are counted across the
// whole search, and a cancelled context (SIGINT, SIGTERM) stops it at the
// next operation. An image that needs more is refused with an error that
// names the bound.

// Budgets of one search, far above what a real /boot needs (a few dozen
// entries, links one or two deep), and reached in well under a second:
// every link of /boot is followed at least once, the chains it shares
// once in all.
const (
	WorkBudget = 4_000_000 // path elements walked
	HopBudget  = 65536     // symbolic links followed
)

// ErrBudget is wrapped by the error of a search that ran out of budget.
var ErrBudget = errors.New("the search of the image's boot files exceeds its budget")

// budget is what one search may still spend.
type budget struct {
	ctx        context.Context
	work, hops int64
}

func newBudget(ctx context.Context) *budget { return budgetOf(ctx, WorkBudget, HopBudget) }

// budgetOf is a budget of work path lookups and hops links.
func budgetOf(ctx context.Context, work, hops int64) *budget {
	return &budget{ctx: ctx, work: work, hops: hops}
}

// spend charges an operation on name, and fails once the budget or the
// context is spent.
func (b *budget) spend(name string) error {
	if err := b.ctx.Err(); err != nil {
		return err
	}
	b.work -= 1 + int64(strings.Count(name, "/"))
	if b.work < 0 {
		return fmt.Errorf("%w: more path lookups than it may make", ErrBudget)
	}
	return nil
}

// hop charges a symbolic link followed.
func (b *budget) hop() error {
	if b.hops--; b.hops < 0 {
		return fmt.Errorf("%w: more symbolic links followed than it may follow", ErrBudget)
	}
	return nil
}

// budgetFS is a filesystem whose every operation is charged to a budget.
type budgetFS struct {
	fsys fs.FS
	b    *budget
}

func (f budgetFS) Open(name string) (fs.File, error) {
	if err := f.b.spend(name); err != nil {
		return nil, err
	}
	return f.fsys.Open(name)
}

func (f budgetFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if err := f.b.spend(name); err != nil {
		return nil, err
	}
	return fs.ReadDir(f.fsys, name)
}

func (f budgetFS) Lstat(name string) (fs.FileInfo, error) {
	if err := f.b.spend(name); err != nil {
		return nil, err
	}
	return fs.Lstat(f.fsys, name)
}

func (f budgetFS) ReadLink(name string) (string, error) {
	if err := f.b.spend(name); err != nil {
		return "", err
	}
	return fs.ReadLink(f.fsys, name)
}

// stopping reports whether err ends the whole search, not only the look
// at one name: a spent budget or a cancelled context.
func stopping(err error) bool {
	return errors.Is(err, ErrBudget) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// cancellable is fsys whose files stop being read once ctx ends, so that
// copying a large kernel or initrd out answers a signal too.
func cancellable(ctx context.Context, fsys fs.FS) fs.FS { return ctxFS{ctx, fsys} }

type ctxFS struct {
	ctx  context.Context
	fsys fs.FS
}

func (f ctxFS) Open(name string) (fs.File, error) {
	if err := f.ctx.Err(); err != nil {
		return nil, err
	}
	file, err := f.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	return ctxFile{file, f.ctx}, nil
}

type ctxFile struct {
	fs.File
	ctx context.Context
}

func (f ctxFile) Read(p []byte) (int, error) {
	if err := f.ctx.Err(); err != nil {
		return 0, err
	}
	return f.File.Read(p)
}

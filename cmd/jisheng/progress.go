package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// progress reports a long job: a redrawn bar on a terminal, and a plain line
// every tenth of the work otherwise (logs and CI read those).
type progress struct {
	w        io.Writer
	label    string
	terminal bool
	lastTick int
	start    time.Time
	unit     string // of done and total, e.g. "MB"; "" for a count
}

func newProgress(w io.Writer, label string) *progress {
	t := false
	if f, ok := w.(*os.File); ok {
		t = term.IsTerminal(int(f.Fd()))
	}
	return &progress{w: w, label: label, terminal: t, lastTick: -1, start: time.Now()}
}

// update is called with the work done so far out of total.
func (p *progress) update(done, total int) {
	if total <= 0 {
		return
	}
	pct := min(100, done*100/total)
	if p.terminal {
		bar := strings.Repeat("█", pct/4) + strings.Repeat("░", 25-pct/4)
		fmt.Fprintf(p.w, "\r%s %s %3d%%  %d/%d%s", p.label, bar, pct, done, total, p.unit)
		return
	}
	if tick := pct / 10; tick > p.lastTick {
		p.lastTick = tick
		fmt.Fprintf(p.w, "%s %d%%（%d/%d%s，已用 %.0f 秒）\n", p.label, pct, done, total, p.unit, time.Since(p.start).Seconds())
	}
}

// finish ends the bar's line.
func (p *progress) finish() {
	if p.terminal {
		fmt.Fprintln(p.w)
	}
}

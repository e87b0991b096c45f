package main

import (
	"syscall"
	"time"
)

// sleepUntil blocks the calling thread until t with nanosleep(2), which wakes within tens
// of microseconds; time.Sleep rounds sub-millisecond waits up to the runtime's 1 ms poller
// tick, which at 2,000 tickets/s would release tickets ~0.5 ms late and add that to every
// latency. Long waits use time.Sleep for all but the last millisecond.
func sleepUntil(t time.Time) {
	w := time.Until(t)
	if w > 2*time.Millisecond {
		time.Sleep(w - time.Millisecond)
		w = time.Until(t)
	}
	if w > 0 {
		ts := syscall.NsecToTimespec(int64(w))
		syscall.Nanosleep(&ts, nil)
	}
}

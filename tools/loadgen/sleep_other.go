//go:build !linux

package main

import "time"

// sleepUntil waits until t (precise to the runtime timer's resolution only).
func sleepUntil(t time.Time) { time.Sleep(time.Until(t)) }

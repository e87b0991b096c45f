package main

import (
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
)

// startPprof serves Go's profiler on CHENGNUO_PPROF_ADDR (e.g. 127.0.0.1:6060) when it is set:
// a separate, loopback-only listener for measuring the service under load, never the public port.
func startPprof(log *slog.Logger) {
	addr := os.Getenv("CHENGNUO_PPROF_ADDR")
	if addr == "" {
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	go func() {
		log.Info("pprof listening", "addr", addr)
		if err := http.ListenAndServe(addr, mux); err != nil {
			log.Warn("pprof", "err", err)
		}
	}()
}

package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var testSecret = []byte("test-secret")

// serve starts h and returns a target for it.
func serve(t *testing.T, h http.Handler) target {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	tg, err := parseTarget(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	tg.secret = testSecret
	return tg
}

func TestBareHandlerAcksAll(t *testing.T) {
	tg := serve(t, bareHandler(testSecret))
	g := &generator{prefix: "T"}
	r := throughput(tg, g.bodies(1, 400), 8)
	if r.Sent != 400 || r.Acked != 400 || r.Errors != 0 {
		t.Fatalf("throughput: %+v", r)
	}
	r = fixedRate(tg, g.bodies(10_000_000, 300), 1000, 16)
	if r.Sent != 300 || r.Acked != 300 || r.Errors != 0 {
		t.Fatalf("fixed rate: %+v", r)
	}
	if r.Seconds < 0.29 {
		t.Fatalf("300 tickets at 1000/s took %.3fs", r.Seconds)
	}
}

func TestErrorStatusCounted(t *testing.T) {
	tg := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom: store unavailable", http.StatusInternalServerError)
	}))
	r := throughput(tg, (&generator{prefix: "E"}).bodies(1, 50), 4)
	if r.Acked != 0 || r.Errors != 50 {
		t.Fatalf("%+v", r)
	}
	if !strings.Contains(r.FirstError, "status 500") || !strings.Contains(r.FirstError, "boom: store unavailable") {
		t.Fatalf("first error %q", r.FirstError)
	}
}

// Chunked answers, answers that close the connection and connections dropped without an
// answer: acks are counted as acks and the client reconnects. A request dropped on a fresh
// connection is an error; one dropped on a kept-alive connection is sent once more (the
// server may have closed it while idle), so at most the 20 dropped requests are errors.
func TestFramingAndReconnect(t *testing.T) {
	var n atomic.Int64
	tg := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch k := n.Add(1); {
		case k%10 == 0: // drop the connection without answering
			c, _, _ := w.(http.Hijacker).Hijack()
			c.Close()
		case k%3 == 0: // chunked: flushed before the body is complete
			w.WriteHeader(http.StatusAccepted)
			w.(http.Flusher).Flush()
			w.Write([]byte(`{"status":`))
			w.(http.Flusher).Flush()
			w.Write([]byte(`"dispatched"}`))
		case k%3 == 1:
			w.Header().Set("Connection", "close")
			w.WriteHeader(http.StatusOK)
			w.Write([]byte(`{}`))
		default:
			w.WriteHeader(http.StatusAccepted)
		}
	}))
	r := throughput(tg, (&generator{prefix: "F"}).bodies(1, 200), 4)
	if r.Acked+r.Errors != 200 || r.Acked < 180 || r.Errors > 20 {
		t.Fatalf("%+v", r)
	}
}

// A server that closes each kept-alive connection after answering (as on an idle timeout)
// costs no ticket: the request that finds the connection closed is sent again.
func TestIdleCloseRetried(t *testing.T) {
	tg := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		buf.WriteString("HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\n{}")
		buf.Flush()
		c.Close() // without "Connection: close": the client learns on its next request
	}))
	r := throughput(tg, (&generator{prefix: "I"}).bodies(1, 100), 1)
	if r.Acked != 100 || r.Errors != 0 {
		t.Fatalf("%+v", r)
	}
}

func TestRefusesNonLoopback(t *testing.T) {
	for _, u := range []string{"http://10.1.2.3:8080", "http://example.com", "http://0.0.0.0:8080"} {
		err := run(options{target: u, secret: "s", n: 1, conc: 1, rate: 1, rateConc: 1, duration: time.Second})
		if err == nil || !strings.Contains(err.Error(), "not a loopback") {
			t.Errorf("%s: %v", u, err)
		}
	}
	tg, err := parseTarget("http://localhost:9000/base/")
	if err != nil || tg.addr != "localhost:9000" || tg.path != "/base/v1/hotline/tickets" {
		t.Fatalf("%+v %v", tg, err)
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"chengnuo/intake"
	"chengnuo/routing"
	"chengnuo/store"
)

// TestServeSurvivesSIGKILL runs the real binary under load, kills it with SIGKILL in the
// middle, restarts it on the same database and checks that every ticket it acknowledged is
// stored, and that every delivery pending at the kill reaches the department once it answers.
func TestServeSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "chengnuo")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}

	// The departments' endpoint: down (503, Retry-After 1) until up is set.
	var up atomic.Bool
	var mu sync.Mutex
	received := map[string]int{}
	dept := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		secret := "dept-secret"
		if r.URL.Path == "/hotline" { // replies and steps posted back to the 12345 platform
			secret = "hotline-secret"
		}
		if err := intake.Verify([]byte(secret), r.Header.Get(intake.SignatureHeader), body, time.Now()); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if !up.Load() {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		mu.Lock()
		received[r.Header.Get("X-Chengnuo-Event-Id")]++
		mu.Unlock()
	}))
	defer dept.Close()
	var conf strings.Builder
	for _, d := range routing.BuiltinDirectory().All() {
		fmt.Fprintf(&conf, "[department %s]\nwebhook_url = %s/%s\nwebhook_secret = dept-secret\n\n", d.Code, dept.URL, d.Code)
	}
	fmt.Fprintf(&conf, "[hotline]\ncallback_url = %s/hotline\n", dept.URL)
	confPath := filepath.Join(dir, "chengnuo.conf")
	if err := os.WriteFile(confPath, []byte(conf.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(dir, "chengnuo.db")
	addr := freeAddr(t)
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve", "--db", dbPath, "--config", confPath, "--listen", addr, "--tick", "1s")
		cmd.Env = append(os.Environ(), "CHENGNUO_HOTLINE_SECRET=hotline-secret")
		var logs bytes.Buffer
		cmd.Stdout, cmd.Stderr = &logs, &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
		waitHealthy(t, "http://"+addr+"/healthz", &logs)
		return cmd
	}

	srv := start()
	// Load: 8 posters until the kill; every acknowledged ticket_no is remembered.
	var acked sync.Map
	var nAcked atomic.Int64
	var next atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 5 * time.Second}
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				i := next.Add(1)
				no := fmt.Sprintf("KILL-%06d", i)
				body, _ := json.Marshal(map[string]any{"ticket_no": no, "received_at": time.Now().Format(time.RFC3339),
					"type": "投诉", "content": fmt.Sprintf("第%d号来电：%s窗口要求开具%s，不认承诺书", i,
						[]string{"派出所户籍", "社保", "民政婚姻登记", "医保", "教资认定"}[i%5], []string{"亲属关系证明", "健在证明", "单身证明", "居住证明", "无犯罪记录证明"}[i%5]),
					"caller": map[string]string{"name": "测试", "phone": fmt.Sprintf("139%08d", i)}})
				req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/v1/hotline/tickets", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set(intake.SignatureHeader, intake.Sign([]byte("hotline-secret"), time.Now(), body))
				resp, err := client.Do(req)
				if err != nil {
					continue // the server died under us: not acknowledged
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusAccepted || resp.StatusCode == http.StatusOK {
					acked.Store(no, true)
					nAcked.Add(1)
				}
			}
		}()
	}
	deadline := time.Now().Add(20 * time.Second)
	for nAcked.Load() < 300 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_, _ = srv.Process.Wait()
	close(stop)
	wg.Wait()
	t.Logf("acknowledged %d tickets before SIGKILL", nAcked.Load())

	up.Store(true)
	start()
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lost := 0
	acked.Range(func(k, _ any) bool {
		if _, err := db.CaseByRef(context.Background(), routing.ChannelHotline, k.(string)); err != nil {
			lost++
			t.Errorf("acknowledged ticket %s not stored: %v", k, err)
		}
		return lost < 10
	})

	// Every department delivery (pending at the kill or made since) arrives after the restart.
	var want []string
	deadline = time.Now().Add(60 * time.Second)
	for {
		pending, _, err := db.OutboxCounts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		msgs, err := db.OutboxList(context.Background(), routing.OutboxDelivered, 100000)
		if err != nil {
			t.Fatal(err)
		}
		want = want[:0]
		for _, m := range msgs {
			want = append(want, m.EventID)
		}
		if pending == 0 || time.Now().After(deadline) {
			if pending != 0 {
				t.Fatalf("%d deliveries still pending a minute after restart", pending)
			}
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, status := range []string{routing.OutboxDead, "skipped"} {
		if msgs, err := db.OutboxList(context.Background(), status, 10); err != nil || len(msgs) > 0 {
			t.Errorf("%s deliveries: %d (%v), first %+v", status, len(msgs), err, msgs)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, id := range want {
		if received[id] == 0 {
			t.Errorf("event %s marked delivered but never received", id)
		}
	}
	if len(want) < int(nAcked.Load()) {
		t.Errorf("%d deliveries for %d acknowledged tickets", len(want), nAcked.Load())
	}
	t.Logf("%d events delivered after restart", len(want))
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitHealthy(t *testing.T, url string, logs *bytes.Buffer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server did not become healthy:\n%s", logs.String())
}

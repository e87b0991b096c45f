package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"chengnuo/routing"
)

// serve refuses to start with a guessable (short) api_token, naming the department, before
// it opens the database or listens.
func TestServeRefusesShortAPIToken(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "chengnuo.conf")
	body := "[department gafj]\napi_token = gafj-0123456789abcdef\n\n[department rsj]\napi_token = t0ken-rsj\n"
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "chengnuo.db")
	// Already cancelled: a serve that did start would stop at once rather than hang the test.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	root := newRootCmd()
	var stdout bytes.Buffer
	root.SetArgs([]string{"--db", db, "--config", conf, "serve", "--listen", "127.0.0.1:0"})
	root.SetOut(&stdout)
	root.SetErr(&stdout)
	err := root.ExecuteContext(ctx)
	out := stdout.String()
	if err == nil || !strings.Contains(err.Error(), "[department rsj]") || !strings.Contains(err.Error(), "16") ||
		strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "t0ken-rsj") {
		t.Fatalf("serve with a 9-character token: err %v, output %q; want a one-line error naming rsj", err, out)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("the database was opened before the config was refused: %v", err)
	}
}

func TestCheckAPITokens(t *testing.T) {
	cfg := routing.DefaultConfig()
	cfg.Departments["rsj"] = routing.DeptConfig{APIToken: "令牌令牌令牌令牌令牌令牌令牌令牌"}          // 16 characters, more bytes
	cfg.Departments["mzj"] = routing.DeptConfig{WebhookURL: "http://127.0.0.1:1/hook"} // no token: no API, fine
	if err := checkAPITokens(cfg); err != nil {
		t.Errorf("16-character token refused: %v", err)
	}
	cfg.Departments["gafj"] = routing.DeptConfig{APIToken: "0123456789abcde"} // 15
	if err := checkAPITokens(cfg); err == nil || !strings.Contains(err.Error(), "gafj") {
		t.Errorf("15-character token: %v", err)
	}
}

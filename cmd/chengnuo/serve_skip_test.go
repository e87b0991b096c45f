package main

import (
	"strings"
	"testing"

	"chengnuo/delivery"
	"chengnuo/routing"
)

func TestGroupOnlyReason(t *testing.T) {
	cfg := routing.DefaultConfig()
	cfg.Departments["mzj"] = routing.DeptConfig{TelegramChat: -100123}
	cfg.Departments["rsj"] = routing.DeptConfig{WebhookURL: "http://127.0.0.1:1/hook"}
	if r := groupOnlyReason(cfg, "mzj", true); !strings.HasPrefix(r, delivery.ReasonNoEndpoint) || !strings.Contains(r, "Telegram 群") {
		t.Errorf("group-only department: %q", r)
	}
	for _, c := range []struct {
		target string
		botOn  bool
	}{{"mzj", false}, {"rsj", true}, {"zjj", true}, {"hotline", true}} {
		if r := groupOnlyReason(cfg, c.target, c.botOn); r != "" {
			t.Errorf("%s (bot on %v): %q, want the plain reason", c.target, c.botOn, r)
		}
	}
}

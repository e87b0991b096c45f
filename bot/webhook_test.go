package bot

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const hookSecret = "hook_Secret-123"

func hookUpdate(id int, text string) string {
	return `{"update_id":` + strconv.Itoa(id) + `,"message":{"message_id":9,"date":1764000000,"text":"` + text +
		`","from":{"id":8,"first_name":"李四"},"chat":{"id":-1001,"type":"supergroup"}}}`
}

func postHook(t *testing.T, h http.Handler, secret, body string) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/telegram/webhook", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(SecretHeader, secret)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

func TestWebhookSecretAndDecoding(t *testing.T) {
	var got []Update
	h := UpdateHandlerFunc(func(_ context.Context, u Update) error { got = append(got, u); return nil })
	offsets := &tgOffsets{}
	w, err := NewWebhook(hookSecret, h, offsets, WebhookConfig{BotUsername: "chengnuo_bot", Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, secret, body string
		want               int
	}{
		{"no secret", "", hookUpdate(1, "x"), http.StatusUnauthorized},
		{"wrong secret", "hook_Secret-124", hookUpdate(1, "x"), http.StatusUnauthorized},
		{"secret prefix", "hook_Secret", hookUpdate(1, "x"), http.StatusUnauthorized},
		{"longer secret", hookSecret + "0", hookUpdate(1, "x"), http.StatusUnauthorized},
		{"bad json", hookSecret, `{"update_id":`, http.StatusBadRequest},
		{"good", hookSecret, hookUpdate(1, "/overdue@chengnuo_bot"), http.StatusOK},
		{"repeat", hookSecret, hookUpdate(1, "/overdue@chengnuo_bot"), http.StatusOK},
	} {
		if code := postHook(t, w, tc.secret, tc.body); code != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, code, tc.want)
		}
	}
	if len(got) != 1 || got[0].Message == nil || got[0].Message.Text != "/overdue" || got[0].Message.ChatKind != ChatGroup {
		t.Errorf("handled %+v, want the one update, converted", got)
	}
	if offsets.get() != 1 {
		t.Errorf("saved update id %d", offsets.get())
	}
	req := httptest.NewRequest(http.MethodGet, "/telegram/webhook", nil)
	rec := httptest.NewRecorder()
	w.ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", rec.Code)
	}
	if _, err := NewWebhook("bad secret!", h, nil, WebhookConfig{}); err == nil {
		t.Error("NewWebhook accepted a secret Telegram refuses")
	}
}

func TestWebhookRedeliveryAndRestart(t *testing.T) {
	var ids []int
	fail := map[int]int{2: 1, 3: 99} // 2 fails once, 3 always
	h := UpdateHandlerFunc(func(_ context.Context, u Update) error {
		ids = append(ids, u.ID)
		if fail[u.ID] > 0 {
			fail[u.ID]--
			return errors.New("busy")
		}
		return nil
	})
	offsets := &tgOffsets{}
	w, _ := NewWebhook(hookSecret, h, offsets, WebhookConfig{Logger: quietLog})
	steps := []struct {
		id   int
		want int
	}{
		{1, 200},
		{2, 500}, {2, 200}, // Telegram delivers again after the 500
		{3, 500}, {3, 500}, {3, 200}, // skipped after 3 tries
		{4, 200},
	}
	for _, s := range steps {
		if code := postHook(t, w, hookSecret, hookUpdate(s.id, "x")); code != s.want {
			t.Errorf("update %d: %d, want %d", s.id, code, s.want)
		}
	}
	if !slices.Equal(ids, []int{1, 2, 2, 3, 3, 3, 4}) {
		t.Errorf("handler calls %v", ids)
	}

	// After a restart the last update, delivered again (our 200 was lost), is not handled twice.
	ids = nil
	w, _ = NewWebhook(hookSecret, h, offsets, WebhookConfig{Logger: quietLog})
	postHook(t, w, hookSecret, hookUpdate(4, "x"))
	postHook(t, w, hookSecret, hookUpdate(5, "x"))
	if !slices.Equal(ids, []int{5}) {
		t.Errorf("after restart handled %v, want [5]", ids)
	}
}

func TestWebhookRegister(t *testing.T) {
	f := newTGFake(t, nil)
	api := f.api(TelegramConfig{})
	w, _ := NewWebhook(hookSecret, UpdateHandlerFunc(func(context.Context, Update) error { return nil }), nil, WebhookConfig{})
	if err := w.Register(context.Background(), api, "https://bq.example.org/telegram/webhook"); err != nil {
		t.Fatal(err)
	}
	form := f.callsOf("setWebhook")[0]
	if form.Get("secret_token") != hookSecret || form.Get("url") != "https://bq.example.org/telegram/webhook" {
		t.Errorf("setWebhook form %v", form)
	}
}

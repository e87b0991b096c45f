package bot

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestAPIConvertsUpdates(t *testing.T) {
	f := newTGFake(t, nil)
	api := f.api(TelegramConfig{PollTimeout: time.Second})
	if me := api.Me(); me.Username != "chengnuo_bot" || me.ID != 42 {
		t.Fatalf("Me = %+v", me)
	}
	f.push(10, "message", `{"message_id":5,"date":1764000000,"text":"户口证明还要开吗？",
		"from":{"id":7,"first_name":"张三","username":"zs"},"chat":{"id":7,"type":"private"},
		"reply_to_message":{"message_id":4,"date":1,"chat":{"id":7,"type":"private"}}}`)
	f.push(11, "message", `{"message_id":6,"date":1764000000,"text":"/overdue@ChengNuo_Bot 3",
		"from":{"id":8,"first_name":"李四"},"chat":{"id":-1001,"type":"supergroup"}}`)
	f.push(12, "message", `{"message_id":7,"date":1764000000,"caption":"转发的投诉",
		"forward_sender_name":"王五","forward_date":1763990000,
		"from":{"id":9,"first_name":"话务员"},"chat":{"id":9,"type":"private"}}`)
	f.push(13, "message", `{"message_id":8,"date":1764000000,
		"contact":{"phone_number":"13800001234","first_name":"张三","user_id":7},
		"from":{"id":7,"first_name":"张三"},"chat":{"id":7,"type":"private"}}`)
	f.push(14, "callback_query", `{"id":"cb-1","data":"acc:BQ20261125-0001","chat_instance":"x",
		"from":{"id":8,"first_name":"李四"},
		"message":{"message_id":77,"date":1,"chat":{"id":-1001,"type":"group"}}}`)
	f.push(15, "edited_message", `{"message_id":5,"date":1,"text":"x","chat":{"id":7,"type":"private"}}`)

	got, err := api.GetUpdates(context.Background(), 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 {
		t.Fatalf("got %d updates, want 6", len(got))
	}
	if m := got[0].Message; m == nil || m.ID != 5 || m.ChatID != 7 || m.ChatKind != ChatPrivate ||
		m.Text != "户口证明还要开吗？" || m.ReplyToID != 4 || m.From.Username != "zs" || m.Date != 1764000000 {
		t.Errorf("private message = %+v", got[0].Message)
	}
	if m := got[1].Message; m == nil || m.ChatKind != ChatGroup || m.Text != "/overdue 3" {
		t.Errorf("group command = %+v (want mention stripped, kind group)", got[1].Message)
	}
	if m := got[2].Message; m == nil || !m.Forwarded || m.ForwardFrom != "王五" || m.Text != "转发的投诉" {
		t.Errorf("forward = %+v", got[2].Message)
	}
	if m := got[3].Message; m == nil || m.Contact == nil || m.Contact.Phone != "13800001234" || m.Contact.UserID != 7 {
		t.Errorf("contact = %+v", got[3].Message)
	}
	if c := got[4].Callback; c == nil || c.ID != "cb-1" || c.ChatID != -1001 || c.MessageID != 77 ||
		c.Data != "acc:BQ20261125-0001" || c.From.ID != 8 || c.ChatKind != ChatGroup {
		t.Errorf("callback = %+v", got[4].Callback)
	}
	if got[5].ID != 15 || got[5].Message != nil || got[5].Callback != nil {
		t.Errorf("edited message = %+v, want an empty update with its id", got[5])
	}
	form := f.callsOf("getUpdates")[0]
	if form.Get("timeout") != "1" || form.Get("allowed_updates") != `["message","callback_query"]` {
		t.Errorf("getUpdates form = %v", form)
	}
}

func TestAPIStripMention(t *testing.T) {
	for in, want := range map[string]string{
		"/start@chengnuo_bot":       "/start",
		"/status@chengnuo_bot BQ-1": "/status BQ-1",
		"/start@other_bot":          "/start@other_bot",
		"hello @chengnuo_bot":       "hello @chengnuo_bot",
		"/mycases":                  "/mycases",
	} {
		if got := stripMention(in, "chengnuo_bot"); got != want {
			t.Errorf("stripMention(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAPISendForms(t *testing.T) {
	f := newTGFake(t, nil)
	api := f.api(TelegramConfig{PollTimeout: time.Second})
	ctx := context.Background()
	id, err := api.Send(ctx, Outgoing{ChatID: 7, Text: "您好", ReplyToID: 3,
		Buttons: [][]Button{{{Text: "我要投诉", Data: "complain"}}, {{Text: "没有解决", Data: "unsolved"}}}})
	if err != nil || id != 101 {
		t.Fatalf("Send = %d, %v", id, err)
	}
	form := f.callsOf("sendMessage")[0]
	if form.Get("chat_id") != "7" || form.Get("text") != "您好" || form.Get("reply_to_message_id") != "3" ||
		form.Get("allow_sending_without_reply") != "true" {
		t.Errorf("sendMessage form = %v", form)
	}
	var markup struct {
		Inline [][]struct {
			Text string `json:"text"`
			Data string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(form.Get("reply_markup")), &markup); err != nil ||
		len(markup.Inline) != 2 || markup.Inline[1][0].Data != "unsolved" {
		t.Errorf("reply_markup = %s (%v)", form.Get("reply_markup"), err)
	}
	if _, err := api.Send(ctx, Outgoing{ChatID: 7, Text: "请分享手机号", ContactButton: "分享手机号"}); err != nil {
		t.Fatal(err)
	}
	if m := f.callsOf("sendMessage")[1].Get("reply_markup"); !strings.Contains(m, `"request_contact":true`) {
		t.Errorf("contact keyboard = %s", m)
	}

	if err := api.EditButtons(ctx, -1001, 77, nil); err != nil {
		t.Fatal(err)
	}
	if m := f.callsOf("editMessageReplyMarkup")[0]; m.Get("reply_markup") != `{"inline_keyboard":[]}` || m.Get("message_id") != "77" {
		t.Errorf("editMessageReplyMarkup form = %v", m)
	}
	if err := api.AnswerCallback(ctx, "cb-1", "已签收"); err != nil {
		t.Fatal(err)
	}
	if m := f.callsOf("answerCallbackQuery")[0]; m.Get("callback_query_id") != "cb-1" || m.Get("text") != "已签收" {
		t.Errorf("answerCallbackQuery form = %v", m)
	}
	if err := api.SetWebhook(ctx, "https://example.org/tg", "s3cr3t_-X"); err != nil {
		t.Fatal(err)
	}
	if m := f.callsOf("setWebhook")[0]; m.Get("secret_token") != "s3cr3t_-X" || m.Get("url") != "https://example.org/tg" ||
		m.Get("max_connections") != "1" {
		t.Errorf("setWebhook form = %v", m)
	}
	if err := api.SetWebhook(ctx, "https://example.org/tg", "bad secret!"); err == nil {
		t.Error("SetWebhook accepted a secret Telegram refuses")
	}

	// Editing to the same keyboard is not an error.
	f.Fault = func(method string, _ url.Values) *tgReply {
		if method == "editMessageReplyMarkup" {
			return &tgReply{Status: 400, Body: `{"ok":false,"error_code":400,"description":"Bad Request: message is not modified: specified new message content and reply markup are exactly the same"}`}
		}
		return nil
	}
	if err := api.EditButtons(ctx, -1001, 77, nil); err != nil {
		t.Errorf("not modified: %v", err)
	}
}

func TestAPIErrors(t *testing.T) {
	cases := []struct {
		name      string
		reply     *tgReply
		down      bool
		retry     time.Duration // want a RetryAfterError with this wait
		permanent bool
		code      int // want an APIError with this code
	}{
		{name: "429", reply: tg429(7), retry: 7 * time.Second},
		{name: "429 without retry_after", reply: &tgReply{Status: 429, Body: `{"ok":false,"error_code":429,"description":"Too Many Requests"}`}, retry: time.Second},
		{name: "blocked", reply: &tgReply{Status: 403, Body: `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`}, permanent: true, code: 403},
		{name: "bad request", reply: &tgReply{Status: 400, Body: `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`}, permanent: true, code: 400},
		{name: "500 json", reply: &tgReply{Status: 500, Body: `{"ok":false,"error_code":500,"description":"Internal Server Error"}`}, code: 500},
		{name: "502 html", reply: &tgReply{Status: 502, Body: `<html>Bad Gateway</html>`}},
		{name: "slow", reply: &tgReply{Status: 200, Body: `{"ok":true,"result":{"message_id":1}}`, Delay: 3 * time.Second}},
		{name: "connection refused", down: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newTGFake(t, nil)
			api := f.api(TelegramConfig{PollTimeout: time.Second, RequestTimeout: 200 * time.Millisecond})
			f.Fault = func(method string, _ url.Values) *tgReply {
				if method == "sendMessage" {
					return tc.reply
				}
				return nil
			}
			f.setDown(tc.down)
			start := time.Now()
			_, err := api.Send(context.Background(), Outgoing{ChatID: 7, Text: "x"})
			if err == nil {
				t.Fatal("no error")
			}
			if time.Since(start) > 2*time.Second {
				t.Errorf("took %s: the request timeout was not applied", time.Since(start))
			}
			if strings.Contains(err.Error(), f.token) {
				t.Errorf("error shows the token: %v", err)
			}
			ra, isRA := RetryAfter(err)
			if tc.retry != 0 && (!isRA || ra != tc.retry) {
				t.Errorf("RetryAfter(%v) = %s, %v; want %s", err, ra, isRA, tc.retry)
			}
			if tc.retry == 0 && isRA {
				t.Errorf("%v is a RetryAfterError", err)
			}
			if Permanent(err) != tc.permanent {
				t.Errorf("Permanent(%v) = %v, want %v", err, !tc.permanent, tc.permanent)
			}
			var ae *APIError
			if tc.code != 0 && (!errors.As(err, &ae) || ae.Code != tc.code) {
				t.Errorf("err = %#v, want APIError %d", err, tc.code)
			}
		})
	}
}

func TestNewTelegramAPI(t *testing.T) {
	f := newTGFake(t, nil)
	ctx := context.Background()
	endpoint := f.srv.URL + "/bot%s/%s"
	_, err := NewTelegramAPI(ctx, TelegramConfig{Token: tgToken, Endpoint: endpoint, PollTimeout: 30 * time.Second,
		Client: &http.Client{Timeout: 10 * time.Second}})
	if err == nil || !strings.Contains(err.Error(), "must exceed") {
		t.Errorf("client timeout below the poll timeout: err = %v", err)
	}
	_, err = NewTelegramAPI(ctx, TelegramConfig{Token: "999:wrong", Endpoint: endpoint})
	if !Permanent(err) {
		t.Errorf("wrong token: err = %v, want a permanent 401", err)
	}
	_, err = NewTelegramAPI(ctx, TelegramConfig{Token: tgToken, Endpoint: "http://127.0.0.1:9000/bot"})
	if err == nil {
		t.Errorf("endpoint without two %%s accepted")
	}
	api, err := NewTelegramAPI(ctx, TelegramConfig{Token: tgToken, Endpoint: endpoint})
	if err != nil {
		t.Fatal(err)
	}
	if api.client.Timeout <= DefaultPollTimeout {
		t.Errorf("default client timeout %s is not above the poll timeout", api.client.Timeout)
	}
}

func TestAPIGetUpdatesStopsWithContext(t *testing.T) {
	f := newTGFake(t, nil)
	api := f.api(TelegramConfig{PollTimeout: 30 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := api.GetUpdates(ctx, 0, 30)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("long poll went on %s after cancel", d)
	}
}

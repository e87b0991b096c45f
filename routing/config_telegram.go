package routing

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// telegramKey reads a [telegram] key.
func (p *configParser) telegramKey(key, value string) error {
	t := &p.cfg.Telegram
	switch key {
	case "operators":
		ids, err := parseChatIDs(value)
		if err != nil {
			return p.errorf("operators 中的 %q 不是 Telegram 会话或用户编号（整数，逗号分隔）", err.Error())
		}
		t.Operators = ids
	case "webhook_url":
		if value == "" {
			break
		}
		u, err := url.Parse(value)
		if err != nil || !httpURL(value) {
			return p.errorf("webhook_url %q 不是 http(s) 网址", value)
		}
		// chengnuo serve answers Telegram on this path, beside its own API: "/" would hide it.
		if u.Path == "" || u.Path == "/" {
			return p.errorf("webhook_url %q 须带路径，例如 https://chengnuo.example.gov.cn/telegram", value)
		}
		t.WebhookURL = value
	case "webhook_secret":
		if value != "" && !ValidTelegramSecret(value) {
			return p.errorf("webhook_secret 须为 1 到 256 个字母、数字、“_”或“-”（Telegram 的 secret_token 规则）")
		}
		t.WebhookSecret = value
	default:
		return p.errorf("[telegram] 中的未知键 %q（可用 operators、webhook_url、webhook_secret）", key)
	}
	return nil
}

// parseChatIDs reads "1, -1002, 3" (ASCII or full-width commas); on a bad id the error's
// text is that id. Repeats are dropped.
func parseChatIDs(s string) ([]int64, error) {
	var ids []int64
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '\t' }) {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id == 0 {
			return nil, badID(f)
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

type badID string

func (b badID) Error() string { return string(b) }

// ValidTelegramSecret reports whether s is a secret_token Telegram accepts: 1-256
// characters A-Z, a-z, 0-9, _ and -. The config checks it when read; the bot before use.
func ValidTelegramSecret(s string) bool {
	if len(s) == 0 || len(s) > 256 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// finish checks what spans several keys, once the whole file is read.
func (p *configParser) finish() error {
	t := p.cfg.Telegram
	urlLine, secretLine := p.keys["telegram \x00webhook_url"], p.keys["telegram \x00webhook_secret"]
	switch {
	case t.WebhookURL != "" && t.WebhookSecret == "":
		p.line = urlLine
		return p.errorf("webhook_url 需要同时设置 webhook_secret（Telegram 推送时带上它，以免他人伪造消息）")
	case t.WebhookSecret != "" && t.WebhookURL == "":
		p.line = secretLine
		return p.errorf("webhook_secret 只用于 webhook 模式，请同时设置 webhook_url（轮询模式两者都不设）")
	}
	// A chat is either a department's group or an operators' chat: the bot could not tell
	// which of the two a message there is meant as.
	for code, d := range p.cfg.Departments {
		if d.TelegramChat != 0 && slices.Contains(t.Operators, d.TelegramChat) {
			p.line = p.keys["telegram \x00operators"]
			return p.errorf("operators 中的 %d 已是 [department %s] 的 telegram_chat，同一会话不能两用", d.TelegramChat, code)
		}
	}
	return nil
}

package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"chengnuo/routing"
)

// shanghai is Asia/Shanghai without tzdata: China has kept UTC+8 without DST since 1991.
var shanghai = time.FixedZone("CST", 8*3600)

// sprintf is fmt.Sprintf, short for texts.go formats.
func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func runeCount(s string) int { return utf8.RuneCountInString(s) }

func isCommand(text string) bool { return strings.HasPrefix(strings.TrimSpace(text), "/") }

// command splits "/cmd@bot args" into "cmd" and "args". ok is false for a command
// addressed to another bot, or for text that is not a command.
func (h *Handler) command(text string) (cmd, args string, ok bool) {
	text = strings.TrimSpace(text)
	if !strings.HasPrefix(text, "/") {
		return "", "", false
	}
	head, rest, _ := strings.Cut(text, " ")
	if i := strings.IndexAny(head, "\n"); i >= 0 { // "/reply X\ntext"
		rest = head[i+1:] + " " + rest
		head = head[:i]
	}
	head = strings.TrimPrefix(head, "/")
	if name, to, found := strings.Cut(head, "@"); found {
		if h.opt.BotUsername != "" && !strings.EqualFold(to, h.opt.BotUsername) {
			return "", "", false
		}
		head = name
	}
	return strings.ToLower(head), strings.TrimSpace(rest), true
}

// caseIDArg reads a case id typed by a user: trimmed, upper-cased, only letters, digits
// and dashes. "" when it cannot be an id.
func caseIDArg(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	s = strings.ToUpper(f[0])
	if len(s) > 40 {
		return ""
	}
	for _, r := range s {
		if !(r == '-' || (r >= '0' && r <= '9') || (r >= 'A' && r <= 'Z')) {
			return ""
		}
	}
	return s
}

// when formats an instant for people in Xi'an: "2026年11月26日 18:00".
func when(t time.Time) string {
	if t.IsZero() {
		return txtNone
	}
	return t.In(shanghai).Format(txtDateLayout)
}

// whenRFC formats an RFC 3339 time of a payload; the raw string when it does not parse.
func whenRFC(s string) string {
	if s == "" {
		return txtNone
	}
	t := parseRFC(s)
	if t.IsZero() {
		return s
	}
	return when(t)
}

// parseRFC reads an RFC 3339 time of a payload; zero when empty or unreadable.
func parseRFC(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// excerpt shortens s to n characters on one line.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// normalizePhone checks a number a person typed with routing.NormalizePhone (a mobile, a
// landline with its area code, a number abroad) and returns its stored form; "" when it is none.
func normalizePhone(s string) string {
	p, err := routing.NormalizePhone(s)
	if err != nil {
		return ""
	}
	return p
}

// contactPhone is the number of a shared Telegram contact, which Telegram writes in
// international form, often without the "+": "8613812345678", "447700900123".
func contactPhone(s string) string {
	if p := normalizePhone(s); p != "" {
		return p
	}
	if s = strings.TrimSpace(s); s != "" && !strings.HasPrefix(s, "+") {
		return normalizePhone("+" + s)
	}
	return ""
}

// userName names a Telegram user for audit trails: "@username" or "first name#id".
func userName(u User) string {
	if u.Username != "" {
		return "@" + u.Username
	}
	name := strings.TrimSpace(u.FirstName)
	if name == "" {
		return "tg:" + strconv.FormatInt(u.ID, 10)
	}
	return name + "#" + strconv.FormatInt(u.ID, 10)
}

// clean trims a field typed by a user and drops control characters.
func clean(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' {
			return -1
		}
		return r
	}, s))
}

// errCode is routing.ErrorCode, short.
func errCode(err error) string { return routing.ErrorCode(err) }

// readAsSystem reads a case the caller has already found the user entitled to see (the
// resident's own case): residents read through the service as the system, see case.go.
func (h *Handler) readAsSystem(ctx context.Context, id string) (*routing.Case, error) {
	return h.cases.Case(ctx, botActor, id)
}

// botActor is the bot acting on its own: closing a replied case at the resident's rating,
// reopening an unsatisfied one.
var botActor = routing.Actor{Role: routing.RoleSystem, Name: "telegram-bot"}

// residentActor is the resident who presses a button.
func residentActor(u User) routing.Actor {
	return routing.Actor{Role: routing.RoleResident, Name: "tg:" + strconv.FormatInt(u.ID, 10)}
}

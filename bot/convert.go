package bot

import (
	"encoding/json"
	"fmt"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// DecodeUpdate decodes an update as the Bot API sends it (a webhook body) into ours;
// botUsername (may be "") strips "@bot" from commands addressed to this bot.
func DecodeUpdate(body []byte, botUsername string) (Update, error) {
	var u tgbotapi.Update
	if err := json.Unmarshal(body, &u); err != nil {
		return Update{}, fmt.Errorf("decode update: %w", err)
	}
	return convertUpdate(u, botUsername), nil
}

// convertUpdate turns the library's update into ours. Kinds chengnuo does not handle
// (edited messages, channel posts, inline messages) come back with neither Message nor
// Callback set: the poller still confirms them, handlers never see them.
func convertUpdate(u tgbotapi.Update, botUsername string) Update {
	out := Update{ID: u.UpdateID}
	switch {
	case u.Message != nil && u.Message.Chat != nil:
		out.Message = convertMessage(u.Message, botUsername)
	case u.CallbackQuery != nil:
		cq := u.CallbackQuery
		cb := &Callback{ID: cq.ID, Data: cq.Data, From: convertUser(cq.From)}
		if cq.Message != nil && cq.Message.Chat != nil {
			cb.ChatID = cq.Message.Chat.ID
			cb.ChatKind = kindOfChat(cq.Message.Chat.Type)
			cb.MessageID = cq.Message.MessageID
		}
		out.Callback = cb
	}
	return out
}

func convertMessage(m *tgbotapi.Message, botUsername string) *Message {
	msg := &Message{
		ID:       m.MessageID,
		ChatID:   m.Chat.ID,
		ChatKind: kindOfChat(m.Chat.Type),
		From:     convertUser(m.From),
		Text:     m.Text,
		Date:     int64(m.Date),
	}
	if msg.Text == "" {
		msg.Text = m.Caption
	}
	msg.Text = stripMention(msg.Text, botUsername)
	if m.ReplyToMessage != nil {
		msg.ReplyToID = m.ReplyToMessage.MessageID
	}
	switch {
	case m.ForwardFrom != nil:
		msg.Forwarded = true
		msg.ForwardFrom = strings.TrimSpace(m.ForwardFrom.FirstName + " " + m.ForwardFrom.LastName)
	case m.ForwardSenderName != "":
		msg.Forwarded, msg.ForwardFrom = true, m.ForwardSenderName
	case m.ForwardFromChat != nil:
		msg.Forwarded, msg.ForwardFrom = true, m.ForwardFromChat.Title
	case m.ForwardDate != 0:
		msg.Forwarded = true
	}
	if m.Contact != nil {
		msg.Contact = &Contact{Phone: m.Contact.PhoneNumber, UserID: m.Contact.UserID}
	}
	return msg
}

// stripMention turns "/overdue@our_bot args" into "/overdue args", so that dialogs see
// group commands addressed to this bot like private ones. Commands for other bots keep
// their suffix (and so are not ours).
func stripMention(text, botUsername string) string {
	if botUsername == "" || !strings.HasPrefix(text, "/") {
		return text
	}
	cmd, rest, _ := strings.Cut(text, " ")
	name, bot, ok := strings.Cut(cmd, "@")
	if !ok || !strings.EqualFold(bot, botUsername) {
		return text
	}
	if rest == "" {
		return name
	}
	return name + " " + rest
}

func convertUser(u *tgbotapi.User) User {
	if u == nil {
		return User{}
	}
	return User{ID: u.ID, FirstName: u.FirstName, Username: u.UserName, IsBot: u.IsBot}
}

func kindOfChat(t string) ChatKind {
	switch t {
	case "private":
		return ChatPrivate
	case "group", "supergroup":
		return ChatGroup
	default:
		return ChatChannel
	}
}

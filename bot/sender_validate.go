package bot

import (
	"errors"
	"fmt"
)

// Telegram's size limits.
const (
	MaxMessageUnits = 4096 // text of one message, in UTF-16 code units
	MaxCallbackData = 64   // callback_data, in bytes
)

// ErrInvalidMessage is wrapped by Sender.Send for a message Telegram would refuse whatever
// the retries (empty text, no chat, callback data over 64 bytes): a bug to fix, never
// something to truncate silently.
var ErrInvalidMessage = errors.New("invalid outgoing message")

// queuedParts validates m and splits it into the parts to queue.
func queuedParts(m Outgoing) ([]QueuedPart, error) {
	if m.ChatID == 0 {
		return nil, fmt.Errorf("%w: no chat", ErrInvalidMessage)
	}
	if err := checkButtons(m.Buttons); err != nil {
		return nil, err
	}
	if len(m.Buttons) > 0 && (m.ContactButton != "" || m.RemoveKeyboard) {
		return nil, fmt.Errorf("%w: inline buttons and a reply keyboard cannot go together", ErrInvalidMessage)
	}
	texts := SplitText(m.Text, MaxMessageUnits)
	if len(texts) == 0 {
		return nil, fmt.Errorf("%w: empty text", ErrInvalidMessage)
	}
	parts := make([]QueuedPart, len(texts))
	for i, t := range texts {
		parts[i] = QueuedPart{Key: m.Key, Part: i + 1, Parts: len(texts), ChatID: m.ChatID, Text: t}
	}
	parts[0].ReplyToID = m.ReplyToID
	last := &parts[len(parts)-1]
	last.Buttons, last.ContactButton, last.RemoveKeyboard = m.Buttons, m.ContactButton, m.RemoveKeyboard
	last.Link = m.Link
	return parts, nil
}

// checkButtons refuses buttons Telegram would refuse: no text, or callback data outside
// 1-64 bytes (never truncated: cut data would no longer say what to do).
func checkButtons(rows [][]Button) error {
	for _, row := range rows {
		for _, b := range row {
			if b.Text == "" {
				return fmt.Errorf("%w: button without text", ErrInvalidMessage)
			}
			if len(b.Data) == 0 || len(b.Data) > MaxCallbackData {
				return fmt.Errorf("%w: callback data %q is %d bytes, Telegram allows 1-%d",
					ErrInvalidMessage, b.Data, len(b.Data), MaxCallbackData)
			}
		}
	}
	return nil
}

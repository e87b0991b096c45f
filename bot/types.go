// Package bot is chengnuo's Telegram side: residents ask and complain, departments act from
// their groups, hotline operators file tickets. The Telegram library is hidden behind the
// narrow API interface (transport.go); dialogs see only the types of this file.
package bot

// ChatKind says who is on the other side of a chat.
type ChatKind string

// Chat kinds as chengnuo sees them.
const (
	ChatPrivate ChatKind = "private" // a resident (or an operator in a private chat)
	ChatGroup   ChatKind = "group"   // group or supergroup (departments, operators)
	ChatChannel ChatKind = "channel" // ignored
)

// User is a Telegram user.
type User struct {
	ID        int64
	FirstName string
	Username  string
	IsBot     bool
}

// Message is an incoming message, converted from the library's type at the edge.
type Message struct {
	ID          int
	ChatID      int64
	ChatKind    ChatKind
	From        User
	Text        string // text or caption
	Date        int64  // unix seconds
	ReplyToID   int    // the message this one replies to (0: none)
	Forwarded   bool   // forwarded from someone else (operators forward residents' messages)
	ForwardFrom string // the original sender's name when known
	Contact     *Contact
}

// Contact is a shared phone number (the "share my number" button).
type Contact struct {
	Phone  string
	UserID int64
}

// Callback is a press on an inline button.
type Callback struct {
	ID        string // must be answered (AnswerCallback)
	ChatID    int64
	ChatKind  ChatKind
	MessageID int // the message carrying the button
	From      User
	Data      string // at most 64 bytes
}

// Update is one incoming update: exactly one of Message and Callback is set.
type Update struct {
	ID       int
	Message  *Message
	Callback *Callback
}

// Button is an inline keyboard button; Data travels back in a Callback (≤ 64 bytes).
type Button struct {
	Text string
	Data string
}

// Outgoing is a message to send.
type Outgoing struct {
	ChatID    int64
	Text      string     // plain text; split over 4,096 characters by the sender
	Buttons   [][]Button // inline keyboard rows (attached to the last part)
	ReplyToID int
	// Key de-duplicates: a message with the same non-empty key is sent once (e.g. a case
	// notification's outbox event id), even across restarts.
	Key string
	// Link, when set, asks the sender to record the sent message as a card of a case
	// (LinkCaseChat(case, chat, sent message id, role)) once Telegram has given it an id:
	// a department's Telegram reply to the card is then found by CaseByCardMessage.
	Link *CaseLink
	// ContactButton, when set, shows a one-time reply keyboard with one "share my phone
	// number" (request_contact) button of this text; RemoveKeyboard removes such a keyboard.
	ContactButton  string
	RemoveKeyboard bool
}

// CaseLink ties a sent message to a case (see Outgoing.Link).
type CaseLink struct {
	CaseID string
	Role   string // RoleResidentChat, RoleDepartmentChat, RoleOperatorChat
}

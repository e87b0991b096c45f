package bot

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"chengnuo/knowledge"
	"chengnuo/routing"
)

// Messenger sends to Telegram; the outgoing queue (sender.go) implements it. Send may queue:
// a message that could not be sent yet is retried by the sender, not by the dialogs.
type Messenger interface {
	Send(ctx context.Context, m Outgoing) error
	// AnswerCallback answers a button press; text ("" for none) shows as a short toast.
	AnswerCallback(ctx context.Context, id, text string) error
	// EditButtons replaces the inline keyboard of a sent message; nil rows remove it.
	EditButtons(ctx context.Context, chatID int64, messageID int, rows [][]Button) error
}

// Sessions keeps dialog state per chat and the links between cases and chats; the store
// implements it. A chat without a session reads as state "" and data "" with a nil error.
type Sessions interface {
	BotSession(ctx context.Context, chatID int64) (state, data string, err error)
	SaveBotSession(ctx context.Context, chatID int64, state, data string) error
	// LinkCaseChat records that a case belongs to (or was shown as a card in) a chat.
	LinkCaseChat(ctx context.Context, caseID string, chatID int64, messageID int, role string) error
	// ChatCases lists the cases linked to a chat: a resident's own cases.
	ChatCases(ctx context.Context, chatID int64) ([]string, error)
	// CaseByCardMessage returns the case shown by a card message, "" (or ENOTFOUND) for none.
	CaseByCardMessage(ctx context.Context, chatID int64, messageID int) (string, error)
}

// Roles of a case-chat link.
const (
	RoleResidentChat   = "resident"   // the resident who filed the case
	RoleDepartmentChat = "department" // a card in the handling department's group
	RoleOperatorChat   = "operator"   // the operator chat that filed it
)

// Cases is the case service as the dialogs use it; *routing.Service implements it.
type Cases interface {
	File(ctx context.Context, nc routing.NewCase) (*routing.Case, bool, error)
	Case(ctx context.Context, a routing.Actor, id string) (*routing.Case, error)
	Cases(ctx context.Context, a routing.Actor, f routing.CaseFilter) ([]*routing.Case, error)
	Events(ctx context.Context, a routing.Actor, id string) ([]routing.Event, error)
	Accept(ctx context.Context, a routing.Actor, id string) (*routing.Case, error)
	Reply(ctx context.Context, a routing.Actor, id, reply string) (*routing.Case, error)
	Return(ctx context.Context, a routing.Actor, id, reason string) (*routing.Case, error)
	Close(ctx context.Context, a routing.Actor, id string) (*routing.Case, error)
	Rate(ctx context.Context, a routing.Actor, id string, sat routing.Satisfaction) (*routing.Case, error)
	Reopen(ctx context.Context, a routing.Actor, id, reason string) (*routing.Case, error)
}

var _ Cases = (*routing.Service)(nil)

// Answerer answers residents' questions; *knowledge.Answerer implements it.
type Answerer interface {
	Ask(question string) knowledge.Answer
}

var _ Answerer = (*knowledge.Answerer)(nil)

// Membership tells whether a user belongs to a chat. It is optional: Telegram delivers a
// group's messages and button presses only from people inside the group, so without it
// everything arriving from a bound group counts as from a member of that department.
type Membership interface {
	IsMember(ctx context.Context, chatID, userID int64) bool
}

// Options configure a Handler. Zero values take the defaults noted.
type Options struct {
	// Departments binds group chats to department codes (config telegram_chat → code);
	// see DepartmentChats.
	Departments map[int64]string
	// Operators are the chats (groups or private) and user ids of 12345 operators.
	Operators map[int64]bool
	// Members, when set, is asked before a department action; nil trusts Telegram.
	Members Membership
	// DeptName names a department code for residents (routing.Directory.Name); nil shows the code.
	DeptName func(code string) string
	// ItemName names an item id on department cards (certificate name); nil shows the id.
	ItemName func(id string) string
	// BotUsername, when set, makes group commands addressed to another bot (/x@other) ignored.
	BotUsername string
	// RateBurst messages per RatePer for each user (default 20 per minute).
	RateBurst int
	RatePer   time.Duration
	// MaxTextRunes refuses longer messages (default 2,000 characters).
	MaxTextRunes int
	Now          func() time.Time // default time.Now
	Logger       *slog.Logger     // default slog.Default()
}

// Defaults of Options.
const (
	DefaultRateBurst    = 20
	DefaultRatePer      = time.Minute
	DefaultMaxTextRunes = 2000
)

// Handler turns updates into dialog steps: residents in private chats, departments in their
// bound groups, 12345 operators in operator chats. It is safe for concurrent use; updates of
// one chat are handled one at a time.
type Handler struct {
	msg      Messenger
	sessions Sessions
	cases    Cases
	answers  Answerer
	opt      Options
	limiter  *RateLimiter
	log      *slog.Logger
	deptChat map[string]int64 // department code → bound group

	mu    sync.Mutex
	locks map[int64]*chatLock
}

type chatLock struct {
	sync.Mutex
	refs int
}

// NewHandler returns a Handler over its collaborators.
func NewHandler(m Messenger, s Sessions, c Cases, a Answerer, opt Options) *Handler {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.RateBurst == 0 {
		opt.RateBurst = DefaultRateBurst
	}
	if opt.RatePer == 0 {
		opt.RatePer = DefaultRatePer
	}
	if opt.MaxTextRunes == 0 {
		opt.MaxTextRunes = DefaultMaxTextRunes
	}
	h := &Handler{msg: m, sessions: s, cases: c, answers: a, opt: opt, log: opt.Logger,
		limiter:  NewRateLimiter(opt.RateBurst, opt.RatePer, opt.Now),
		deptChat: map[string]int64{}, locks: map[int64]*chatLock{}}
	for chat, code := range opt.Departments {
		h.deptChat[code] = chat
	}
	return h
}

// DepartmentChats inverts a deployment's telegram_chat settings: group chat → department code.
func DepartmentChats(cfg *routing.Config) map[int64]string {
	out := map[int64]string{}
	if cfg == nil {
		return out
	}
	for code, d := range cfg.Departments {
		if d.TelegramChat != 0 {
			out[d.TelegramChat] = code
		}
	}
	return out
}

// Handle handles one update. Problems the user can act on are answered in the chat; the
// error returned is an infrastructure failure (sending, sessions) worth logging.
func (h *Handler) Handle(ctx context.Context, u Update) error {
	switch {
	case u.Callback != nil:
		cb := u.Callback
		defer h.lock(cb.ChatID)()
		return h.handleCallback(ctx, cb)
	case u.Message != nil:
		m := u.Message
		if m.From.IsBot || m.ChatKind == ChatChannel {
			return nil
		}
		defer h.lock(m.ChatID)()
		return h.handleMessage(ctx, m)
	}
	return nil
}

// lock serialises the updates of one chat, so that a session is read and written by one
// update at a time; it returns the unlock.
func (h *Handler) lock(chat int64) func() {
	h.mu.Lock()
	l := h.locks[chat]
	if l == nil {
		l = &chatLock{}
		h.locks[chat] = l
	}
	l.refs++
	h.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		h.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(h.locks, chat)
		}
		h.mu.Unlock()
	}
}

// role says who is on the other side of a chat.
type role int

const (
	roleNone role = iota
	roleResident
	roleDepartment
	roleOperator
)

// roleOf classifies a chat: an operator chat (or an operator's private chat), a group bound
// to a department, any other private chat (a resident), or an unbound group.
func (h *Handler) roleOf(chat int64, kind ChatKind, user int64) (role, string) {
	if h.opt.Operators[chat] || (kind == ChatPrivate && h.opt.Operators[user]) {
		return roleOperator, ""
	}
	if kind == ChatPrivate {
		return roleResident, ""
	}
	if code, ok := h.opt.Departments[chat]; ok {
		return roleDepartment, code
	}
	return roleNone, ""
}

func (h *Handler) handleMessage(ctx context.Context, m *Message) error {
	r, dept := h.roleOf(m.ChatID, m.ChatKind, m.From.ID)
	if ok, err := h.admit(ctx, m, r); !ok || err != nil {
		return err
	}
	switch r {
	case roleResident:
		return h.resident(ctx, m)
	case roleDepartment:
		return h.department(ctx, m, dept)
	case roleOperator:
		return h.operator(ctx, m)
	default:
		return h.unbound(ctx, m)
	}
}

// admit applies the abuse rules before any dialog: the per-user rate limit and the size
// limit. It reports whether the message may go on.
func (h *Handler) admit(ctx context.Context, m *Message, r role) (bool, error) {
	// A group's own conversation (no command, no reply to the bot's card) is not addressed
	// to the bot: it neither spends the sender's tokens nor earns a warning in the group.
	// Too long, it is dropped without a word.
	addressed := r == roleResident || r == roleOperator || isCommand(m.Text) || m.ReplyToID != 0
	if !addressed {
		return runeCount(m.Text) <= h.opt.MaxTextRunes, nil
	}
	allowed, warn := h.limiter.Allow(m.From.ID)
	if !allowed {
		if warn { // once per flood: the log stays as quiet as the chat
			h.log.Info("bot: rate limited", "chat", m.ChatID, "user", m.From.ID)
			return false, h.say(ctx, m.ChatID, txtRateLimited, nil)
		}
		return false, nil
	}
	if n := runeCount(m.Text); n > h.opt.MaxTextRunes {
		h.log.Info("bot: message too long", "chat", m.ChatID, "runes", n)
		return false, h.sayReply(ctx, m.ChatID, m.ID, sprintf(txtTooLong, h.opt.MaxTextRunes))
	}
	return true, nil
}

func (h *Handler) handleCallback(ctx context.Context, cb *Callback) error {
	r, dept := h.roleOf(cb.ChatID, cb.ChatKind, cb.From.ID)
	if allowed, _ := h.limiter.Allow(cb.From.ID); !allowed {
		return h.msg.AnswerCallback(ctx, cb.ID, txtRateLimited)
	}
	var toast string
	var err error
	switch r {
	case roleResident:
		toast, err = h.residentCallback(ctx, cb)
	case roleDepartment:
		toast, err = h.departmentCallback(ctx, cb, dept)
	case roleOperator:
		toast, err = h.operatorCallback(ctx, cb)
	default:
		toast = txtUnboundGroup
	}
	// Every press is answered exactly once, whatever happened above.
	if aerr := h.msg.AnswerCallback(ctx, cb.ID, toast); aerr != nil && err == nil {
		err = aerr
	}
	return err
}

// unbound answers in a group bound to no department: commands always, other chatter once.
func (h *Handler) unbound(ctx context.Context, m *Message) error {
	if isCommand(m.Text) {
		if _, _, ok := h.command(m.Text); !ok {
			return nil
		}
		return h.say(ctx, m.ChatID, txtUnboundGroup, nil)
	}
	state, _, err := h.session(ctx, m.ChatID)
	if err != nil || state == stateUnboundTold {
		return err
	}
	if err := h.sessions.SaveBotSession(ctx, m.ChatID, stateUnboundTold, ""); err != nil {
		return err
	}
	return h.say(ctx, m.ChatID, txtUnboundGroup, nil)
}

const stateUnboundTold = "unbound_told"

// session reads a chat's session; a not-found error reads as no session.
func (h *Handler) session(ctx context.Context, chat int64) (string, string, error) {
	state, data, err := h.sessions.BotSession(ctx, chat)
	if err != nil && routing.ErrorCode(err) == routing.ENOTFOUND {
		return "", "", nil
	}
	return state, data, err
}

// say sends text with optional inline buttons.
func (h *Handler) say(ctx context.Context, chat int64, text string, rows [][]Button) error {
	return h.msg.Send(ctx, Outgoing{ChatID: chat, Text: text, Buttons: rows})
}

// sayReply sends text as a Telegram reply to message id.
func (h *Handler) sayReply(ctx context.Context, chat int64, id int, text string) error {
	return h.msg.Send(ctx, Outgoing{ChatID: chat, Text: text, ReplyToID: id})
}

func (h *Handler) now() time.Time { return h.opt.Now() }

func (h *Handler) deptName(code string) string {
	if h.opt.DeptName == nil || code == "" {
		return code
	}
	if n := h.opt.DeptName(code); n != "" {
		return n
	}
	return code
}

func (h *Handler) itemName(id string) string {
	if h.opt.ItemName == nil {
		return id
	}
	if n := h.opt.ItemName(id); n != "" {
		return n + "（" + id + "）"
	}
	return id
}

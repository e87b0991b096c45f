package routing

import (
	"bufio"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is a deployment's configuration file (chengnuo.conf), a small INI dialect:
//
//	# chengnuo deployment config          whole-line comments start with # or ;
//	[department rsj]                      one section per department code of the directory
//	webhook_url = https://rsj.example.gov.cn/chengnuo
//	webhook_secret = s3cret               HMAC key for the signed webhook
//	telegram_chat = -1001234567890        Telegram group chat id (integer)
//	api_token = rsj-9f3c2a7d41e86b05     department API token (unique; serve wants 16+ characters)
//
//	[sla]                                 every key optional; defaults of DESIGN.md
//	close_of_business = 18:00             HH:MM, Asia/Shanghai
//	accept_days = 1                       签收, working days
//	resolve.咨询 = 3                      答复/办结 per type: 咨询 求助 投诉 举报 建议
//	return_days = 1                       退回 allowed within, after dispatch
//	max_extension_days = 10               one 延期 of at most this many working days
//	reminder_days_before = 1              催办 this many working days before a deadline
//
//	[calendar]
//	override_file = holidays.tsv          relative to the config file's directory
//
//	[hotline]                             the 12345 platform's callback for replies and steps;
//	callback_url = https://12345.example/cb   its secret: env CHENGNUO_HOTLINE_SECRET
//	[portal]                              the same for the government portal;
//	callback_url = https://portal.example/cb  its secret: env CHENGNUO_PORTAL_SECRET
//
//	[telegram]                            the bot (on when env CHENGNUO_TELEGRAM_TOKEN is set)
//	operators = 123456789, -1001112223334 12345 operators: chat or user ids, comma-separated
//	webhook_url = https://chengnuo.example/telegram   webhook mode (default: polling); the
//	webhook_secret = Abc_123-xyz          path is served by `chengnuo serve`; secret required
//
// Keys and values are separated by the first "="; spaces around both are trimmed; there are no
// inline comments (a secret may contain "#"). Each section and each key may appear once. An
// unknown section, key or department code, or a bad value, is an error naming the line.
type Config struct {
	Departments map[string]DeptConfig
	SLA         SLA
	// CalendarOverride is the holiday override file, "" for none (see NewCalendar). LoadConfigFile
	// makes a relative path relative to the config file's directory.
	CalendarOverride string
	// Hotline and Portal are where events of hotline and portal cases are posted back.
	// Their secrets are not in the file: they come from the environment when wiring.
	Hotline ChannelConfig
	Portal  ChannelConfig
	// Telegram is the bot's part of the deployment (the token is in the environment).
	Telegram TelegramConfig
}

// TelegramConfig is the [telegram] section: who the hotline operators are and, for webhook
// mode, where Telegram pushes updates. Department groups are each department's telegram_chat.
type TelegramConfig struct {
	// Operators are the chat ids (operator groups, or private chats) and user ids of 12345
	// operators; their messages to the bot file hotline cases.
	Operators []int64
	// WebhookURL, when set, switches the bot from polling to webhook mode: Telegram posts
	// updates to it with WebhookSecret in the X-Telegram-Bot-Api-Secret-Token header.
	WebhookURL    string
	WebhookSecret string
}

// ChannelConfig is how chengnuo reaches back a source channel (the hotline or the portal).
type ChannelConfig struct {
	CallbackURL string // "": none configured
}

// DeptConfig is how chengnuo reaches one department.
type DeptConfig struct {
	WebhookURL    string
	WebhookSecret string
	TelegramChat  int64 // 0: none
	APIToken      string
}

// DefaultConfig is the configuration of a deployment without a config file.
func DefaultConfig() *Config {
	return &Config{Departments: map[string]DeptConfig{}, SLA: DefaultSLA()}
}

// LoadConfigFile reads the config file at path. A missing file is an error wrapping
// fs.ErrNotExist: the caller decides whether DefaultConfig will do.
func LoadConfigFile(path string, dir *Directory) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	cfg, err := LoadConfig(f, path, dir)
	if err != nil {
		return nil, err
	}
	if p := cfg.CalendarOverride; p != "" && !filepath.IsAbs(p) {
		cfg.CalendarOverride = filepath.Join(filepath.Dir(path), p)
	}
	return cfg, nil
}

// LoadConfig parses a config file; name is used in error messages
// ("chengnuo.conf 第 3 行: 未知部门代码 \"xyz\""), which are *LineError values.
func LoadConfig(r io.Reader, name string, dir *Directory) (*Config, error) {
	if dir == nil {
		dir = BuiltinDirectory()
	}
	p := &configParser{cfg: DefaultConfig(), name: name, dir: dir,
		sections: map[string]int{}, keys: map[string]int{}, tokens: map[string]string{}}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		p.line++
		if err := p.parseLine(sc.Text()); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := p.finish(); err != nil {
		return nil, err
	}
	return p.cfg, nil
}

// LoadCalendar returns the calendar the config names: the override file's, or the built-in one.
func (c *Config) LoadCalendar() (*Calendar, error) {
	if c.CalendarOverride == "" {
		return BuiltinCalendar(), nil
	}
	return LoadCalendarFile(c.CalendarOverride)
}

type configParser struct {
	cfg      *Config
	name     string
	dir      *Directory
	line     int
	section  string            // "department", "sla", "calendar", "hotline", "portal", "telegram"; "" before the first header
	dept     string            // the department code of the current section
	sections map[string]int    // section header -> line
	keys     map[string]int    // section header + key -> line
	tokens   map[string]string // api_token -> department code
}

func (p *configParser) errorf(format string, args ...any) error {
	return &LineError{File: p.name, Line: p.line, Msg: fmt.Sprintf(format, args...)}
}

func (p *configParser) parseLine(raw string) error {
	line := strings.TrimSpace(raw)
	if p.line == 1 {
		line = strings.TrimPrefix(line, "\uFEFF")
	}
	switch {
	case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		return nil
	case strings.HasPrefix(line, "["):
		return p.header(line)
	}
	key, value, ok := strings.Cut(line, "=")
	if !ok {
		return p.errorf("应为“键 = 值”或“[节]”，得到 %q", line)
	}
	key, value = strings.TrimSpace(key), strings.TrimSpace(value)
	if key == "" {
		return p.errorf("键为空")
	}
	if p.section == "" {
		return p.errorf("键 %q 不在任何节（[department 代码]、[sla]、[calendar]、[hotline]、[portal]、[telegram]）之内", key)
	}
	id := p.sectionID() + "\x00" + key
	if prev, dup := p.keys[id]; dup {
		return p.errorf("键 %q 与第 %d 行重复", key, prev)
	}
	p.keys[id] = p.line
	switch p.section {
	case "department":
		return p.deptKey(key, value)
	case "sla":
		return p.slaKey(key, value)
	case "hotline", "portal":
		return p.channelKey(key, value)
	case "telegram":
		return p.telegramKey(key, value)
	default:
		return p.calendarKey(key, value)
	}
}

func (p *configParser) header(line string) error {
	if !strings.HasSuffix(line, "]") {
		return p.errorf("节标题 %q 缺少“]”", line)
	}
	f := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(line, "["), "]"))
	switch {
	case len(f) == 2 && f[0] == "department":
		code := f[1]
		if !p.dir.Has(code) {
			if c, ok := p.dir.Resolve(code); ok {
				return p.errorf("未知部门代码 %q（是否指 %s？）", code, c)
			}
			return p.errorf("未知部门代码 %q", code)
		}
		p.section, p.dept = "department", code
	case len(f) == 1 && (f[0] == "sla" || f[0] == "calendar" || f[0] == "hotline" || f[0] == "portal" || f[0] == "telegram"):
		p.section, p.dept = f[0], ""
	case len(f) == 1 && f[0] == "department":
		return p.errorf("[department] 缺少部门代码，应为 [department 代码]")
	default:
		return p.errorf("未知的节 %q（应为 [department 代码]、[sla]、[calendar]、[hotline]、[portal] 或 [telegram]）", line)
	}
	id := p.sectionID()
	if prev, dup := p.sections[id]; dup {
		return p.errorf("节 %s 与第 %d 行重复", line, prev)
	}
	p.sections[id] = p.line
	if p.section == "department" {
		p.cfg.Departments[p.dept] = DeptConfig{}
	}
	return nil
}

func (p *configParser) sectionID() string { return p.section + " " + p.dept }

func (p *configParser) deptKey(key, value string) error {
	dc := p.cfg.Departments[p.dept]
	switch key {
	case "webhook_url":
		if value != "" && !httpURL(value) {
			return p.errorf("webhook_url %q 不是 http(s) 网址", value)
		}
		dc.WebhookURL = value
	case "webhook_secret":
		dc.WebhookSecret = value
	case "telegram_chat":
		if value != "" {
			id, err := strconv.ParseInt(value, 10, 64)
			if err != nil || id == 0 {
				return p.errorf("telegram_chat %q 不是 Telegram 会话编号（整数，群组为负数）", value)
			}
			dc.TelegramChat = id
		}
	case "api_token":
		if value != "" {
			// The department API knows a department by its token: two departments sharing one
			// would see each other's cases.
			if other, dup := p.tokens[value]; dup {
				return p.errorf("api_token 与 [department %s] 的相同，每个部门须用不同的令牌", other)
			}
			p.tokens[value] = p.dept
		}
		dc.APIToken = value
	default:
		return p.errorf("[department %s] 中的未知键 %q（可用 webhook_url、webhook_secret、telegram_chat、api_token）", p.dept, key)
	}
	p.cfg.Departments[p.dept] = dc
	return nil
}

// channelKey reads a [hotline] or [portal] key.
func (p *configParser) channelKey(key, value string) error {
	if key != "callback_url" {
		return p.errorf("[%s] 中的未知键 %q（可用 callback_url）", p.section, key)
	}
	if value != "" && !httpURL(value) {
		return p.errorf("callback_url %q 不是 http(s) 网址", value)
	}
	if p.section == "hotline" {
		p.cfg.Hotline.CallbackURL = value
	} else {
		p.cfg.Portal.CallbackURL = value
	}
	return nil
}

// httpURL reports whether s is an absolute http or https URL with a host.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func (p *configParser) slaKey(key, value string) error {
	s := &p.cfg.SLA
	if t, ok := strings.CutPrefix(key, "resolve."); ok {
		ct := CaseType(strings.TrimSpace(t))
		if !ct.Valid() {
			return p.errorf("未知案件类型 %q（应为 咨询、求助、投诉、举报 或 建议）", t)
		}
		return p.days(key, value, 1, &s.ResolveDays, ct)
	}
	switch key {
	case "close_of_business":
		t, err := time.Parse("15:04", value)
		if err != nil || (t.Hour() == 0 && t.Minute() == 0) {
			return p.errorf("close_of_business %q 应为 00:01 到 23:59 之间的 HH:MM", value)
		}
		s.CloseOfBusiness = time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
		return nil
	case "accept_days":
		return p.intDays(key, value, 1, &s.AcceptDays)
	case "return_days":
		return p.intDays(key, value, 1, &s.ReturnDays)
	case "max_extension_days":
		return p.intDays(key, value, 0, &s.MaxExtensionDays)
	case "reminder_days_before":
		return p.intDays(key, value, 0, &s.ReminderDaysBefore)
	}
	return p.errorf("[sla] 中的未知键 %q（可用 close_of_business、accept_days、resolve.类型、return_days、max_extension_days、reminder_days_before）", key)
}

// maxDays bounds every period: a year of working days is already a typo.
const maxDays = 250

func (p *configParser) intDays(key, value string, lo int, dst *int) error {
	n, err := strconv.Atoi(value)
	if err != nil || n < lo || n > maxDays {
		return p.errorf("%s %q 应为 %d 到 %d 之间的整数（工作日）", key, value, lo, maxDays)
	}
	*dst = n
	return nil
}

func (p *configParser) days(key, value string, lo int, m *map[CaseType]int, t CaseType) error {
	var n int
	if err := p.intDays(key, value, lo, &n); err != nil {
		return err
	}
	if *m == nil {
		*m = map[CaseType]int{}
	}
	(*m)[t] = n
	return nil
}

func (p *configParser) calendarKey(key, value string) error {
	if key != "override_file" {
		return p.errorf("[calendar] 中的未知键 %q（可用 override_file）", key)
	}
	if value == "" {
		return p.errorf("override_file 为空")
	}
	p.cfg.CalendarOverride = value
	return nil
}

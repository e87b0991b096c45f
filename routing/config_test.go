package routing

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const sampleConfig = `# chengnuo deployment config
[department rsj]
webhook_url = https://rsj.example.gov.cn/chengnuo
webhook_secret = s3cr#t=with=equals
telegram_chat = -1001234567890
api_token = rsj-token

; a street office, Telegram only
[department jd-fangzhicheng]
telegram_chat = -1009876543210

[sla]
close_of_business = 17:30
accept_days = 2
resolve.咨询 = 4
resolve.举报 = 20
return_days = 2
max_extension_days = 5
reminder_days_before = 2

[calendar]
override_file = holidays.tsv
`

func TestLoadConfig(t *testing.T) {
	cfg, err := LoadConfig(strings.NewReader(sampleConfig), "chengnuo.conf", BuiltinDirectory())
	if err != nil {
		t.Fatal(err)
	}
	want := DeptConfig{WebhookURL: "https://rsj.example.gov.cn/chengnuo", WebhookSecret: "s3cr#t=with=equals",
		TelegramChat: -1001234567890, APIToken: "rsj-token"}
	if got := cfg.Departments["rsj"]; got != want {
		t.Errorf("rsj = %+v, want %+v", got, want)
	}
	if got := cfg.Departments["jd-fangzhicheng"]; got != (DeptConfig{TelegramChat: -1009876543210}) {
		t.Errorf("jd-fangzhicheng = %+v", got)
	}
	if len(cfg.Departments) != 2 {
		t.Errorf("%d departments configured, want 2", len(cfg.Departments))
	}
	s := cfg.SLA
	if s.CloseOfBusiness != 17*time.Hour+30*time.Minute || s.AcceptDays != 2 || s.ReturnDays != 2 ||
		s.MaxExtensionDays != 5 || s.ReminderDaysBefore != 2 {
		t.Errorf("SLA = %+v", s)
	}
	for typ, n := range map[CaseType]int{TypeConsultation: 4, TypeReport: 20, TypeHelp: 5, TypeComplaint: 5, TypeSuggestion: 15} {
		if got := s.ResolveDaysFor(typ); got != n {
			t.Errorf("resolve %s = %d, want %d", typ, got, n)
		}
	}
	if cfg.CalendarOverride != "holidays.tsv" {
		t.Errorf("CalendarOverride = %q", cfg.CalendarOverride)
	}
	// The configured SLA drives the deadlines: 咨询 4 days, close at 17:30.
	d := s.Deadlines(TypeConsultation, calAt(t, "2026-02-13 10:00"))
	if slaRFC(d.AcceptBy) != "2026-02-24T17:30:00+08:00" || slaRFC(d.ResolveBy) != "2026-02-26T17:30:00+08:00" {
		t.Errorf("configured deadlines %s %s", slaRFC(d.AcceptBy), slaRFC(d.ResolveBy))
	}
}

func TestLoadConfigEmptyIsDefault(t *testing.T) {
	cfg, err := LoadConfig(strings.NewReader("# nothing\n\n"), "chengnuo.conf", nil)
	if err != nil {
		t.Fatal(err)
	}
	def := DefaultSLA()
	if cfg.SLA.CloseOfBusiness != def.CloseOfBusiness || cfg.SLA.AcceptDays != 1 || cfg.SLA.ResolveDaysFor(TypeReport) != 15 ||
		cfg.SLA.MaxExtensionDays != 10 || cfg.SLA.ReminderDaysBefore != 1 || cfg.SLA.ReturnDays != 1 {
		t.Errorf("empty config SLA = %+v, want the defaults", cfg.SLA)
	}
	if len(cfg.Departments) != 0 || cfg.CalendarOverride != "" {
		t.Errorf("empty config = %+v", cfg)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"unknown department code", "# c\n\n[department xyz]\n", `chengnuo.conf 第 3 行: 未知部门代码 "xyz"`},
		{"department name instead of code", "[department 区人社局]\n", `chengnuo.conf 第 1 行: 未知部门代码 "区人社局"（是否指 rsj？）`},
		{"department without code", "[department]\n", "chengnuo.conf 第 1 行: [department] 缺少部门代码"},
		{"unknown section", "[sla]\naccept_days = 1\n[mail]\n", `chengnuo.conf 第 3 行: 未知的节 "[mail]"`},
		{"bad key in department", "[department rsj]\nwebhook_url = https://a.example/x\nwebhook = x\n", `chengnuo.conf 第 3 行: [department rsj] 中的未知键 "webhook"`},
		{"bad key in sla", "[sla]\n\naccept = 1\n", `chengnuo.conf 第 3 行: [sla] 中的未知键 "accept"`},
		{"bad key in calendar", "[calendar]\nfile = x.tsv\n", `chengnuo.conf 第 2 行: [calendar] 中的未知键 "file"`},
		{"bad number", "[sla]\naccept_days = 1\nresolve.投诉 = five\n", `chengnuo.conf 第 3 行: resolve.投诉 "five" 应为 1 到 250 之间的整数`},
		{"zero accept days", "[sla]\naccept_days = 0\n", `chengnuo.conf 第 2 行: accept_days "0" 应为 1 到 250`},
		{"negative extension", "[sla]\nmax_extension_days = -1\n", `chengnuo.conf 第 2 行: max_extension_days "-1" 应为 0 到 250`},
		{"unknown type", "[sla]\nresolve.催办 = 3\n", `chengnuo.conf 第 2 行: 未知案件类型 "催办"`},
		{"bad close of business", "[sla]\nclose_of_business = 6pm\n", `chengnuo.conf 第 2 行: close_of_business "6pm"`},
		{"midnight close of business", "[sla]\nclose_of_business = 00:00\n", `chengnuo.conf 第 2 行: close_of_business "00:00"`},
		{"bad telegram chat", "[department rsj]\ntelegram_chat = @rsjgroup\n", `chengnuo.conf 第 2 行: telegram_chat "@rsjgroup"`},
		{"bad webhook url", "[department rsj]\nwebhook_url = rsj.example.gov.cn/hook\n", `chengnuo.conf 第 2 行: webhook_url "rsj.example.gov.cn/hook" 不是 http(s) 网址`},
		{"key before any section", "# c\naccept_days = 1\n", `chengnuo.conf 第 2 行: 键 "accept_days" 不在任何节`},
		{"no equals sign", "[sla]\naccept_days 1\n", "chengnuo.conf 第 2 行: 应为“键 = 值”"},
		{"duplicate key", "[sla]\naccept_days = 1\n\naccept_days = 2\n", `chengnuo.conf 第 4 行: 键 "accept_days" 与第 2 行重复`},
		{"duplicate section", "[department rsj]\napi_token = a\n[department rsj]\n", "chengnuo.conf 第 3 行: 节 [department rsj] 与第 1 行重复"},
		{"shared api token", "[department rsj]\napi_token = same\n[department mzj]\napi_token = same\n", "chengnuo.conf 第 4 行: api_token 与 [department rsj] 的相同"},
		{"unclosed header", "[sla\n", `chengnuo.conf 第 1 行: 节标题 "[sla" 缺少“]”`},
		{"empty override file", "[calendar]\noverride_file =\n", "chengnuo.conf 第 2 行: override_file 为空"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadConfig(strings.NewReader(c.in), "chengnuo.conf", BuiltinDirectory())
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("error = %v\nwant it to start with %s", err, c.want)
			}
			var le *LineError
			if !errors.As(err, &le) || le.File != "chengnuo.conf" {
				t.Errorf("error %T is not a *LineError naming the file", err)
			}
		})
	}
}

func TestLoadConfigFile(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "chengnuo.conf")
	write := func(path, s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(conf, "[calendar]\noverride_file = holidays.tsv\n")
	write(filepath.Join(dir, "holidays.tsv"), "2028-01-03\toff\t元旦（测试）\n")

	cfg, err := LoadConfigFile(conf, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CalendarOverride != filepath.Join(dir, "holidays.tsv") {
		t.Errorf("override path %q is not resolved against the config's directory", cfg.CalendarOverride)
	}
	cal, err := cfg.LoadCalendar()
	if err != nil {
		t.Fatal(err)
	}
	if !cal.Covered(2028) || cal.IsWorkingDay(calDate(t, "2028-01-03")) {
		t.Error("the override file named by the config was not applied")
	}

	if _, err := LoadConfigFile(filepath.Join(dir, "missing.conf"), nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing config: %v, want fs.ErrNotExist so the caller can fall back to defaults", err)
	}
	if cal, err := DefaultConfig().LoadCalendar(); err != nil || cal != BuiltinCalendar() {
		t.Errorf("no override file: %v", err)
	}
	write(conf, "[sla]\nreminder_days_before = x\n")
	if _, err := LoadConfigFile(conf, nil); err == nil || !strings.HasPrefix(err.Error(), conf+" 第 2 行: ") {
		t.Errorf("file error = %v, want the path and line", err)
	}
}

func TestLoadConfigChannelCallbacks(t *testing.T) {
	in := "[hotline]\ncallback_url = https://12345.example.gov.cn/cb\n\n[portal]\ncallback_url = http://127.0.0.1:9000/portal\n"
	cfg, err := LoadConfig(strings.NewReader(in), "chengnuo.conf", BuiltinDirectory())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Hotline.CallbackURL != "https://12345.example.gov.cn/cb" || cfg.Portal.CallbackURL != "http://127.0.0.1:9000/portal" {
		t.Errorf("hotline %+v, portal %+v", cfg.Hotline, cfg.Portal)
	}
	if d := DefaultConfig(); d.Hotline != (ChannelConfig{}) || d.Portal != (ChannelConfig{}) {
		t.Errorf("default config has callbacks: %+v %+v", d.Hotline, d.Portal)
	}
	bad := []struct{ in, want string }{
		{"[hotline]\ncallback = https://a.example/x\n", `chengnuo.conf 第 2 行: [hotline] 中的未知键 "callback"`},
		{"[portal]\ncallback_url = ftp://a.example/x\n", `chengnuo.conf 第 2 行: callback_url "ftp://a.example/x" 不是 http(s) 网址`},
		{"[hotline]\ncallback_url = https://a.example/x\ncallback_url = https://b.example/x\n", `chengnuo.conf 第 3 行: 键 "callback_url" 与第 2 行重复`},
		{"[portal]\n[portal]\n", "chengnuo.conf 第 2 行: 节 [portal] 与第 1 行重复"},
		{"[hotline x]\n", `chengnuo.conf 第 1 行: 未知的节 "[hotline x]"`},
	}
	for _, c := range bad {
		_, err := LoadConfig(strings.NewReader(c.in), "chengnuo.conf", BuiltinDirectory())
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: error = %v\nwant it to start with %s", c.in, err, c.want)
		}
	}
}

func TestLoadConfigTelegram(t *testing.T) {
	in := "[department gafj]\ntelegram_chat = -1001\n\n[telegram]\noperators = 123456789, -1002，77 123456789\n" +
		"webhook_url = https://chengnuo.example.gov.cn/telegram/hook\nwebhook_secret = Abc_123-xyz\n"
	cfg, err := LoadConfig(strings.NewReader(in), "chengnuo.conf", BuiltinDirectory())
	if err != nil {
		t.Fatal(err)
	}
	want := TelegramConfig{Operators: []int64{123456789, -1002, 77},
		WebhookURL: "https://chengnuo.example.gov.cn/telegram/hook", WebhookSecret: "Abc_123-xyz"}
	if got := cfg.Telegram; !slices.Equal(got.Operators, want.Operators) || got.WebhookURL != want.WebhookURL ||
		got.WebhookSecret != want.WebhookSecret {
		t.Errorf("telegram = %+v, want %+v", got, want)
	}
	polling, err := LoadConfig(strings.NewReader("[telegram]\noperators = 5\n"), "chengnuo.conf", nil)
	if err != nil || polling.Telegram.WebhookURL != "" || !slices.Equal(polling.Telegram.Operators, []int64{5}) {
		t.Errorf("polling config = %+v, %v", polling.Telegram, err)
	}
	if d := DefaultConfig(); d.Telegram.Operators != nil || d.Telegram.WebhookURL != "" {
		t.Errorf("default config has a telegram section: %+v", d.Telegram)
	}

	bad := []struct{ name, in, want string }{
		{"bad operator id", "[telegram]\noperators = 1, @ops\n", `chengnuo.conf 第 2 行: operators 中的 "@ops" 不是`},
		{"zero operator id", "[telegram]\noperators = 0\n", `chengnuo.conf 第 2 行: operators 中的 "0" 不是`},
		{"unknown key", "[telegram]\ntoken = x\n", `chengnuo.conf 第 2 行: [telegram] 中的未知键 "token"`},
		{"webhook not a url", "[telegram]\nwebhook_url = chengnuo.example/hook\nwebhook_secret = s\n", `chengnuo.conf 第 2 行: webhook_url "chengnuo.example/hook" 不是 http(s) 网址`},
		{"webhook without path", "[telegram]\nwebhook_url = https://chengnuo.example/\nwebhook_secret = s\n", `chengnuo.conf 第 2 行: webhook_url "https://chengnuo.example/" 须带路径`},
		{"bad secret", "[telegram]\nwebhook_url = https://a.example/tg\nwebhook_secret = not secret!\n", "chengnuo.conf 第 3 行: webhook_secret 须为"},
		{"webhook without secret", "# c\n[telegram]\nwebhook_url = https://a.example/tg\noperators = 1\n", "chengnuo.conf 第 3 行: webhook_url 需要同时设置 webhook_secret"},
		{"secret without webhook", "[telegram]\nwebhook_secret = abc\n", "chengnuo.conf 第 2 行: webhook_secret 只用于 webhook 模式"},
		{"operator chat is a department group", "[department rsj]\ntelegram_chat = -100\n[telegram]\noperators = 7, -100\n", "chengnuo.conf 第 4 行: operators 中的 -100 已是 [department rsj] 的 telegram_chat"},
		{"duplicate section", "[telegram]\n[telegram]\n", "chengnuo.conf 第 2 行: 节 [telegram] 与第 1 行重复"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadConfig(strings.NewReader(c.in), "chengnuo.conf", BuiltinDirectory())
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("error = %v\nwant it to start with %s", err, c.want)
			}
			var le *LineError
			if !errors.As(err, &le) {
				t.Errorf("error %T is not a *LineError", err)
			}
		})
	}
}

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"sort"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"chengnuo/delivery"
	"chengnuo/intake"
	"chengnuo/routing"
	"chengnuo/store"
)

func newServeCmd(g *globals) *cobra.Command {
	var listen string
	var tick time.Duration
	cmd := &cobra.Command{
		Use:   "serve [--listen ADDR]",
		Short: "运行服务：12345 与政务网推送、部门接口、投递、到期提醒与督办",
		Long: `Run the HTTP server (hotline and portal webhooks, department API, /healthz, /metrics),
the scheduler (reminders, overdue marking, escalation to zfb), the delivery worker and,
with a bot token, the Telegram bot in one process. SIGINT/SIGTERM stop it gracefully: no
new requests, in-flight ones finish, queued tickets are committed, deliveries and
Telegram sends in flight end, the database is closed.

Secrets come from the environment: CHENGNUO_HOTLINE_SECRET, CHENGNUO_PORTAL_SECRET
(a webhook without its secret answers 503), CHENGNUO_TELEGRAM_TOKEN (no token: bot off;
CHENGNUO_TELEGRAM_API, e.g. http://127.0.0.1:9000/bot%s/%s, for another Bot API server).
The bot polls for updates unless the config's [telegram] section sets webhook_url.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.serve(cmd.Context(), listen, tick)
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().DurationVar(&tick, "tick", 30*time.Second, "how often the scheduler looks for due work")
	return cmd
}

// serve wires and runs the long-running service until ctx ends.
func (g *globals) serve(ctx context.Context, listen string, tick time.Duration) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if os.Getenv("GOGC") == "" {
		// The live heap is small (tens of MB) and intake allocates per request: collecting
		// at 5× instead of 2× the live heap halves the collector's share of the CPU.
		debug.SetGCPercent(400)
	}
	dir := routing.BuiltinDirectory()
	cfg, err := g.deployment(dir)
	if err != nil {
		return err
	}
	if err := checkAPITokens(cfg); err != nil {
		return err
	}
	db, err := g.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	svc, err := g.service(ctx, db)
	if err != nil {
		return err
	}
	counter, err := store.OpenCaseCounter(g.db)
	if err != nil {
		return err
	}
	defer counter.Close()

	hotline, portal := os.Getenv("CHENGNUO_HOTLINE_SECRET"), os.Getenv("CHENGNUO_PORTAL_SECRET")
	reportMissing(log, cfg)

	metrics := delivery.NewMetrics(db)
	botOn := false // set before any background work starts
	worker := delivery.New(db, delivery.ConfigTargets(cfg, os.Getenv), delivery.Options{Metrics: metrics, Logger: log,
		SkipReason: func(target string) string { return groupOnlyReason(cfg, target, botOn) }})
	tg, err := g.newTelegramBot(ctx, os.Getenv, cfg, db, svc, worker.Notify, log)
	if err != nil {
		return err
	}
	botOn = tg != nil
	tokens := map[string]string{}
	for code, d := range cfg.Departments {
		if d.APIToken != "" {
			tokens[d.APIToken] = code
		}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	srv, err := intake.New(intake.Deps{Cases: svc, DB: db, HotlineSecret: []byte(hotline), PortalSecret: []byte(portal),
		DeptTokens: tokens, Directory: dir, Counter: counter, ConsoleSessions: db, Logger: log,
		Certificate: func(ctx context.Context, id string) string { // read at each page: a new list shows at once
			if list, err := db.ActiveList(ctx); err == nil && list != nil {
				if it, ok := list.Get(id); ok {
					return it.Certificate
				}
			}
			return ""
		},
		Registerer: reg, Gatherer: reg,
		Collectors: []prometheus.Collector{metrics}, Notify: func() { worker.Notify(); tg.Nudge() }})
	if err != nil {
		return err
	}
	sched := &routing.Scheduler{Service: svc, Due: db, Log: log}

	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", listen, err)
	}
	hs := srv.HTTPServer(listen)
	hs.Handler = tg.mount(hs.Handler)
	startPprof(log)
	log.Info("chengnuo serving", "addr", ln.Addr().String(), "db", g.db)

	// Background work stops when bg is cancelled, after the HTTP server has drained.
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBG()
	var wg sync.WaitGroup
	cal := svc.SLA.(routing.SLA).Calendar // loaded once, by g.service
	wg.Add(4)
	go func() {
		defer wg.Done()
		if err := db.RunCheckpointer(bg, 50*time.Millisecond, log); err != nil {
			log.Warn("background checkpoints off; the writer checkpoints by itself", "err", err)
		}
	}()
	go func() { defer wg.Done(); _ = sched.Run(bg, tick) }()
	go func() { defer wg.Done(); _ = worker.Run(bg) }()
	go func() { defer wg.Done(); runBulletins(bg, db, cal, dir, 5*time.Minute, worker.Notify, log) }()
	if tg != nil {
		wg.Add(1)
		go func() { defer wg.Done(); tg.run(bg) }()
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(ln) }()
	select {
	case err := <-serveErr:
		stopBG()
		wg.Wait()
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("http shutdown", "err", err)
	}
	if err := srv.Close(shutdown); err != nil { // commits what is queued
		log.Warn("intake close", "err", err)
	}
	stopBG()
	wg.Wait()
	log.Info("stopped")
	return nil
}

// minAPITokenChars is the shortest department api_token serve accepts: a short token is
// guessed, even at the ten tries a minute the intake allows an address.
const minAPITokenChars = 16

// checkAPITokens refuses a config with an api_token shorter than minAPITokenChars, naming
// the department (the first in code order, so the message is stable).
func checkAPITokens(cfg *routing.Config) error {
	codes := make([]string, 0, len(cfg.Departments))
	for code := range cfg.Departments {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		tok := cfg.Departments[code].APIToken
		if n := utf8.RuneCountInString(tok); tok != "" && n < minAPITokenChars {
			return fmt.Errorf("[department %s] 的 api_token 太短（%d 个字符，至少需要 %d 个）：请换一个更长的随机令牌",
				code, n, minAPITokenChars)
		}
	}
	return nil
}

// reportMissing says once, at start, what is not configured (the intake server itself
// names the missing webhook secrets).
func reportMissing(log *slog.Logger, cfg *routing.Config) {
	if os.Getenv("CHENGNUO_TELEGRAM_TOKEN") == "" {
		log.Info("CHENGNUO_TELEGRAM_TOKEN not set: Telegram bot off")
	}
	var noHook, noToken int
	for _, d := range routing.BuiltinDirectory().All() {
		dc := cfg.Departments[d.Code]
		if dc.WebhookURL == "" {
			noHook++
		}
		if dc.APIToken == "" {
			noToken++
		}
	}
	if noHook > 0 || noToken > 0 {
		log.Info("departments without delivery webhook or API token (see --config)", "no_webhook", noHook, "no_api_token", noToken)
	}
}

// groupOnlyReason words the skip of a webhook delivery to a department that has no webhook
// but takes its cases in its Telegram group (while the bot runs), so that `deliveries list`
// does not read as if the department was never told.
func groupOnlyReason(cfg *routing.Config, target string, botOn bool) string {
	if d, ok := cfg.Departments[target]; ok && botOn && d.TelegramChat != 0 {
		return delivery.ReasonNoEndpoint + "（该单位经 Telegram 群接收案件）"
	}
	return ""
}

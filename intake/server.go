package intake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"chengnuo/routing"
)

// CaseFiler files cases in groups: one transaction for the whole slice (routing.Service).
type CaseFiler interface {
	FileBatch(ctx context.Context, ncs []routing.NewCase) ([]routing.FileResult, error)
}

// Decider classifies a case before it is queued (routing.Service.Classify): the webhook
// handlers call it in the request's goroutine, so that classification runs on every core
// beside the one writer instead of in the batch that holds the write lock.
type Decider interface {
	Classify(nc routing.NewCase) routing.Decision
}

// CaseActions are the reads and department actions the API offers (routing.Service).
type CaseActions interface {
	Case(ctx context.Context, a routing.Actor, id string) (*routing.Case, error)
	Cases(ctx context.Context, a routing.Actor, f routing.CaseFilter) ([]*routing.Case, error)
	Events(ctx context.Context, a routing.Actor, id string) ([]routing.Event, error)
	Accept(ctx context.Context, a routing.Actor, id string) (*routing.Case, error)
	Reply(ctx context.Context, a routing.Actor, id, reply string) (*routing.Case, error)
	Return(ctx context.Context, a routing.Actor, id, reason string) (*routing.Case, error)
	RequestExtension(ctx context.Context, a routing.Actor, id string, days int, reason string) (*routing.Case, error)
	// RevealContact records that the department's clerk looked at the complainant's phone.
	RevealContact(ctx context.Context, a routing.Actor, id string) (*routing.Case, error)
}

// CaseService is everything the server asks of the case engine; *routing.Service implements it.
type CaseService interface {
	CaseFiler
	CaseActions
}

var (
	_ CaseService = (*routing.Service)(nil)
	_ Decider     = (*routing.Service)(nil)
)

// Pinger reports whether the database answers (*store.DB).
type Pinger interface {
	Ping(ctx context.Context) error
}

// Deps are the server's dependencies. Cases and DB are required; the rest have defaults.
type Deps struct {
	Cases CaseService
	DB    Pinger

	// HotlineSecret and PortalSecret sign the webhooks (and GET /v1/cases/{id}); an empty
	// one makes that webhook answer 503 not_configured, said once at start.
	HotlineSecret []byte
	PortalSecret  []byte
	// DeptTokens maps a department API bearer token to its department code
	// (routing.Config.Departments[code].APIToken, inverted).
	DeptTokens map[string]string

	// Directory, when set, adds department names to case views.
	Directory *routing.Directory
	// Certificate, when set, names a list item for the console ("BQ-036 劳动合同证明"): the
	// certificate of item id in the list in force, "" when the list lacks it.
	Certificate func(ctx context.Context, id string) string
	// ConsoleSessions keeps the department console's sessions (store.DB); nil keeps them in
	// memory, so that a restart signs every clerk out.
	ConsoleSessions ConsoleSessionStore
	// Counter feeds the chengnuo_cases{status} and chengnuo_cases_overdue gauges; nil: not exported.
	Counter CaseCounter

	Now    func() time.Time // nil: time.Now
	Logger *slog.Logger     // nil: slog.Default()
	// Registerer receives the server's metrics and Collectors; Gatherer serves /metrics.
	// Registerer nil: a private registry (with Go and process collectors), served together
	// with Gatherer if one is given. Registerer set and Gatherer nil: the Registerer, which
	// must then also be a Gatherer (a *prometheus.Registry is both).
	Registerer prometheus.Registerer
	Gatherer   prometheus.Gatherer
	// Collectors are registered too: the delivery worker's pending/dead gauges.
	Collectors []prometheus.Collector

	// Notify, when set, is called after a batch stored new cases (wakes the delivery worker).
	// It must not block.
	Notify func()

	Batch BatchOptions
}

// Server is chengnuo's HTTP side. Create it with New, serve Handler, stop with Close.
type Server struct {
	cases    CaseService
	db       Pinger
	hotline  []byte
	portal   []byte
	tokens   tokenSet
	dir      *routing.Directory
	cert     func(ctx context.Context, id string) string // nil: items are shown by id
	now      func() time.Time
	log      *slog.Logger
	metrics  *metrics
	decide   Decider             // nil: FileBatch classifies
	sessions ConsoleSessionStore // nil: the console keeps sessions in memory
	batch    *batcher
	health   *writeHealth // what /healthz knows of writability
	auth     *authLimiter // failed authentications per client address
	handler  http.Handler
}

// New checks deps, registers the metrics and starts the group-commit workers.
func New(d Deps) (*Server, error) {
	if d.Cases == nil || d.DB == nil {
		return nil, errors.New("intake: Cases and DB are required")
	}
	s := &Server{cases: d.Cases, db: d.DB, hotline: d.HotlineSecret, portal: d.PortalSecret,
		dir: d.Directory, cert: d.Certificate, now: d.Now, log: d.Logger, sessions: d.ConsoleSessions}
	if s.now == nil {
		s.now = time.Now
	}
	s.decide, _ = d.Cases.(Decider)
	if s.log == nil {
		s.log = slog.Default()
	}
	var err error
	if s.tokens, err = newTokenSet(d.DeptTokens); err != nil {
		return nil, err
	}
	if s.metrics, err = newMetrics(d, s.now); err != nil {
		return nil, err
	}
	if len(s.hotline) == 0 {
		s.log.Warn("CHENGNUO_HOTLINE_SECRET not set: POST /v1/hotline/tickets answers 503")
	}
	if len(s.portal) == 0 {
		s.log.Warn("CHENGNUO_PORTAL_SECRET not set: POST /v1/portal/messages answers 503")
	}
	if len(d.DeptTokens) == 0 {
		s.log.Warn("no department API token configured: /v1/dept/ answers 401 to everyone")
	}
	s.health = newWriteHealth(d.DB, s.now, s.log)
	s.auth = newAuthLimiter(s.now, s.log)
	s.batch = newBatcher(d.Cases, d.Batch, s.now, s.log, s.metrics, d.Notify)
	s.batch.health = s.health
	s.handler = s.routes()
	return s, nil
}

// Handler returns the HTTP handler of every route.
func (s *Server) Handler() http.Handler { return s.handler }

// HTTPServer returns an http.Server for addr serving Handler, with timeouts that keep slow
// or idle clients from holding connections (a webhook body is at most 1 MiB).
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{Addr: addr, Handler: s.handler, ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		MaxHeaderBytes: 64 << 10, ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
}

// Close stops taking new tickets (503 from then on), commits and answers every ticket
// already queued, and waits for that or for ctx. Call it after http.Server.Shutdown and
// before closing the database.
func (s *Server) Close(ctx context.Context) error {
	if err := s.batch.close(ctx); err != nil {
		return fmt.Errorf("intake: close: %w", err)
	}
	return nil
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/hotline/tickets", s.handleHotline)
	mux.HandleFunc("POST /v1/portal/messages", s.handlePortal)
	mux.HandleFunc("GET /v1/cases/{id}", s.handleChannelCase)
	mux.HandleFunc("GET /v1/dept/cases", s.dept(s.handleDeptList))
	mux.HandleFunc("GET /v1/dept/cases/{id}", s.dept(s.handleDeptCase))
	mux.HandleFunc("POST /v1/dept/cases/{id}/accept", s.dept(s.handleDeptAccept))
	mux.HandleFunc("POST /v1/dept/cases/{id}/reply", s.dept(s.handleDeptReply))
	mux.HandleFunc("POST /v1/dept/cases/{id}/return", s.dept(s.handleDeptReturn))
	mux.HandleFunc("POST /v1/dept/cases/{id}/extension", s.dept(s.handleDeptExtension))
	mux.Handle("/console/", s.consoleHandler()) // the department console (console.go)
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.Handle("GET /metrics", s.metrics.handler())
	mux.HandleFunc("/", notFound(mux)) // 405 with Allow for a wrong method, else 404
	return s.metrics.instrument(mux)
}

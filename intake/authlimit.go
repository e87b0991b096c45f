package intake

import (
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Failed authentications are limited per client address (department API token, console
// sign-in, signed case lookup share one budget): a burst of authBurst, then one more per
// authEvery. An address that has spent its budget gets 429 with Retry-After, and its
// credentials are not even checked, so guessing on gains nothing. A success costs nothing,
// so the clients that know their token never notice the limit.
const (
	authBurst      = 10
	authEvery      = 6 * time.Second // ten failures a minute once the burst is spent
	authLogWindow  = time.Minute     // a refused address is logged at most once per window
	authMaxClients = 10_000          // addresses remembered; beyond, idle ones are dropped
	codeTooMany    = "too_many_requests"
)

// authLimiter keeps a token bucket (golang.org/x/time/rate) per client address, on the
// server's clock.
type authLimiter struct {
	now func() time.Time
	log *slog.Logger

	mu      sync.Mutex
	clients map[string]*authClient
	swept   time.Time // when idle addresses were last dropped
}

type authClient struct {
	lim     *rate.Limiter
	logged  time.Time // when its refusals were last logged; zero: not since it was refused
	refused int       // refusals since then
}

func newAuthLimiter(now func() time.Time, log *slog.Logger) *authLimiter {
	return &authLimiter{now: now, log: log, clients: map[string]*authClient{}}
}

// authAttempt is one authentication under way; call succeeded when the credentials were
// right, nothing when they were wrong (the failure stays counted).
type authAttempt struct {
	res *rate.Reservation
	at  time.Time
}

// succeeded gives the reserved failure back: a right token costs nothing.
func (a authAttempt) succeeded() {
	if a.res != nil {
		a.res.CancelAt(a.at) // at the reservation's instant, or rate restores nothing
	}
}

// begin reserves one failure for r's client address before its credentials are checked.
// ok false: the address has spent its failures; answer 429 with Retry-After retry.
func (l *authLimiter) begin(r *http.Request) (a authAttempt, retry time.Duration, ok bool) {
	addr := clientAddr(r)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) >= authLogWindow {
		l.sweep(now)
	}
	c := l.clients[addr]
	if c == nil {
		if len(l.clients) >= authMaxClients {
			l.prune(now)
		}
		c = &authClient{lim: rate.NewLimiter(rate.Every(authEvery), authBurst)}
		l.clients[addr] = c
	}
	res := c.lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		c.refused++
		if c.logged.IsZero() || now.Sub(c.logged) >= authLogWindow {
			l.log.Warn("authentication failures limited: answering 429", "remote", addr,
				"refused", c.refused, "retry_after", d.Round(time.Second))
			c.logged, c.refused = now, 0
		}
		return authAttempt{}, d, false
	}
	return authAttempt{res: res, at: now}, 0, true
}

// sweep drops the addresses whose budget is whole again: they carry no state. Run once per
// authLogWindow, so that the map holds only addresses that failed recently.
func (l *authLimiter) sweep(now time.Time) {
	l.swept = now
	for a, c := range l.clients {
		if c.lim.TokensAt(now) >= authBurst {
			delete(l.clients, a)
		}
	}
}

// prune makes room at the bound: idle addresses first; if a flood of addresses leaves none
// such, arbitrary ones, so that memory stays bounded at the price of a fresh budget for some.
func (l *authLimiter) prune(now time.Time) {
	l.sweep(now)
	for a := range l.clients {
		if len(l.clients) < authMaxClients*9/10 {
			break
		}
		delete(l.clients, a)
	}
}

// clientAddr is the limit's key: the connection's IP address, and for IPv6 its /64 (one
// machine usually has a whole /64 to pick addresses from). Behind a reverse proxy it is the
// proxy's address.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		if p, err := ip.Prefix(64); err == nil {
			return p.String()
		}
	}
	return ip.String()
}

// tooManyFailures is the 429 answer of an address that has spent its failures.
func tooManyFailures(retry time.Duration) *apiError {
	secs := retryAfterSeconds(retry)
	return &apiError{Status: http.StatusTooManyRequests, Code: codeTooMany,
		Message: "认证失败次数过多，请 " + strconv.Itoa(secs) + " 秒后再试", RetryAfter: secs}
}

// retryAfterSeconds rounds d up to whole seconds, at least 1.
func retryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

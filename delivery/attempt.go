package delivery

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	neturl "net/url"
	"time"

	"github.com/go-resty/resty/v2"

	"chengnuo/routing"
)

// Headers of every delivery besides the signature (intake.SignatureHeader).
const (
	EventIDHeader   = "X-Chengnuo-Event-Id"   // stable across tries: receivers de-duplicate on it
	EventKindHeader = "X-Chengnuo-Event-Kind" // dispatched, replied, …
)

// StatusSkipped is the outbox state of a message whose target has no endpoint (the
// store's "skipped"): not retried, listed by `chengnuo deliveries list --status skipped`.
const StatusSkipped = "skipped"

// ReasonNoEndpoint is the last error of a message whose target has no endpoint configured.
const ReasonNoEndpoint = "未配置投递地址"

// verdict is what one attempt's outcome means for the message.
type verdict int

const (
	delivered verdict = iota
	retry             // try again later
	permanent         // the receiver will never take it: dead now
	aborted           // we stopped the request (shutdown): leave the message as it was
)

// outcome is the result of one attempt.
type outcome struct {
	verdict    verdict
	status     int           // HTTP status; 0 when no answer
	reason     string        // for last_error; "" when delivered
	retryAfter time.Duration // the receiver's Retry-After; 0 when none
}

// attempt makes one try at m and records its outcome. It reports whether m is settled
// (delivered, dead or skipped), so that the next message of its stream may go.
func (w *Worker) attempt(ctx context.Context, m routing.OutboxMessage) bool {
	log := w.log.With("event_id", m.EventID, "kind", m.Kind, "target", m.Target, "attempt", m.Attempts+1)
	url, secret, ok := w.targets(m.Target)
	if !ok {
		mctx, cancel := w.markContext(ctx)
		defer cancel()
		if err := w.ob.MarkSkipped(mctx, m.ID, w.skipReason(m.Target)); err != nil {
			log.Warn("delivery: mark skipped", "err", err)
			return false
		}
		w.opt.Metrics.observe(m.Kind, ResultSkipped)
		log.Warn("delivery skipped: no endpoint configured for target")
		return true
	}
	o := w.post(ctx, url, secret, m)
	// The mark's time starts when the answer is in, not before the POST: a receiver that
	// answers late (or not at all) must still leave its try recorded, or the message would
	// stay pending with no try counted and be sent again and again.
	mctx, cancel := w.markContext(ctx)
	defer cancel()
	switch o.verdict {
	case aborted:
		return false
	case delivered:
		w.targetOK(m.Target)
		if err := w.markDelivered(mctx, m.ID); err != nil {
			log.Warn("delivery: mark delivered", "err", err)
			return false
		}
		w.opt.Metrics.observe(m.Kind, ResultDelivered)
		log.Debug("delivered", "status", o.status)
		return true
	case permanent:
		if err := w.ob.MarkFailed(mctx, m.ID, o.reason, w.now(), true); err != nil {
			log.Warn("delivery: mark dead", "err", err)
			return false
		}
		w.opt.Metrics.observe(m.Kind, ResultDead)
		log.Warn("delivery refused: dead letter", "status", o.status)
		return true
	}
	w.targetFailed(m.Target, o.retryAfter)
	attempts := m.Attempts + 1
	dead := attempts >= w.opt.MaxAttempts
	next := w.now().Add(w.delay(attempts, o.retryAfter))
	reason := o.reason
	if dead {
		reason = fmt.Sprintf("%s（已尝试 %d 次）", reason, attempts)
	}
	if err := w.ob.MarkFailed(mctx, m.ID, reason, next, dead); err != nil {
		log.Warn("delivery: mark failed", "err", err)
		return false
	}
	if dead {
		w.opt.Metrics.observe(m.Kind, ResultDead)
		log.Warn("delivery failed: dead letter after max attempts", "status", o.status)
		return true
	}
	w.opt.Metrics.observe(m.Kind, ResultFailed)
	log.Info("delivery failed: will retry", "status", o.status, "next_attempt", next)
	return false
}

// markContext bounds the store write that records an attempt's outcome (MarkTimeout). It
// is not cancelled by shutdown, so that a delivery that went through is recorded as such.
func (w *Worker) markContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), w.opt.MarkTimeout)
}

// markDelivered records a delivery: group-committed when the store can mark many at once.
func (w *Worker) markDelivered(ctx context.Context, id int64) error {
	if w.marks != nil {
		return w.marks.delivered(ctx, id)
	}
	return w.ob.MarkDelivered(ctx, id)
}

// post sends m to url in exactly one HTTP request (the client makes no retries of its own:
// every try is counted in the store) and judges the answer.
func (w *Worker) post(ctx context.Context, url string, secret []byte, m routing.OutboxMessage) outcome {
	rctx, cancel := context.WithTimeout(ctx, w.opt.RequestTimeout)
	defer cancel()
	resp, err := w.client.R().
		SetContext(context.WithValue(rctx, secretKey{}, secret)).
		SetHeader("Content-Type", "application/json").
		SetHeader(EventIDHeader, m.EventID).
		SetHeader(EventKindHeader, m.Kind).
		SetBody([]byte(m.Payload)).
		Post(url)
	if ctx.Err() != nil {
		return outcome{verdict: aborted}
	}
	if resp == nil || resp.RawResponse == nil {
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			return outcome{verdict: retry, reason: fmt.Sprintf("请求超时（%s 内无应答）", w.opt.RequestTimeout)}
		case err == nil:
			err = errors.New("no response")
		}
		var ue *neturl.Error
		if errors.As(err, &ue) {
			ue.URL = redact(ue.URL) // last_error is shown in the CLI: no tokens from the URL
		}
		return outcome{verdict: retry, reason: "请求失败：" + snippet([]byte(err.Error()))}
	}
	return w.judge(resp)
}

// judge maps an HTTP answer to a verdict. 409 Conflict is the receiver saying it already
// has this event id (a de-duplicating receiver answering a repeat): it counts as delivered.
// 408, 425, 429 and 5xx are passing troubles: retried. Any other 1xx, 3xx (redirects are
// not followed: POST must not turn into GET) or 4xx will not change by trying again.
func (w *Worker) judge(resp *resty.Response) outcome {
	code := resp.StatusCode()
	o := outcome{status: code}
	switch {
	case code >= 200 && code < 300, code == http.StatusConflict:
		o.verdict = delivered
		return o
	case retryable(code):
		o.verdict = retry
		if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
			if d, ok := parseRetryAfter(resp.Header().Get("Retry-After"), w.now()); ok {
				o.retryAfter = min(d, w.opt.MaxRetryAfter)
			}
		}
	default:
		o.verdict = permanent
	}
	o.reason = fmt.Sprintf("HTTP %d", code)
	if s := snippet(resp.Body()); s != "" {
		o.reason += "：" + s
	}
	return o
}

// retryable reports whether an HTTP status may succeed on a later try.
func retryable(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooEarly, http.StatusTooManyRequests:
		return true
	}
	return code >= 500
}

// delay is how long to wait before try attempts+1: the receiver's Retry-After when it gave
// one, otherwise full jitter over an exponential ceiling (BackoffBase·2^(attempts-1), at
// most BackoffMax).
func (w *Worker) delay(attempts int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return retryAfter
	}
	ceiling := w.opt.BackoffBase
	for i := 1; i < attempts && ceiling < w.opt.BackoffMax; i++ {
		ceiling *= 2
	}
	return w.opt.Jitter(min(ceiling, w.opt.BackoffMax))
}

// redact drops the user information and query of a URL, where endpoints may carry tokens.
func redact(raw string) string {
	u, err := neturl.Parse(raw)
	if err != nil {
		return "(endpoint)"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}

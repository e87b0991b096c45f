package intake

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"chengnuo/routing"
)

// benchTexts spread the tickets over departments and the triage desk.
var benchTexts = []string{
	"社保局窗口要求第%d位群众开具健在证明才能领取养老金",
	"派出所户籍窗口要求提供无犯罪记录证明，编号%d",
	"街道办要求开具居住证明办理入学，来电%d",
	"办理营业执照被要求提供房产证明，工单%d",
}

// benchWords make each ticket's text its own: real tickets differ, and near-identical texts
// would all be linked as duplicates of one another.
var benchWords = []rune("窗口工作人员说必须先到社区开具证明材料才能继续办理业务我们跑了好几趟都没有办成希望尽快解决老人孩子" +
	"房屋租赁合同婚姻状况收入情况亲属关系居住时间工作单位退休手续医保报销学籍档案营业执照补贴申领")

// benchTicket is the signed body of ticket i: distinct ticket_no, phone and text.
func benchTicket(i int64) []byte {
	text := []rune(fmt.Sprintf(benchTexts[i%int64(len(benchTexts))], i))
	x := uint64(i)*0x9E3779B97F4A7C15 + 1
	for range 24 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		text = append(text, benchWords[x%uint64(len(benchWords))])
	}
	return fmt.Appendf(nil, `{"ticket_no":"BENCH-%010d","received_at":"2026-11-25T09:30:00+08:00","type":"投诉",`+
		`"content":"%s","caller":{"name":"王五","phone":"139%08d"},"address":"灞桥区纺织城","anonymous":false}`,
		i, string(text), i%100_000_000)
}

// BenchmarkIntake posts signed hotline tickets in parallel with group commit on, each one
// acknowledged only after its durable commit, and reports tickets/s. "handler" calls the
// handler directly (httptest.NewRecorder); "http" goes through a loopback httptest.Server
// with keep-alive connections, client and server sharing the machine's cores.
func BenchmarkIntake(b *testing.B) {
	b.Run("handler", func(b *testing.B) {
		e := benchEnv(b)
		benchHandler(b, e)
	})
	b.Run("http", func(b *testing.B) {
		e := benchEnv(b)
		tr := e.ts.Client().Transport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 512
		client := &http.Client{Transport: tr}
		defer tr.CloseIdleConnections()
		var seq atomic.Int64
		b.SetParallelism(64)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				body := benchTicket(seq.Add(1))
				req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/v1/hotline/tickets", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set(SignatureHeader, Sign(hotlineSecret, testNow, body))
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					b.Errorf("status %d", resp.StatusCode)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
		reportBatch(b, e)
	})
}

// BenchmarkIntakeOverhead is BenchmarkIntake/handler with FileBatch answered in memory
// (nothing stored, not durable): the ceiling of the HTTP side and the batcher alone, to
// compare with the durable figure and see where the time goes.
func BenchmarkIntakeOverhead(b *testing.B) {
	e := newEnv(b, func(d *Deps) {
		d.Logger = slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
		d.Cases = memFiler{d.Cases}
	})
	benchHandler(b, e)
}

// benchHandler posts signed tickets straight to e's handler from 128 goroutines per core,
// each expecting 202, and reports tickets/s and the batch sizes.
func benchHandler(b *testing.B, e *env) {
	h := e.srv.Handler()
	var seq atomic.Int64
	b.SetParallelism(128)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := benchTicket(seq.Add(1))
			req := httptest.NewRequest(http.MethodPost, "/v1/hotline/tickets", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(SignatureHeader, Sign(hotlineSecret, testNow, body))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusAccepted {
				b.Errorf("status %d: %s", w.Code, w.Body)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
	reportBatch(b, e)
}

// memFiler answers FileBatch with made-up cases and stores nothing.
type memFiler struct{ CaseService }

func (memFiler) FileBatch(_ context.Context, ncs []routing.NewCase) ([]routing.FileResult, error) {
	out := make([]routing.FileResult, len(ncs))
	for i, nc := range ncs {
		out[i] = routing.FileResult{Created: true, Case: &routing.Case{ID: nc.ExternalRef, Department: "rsj",
			Status: routing.StatusDispatched, AcceptBy: nc.ReceivedAt, ResolveBy: nc.ReceivedAt}}
	}
	return out, nil
}

// reportBatch reports the mean group-commit batch size.
func reportBatch(b *testing.B, e *env) {
	mfs, err := e.srv.metrics.gatherer.Gather()
	if err != nil {
		b.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "chengnuo_batch_size" {
			h := mf.GetMetric()[0].GetHistogram()
			b.ReportMetric(h.GetSampleSum()/float64(max(h.GetSampleCount(), 1)), "cases/batch")
		}
	}
}

// benchEnv is newEnv with a quiet logger and a queue deep enough for the parallelism.
func benchEnv(b *testing.B) *env {
	return newEnv(b, func(d *Deps) {
		d.Logger = slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
	})
}

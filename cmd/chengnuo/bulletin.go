package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"chengnuo/bot"
	"chengnuo/routing"
	"chengnuo/store"
)

// bulletinDue is when the past week's 通报 goes out: Monday 09:00, Asia/Shanghai.
const bulletinHour = 9

// bulletin sends the weekly 通报 for the week before at to the supervision office (zfb): its
// webhook through the delivery worker and its Telegram group through the bot. The outbox event id
// names the week, so the bulletin goes out once however often this runs or restarts.
// It reports whether a bulletin was queued.
func bulletin(ctx context.Context, db *store.DB, cal *routing.Calendar, dir *routing.Directory, at time.Time) (bool, error) {
	l := at.In(routing.Shanghai)
	monday, sunday := lastWeek(l)
	thisMonday := sunday.AddDate(0, 0, 1)
	if l.Before(thisMonday.Add(bulletinHour * time.Hour)) {
		return false, nil
	}
	id := "bulletin:" + monday.Format(time.DateOnly) + ":" + routing.CodeSupervision
	if has, err := db.OutboxHas(ctx, id); err != nil || has {
		return false, err
	}
	lo, hi := routing.ReportRange(monday, sunday)
	cs, evs, err := db.ReportData(ctx, lo, hi)
	if err != nil {
		return false, err
	}
	r := routing.BuildReport(cs, evs, routing.ReportOptions{From: monday, To: sunday, Now: at, Calendar: cal,
		Directory: dir, Title: "证明事项告知承诺制督查情况通报（" + monday.Format("1月2日") + "至" + sunday.Format("1月2日") + "）"})
	var md bytes.Buffer
	if err := routing.RenderMarkdown(&md, r); err != nil {
		return false, err
	}
	report, err := json.Marshal(r)
	if err != nil {
		return false, err
	}
	payload, err := json.Marshal(routing.Payload{EventID: id, Kind: bot.KindBulletin, CaseID: "bulletin-" + monday.Format(time.DateOnly),
		At: at.In(routing.Shanghai).Format(time.RFC3339), Department: routing.CodeSupervision, Text: md.String(), Report: report})
	if err != nil {
		return false, err
	}
	n, err := db.EnqueueOnce(ctx, routing.OutboxMessage{EventID: id, CaseID: "bulletin-" + monday.Format(time.DateOnly),
		Kind: bot.KindBulletin, Target: routing.CodeSupervision, Payload: payload, CreatedAt: at, NextAttemptAt: at})
	return n > 0, err
}

// runBulletins checks every interval whether the weekly bulletin is due.
func runBulletins(ctx context.Context, db *store.DB, cal *routing.Calendar, dir *routing.Directory, every time.Duration, notify func(), log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if queued, err := bulletin(ctx, db, cal, dir, time.Now()); err != nil && ctx.Err() == nil {
			log.Warn("weekly bulletin", "err", err)
		} else if queued {
			log.Info("weekly bulletin queued for zfb")
			notify()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

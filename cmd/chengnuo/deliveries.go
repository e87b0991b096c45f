package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"chengnuo/routing"
	"chengnuo/store"
)

func newDeliveriesCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "deliveries",
		Short: "出站投递（部门 webhook、热线/门户回调）：查看、重投死信",
		Long: "The outbox: events delivered to department webhooks and the hotline/portal callbacks by\n" +
			"`chengnuo serve`. Statuses: pending (waiting or retrying), delivered, dead (refused or out\n" +
			"of tries: replay with `deliveries retry`), skipped (no endpoint configured for the target).",
	}
	cmd.AddCommand(newDeliveriesListCmd(g), newDeliveriesRetryCmd(g))
	return cmd
}

// deliveryJSON is one outbox message as `deliveries list --json` prints it. The payload is
// left out: it may hold the caller's phone.
type deliveryJSON struct {
	ID            int64  `json:"id"`
	EventID       string `json:"event_id"`
	CaseID        string `json:"case_id"`
	Seq           int    `json:"seq"`
	Kind          string `json:"kind"`
	Target        string `json:"target"`
	Status        string `json:"status"`
	Attempts      int    `json:"attempts"`
	CreatedAt     string `json:"created_at"`
	NextAttemptAt string `json:"next_attempt_at,omitempty"` // pending only
	LastError     string `json:"last_error"`
}

func newDeliveriesListCmd(g *globals) *cobra.Command {
	var status string
	var limit int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--status pending|dead|delivered|skipped] [--limit N] [--json]",
		Short: "列出投递（待投、死信、跳过的最早在前；已投递和全部的最新在前）",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch status {
			case "", routing.OutboxPending, routing.OutboxDelivered, routing.OutboxDead, store.OutboxSkipped:
			default:
				return fmt.Errorf("--status %q：应为 pending、dead、delivered 或 skipped", status)
			}
			if limit <= 0 {
				return fmt.Errorf("--limit %d：应为正整数", limit)
			}
			db, err := g.openDB(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			msgs, err := db.OutboxList(cmd.Context(), status, limit)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				list := make([]deliveryJSON, 0, len(msgs))
				for _, m := range msgs {
					list = append(list, toDeliveryJSON(m))
				}
				return writeJSON(out, list)
			}
			if len(msgs) == 0 {
				_, err := fmt.Fprintln(out, "没有符合条件的投递。")
				return err
			}
			rows := make([][]string, 0, len(msgs))
			for _, m := range msgs {
				rows = append(rows, []string{m.EventID, m.CaseID, m.Kind, m.Target, m.Status,
					strconv.Itoa(m.Attempts), dlvNext(m), cut(m.LastError, 40)})
			}
			return printTable(out, []string{"事件编号", "案件", "类型", "目标", "状态", "尝试", "下次尝试", "最近错误"}, rows)
		},
	}
	cmd.Flags().StringVar(&status, "status", "", "only this status: pending, dead, delivered or skipped (default all)")
	cmd.Flags().IntVar(&limit, "limit", 50, "at most this many")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	return cmd
}

func newDeliveriesRetryCmd(g *globals) *cobra.Command {
	var allDead, allSkipped bool
	cmd := &cobra.Command{
		Use:   "retry [EVENT_ID …|--all-dead|--all-skipped]",
		Short: "把死信（或跳过的投递）重新排队，由运行中的 serve 立即重投",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 && (allDead || allSkipped) {
				return fmt.Errorf("给出事件编号，或 --all-dead / --all-skipped，不能同时给出")
			}
			if len(args) == 0 && !allDead && !allSkipped {
				return fmt.Errorf("请给出要重投的事件编号，或 --all-dead / --all-skipped")
			}
			db, err := g.openDB(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			// An id that names no delivery is a typo or a wrong database: refuse the whole
			// command before requeuing anything, so that nothing half-happens.
			var unknown []string
			for _, id := range args {
				ok, err := db.OutboxHas(cmd.Context(), id)
				if err != nil {
					return err
				}
				if !ok {
					unknown = append(unknown, id)
				}
			}
			if len(unknown) > 0 {
				return fmt.Errorf("没有这些事件编号的投递：%s（未重投任何投递；用 chengnuo deliveries list 查看）",
					strings.Join(unknown, "、"))
			}
			// With no ids the store requeues every message of the state: only on its flag.
			var dead, skipped int
			if len(args) > 0 || allDead {
				if dead, err = db.RequeueDead(cmd.Context(), args...); err != nil {
					return err
				}
			}
			if len(args) > 0 || allSkipped {
				if skipped, err = db.RequeueSkipped(cmd.Context(), args...); err != nil {
					return err
				}
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "已重新排队 %d 条投递（死信 %d，跳过 %d）\n", dead+skipped, dead, skipped)
			if n := len(args) - dead - skipped; len(args) > 0 && n > 0 {
				fmt.Fprintf(out, "%d 个事件编号不是死信/跳过状态（待投或已投递），未重投\n", n)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&allDead, "all-dead", false, "requeue every dead delivery")
	cmd.Flags().BoolVar(&allSkipped, "all-skipped", false, "requeue every skipped delivery (after configuring its endpoint)")
	return cmd
}

func toDeliveryJSON(m routing.OutboxMessage) deliveryJSON {
	d := deliveryJSON{ID: m.ID, EventID: m.EventID, CaseID: m.CaseID, Seq: m.Seq, Kind: m.Kind, Target: m.Target,
		Status: m.Status, Attempts: m.Attempts, CreatedAt: m.CreatedAt.In(routing.Shanghai).Format(time.RFC3339),
		LastError: m.LastError}
	if m.Status == routing.OutboxPending {
		d.NextAttemptAt = m.NextAttemptAt.In(routing.Shanghai).Format(time.RFC3339)
	}
	return d
}

// dlvNext is the next-attempt cell: a Shanghai time for pending messages, "-" otherwise.
func dlvNext(m routing.OutboxMessage) string {
	if m.Status != routing.OutboxPending {
		return "-"
	}
	return m.NextAttemptAt.In(routing.Shanghai).Format(time.DateTime)
}

package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"chengnuo/knowledge"
	"chengnuo/routing"
)

func newRouteCmd(g *globals) *cobra.Command {
	var asJSON bool
	var address string
	cmd := &cobra.Command{
		Use:   "route [--json] [--address ADDR] TEXT",
		Short: "试分类一条投诉或咨询：类型、事项、承办单位、街道（不保存）",
		Long: "route classifies one complaint or consultation the way an incoming case would be\n" +
			"classified, and explains the decision. It is a dry run: nothing is stored.",
		Example: `  chengnuo route 十里铺派出所让我去社区开亲属关系证明
  chengnuo route --json --address 灞桥区洪庆街道 银行让我去社区开证明`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			text := strings.TrimSpace(strings.Join(args, " "))
			if text == "" {
				return errors.New("投诉内容为空")
			}
			db, err := g.openDB(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			c, list, err := g.classifier(cmd.Context(), db)
			if err != nil {
				return err
			}
			d := c.Classify(text, strings.TrimSpace(address))
			out := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(out, d)
			}
			printDecision(out, d, routing.BuiltinDirectory(), list)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the decision as one JSON object")
	cmd.Flags().StringVar(&address, "address", "", "the complainant's address (helps find the street office)")
	return cmd
}

// printDecision explains a decision in words a clerk reads.
func printDecision(w io.Writer, d routing.Decision, dir *routing.Directory, list *knowledge.List) {
	fmt.Fprintf(w, "类型：%s\n", d.Type)
	if d.Triage {
		fmt.Fprintf(w, "承办单位：%s（%s，分拨台）——把握不足，请人工分拨\n", dir.Name(d.Department), d.Department)
	} else {
		fmt.Fprintf(w, "承办单位：%s（%s）\n", dir.Name(d.Department), d.Department)
	}
	if d.Street != "" {
		fmt.Fprintf(w, "所在街道：%s（%s）\n", dir.Name(d.Street), d.Street)
	} else {
		fmt.Fprintln(w, "所在街道：未提及")
	}
	if len(d.Items) == 0 {
		fmt.Fprintln(w, "相关事项：无")
	}
	for i, id := range d.Items {
		label := "相关事项："
		if i > 0 {
			label = "          "
		}
		if it, ok := list.Get(id); ok {
			fmt.Fprintf(w, "%s%s %s（%s，%s）\n", label, id, it.Certificate, it.Matter, it.Mode.Label())
		} else {
			fmt.Fprintf(w, "%s%s\n", label, id)
		}
	}
	fmt.Fprintf(w, "把握程度：%.2f\n", d.Confidence)
	fmt.Fprintln(w, "判断理由：")
	for _, r := range d.Reasons {
		fmt.Fprintf(w, "  · %s\n", r)
	}
	fmt.Fprintln(w, "（试分类，未保存）")
}

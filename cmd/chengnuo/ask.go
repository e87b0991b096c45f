package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

func newAskCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "ask [--json] QUESTION",
		Short: "回答一个关于证明事项的问题",
		Example: `  chengnuo ask 办户口迁移还要开无犯罪证明吗
  chengnuo ask --json 社保死亡待遇要亲属关系证明吗`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q := strings.TrimSpace(strings.Join(args, " "))
			if q == "" {
				return errors.New("问题为空")
			}
			db, err := g.openDB(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			a, err := g.answerer(cmd.Context(), db)
			if err != nil {
				return err
			}
			ans := a.Ask(q)
			out := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(out, ans)
			}
			fmt.Fprintln(out, ans.Answer)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the answer as one JSON object")
	return cmd
}

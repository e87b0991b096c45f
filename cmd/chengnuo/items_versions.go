package main

import (
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"chengnuo/knowledge"
)

func newItemsVersionsCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "versions",
		Short: "列出导入过的清单版本（最新的为当前清单）",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := g.openDB(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			vs, err := db.ListVersions(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			builtin := knowledge.Builtin()
			if asJSON {
				type row struct {
					Version    string `json:"version"`
					Label      string `json:"label"`
					Effective  string `json:"effective"`
					ImportedAt string `json:"imported_at,omitempty"`
					SourceFile string `json:"source_file,omitempty"`
					Items      int    `json:"items"`
					Active     bool   `json:"active"`
				}
				var rows []row
				for i, v := range vs {
					rows = append(rows, row{v.Version, v.Label, v.Effective.Format(time.DateOnly),
						v.ImportedAt.In(shanghai).Format(time.RFC3339), v.SourceFile, v.ItemCount, i == 0})
				}
				rows = append(rows, row{Version: builtin.Version, Label: builtin.Label,
					Effective: builtin.Effective.Format(time.DateOnly), Items: len(builtin.Items), Active: len(vs) == 0})
				return writeJSON(out, rows)
			}
			var rows [][]string
			for i, v := range vs {
				rows = append(rows, []string{active(i == 0) + v.Version, v.Label, v.Effective.Format(time.DateOnly),
					v.ImportedAt.In(shanghai).Format("2006-01-02 15:04"), strconv.Itoa(v.ItemCount), v.SourceFile})
			}
			rows = append(rows, []string{active(len(vs) == 0) + builtin.Version, builtin.Label,
				builtin.Effective.Format(time.DateOnly), "内置", strconv.Itoa(len(builtin.Items)), ""})
			return printTable(out, []string{"版本", "标签", "生效日期", "导入时间", "事项数", "来源文件"}, rows)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func active(b bool) string {
	if b {
		return "*"
	}
	return " "
}

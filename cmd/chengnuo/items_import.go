package main

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"chengnuo/knowledge"
	"chengnuo/routing"
)

func newItemsImportCmd(g *globals) *cobra.Command {
	var label, effective, mode string
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "导入一份公布的证明事项清单（XLSX、CSV、TSV、JSON），成为当前清单",
		Long: `Import a published list. The whole file is checked first: one bad row rejects
the file, naming the row and column, and nothing is stored. Chinese headers as
published lists use them (序号, 证明名称, 证明用途/办理事项, 实施方式, 设定依据, 索要单位,
开具单位, 核查方式, …) and the English headers of items.tsv are both understood.`,
		Example: `  chengnuo items import 灞桥区告知承诺清单.xlsx --label "2026年第二批" --effective 2026-12-01
  chengnuo items import list.csv --mode commitment`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			eff, err := parseEffective(effective)
			if err != nil {
				return err
			}
			dir := routing.BuiltinDirectory()
			items, err := knowledge.ImportFile(args[0], knowledge.ImportOptions{
				ResolveDept: dir.Resolve,
				DefaultMode: knowledge.Mode(mode),
			})
			if err != nil {
				return err
			}
			if label == "" {
				label = filepath.Base(args[0])
			}
			db, err := g.openDB(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			version, err := db.SaveList(cmd.Context(), &knowledge.List{Label: label, Effective: eff, Items: items}, filepath.Base(args[0]))
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "已导入 %d 项，版本 %s（%s，%s 生效），现为当前清单。\n",
				len(items), version, label, eff.Format(time.DateOnly))
			return nil
		},
	}
	cmd.Flags().StringVar(&label, "label", "", "label of this version (default: the file name)")
	cmd.Flags().StringVar(&effective, "effective", "", "date the list takes effect, YYYY-MM-DD (default: today, Asia/Shanghai)")
	cmd.Flags().StringVar(&mode, "mode", "", "mode for files without a 实施方式 column: commitment, abolished or retained")
	return cmd
}

// parseEffective reads a YYYY-MM-DD date; empty means today in Asia/Shanghai.
func parseEffective(s string) (time.Time, error) {
	if s == "" {
		now := time.Now().In(shanghai)
		return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--effective %q: 日期格式应为 YYYY-MM-DD", s)
	}
	return t, nil
}

// shanghai is China Standard Time; fixed, so the binary needs no tzdata.
var shanghai = time.FixedZone("CST", 8*3600)

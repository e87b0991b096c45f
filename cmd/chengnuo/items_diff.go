package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"chengnuo/knowledge"
)

func newItemsDiffCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "diff V1 V2",
		Short:   "对比两个清单版本：新增、删除、逐字段修改",
		Example: "  chengnuo items diff builtin v1\n  chengnuo items diff v1 v2 --json",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := g.openDB(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			a, err := loadVersion(cmd, db, args[0])
			if err != nil {
				return fmt.Errorf("版本 %s: %w", args[0], err)
			}
			b, err := loadVersion(cmd, db, args[1])
			if err != nil {
				return fmt.Errorf("版本 %s: %w", args[1], err)
			}
			d := knowledge.Diff(a, b)
			out := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(out, d)
			}
			fmt.Fprintf(out, "%s → %s：新增 %d 项，删除 %d 项，修改 %d 项\n", a.Version, b.Version, len(d.Added), len(d.Removed), len(d.Changed))
			for _, it := range d.Added {
				fmt.Fprintf(out, "+ %s %s（%s）[%s]\n", it.ID, it.Certificate, it.Matter, it.Mode.Label())
			}
			for _, it := range d.Removed {
				fmt.Fprintf(out, "- %s %s（%s）[%s]\n", it.ID, it.Certificate, it.Matter, it.Mode.Label())
			}
			for _, c := range d.Changed {
				fmt.Fprintf(out, "~ %s %s\n", c.ID, c.Certificate)
				for _, f := range c.Fields {
					fmt.Fprintf(out, "    %s: %q → %q\n", f.Field, f.Old, f.New)
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the diff as JSON")
	return cmd
}

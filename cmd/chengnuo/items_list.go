package main

import (
	"github.com/spf13/cobra"

	"chengnuo/knowledge"
	"chengnuo/routing"
	"chengnuo/store"
)

func newItemsListCmd(g *globals) *cobra.Command {
	var version string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--version V]",
		Short: "列出清单中的证明事项（默认当前清单）",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := g.openDB(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			l, err := loadVersion(cmd, db, version)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(out, l)
			}
			dir := routing.BuiltinDirectory()
			var rows [][]string
			for _, it := range l.Items {
				rows = append(rows, []string{it.ID, it.Mode.Label(), cut(it.Certificate, 28), cut(it.Matter, 24), dir.Name(it.Department)})
			}
			return printTable(out, []string{"编号", "方式", "证明名称", "办理事项", "索要单位"}, rows)
		},
	}
	cmd.Flags().StringVar(&version, "version", "", "list version (v1, v2, …, builtin); default the active one")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the list as JSON")
	return cmd
}

// loadVersion loads a named version, or the active one when name is empty.
func loadVersion(cmd *cobra.Command, db *store.DB, name string) (*knowledge.List, error) {
	if name == "" {
		return db.ActiveList(cmd.Context())
	}
	return db.LoadList(cmd.Context(), name)
}

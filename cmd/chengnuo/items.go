package main

import (
	"github.com/spf13/cobra"
)

func newItemsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "items",
		Short: "证明事项清单：导入、版本、列表、对比",
	}
	cmd.AddCommand(newItemsImportCmd(g), newItemsVersionsCmd(g), newItemsListCmd(g), newItemsDiffCmd(g))
	return cmd
}

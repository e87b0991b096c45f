package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"chengnuo/knowledge"
	"chengnuo/routing"
	"chengnuo/store"
)

// globals are the flags every command shares.
type globals struct {
	db       string
	synonyms []string
	config   string // deployment config file (chengnuo.conf); "" for the defaults
}

func newRootCmd() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:           "chengnuo",
		Short:         "证明事项告知承诺制：解答群众咨询、转办投诉",
		Long:          "chengnuo answers questions about the 证明事项告知承诺制 from the published item list\nand routes complaints about certificate demands to the responsible office.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&g.db, "db", "chengnuo.db", "SQLite database file")
	root.PersistentFlags().StringArrayVar(&g.synonyms, "synonyms", nil, "extra colloquial→canonical table (TSV: colloquial<TAB>canonical), may repeat")
	root.PersistentFlags().StringVar(&g.config, "config", "", "deployment config file (chengnuo.conf: departments, [sla], [calendar])")
	root.AddCommand(newAskCmd(g), newItemsCmd(g), newDeadlineCmd(g), newRouteCmd(g), newCasesCmd(g), newDeliveriesCmd(g), newServeCmd(g), newReportCmd(g))
	return root
}

// openDB opens the SQLite database named by --db.
func (g *globals) openDB(ctx context.Context) (*store.DB, error) {
	return store.Open(ctx, g.db)
}

// lexicon returns the built-in colloquial table extended by every --synonyms file.
func (g *globals) lexicon() (*knowledge.Lexicon, error) {
	lx := knowledge.BuiltinLexicon()
	for _, path := range g.synonyms {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("synonyms: %w", err)
		}
		err = lx.Load(f, path)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	return lx, nil
}

// answerer builds the answerer over the active list version.
func (g *globals) answerer(ctx context.Context, db *store.DB) (*knowledge.Answerer, error) {
	list, err := db.ActiveList(ctx)
	if err != nil {
		return nil, err
	}
	lx, err := g.lexicon()
	if err != nil {
		return nil, err
	}
	dir := routing.BuiltinDirectory()
	m := knowledge.NewMatcher(list, knowledge.BuiltinTopics(), lx, knowledge.MatcherConfig{})
	return &knowledge.Answerer{Matcher: m, DeptName: dir.Name}, nil
}

// oneLine keeps an error on a single line, as the CLI contract asks.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

package main

import (
	"context"

	"chengnuo/routing"
	"chengnuo/store"
)

// deployment returns the config named by --config, or the defaults of DESIGN.md without one.
// A bad file stops the command, naming the line.
func (g *globals) deployment(dir *routing.Directory) (*routing.Config, error) {
	if g.config == "" {
		return routing.DefaultConfig(), nil
	}
	return routing.LoadConfigFile(g.config, dir)
}

// service wires the case service: the store, the classifier over the active list version,
// the built-in directory and the SLA (with its calendar) of the deployment config.
func (g *globals) service(ctx context.Context, db *store.DB) (*routing.Service, error) {
	dir := routing.BuiltinDirectory()
	cfg, err := g.deployment(dir)
	if err != nil {
		return nil, err
	}
	sla, err := deploymentSLA(cfg)
	if err != nil {
		return nil, err
	}
	c, _, err := g.classifier(ctx, db)
	if err != nil {
		return nil, err
	}
	return &routing.Service{Store: db, Classifier: c, SLA: sla, Directory: dir}, nil
}

// deploymentSLA returns the deadline rules of a deployment config with its holiday calendar.
func deploymentSLA(cfg *routing.Config) (routing.SLA, error) {
	cal, err := cfg.LoadCalendar()
	if err != nil {
		return routing.SLA{}, err
	}
	sla := cfg.SLA
	sla.Calendar = cal
	return sla, nil
}

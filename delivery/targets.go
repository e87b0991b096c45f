package delivery

import (
	"chengnuo/routing"
)

// Environment variables holding the channel callbacks' secrets, the same ones that sign
// the channels' inbound webhooks.
const (
	EnvHotlineSecret = "CHENGNUO_HOTLINE_SECRET"
	EnvPortalSecret  = "CHENGNUO_PORTAL_SECRET"
)

// ConfigTargets resolves targets from a deployment's config: a department code to its
// [department] webhook_url and webhook_secret; "hotline" and "portal" to the callback_url of
// [hotline] / [portal], signed with the secret in CHENGNUO_HOTLINE_SECRET /
// CHENGNUO_PORTAL_SECRET (getenv is os.Getenv in production). A target with no URL is not
// configured: its messages are skipped. "telegram" is never resolved here: the bot owns it.
func ConfigTargets(cfg *routing.Config, getenv func(string) string) Targets {
	if cfg == nil {
		cfg = routing.DefaultConfig()
	}
	channels := map[string]struct{ url, secret string }{
		string(routing.ChannelHotline): {cfg.Hotline.CallbackURL, getenv(EnvHotlineSecret)},
		string(routing.ChannelPortal):  {cfg.Portal.CallbackURL, getenv(EnvPortalSecret)},
	}
	return func(target string) (string, []byte, bool) {
		if c, ok := channels[target]; ok {
			if c.url == "" {
				return "", nil, false
			}
			return c.url, []byte(c.secret), true
		}
		d, ok := cfg.Departments[target]
		if !ok || d.WebhookURL == "" {
			return "", nil, false
		}
		return d.WebhookURL, []byte(d.WebhookSecret), true
	}
}

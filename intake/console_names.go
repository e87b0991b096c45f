package intake

import (
	"context"
	"strings"

	"chengnuo/routing"
)

// What the console shows a clerk instead of codes: department and street names, the channel
// in words, each item with its certificate, actors as 系统 or 区人力资源和社会保障局 李娜.

// consoleItem is one matched list item: its id and the certificate it is about.
type consoleItem struct{ ID, Certificate string }

// items names c's matched items with their certificates, from the list in force.
func (c *console) items(ctx context.Context, ids []string) []consoleItem {
	out := make([]consoleItem, 0, len(ids))
	for _, id := range ids {
		it := consoleItem{ID: id}
		if c.s.cert != nil {
			it.Certificate = c.s.cert(ctx, id)
		}
		out = append(out, it)
	}
	return out
}

// shortName drops the city from a department's name, keeping the district's 区 in front:
// "西安市灞桥区人力资源和社会保障局" → "区人力资源和社会保障局", "灞桥区洪庆街道办事处" → "洪庆街道办事处".
func shortName(name string) string {
	for _, p := range []struct{ prefix, keep string }{{"西安市灞桥区", "区"}, {"灞桥区", ""}} {
		if rest, ok := strings.CutPrefix(name, p.prefix); ok && rest != "" {
			return p.keep + rest
		}
	}
	return name
}

// orgName is the short name of a directory code, the code itself when the directory lacks it.
func (c *console) orgName(code string) string {
	if code == "" {
		return ""
	}
	return shortName(c.deptName(code))
}

// actorLabel names who acted in the history: 系统, 话务员 王芳, 区人力资源和社会保障局 李娜, 诉求人.
// A resident's name (a Telegram user name) is never shown.
func (c *console) actorLabel(a routing.Actor) string {
	switch a.Role {
	case routing.RoleSystem:
		return "系统"
	case routing.RoleOperator:
		if a.Name == "" || a.Name == "cli" {
			return "话务员"
		}
		return "话务员 " + a.Name
	case routing.RoleDepartment:
		s := c.orgName(a.Department)
		if a.Name != "" && a.Name != "api" {
			s += " " + a.Name
		}
		return s
	case routing.RoleResident:
		return "诉求人"
	}
	return string(a.Role)
}

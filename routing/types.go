package routing

// CaseType is the kind of a case as 12345 classifies it; the Chinese values are kept in data and JSON.
type CaseType string

// The five case types.
const (
	TypeConsultation CaseType = "咨询"
	TypeHelp         CaseType = "求助"
	TypeComplaint    CaseType = "投诉"
	TypeReport       CaseType = "举报"
	TypeSuggestion   CaseType = "建议"
)

// CaseTypes lists the types in their usual order.
var CaseTypes = []CaseType{TypeConsultation, TypeHelp, TypeComplaint, TypeReport, TypeSuggestion}

// Valid reports whether t is one of the five types.
func (t CaseType) Valid() bool {
	for _, v := range CaseTypes {
		if t == v {
			return true
		}
	}
	return false
}

// Channel is where a case came from.
type Channel string

// The channels chengnuo receives cases on.
const (
	ChannelHotline  Channel = "hotline"  // 12345 热线
	ChannelPortal   Channel = "portal"   // 政务服务网留言
	ChannelTelegram Channel = "telegram" // the bot
	ChannelCLI      Channel = "cli"      // filed by an operator at the command line
)

// Status is where a case stands in its lifecycle (see lifecycle.go).
type Status string

// The case states of DESIGN.md.
const (
	StatusReceived           Status = "received"
	StatusDispatched         Status = "dispatched"
	StatusAccepted           Status = "accepted"
	StatusReturned           Status = "returned"
	StatusExtensionRequested Status = "extension_requested"
	StatusReplied            Status = "replied"
	StatusClosed             Status = "closed"
	StatusReopened           Status = "reopened"
	StatusDuplicate          Status = "duplicate"
)

// CaseCounts are the numbers behind the chengnuo_cases and chengnuo_cases_overdue gauges.
type CaseCounts struct {
	ByStatus map[Status]int
	Overdue  int // open cases whose deadline in force has passed
}

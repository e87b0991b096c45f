package bot

// Every string a Telegram user reads lives here, in Simplified Chinese, so that wording is
// reviewed in one place. Format verbs are documented where the order is not obvious.

// Buttons.
const (
	btnComplain    = "我要投诉"
	btnNotSolved   = "没有解决我的问题"
	btnConfirm     = "确认提交"
	btnEdit        = "修改"
	btnCancel      = "取消"
	btnSkip        = "跳过"
	btnAnonymous   = "匿名"
	btnNoPhone     = "不留电话"
	btnSharephone  = "分享我的手机号"
	btnAccept      = "签收"
	btnReturn      = "退回"
	btnUseSuggest  = "就是：%s" // the suggested value
	btnEditErrand  = "办理事项"
	btnEditOffice  = "要求单位"
	btnEditCert    = "所要证明"
	btnEditPlace   = "街道社区"
	btnEditContact = "联系电话"
)

// Residents.
const (
	txtWelcome = "您好！这里是西安市灞桥区“证明事项告知承诺制”服务助手。\n\n" +
		"我可以：\n" +
		"1. 回答某项证明还要不要开、能不能用承诺代替（依据灞桥区公布的证明事项清单样本）；\n" +
		"2. 介绍告知承诺制的政策，例如怎么承诺、承诺不实有什么后果；\n" +
		"3. 如果有单位要求您开不该开的证明，帮您登记投诉，转交承办单位并告诉您案件编号；\n" +
		"4. 跟进案件进度：/mycases 查看我的案件，/status 案件编号 查看某个案件。\n\n" +
		"请直接输入您的问题，例如：“办低保还要开无犯罪记录证明吗？”\n" +
		"回答仅供参考，以办理部门的正式答复为准。"
	txtResidentHelp = "可以直接输入问题，我会按证明事项清单回答。\n" +
		"常用命令：\n/start 使用说明\n/mycases 我的案件\n/status 案件编号 查看案件进度\n/cancel 取消正在填写的投诉"
	txtUnknownCommand = "抱歉，我不认识这个命令。\n"
	txtAnswerFooter   = "\n\n如果有单位仍然要求您开这项证明，可以点击“我要投诉”。"
	txtComplaintOffer = "\n\n需要我们帮您登记投诉吗？点击“我要投诉”，您刚才的描述会一并提交。"
	txtNotSolved      = "抱歉没能解决您的问题。您可以：\n" +
		"1. 拨打 12345 政务服务便民热线咨询；\n" +
		"2. 点击“我要投诉”，我们登记后转交承办单位，并把办理进度告诉您。"

	txtAskErrand  = "【投诉登记 1/5】您在办理什么事情？（例如：申请低保、孩子入学、办理营业执照）\n随时发送 /cancel 可以取消。"
	txtAskOffice  = "【投诉登记 2/5】是哪个单位（窗口、学校、社区等）要求您开证明？"
	txtAskCert    = "【投诉登记 3/5】要求您开什么证明？"
	txtAskPlace   = "【投诉登记 4/5】您是在哪个街道或社区办理的？（可以跳过）"
	txtAskContact = "【投诉登记 5/5】请留下联系电话，方便承办单位联系您（可选）：\n" +
		"可以点击“分享我的手机号”，或直接输入号码；不想留电话可选“不留电话”，希望匿名请选“匿名”。"
	txtShareHint      = "也可以点击输入框下方的“分享我的手机号”按钮。"
	txtContactSaved   = "好的，已记录您的联系电话。"
	txtContactNone    = "好的，不留联系电话。"
	txtContactAnon    = "好的，将匿名提交，承办单位看不到您的身份。"
	txtUseButtons     = "请点击下方的按钮继续，或发送 /cancel 取消。"
	txtBadPhone       = "这个号码看起来不对：手机号为 11 位数字，固定电话请带区号（如 029-88886666）。请重新输入，或点击下方按钮。"
	txtEmptyAnswer    = "请用文字回答，或发送 /cancel 取消。"
	txtTooLongField   = "这一项请控制在 %d 字以内。"
	txtSummary        = "请核对您的投诉：\n办理事项：%s\n要求单位：%s\n所要证明：%s\n街道社区：%s\n联系电话：%s\n%s\n确认无误请点击“确认提交”。"
	txtSummaryQ       = "原始描述：%s\n"
	txtNotGiven       = "（未填写）"
	txtAnonymous      = "匿名"
	txtChooseEdit     = "请选择要修改的内容："
	txtCancelled      = "已取消，本次填写的内容没有提交。您可以继续提问。"
	txtDraftKept      = "您正在填写的投诉已保留，尚未提交。请继续回答下面的问题；不想提交了请发送 /cancel。"
	txtNothingToCxl   = "当前没有正在进行的操作。"
	txtFlowExpired    = "该操作已过期"
	txtFileFailed     = "抱歉，登记没有成功，请稍后再点击“确认提交”重试，或拨打 12345 热线。"
	txtFiled          = "您的投诉已登记。\n案件编号：%s\n承办单位：%s\n签收时限：%s\n答复时限：%s\n\n办理进展会在这里通知您，也可以发送 /status %s 查询。"
	txtFiledDup       = "您的投诉已登记（案件编号：%s）。您反映的问题与一件正在办理的案件相同，已合并处理，结果会在这里通知您。"
	txtFiledBefore    = "这条投诉之前已经登记过了。\n"
	txtComplaintPlace = "办理地点：%s。"
	txtComplaintQ     = "群众原话：%s"
	txtComplaintTxt   = "群众通过 Telegram 反映：在办理“%s”时，%s要求其提供“%s”。" // errand, office, certificate

	txtNotFound     = "未找到该案件。请检查案件编号，只能查询您本人提交的案件。"
	txtStatusUsage  = "请在命令后输入案件编号，例如：/status BQ20261125-0001"
	txtNoCases      = "您还没有通过本助手提交过案件。"
	txtMyCases      = "您的案件：\n"
	txtMyCaseLine   = "%s　%s　%s\n" // id, status, excerpt
	txtCaseStatus   = "案件编号：%s\n状态：%s\n承办单位：%s\n"
	txtCaseAcceptBy = "签收时限：%s\n"
	txtCaseDeadline = "答复时限：%s\n"
	txtCaseReply    = "答复内容：%s\n"
	txtCaseRated    = "您的评价：%s\n"
	txtRateAsk      = "请对本次办理结果进行评价："
	txtRated        = "感谢您的评价（%s），案件已办结。"
	txtRatedReopen  = "已记录您的评价（不满意）。案件 %s 已重新交由%s办理，新的答复时限为 %s，我们会继续跟进。"
	txtRateFailed   = "评价没有成功，请稍后再试。"
	txtAlreadyRated = "您已评价过该案件"
	txtReopenReason = "群众评价不满意（Telegram 回访）"
	txtThanks       = "感谢评价"
	txtStateChanged = "该案件状态已变化"
	txtTryLater     = "操作失败，请稍后再试"
	txtInternal     = "抱歉，系统暂时出了点问题，请稍后再试。"
)

// Notifications to residents, one per outbox kind.
const (
	txtNoteAccepted  = "您的案件 %s 已由%s签收，将于 %s 前答复您。"
	txtNoteExtended  = "您的案件 %s 承办单位已申请延期，新的答复时限为 %s。"
	txtNoteReplied   = "您的案件 %s 已有答复：\n%s\n\n" + txtRateAsk
	txtNoteClosed    = "您的案件 %s 已办结。"
	txtNoteClosedAsk = "您的案件 %s 已办结，请对办理结果进行评价："
	txtNoteReopened  = "您的案件 %s 已重新交由%s办理，新的答复时限为 %s。"
	txtNoteDuplicate = "您的案件 %s 与一件正在办理的案件反映的问题相同，已合并处理，结果会在这里通知您。"
	txtNoteOther     = "您的案件 %s 有新进展：%s。"
)

// Departments.
const (
	txtCardTitle     = "【新案件】%s\n"
	txtCardReopened  = "【重办】%s（群众对答复不满意）\n"
	txtCardType      = "类型：%s\n"
	txtCardPhone     = "联系电话：%s\n"
	txtCardAnonymous = "联系电话：（匿名）\n"
	txtCardAddress   = "地址：%s\n"
	txtCardAcceptBy  = "签收时限：%s\n"
	txtCardDeadline  = "答复时限：%s\n"
	txtCardItems     = "涉及证明事项：%s\n"
	txtCardReasons   = "分派理由：%s\n"
	txtCardText      = "反映内容：%s\n"
	txtCardHint      = "\n请点击“签收”；不属于本单位职责的请点击“退回”。签收后直接回复本消息即可答复群众。"
	txtDeptHelp      = "本群已绑定承办单位：%s。\n" +
		"新案件会以卡片形式发到本群：点击“签收”签收，点击“退回”并回复理由退回；签收后直接“回复”案件卡片即可答复群众。\n" +
		"命令：\n/overdue 本单位超期案件\n/reply 案件编号 答复内容（无法回复卡片时使用）\n/cancel 取消正在填写的退回理由"
	txtUnboundGroup   = "本群尚未绑定任何承办单位，机器人不会在这里处理案件。如需绑定，请联系系统管理员在配置中设置 telegram_chat。"
	txtAccepted       = "已签收"
	txtAcceptedMsg    = "案件 %s 已由 %s 签收，答复时限 %s。请直接回复案件卡片答复群众。"
	txtReturnPrompt   = "请回复本消息，说明退回案件 %s 的理由（发送 /cancel 取消）。"
	txtReturnAsk      = "请填写退回理由"
	txtReturned       = "案件 %s 已退回分拨，理由：%s"
	txtReturnEmpty    = "退回理由不能为空，请用文字说明，或发送 /cancel 取消。"
	txtReturnCancel   = "已取消退回。"
	txtReplied        = "案件 %s 已答复，答复内容已转告群众。"
	txtReplyFirst     = "案件 %s 目前为“%s”，请先点击卡片上的“签收”再答复。"
	txtReplyConflict  = "案件 %s 目前为“%s”，不能再答复。"
	txtReplyEmpty     = "答复内容不能为空。"
	txtReplyUsage     = "用法：/reply 案件编号 答复内容"
	txtNotOurs        = "无权操作该案件"
	txtNotOursMsg     = "未找到本单位的该案件。"
	txtNoOverdue      = "本单位目前没有超期案件。"
	txtOverdueTitle   = "本单位超期案件（%d 件）：\n"
	txtOverdueAccept  = "%s　未按时签收（时限 %s）\n"
	txtOverdueResolve = "%s　%s　未按时答复（时限 %s）\n"
	txtNotMember      = "只有本群成员可以办理本单位的案件"
)

// Notifications to department groups.
const (
	txtDeptReminder  = "【催办】案件 %s 将于 %s 到期，请尽快%s。"
	txtDeptOverdue   = "【超期】案件 %s 已超过%s时限（%s），请立即办理。"
	txtDeptEscalated = "【督办】案件 %s 已超期，已提交区政府办公室督办。"
	txtDeptReturned  = "【退回】案件 %s 已被退回分拨%s，请重新派单。"
	txtDeptExtended  = "【延期】案件 %s 的延期申请已批准，新的答复时限为 %s。"
	txtDeptExtDenied = "【延期】案件 %s 的延期申请未获批准，答复时限仍为 %s。"
	txtDeptClosed    = "【办结】案件 %s 已办结。"
	txtDeptOther     = "【案件 %s】%s"
	txtDoAccept      = "签收"
	txtDoResolve     = "答复"
	txtReasonSuffix  = "，理由：%s"
)

// Hotline operators.
const (
	txtOperatorHelp = "您好，12345 话务员。\n" +
		"转发群众的消息或粘贴工单内容，我会登记为热线案件并告诉您案件编号、承办单位、分派理由和时限；缺少类型、地址或联系电话时我会询问。\n" +
		"命令：\n/case 案件编号 查看任一案件进度\n/cancel 取消正在登记的工单"
	txtOpAskType      = "请选择工单类型："
	txtOpAskAddress   = "请输入事发地址或街道社区（没有可跳过）："
	txtOpAskContact   = "请输入来电人联系电话（可选“匿名”或跳过）："
	txtOpBusy         = "您还有一张工单没有登记完，请先完成或发送 /cancel 取消。"
	txtOpFiled        = "已登记为热线案件。\n案件编号：%s\n类型：%s\n承办单位：%s\n分派理由：%s\n签收时限：%s\n答复时限：%s"
	txtOpFiledBefore  = "该工单之前已登记。\n"
	txtOpFiledDup     = "\n（与正在办理的案件 %s 重复，已合并）"
	txtOpFileFailed   = "登记失败：%s"
	txtOpCaseUsage    = "用法：/case 案件编号"
	txtOpCaseNotFound = "未找到案件 %s。"
	txtOpCase         = "案件编号：%s\n渠道：%s\n类型：%s\n状态：%s\n承办单位：%s\n来电人：%s\n受理时间：%s\n签收时限：%s\n答复时限：%s\n"
	txtOpCaseReply    = "答复：%s\n"
	txtOpCaseSat      = "满意度：%s\n"
	txtOpCaseEvents   = "办理过程：\n"
	txtOpCaseEvent    = "%s　%s　%s\n" // time, action, actor
	txtOpCancelled    = "已取消这张工单。"
	txtOpEmpty        = "工单内容为空，请转发或粘贴群众反映的内容。"
	txtNone           = "无"
)

// txtDateLayout shows deadlines in Asia/Shanghai time (Go layout).
const txtDateLayout = "2006年1月2日 15:04"

// Abuse.
const (
	txtRateLimited = "您发送得太快了，请稍等一分钟再试。"
	txtTooLong     = "您的消息太长了（超过 %d 字），请精简后再发送，或分几条发送。"
)

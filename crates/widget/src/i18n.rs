//! Every word the panel shows, in English and Simplified Chinese.
//!
//! [`Lang::from_locale`] picks the language from the SDK app's `locale`; [`Lang::strings`]
//! hands out one static [`Strings`] table. A table is a struct, not a map, so a string missing
//! in one language is a compile error. The few texts with a number in them are methods.

/// The panel's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    /// English (the default).
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// `zh`, `zh_CN`, `zh-CN` and `zh-Hans` (any case) are Chinese; everything else English.
    pub(crate) fn from_locale(locale: &str) -> Self {
        match locale.to_ascii_lowercase().as_str() {
            "zh" | "zh_cn" | "zh-cn" | "zh-hans" | "zh_hans" => Self::Zh,
            _ => Self::En,
        }
    }

    /// The `lang` attribute value.
    pub(crate) fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Zh => "zh-CN",
        }
    }

    /// This language's table.
    pub(crate) const fn strings(self) -> &'static Strings {
        match self {
            Self::En => &EN,
            Self::Zh => &ZH,
        }
    }
}

/// One language's texts.
pub(crate) struct Strings {
    /// Language of this table.
    pub(crate) lang: Lang,
    /// Panel heading.
    pub(crate) title: &'static str,
    /// Loading skeleton caption.
    pub(crate) loading: &'static str,
    /// Error state heading.
    pub(crate) error_title: &'static str,
    /// Retry button.
    pub(crate) retry: &'static str,
    /// Prefix of a network failure.
    pub(crate) network_error: &'static str,
    /// Sign-in heading.
    pub(crate) sign_in_title: &'static str,
    /// Sign-in explanation.
    pub(crate) sign_in_text: &'static str,
    /// Sign-in button.
    pub(crate) sign_in: &'static str,
    /// The popup could not be opened.
    pub(crate) popup_blocked: &'static str,
    /// Prefix of a failed sign-in.
    pub(crate) sign_in_failed: &'static str,
    /// The popup signed in a different Desk agent.
    pub(crate) wrong_agent: &'static str,
    /// Empty state heading.
    pub(crate) no_match_title: &'static str,
    /// Empty state text for a contact.
    pub(crate) no_contact: &'static str,
    /// Empty state text for an account.
    pub(crate) no_account: &'static str,
    /// Label of what was looked up.
    pub(crate) looked_up: &'static str,
    /// Create button.
    pub(crate) create: &'static str,
    /// Log-ticket button.
    pub(crate) log_ticket: &'static str,
    /// After a create.
    pub(crate) created: &'static str,
    /// After a log-ticket.
    pub(crate) logged: &'static str,
    /// Record link.
    pub(crate) view: &'static str,
    /// Refresh button label.
    pub(crate) refresh: &'static str,
    /// Before the fetch time.
    pub(crate) last_fetched: &'static str,
    /// Fetched less than a minute ago.
    pub(crate) just_now: &'static str,
    /// Contact card heading.
    pub(crate) contact: &'static str,
    /// Account card heading.
    pub(crate) account: &'static str,
    /// Opportunities heading.
    pub(crate) opportunities: &'static str,
    /// Notes heading.
    pub(crate) notes: &'static str,
    /// Tasks heading.
    pub(crate) tasks: &'static str,
    /// Calls heading.
    pub(crate) calls: &'static str,
    /// Meetings heading.
    pub(crate) meetings: &'static str,
    /// Label of a section cut to the limited field set.
    pub(crate) limited: &'static str,
    /// An empty section.
    pub(crate) none: &'static str,
    /// Lightning note marker.
    pub(crate) lightning: &'static str,
    /// Classic note marker.
    pub(crate) classic: &'static str,
    /// Field label.
    pub(crate) f_title: &'static str,
    /// Field label.
    pub(crate) f_department: &'static str,
    /// Field label.
    pub(crate) f_email: &'static str,
    /// Field label.
    pub(crate) f_phone: &'static str,
    /// Field label.
    pub(crate) f_mobile: &'static str,
    /// Field label.
    pub(crate) f_mailing_address: &'static str,
    /// Field label.
    pub(crate) f_owner: &'static str,
    /// Field label.
    pub(crate) f_type: &'static str,
    /// Field label.
    pub(crate) f_industry: &'static str,
    /// Field label.
    pub(crate) f_website: &'static str,
    /// Field label.
    pub(crate) f_billing_address: &'static str,
    /// Field label.
    pub(crate) f_annual_revenue: &'static str,
    /// Field label.
    pub(crate) f_employees: &'static str,
    /// Field label.
    pub(crate) f_stage: &'static str,
    /// Field label.
    pub(crate) f_amount: &'static str,
    /// Field label.
    pub(crate) f_close_date: &'static str,
    /// Field label.
    pub(crate) f_author: &'static str,
    /// Field label.
    pub(crate) f_date: &'static str,
    /// Field label.
    pub(crate) f_status: &'static str,
    /// Footer, before the agent's name.
    pub(crate) signed_in_as: &'static str,
    /// Sign-out button.
    pub(crate) sign_out: &'static str,
    /// Not-connected heading.
    pub(crate) not_connected_title: &'static str,
    /// Not-connected explanation.
    pub(crate) not_connected_text: &'static str,
    /// Context card: a ticket.
    pub(crate) ticket: &'static str,
    /// Context card: before the requester's email.
    pub(crate) requester: &'static str,
    /// Context card: the settings page.
    pub(crate) settings_page: &'static str,
    /// Context card: an unknown page.
    pub(crate) unsupported_page: &'static str,
}

impl Strings {
    /// `5 min ago`.
    pub(crate) fn minutes_ago(&self, n: u64) -> String {
        match self.lang {
            Lang::En => format!("{n} min ago"),
            Lang::Zh => format!("{n} 分钟前"),
        }
    }

    /// `3 h ago`.
    pub(crate) fn hours_ago(&self, n: u64) -> String {
        match self.lang {
            Lang::En => format!("{n} h ago"),
            Lang::Zh => format!("{n} 小时前"),
        }
    }
}

static EN: Strings = Strings {
    lang: Lang::En,
    title: "Salesforce",
    loading: "Loading the Salesforce profile…",
    error_title: "Can't load this panel",
    retry: "Try again",
    network_error: "Could not reach sfdesk",
    sign_in_title: "Sign in to see Salesforce data",
    sign_in_text: "Sign in once with your Zoho Desk account. You see what your Desk role may see.",
    sign_in: "Sign in with Zoho Desk",
    popup_blocked: "The sign-in window was blocked. Allow pop-ups for this page and try again.",
    sign_in_failed: "Sign-in failed",
    wrong_agent: "The sign-in window signed in a different Desk agent. Sign in as yourself.",
    no_match_title: "No matching Salesforce record",
    no_contact: "No Salesforce contact matches this requester.",
    no_account: "No Salesforce account matches this account.",
    looked_up: "Looked up",
    create: "Create in Salesforce",
    log_ticket: "Log this ticket as a Salesforce task",
    created: "Created in Salesforce",
    logged: "Logged as a Salesforce task",
    view: "View in Salesforce",
    refresh: "Refresh",
    last_fetched: "Last fetched",
    just_now: "just now",
    contact: "Contact",
    account: "Account",
    opportunities: "Open opportunities",
    notes: "Notes",
    tasks: "Tasks",
    calls: "Calls",
    meetings: "Meetings",
    limited: "Limited",
    none: "None",
    lightning: "Lightning",
    classic: "Classic",
    f_title: "Title",
    f_department: "Department",
    f_email: "Email",
    f_phone: "Phone",
    f_mobile: "Mobile",
    f_mailing_address: "Mailing address",
    f_owner: "Owner",
    f_type: "Type",
    f_industry: "Industry",
    f_website: "Website",
    f_billing_address: "Billing address",
    f_annual_revenue: "Annual revenue",
    f_employees: "Employees",
    f_stage: "Stage",
    f_amount: "Amount",
    f_close_date: "Close date",
    f_author: "Author",
    f_date: "Date",
    f_status: "Status",
    signed_in_as: "Signed in as",
    sign_out: "Sign out",
    not_connected_title: "Not connected to Salesforce yet",
    not_connected_text: "An admin connects a Salesforce org in the extension settings. \
                         The requester's contact, account and open deals will show here.",
    ticket: "Ticket",
    requester: "requester",
    settings_page: "Extension settings",
    unsupported_page: "This page is not supported",
};

static ZH: Strings = Strings {
    lang: Lang::Zh,
    title: "Salesforce",
    loading: "正在加载 Salesforce 资料…",
    error_title: "无法加载此面板",
    retry: "重试",
    network_error: "无法连接 sfdesk",
    sign_in_title: "登录后查看 Salesforce 数据",
    sign_in_text: "使用您的 Zoho Desk 帐户登录一次。您将看到您的 Desk 角色可查看的内容。",
    sign_in: "使用 Zoho Desk 登录",
    popup_blocked: "登录窗口被拦截。请允许此页面弹出窗口后重试。",
    sign_in_failed: "登录失败",
    wrong_agent: "登录窗口登录的是另一位 Desk 客服。请使用您自己的帐户登录。",
    no_match_title: "没有匹配的 Salesforce 记录",
    no_contact: "没有与此请求者匹配的 Salesforce 联系人。",
    no_account: "没有与此客户匹配的 Salesforce 客户。",
    looked_up: "查找依据",
    create: "在 Salesforce 中创建",
    log_ticket: "将此工单记录为 Salesforce 任务",
    created: "已在 Salesforce 中创建",
    logged: "已记录为 Salesforce 任务",
    view: "在 Salesforce 中查看",
    refresh: "刷新",
    last_fetched: "上次获取",
    just_now: "刚刚",
    contact: "联系人",
    account: "客户",
    opportunities: "未结商机",
    notes: "备注",
    tasks: "任务",
    calls: "通话",
    meetings: "会议",
    limited: "受限",
    none: "无",
    lightning: "Lightning",
    classic: "经典",
    f_title: "职位",
    f_department: "部门",
    f_email: "电子邮件",
    f_phone: "电话",
    f_mobile: "手机",
    f_mailing_address: "邮寄地址",
    f_owner: "所有人",
    f_type: "类型",
    f_industry: "行业",
    f_website: "网站",
    f_billing_address: "账单地址",
    f_annual_revenue: "年收入",
    f_employees: "员工人数",
    f_stage: "阶段",
    f_amount: "金额",
    f_close_date: "结束日期",
    f_author: "作者",
    f_date: "日期",
    f_status: "状态",
    signed_in_as: "当前登录",
    sign_out: "退出登录",
    not_connected_title: "尚未连接 Salesforce",
    not_connected_text: "管理员可在扩展设置中连接 Salesforce 组织。连接后，此处将显示请求者的联系人、客户和未结商机。",
    ticket: "工单",
    requester: "请求者",
    settings_page: "扩展设置",
    unsupported_page: "不支持此页面",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_locales_pick_chinese() {
        for locale in ["zh", "zh_CN", "zh-CN", "ZH-cn", "zh-Hans"] {
            assert_eq!(Lang::from_locale(locale), Lang::Zh, "{locale}");
        }
        for locale in ["en", "en_US", "", "fr", "zh_TW", "zh-HK", "ja"] {
            assert_eq!(Lang::from_locale(locale), Lang::En, "{locale}");
        }
        assert_eq!(Lang::Zh.tag(), "zh-CN");
        assert_eq!(Lang::En.strings().lang, Lang::En);
        assert_eq!(Lang::Zh.strings().lang, Lang::Zh);
    }

    #[test]
    fn both_tables_are_filled_and_differ() {
        let (en, zh) = (Lang::En.strings(), Lang::Zh.strings());
        let pairs = [
            (en.sign_in, zh.sign_in),
            (en.no_match_title, zh.no_match_title),
            (en.create, zh.create),
            (en.log_ticket, zh.log_ticket),
            (en.tasks, zh.tasks),
            (en.limited, zh.limited),
            (en.f_close_date, zh.f_close_date),
            (en.sign_out, zh.sign_out),
        ];
        for (e, z) in pairs {
            assert!(!e.is_empty() && !z.is_empty());
            assert_ne!(e, z);
        }
    }

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(Lang::En.strings().minutes_ago(5), "5 min ago");
        assert_eq!(Lang::Zh.strings().minutes_ago(5), "5 分钟前");
        assert_eq!(Lang::En.strings().hours_ago(2), "2 h ago");
        assert_eq!(Lang::Zh.strings().hours_ago(2), "2 小时前");
    }
}

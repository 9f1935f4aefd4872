//! What one role sees on one kind of page: [`plan`] turns a [`RolePermissions`] document into a
//! [`Plan`] — which record the profile is about, which info blocks and sections exist and at
//! which level — or `None` (the widget is hidden). It runs before anything is fetched: a
//! section whose level is [`Access::None`] never reaches the SOQL.

use sfdesk_shared::permissions::{Access, RolePermissions};
use sfdesk_shared::profile::{Levels, ProfileTarget};

/// The Desk page the widget sits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Page {
    /// A ticket or a Desk contact: the profile is about a person.
    Contact,
    /// A Desk account.
    Account,
}

impl Page {
    /// The page of a profile target.
    #[must_use]
    pub fn of(target: &ProfileTarget) -> Self {
        match target {
            ProfileTarget::TicketId(_) | ProfileTarget::DeskContactId(_) => Self::Contact,
            ProfileTarget::DeskAccountId(_) => Self::Account,
        }
    }
}

/// Which Salesforce record the sections are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    /// The Contact (its account's facts ride along as parent fields).
    Contact,
    /// The Account of the matched Contact (contact pages of a role that sees accounts only).
    AccountOfContact,
    /// The Account (account pages).
    Account,
}

impl Subject {
    /// The object the main query reads.
    #[must_use]
    pub fn object(self) -> &'static str {
        match self {
            Self::Contact => "Contact",
            Self::AccountOfContact | Self::Account => "Account",
        }
    }
}

/// What to fetch and show. A level of [`Access::None`] means "absent": not queried, not in the
/// JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// The record the profile is about.
    pub subject: Subject,
    /// Contact facts.
    pub contact_info: Access,
    /// Account facts.
    pub account_info: Access,
    /// Open opportunities.
    pub opportunities: Access,
    /// Classic and Lightning notes.
    pub notes: Access,
    /// Tasks that are not calls.
    pub tasks: Access,
    /// Calls.
    pub calls: Access,
    /// Meetings (events).
    pub meetings: Access,
    /// The levels shown to the widget.
    pub levels: Levels,
}

/// The plan of `permissions` on `page`, or `None` when the widget is hidden: `visible` off,
/// neither contacts nor accounts allowed, or accounts off on an account page. On contact pages
/// a role without contacts but with accounts sees the requester's account only.
#[must_use]
pub fn plan(permissions: &RolePermissions, page: Page) -> Option<Plan> {
    if !permissions.visible {
        return None;
    }
    let info = permissions.info;
    let (subject, contact_info, account_info) = match page {
        Page::Contact if permissions.contacts => (
            Subject::Contact,
            info,
            if permissions.accounts {
                info
            } else {
                Access::None
            },
        ),
        Page::Contact if permissions.accounts => (Subject::AccountOfContact, Access::None, info),
        Page::Account if permissions.accounts => (Subject::Account, Access::None, info),
        Page::Contact | Page::Account => return None,
    };
    let activities = permissions.activities;
    let kind = |on: bool| if on { activities } else { Access::None };
    Some(Plan {
        subject,
        contact_info,
        account_info,
        opportunities: permissions.opportunities,
        notes: permissions.notes,
        tasks: kind(permissions.activity_kinds.tasks),
        calls: kind(permissions.activity_kinds.calls),
        meetings: kind(permissions.activity_kinds.meetings),
        levels: Levels {
            info,
            opportunities: permissions.opportunities,
            notes: permissions.notes,
            activities,
        },
    })
}

#[cfg(test)]
mod tests {
    use sfdesk_shared::permissions::ActivityKinds;

    use super::*;

    fn perms(edit: impl FnOnce(&mut RolePermissions)) -> RolePermissions {
        let mut p = RolePermissions::default();
        edit(&mut p);
        p
    }

    #[test]
    fn defaults_show_the_contact_and_its_account() {
        let p = plan(&RolePermissions::default(), Page::Contact).expect("visible");
        assert_eq!(p.subject, Subject::Contact);
        assert_eq!(p.contact_info, Access::Full);
        assert_eq!(p.account_info, Access::Full);
        assert_eq!(
            [p.opportunities, p.notes, p.tasks, p.calls, p.meetings],
            [Access::Full; 5]
        );
        let p = plan(&RolePermissions::default(), Page::Account).expect("visible");
        assert_eq!(p.subject, Subject::Account);
        assert_eq!(p.contact_info, Access::None);
    }

    #[test]
    fn hidden_cases() {
        assert!(plan(&perms(|p| p.visible = false), Page::Contact).is_none());
        assert!(plan(&perms(|p| p.visible = false), Page::Account).is_none());
        let neither = perms(|p| {
            p.contacts = false;
            p.accounts = false;
        });
        assert!(plan(&neither, Page::Contact).is_none());
        assert!(plan(&neither, Page::Account).is_none());
        assert!(plan(&perms(|p| p.accounts = false), Page::Account).is_none());
    }

    #[test]
    fn accounts_only_on_contact_pages_shows_the_account() {
        let p = plan(&perms(|p| p.contacts = false), Page::Contact).expect("visible");
        assert_eq!(p.subject, Subject::AccountOfContact);
        assert_eq!(p.contact_info, Access::None);
        assert_eq!(p.account_info, Access::Full);
        // Contacts off still allows account pages.
        let p = plan(&perms(|p| p.contacts = false), Page::Account).expect("visible");
        assert_eq!(p.subject, Subject::Account);
    }

    #[test]
    fn levels_and_activity_kinds() {
        let p = plan(
            &perms(|p| {
                p.accounts = false;
                p.info = Access::Limited;
                p.opportunities = Access::None;
                p.activities = Access::Limited;
                p.activity_kinds = ActivityKinds {
                    tasks: true,
                    calls: false,
                    meetings: true,
                };
            }),
            Page::Contact,
        )
        .expect("visible");
        assert_eq!(p.contact_info, Access::Limited);
        assert_eq!(p.account_info, Access::None);
        assert_eq!(p.opportunities, Access::None);
        assert_eq!(p.tasks, Access::Limited);
        assert_eq!(p.calls, Access::None);
        assert_eq!(p.meetings, Access::Limited);
        assert_eq!(p.levels.activities, Access::Limited);
        let off = plan(&perms(|p| p.activities = Access::None), Page::Contact).expect("visible");
        assert_eq!([off.tasks, off.calls, off.meetings], [Access::None; 3]);
    }
}

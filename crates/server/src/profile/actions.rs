//! The sidebar's two actions, each allowed by a flag of the agent's role:
//!
//! - create (`create_in_salesforce`): the Salesforce Contact from the Desk contact (FirstName,
//!   LastName — the email's local part when Desk has none —, Email, Phone, MobilePhone), or the
//!   Account from the Desk account (Name, Website, Phone). Refused with `409` when a record
//!   already matches (the sync link, else the email or exact name).
//! - log-ticket (`log_ticket_as_task`): a completed Task on the requester's Contact (created
//!   first when none matches and the role may create), subject `Desk ticket #<number>:
//!   <subject>`, dated today, the ticket's subject and status in its description.
//!
//! Both drop the cached views they change: every view showing the touched records, and the
//! "not found" views of the installation (a new record may be what they were missing).

use futures_util::StreamExt as _;
use serde_json::{Map, Value, json};
use sfdesk_shared::profile::{ActionRequest, ActionResult, ProfileTarget};

use crate::api::error::AppError;
use crate::desk::DeskApi;
use crate::desk::wire::{Contact, DeskId, Ticket};
use crate::salesforce::soql::string_literal;
use crate::salesforce::write::check_id;
use crate::salesforce::{HttpSalesforce, QueryMode, QueryOptions, SalesforceApi};
use crate::session::SessionClaims;

use super::cache::InstallationContext;
use super::errors;
use super::links::RecordLinks;
use super::query::Lookup;
use super::resolve;
use super::service::ProfileService;

/// Longest Task subject Salesforce accepts.
const SUBJECT_MAX: usize = 255;

/// A Desk person, from a contact or a ticket's embedded requester.
#[derive(Debug, Clone, Default)]
struct Person {
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    mobile: Option<String>,
}

impl From<Contact> for Person {
    fn from(c: Contact) -> Self {
        Self {
            first_name: c.first_name,
            last_name: c.last_name,
            email: c.email,
            phone: c.phone,
            mobile: c.mobile,
        }
    }
}

/// The one Desk record an action names.
pub(crate) fn action_target(request: &ActionRequest) -> Result<ProfileTarget, AppError> {
    let given: Vec<ProfileTarget> = [
        request.ticket_id.clone().map(ProfileTarget::TicketId),
        request
            .desk_contact_id
            .clone()
            .map(ProfileTarget::DeskContactId),
        request
            .desk_account_id
            .clone()
            .map(ProfileTarget::DeskAccountId),
    ]
    .into_iter()
    .flatten()
    .collect();
    match <[ProfileTarget; 1]>::try_from(given) {
        Ok([target]) => {
            check_desk_id(target.param(), target.id())?;
            Ok(target)
        }
        Err(_) => Err(AppError::BadRequest(
            "give exactly one of ticket_id, desk_contact_id, desk_account_id".into(),
        )),
    }
}

/// Desk ids are 1–19 ASCII digits.
pub(crate) fn check_desk_id(param: &str, id: &str) -> Result<(), AppError> {
    if (1..=19).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(AppError::BadRequest(format!(
            "{param} must be a Zoho Desk id (1 to 19 digits)"
        )))
    }
}

fn put(fields: &mut Map<String, Value>, name: &str, value: Option<&str>) {
    if let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) {
        fields.insert(name.to_owned(), json!(value));
    }
}

/// The first record of `soql`, if any.
async fn first(
    salesforce: &HttpSalesforce,
    soql: &str,
) -> Result<Option<Map<String, Value>>, AppError> {
    let options = QueryOptions {
        include_deleted: false,
        mode: QueryMode::Rest,
    };
    salesforce
        .query(soql, options)
        .next()
        .await
        .transpose()
        .map_err(errors::salesforce)
}

/// The id of the Salesforce record `lookup` finds (and its account, for contacts).
async fn existing(
    salesforce: &HttpSalesforce,
    lookup: &Lookup,
) -> Result<Option<(String, Option<String>)>, AppError> {
    let bad_link = |e| errors::salesforce(e);
    let soql = match lookup {
        Lookup::ContactId(id) => format!(
            "SELECT Id, AccountId FROM Contact WHERE Id = {}",
            string_literal(check_id(id).map_err(bad_link)?)
        ),
        Lookup::ContactEmail(email) => format!(
            "SELECT Id, AccountId FROM Contact WHERE Email = {} ORDER BY LastModifiedDate DESC LIMIT 1",
            string_literal(email)
        ),
        Lookup::AccountId(id) => format!(
            "SELECT Id FROM Account WHERE Id = {}",
            string_literal(check_id(id).map_err(bad_link)?)
        ),
        Lookup::AccountName(name) => format!(
            "SELECT Id FROM Account WHERE Name = {} ORDER BY LastModifiedDate DESC LIMIT 1",
            string_literal(name)
        ),
    };
    Ok(first(salesforce, &soql).await?.and_then(|record| {
        let text = |k: &str| record.get(k).and_then(Value::as_str).map(str::to_owned);
        text("Id").map(|id| (id, text("AccountId")))
    }))
}

/// What the action was about, in words.
fn describe(lookup: &Lookup) -> String {
    match lookup.looked_up() {
        Some(value) => format!("{value:?}"),
        None => "the linked record".to_owned(),
    }
}

impl ProfileService {
    /// `POST /api/v1/profile/actions/create`.
    ///
    /// # Errors
    /// `403` without `create_in_salesforce`, `409` when a record already matches, `404` for
    /// an unknown Desk record, `502`/`503` for remote failures.
    pub async fn create(
        &self,
        claims: &SessionClaims,
        request: &ActionRequest,
    ) -> Result<ActionResult, AppError> {
        let target = action_target(request)?;
        let context = self.active_installation(claims.installation_id).await?;
        let permissions = self
            .permissions(claims.installation_id, &claims.role_id)
            .await?;
        if !permissions.visible || !permissions.create_in_salesforce {
            return Err(AppError::Forbidden(
                "your Desk role may not create records in Salesforce".into(),
            ));
        }
        let salesforce = self.salesforce(&context)?;
        let (object, id, touched) = match &target {
            ProfileTarget::DeskAccountId(id) => {
                let id = self
                    .create_account(&context, &salesforce, &target, id)
                    .await?;
                ("Account", id.clone(), vec![id])
            }
            ProfileTarget::TicketId(_) | ProfileTarget::DeskContactId(_) => {
                let person = self.person(&context, &target).await?;
                if let Some(lookup) = self.lookup(&context, &target, true).await?
                    && let Some((found, _)) = existing(&salesforce, &lookup).await?
                {
                    return Err(AppError::Conflict(format!(
                        "a Salesforce Contact already matches {} ({found})",
                        describe(&lookup)
                    )));
                }
                let id = create_contact(&salesforce, &person).await?;
                ("Contact", id.clone(), vec![id])
            }
        };
        self.after_write(&context, &target, &touched);
        Ok(ActionResult {
            object: object.to_owned(),
            url: RecordLinks::new(&salesforce.settings().instance_url).record(object, &id),
            id,
        })
    }

    /// `POST /api/v1/profile/actions/log-ticket`.
    ///
    /// # Errors
    /// `403` without `log_ticket_as_task`, `422` when no contact matches and the role may not
    /// create one, `404` for an unknown ticket, `502`/`503` for remote failures.
    pub async fn log_ticket(
        &self,
        claims: &SessionClaims,
        request: &ActionRequest,
    ) -> Result<ActionResult, AppError> {
        let target = action_target(request)?;
        let ProfileTarget::TicketId(ticket_id) = &target else {
            return Err(AppError::BadRequest(
                "log-ticket takes a ticket_id only".into(),
            ));
        };
        let context = self.active_installation(claims.installation_id).await?;
        let permissions = self
            .permissions(claims.installation_id, &claims.role_id)
            .await?;
        if !permissions.visible || !permissions.log_ticket_as_task {
            return Err(AppError::Forbidden(
                "your Desk role may not log tickets in Salesforce".into(),
            ));
        }
        let desk = self
            .connections
            .desk(&context.installation)
            .map_err(errors::connection)?;
        let ticket = resolve::ticket(desk.as_ref(), ticket_id).await?;
        let salesforce = self.salesforce(&context)?;
        let lookup = self.lookup(&context, &target, true).await?;
        let found = match &lookup {
            Some(lookup) => existing(&salesforce, lookup).await?,
            None => None,
        };
        let mut touched = Vec::new();
        let contact_id = match found {
            Some((id, account)) => {
                touched.extend(account);
                id
            }
            None if permissions.create_in_salesforce => {
                let person = person_of_ticket(desk.as_ref(), &ticket).await?;
                create_contact(&salesforce, &person).await?
            }
            None => {
                return Err(AppError::Unprocessable(format!(
                    "no Salesforce Contact matches {}, and your Desk role may not create one",
                    lookup.as_ref().map_or("the requester".to_owned(), describe)
                )));
            }
        };
        touched.push(contact_id.clone());
        let id = salesforce
            .create_record("Task", &task_fields(&ticket, &contact_id))
            .await
            .map_err(errors::salesforce)?;
        touched.push(id.clone());
        self.after_write(&context, &target, &touched);
        Ok(ActionResult {
            object: "Task".to_owned(),
            url: RecordLinks::new(&salesforce.settings().instance_url).record("Task", &id),
            id,
        })
    }

    /// The Desk person behind a ticket or Desk contact.
    async fn person(
        &self,
        context: &InstallationContext,
        target: &ProfileTarget,
    ) -> Result<Person, AppError> {
        let desk = self
            .connections
            .desk(&context.installation)
            .map_err(errors::connection)?;
        match target {
            ProfileTarget::TicketId(id) => {
                let ticket = resolve::ticket(desk.as_ref(), id).await?;
                person_of_ticket(desk.as_ref(), &ticket).await
            }
            ProfileTarget::DeskContactId(id) => contact(desk.as_ref(), id).await,
            ProfileTarget::DeskAccountId(_) => {
                Err(AppError::BadRequest("an account is not a person".into()))
            }
        }
    }

    async fn create_account(
        &self,
        context: &InstallationContext,
        salesforce: &HttpSalesforce,
        target: &ProfileTarget,
        desk_id: &str,
    ) -> Result<String, AppError> {
        let desk = self
            .connections
            .desk(&context.installation)
            .map_err(errors::connection)?;
        let account = desk
            .account(&DeskId::from(desk_id))
            .await
            .map_err(|e| match e {
                crate::desk::Error::NotFound { .. } => {
                    AppError::NotFound(format!("no account {desk_id} in this Desk org"))
                }
                other => errors::desk(other),
            })?;
        let Some(name) = account
            .account_name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        else {
            return Err(AppError::Unprocessable(
                "the Desk account has no name, which Salesforce requires".into(),
            ));
        };
        if let Some(lookup) = self.lookup(context, target, true).await?
            && let Some((found, _)) = existing(salesforce, &lookup).await?
        {
            return Err(AppError::Conflict(format!(
                "a Salesforce Account already matches {} ({found})",
                describe(&lookup)
            )));
        }
        let mut fields = Map::new();
        put(&mut fields, "Name", Some(name));
        put(&mut fields, "Website", account.website.as_deref());
        put(&mut fields, "Phone", account.phone.as_deref());
        salesforce
            .create_record("Account", &fields)
            .await
            .map_err(errors::salesforce)
    }

    /// Drops what a write changed: views showing `ids`, the target's views, "not found" views.
    fn after_write(&self, context: &InstallationContext, target: &ProfileTarget, ids: &[String]) {
        let installation = context.installation.id;
        self.caches.invalidate_records(installation, ids);
        self.caches.invalidate_target(installation, target);
        self.caches.invalidate_without_records(installation);
    }
}

async fn contact(desk: &dyn DeskApi, id: &str) -> Result<Person, AppError> {
    desk.contact(&DeskId::from(id))
        .await
        .map(Person::from)
        .map_err(|e| match e {
            crate::desk::Error::NotFound { .. } => {
                AppError::NotFound(format!("no contact {id} in this Desk org"))
            }
            other => errors::desk(other),
        })
}

/// The ticket's requester: the Desk contact, else what the ticket itself carries.
async fn person_of_ticket(desk: &dyn DeskApi, ticket: &Ticket) -> Result<Person, AppError> {
    if let Some(embedded) = &ticket.contact {
        return Ok(Person {
            first_name: embedded.first_name.clone(),
            last_name: embedded.last_name.clone(),
            email: embedded.email.clone().or_else(|| ticket.email.clone()),
            phone: embedded.phone.clone().or_else(|| ticket.phone.clone()),
            mobile: embedded.mobile.clone(),
        });
    }
    match &ticket.contact_id {
        Some(id) => contact(desk, id.as_str()).await,
        None => Ok(Person {
            email: ticket.email.clone(),
            phone: ticket.phone.clone(),
            ..Person::default()
        }),
    }
}

/// Creates the Contact of `person`.
async fn create_contact(salesforce: &HttpSalesforce, person: &Person) -> Result<String, AppError> {
    let last_name = person
        .last_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .or_else(|| {
            person
                .email
                .as_deref()
                .and_then(|e| e.split('@').next())
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned)
        })
        .ok_or_else(|| {
            AppError::Unprocessable(
                "the Desk contact has neither a last name nor an email; Salesforce needs a last name"
                    .into(),
            )
        })?;
    let mut fields = Map::new();
    put(&mut fields, "FirstName", person.first_name.as_deref());
    put(&mut fields, "LastName", Some(&last_name));
    put(&mut fields, "Email", person.email.as_deref());
    put(&mut fields, "Phone", person.phone.as_deref());
    put(&mut fields, "MobilePhone", person.mobile.as_deref());
    salesforce
        .create_record("Contact", &fields)
        .await
        .map_err(errors::salesforce)
}

/// The completed Task of a ticket.
fn task_fields(ticket: &Ticket, contact_id: &str) -> Map<String, Value> {
    let number = ticket
        .ticket_number
        .clone()
        .unwrap_or_else(|| ticket.id.to_string());
    let subject = ticket.subject.clone().unwrap_or_default();
    let title: String = format!("Desk ticket #{number}: {subject}")
        .chars()
        .take(SUBJECT_MAX)
        .collect();
    let mut description = format!(
        "Zoho Desk ticket #{number}\nSubject: {subject}\nStatus: {}",
        ticket.status.as_deref().unwrap_or("unknown")
    );
    if let Some(url) = &ticket.web_url {
        description.push_str(&format!("\n{url}"));
    }
    let mut fields = Map::new();
    fields.insert("Subject".into(), json!(title));
    fields.insert("WhoId".into(), json!(contact_id));
    fields.insert("Status".into(), json!("Completed"));
    fields.insert("TaskSubtype".into(), json!("Task"));
    fields.insert(
        "ActivityDate".into(),
        json!(
            chrono::Utc::now()
                .date_naive()
                .format("%Y-%m-%d")
                .to_string()
        ),
    );
    fields.insert("Description".into(), json!(description));
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_valid_target() {
        let req = |t: Option<&str>, c: Option<&str>, a: Option<&str>| ActionRequest {
            ticket_id: t.map(String::from),
            desk_contact_id: c.map(String::from),
            desk_account_id: a.map(String::from),
        };
        assert!(matches!(
            action_target(&req(Some("123"), None, None)),
            Ok(ProfileTarget::TicketId(_))
        ));
        assert!(action_target(&req(None, None, None)).is_err());
        assert!(action_target(&req(Some("1"), Some("2"), None)).is_err());
        for bad in ["", "12a", "12345678901234567890", "1 OR 1", "١٢"] {
            let err = action_target(&req(None, Some(bad), None)).expect_err(bad);
            assert!(err.to_string().contains("desk_contact_id"), "{err}");
        }
        assert!(action_target(&req(None, None, Some("1234567890123456789"))).is_ok());
    }

    #[test]
    fn task_of_a_ticket() {
        let ticket: Ticket = serde_json::from_value(json!({
            "id": "99", "ticketNumber": "101", "subject": "Printer on fire", "status": "Open"
        }))
        .expect("ticket");
        let fields = task_fields(&ticket, "003000000000001AAA");
        assert_eq!(fields["Subject"], "Desk ticket #101: Printer on fire");
        assert_eq!(fields["Status"], "Completed");
        assert_eq!(fields["WhoId"], "003000000000001AAA");
        let description = fields["Description"].as_str().expect("text");
        assert!(description.contains("Printer on fire") && description.contains("Open"));
        let long: Ticket =
            serde_json::from_value(json!({"id": "1", "subject": "x".repeat(400)})).expect("ticket");
        let subject = task_fields(&long, "003")
            .remove("Subject")
            .expect("subject");
        assert_eq!(subject.as_str().expect("text").chars().count(), SUBJECT_MAX);
    }
}

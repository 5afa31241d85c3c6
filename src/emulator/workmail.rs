//! The Amazon WorkMail behaviour model: one organisation, its users, aliases and registered mail domain.

use serde_json::{Map, Value, json};

use super::Behaviour;
use super::faults::{Fault, FaultSet};
use super::wire::{ApiError, Success};
use crate::model::Service;

/// The date every seeded user was enabled and got a mailbox (epoch seconds: 2023-11-14T22:13:20Z).
pub const SEEDED_ENABLED_DATE: i64 = 1_700_000_000;
/// The user name of the `workmail.EntityId` user; its primary email is `mary.major@<workmail.MailDomain>`.
pub const ENTITY_NAME: &str = "mary.major";
/// The user name of the `workmail.OtherEntityId` user; its primary email is `john.doe@<workmail.MailDomain>`.
pub const OTHER_ENTITY_NAME: &str = "john.doe";

#[derive(Debug, Clone)]
struct Entity {
    id: String,
    name: String,
    display_name: String,
    first_name: String,
    last_name: String,
    email: String,
    aliases: Vec<String>,
}

/// State of the WorkMail service.
#[derive(Debug, Clone)]
pub(crate) struct WorkMailModel {
    organization_id: String,
    domains: Vec<String>,
    entities: Vec<Entity>,
}

fn text(input: &Map<String, Value>, key: &str) -> String {
    match input.get(key) {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => String::new(),
        Some(other) => other.to_string(),
    }
}

fn user(id: &str, name: &str, first: &str, last: &str, domain: &str) -> Entity {
    Entity {
        id: id.to_string(),
        name: name.to_string(),
        display_name: format!("{first} {last}"),
        first_name: first.to_string(),
        last_name: last.to_string(),
        email: format!("{name}@{domain}"),
        aliases: Vec::new(),
    }
}

impl WorkMailModel {
    pub(crate) fn new(
        organization_id: &str,
        entity_id: &str,
        other_entity_id: &str,
        domain: &str,
    ) -> Self {
        WorkMailModel {
            organization_id: organization_id.to_string(),
            domains: vec![domain.to_ascii_lowercase()],
            entities: vec![
                user(entity_id, ENTITY_NAME, "Mary", "Major", domain),
                user(other_entity_id, OTHER_ENTITY_NAME, "John", "Doe", domain),
            ],
        }
    }

    /// Runs one operation; `None` for an operation the model does not know.
    fn dispatch(
        &mut self,
        service: &Service,
        operation: &str,
        input: &Map<String, Value>,
        faults: &FaultSet,
    ) -> Option<Result<Success, ApiError>> {
        let result = match operation {
            "UpdatePrimaryEmailAddress" => self.update_primary(service, input, faults),
            "DescribeUser" => self.describe_user(service, input, faults),
            "ListAliases" => self.list_aliases(service, input, faults),
            _ => return None,
        };
        Some(result)
    }

    fn check_organization(
        &self,
        service: &Service,
        input: &Map<String, Value>,
        faults: &FaultSet,
    ) -> Result<(), ApiError> {
        let id = text(input, "OrganizationId");
        if id == self.organization_id || faults.has(Fault::OrganizationNotChecked) {
            return Ok(());
        }
        Err(ApiError::modelled(
            service,
            "OrganizationNotFoundException",
            format!("Organization {id} does not exist."),
        ))
    }

    /// The entity named by an id, a user name or an email address (primary or alias; names and addresses
    /// compared ignoring ASCII case).
    fn find(&self, key: &str, faults: &FaultSet) -> Option<usize> {
        self.entities.iter().position(|e| {
            e.id == key
                || (!faults.has(Fault::EntityByIdOnly)
                    && (e.name.eq_ignore_ascii_case(key)
                        || e.email.eq_ignore_ascii_case(key)
                        || e.aliases.iter().any(|a| a.eq_ignore_ascii_case(key))))
        })
    }

    fn entity(&self, service: &Service, key: &str, faults: &FaultSet) -> Result<usize, ApiError> {
        self.find(key, faults).ok_or_else(|| {
            ApiError::modelled(
                service,
                "EntityNotFoundException",
                format!("Entity {key} does not exist in this organization."),
            )
        })
    }

    fn update_primary(
        &mut self,
        service: &Service,
        input: &Map<String, Value>,
        faults: &FaultSet,
    ) -> Result<Success, ApiError> {
        self.check_organization(service, input, faults)?;
        let index = self.entity(service, &text(input, "EntityId"), faults)?;
        let email = text(input, "Email");
        let domain = email.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase());
        let registered = domain.as_ref().is_some_and(|d| self.domains.contains(d));
        if !registered && !faults.has(Fault::MailDomainNotChecked) {
            return Err(ApiError::modelled(
                service,
                "MailDomainNotFoundException",
                format!(
                    "The domain {} is not registered to this organization.",
                    domain.unwrap_or_default()
                ),
            ));
        }
        let same = |a: &str, b: &str| {
            if faults.has(Fault::EmailCaseSensitive) {
                a == b
            } else {
                a.eq_ignore_ascii_case(b)
            }
        };
        let held_by_other = self.entities.iter().enumerate().any(|(i, e)| {
            i != index && (same(&e.email, &email) || e.aliases.iter().any(|a| same(a, &email)))
        });
        if held_by_other && !faults.has(Fault::EmailInUseNotEnforced) {
            return Err(ApiError::modelled(
                service,
                "EmailAddressInUseException",
                format!("The email address {email} is already in use."),
            ));
        }
        if faults.has(Fault::EntityChangeLeaks) {
            for (i, other) in self.entities.iter_mut().enumerate() {
                if i != index {
                    other.email = email.clone();
                }
            }
        }
        let entity = &mut self.entities[index];
        if !entity.email.eq_ignore_ascii_case(&email) {
            // The new primary leaves the aliases (a swap when it was one); the old primary joins them.
            entity.aliases.retain(|a| !a.eq_ignore_ascii_case(&email));
            let old = std::mem::replace(&mut entity.email, email);
            if !faults.has(Fault::OldPrimaryDropped) {
                entity.aliases.push(old);
            }
        }
        Ok(Success::Json(Map::new()))
    }

    fn describe_user(
        &mut self,
        service: &Service,
        input: &Map<String, Value>,
        faults: &FaultSet,
    ) -> Result<Success, ApiError> {
        self.check_organization(service, input, faults)?;
        let e = &self.entities[self.entity(service, &text(input, "UserId"), faults)?];
        Ok(Success::Json(object(json!({
            "UserId": e.id,
            "Name": e.name,
            "Email": e.email,
            "DisplayName": e.display_name,
            "State": "ENABLED",
            "UserRole": "USER",
            "EnabledDate": SEEDED_ENABLED_DATE,
            "MailboxProvisionedDate": SEEDED_ENABLED_DATE,
            "FirstName": e.first_name,
            "LastName": e.last_name,
            "HiddenFromGlobalAddressList": false,
        }))))
    }

    fn list_aliases(
        &mut self,
        service: &Service,
        input: &Map<String, Value>,
        faults: &FaultSet,
    ) -> Result<Success, ApiError> {
        self.check_organization(service, input, faults)?;
        let e = &self.entities[self.entity(service, &text(input, "EntityId"), faults)?];
        // NextToken is the index of the next alias, as text; MaxResults defaults to 100.
        let start: usize = text(input, "NextToken").parse().unwrap_or(0);
        let max = input
            .get("MaxResults")
            .and_then(Value::as_u64)
            .map_or(100, |m| m.clamp(1, 100) as usize);
        let page: Vec<Value> = e
            .aliases
            .iter()
            .skip(start)
            .take(max)
            .map(|a| Value::String(a.clone()))
            .collect();
        let mut output = Map::new();
        let next = start + page.len();
        output.insert("Aliases".into(), Value::Array(page));
        if next < e.aliases.len() {
            output.insert("NextToken".into(), Value::String(next.to_string()));
        }
        Ok(Success::Json(output))
    }
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

impl Behaviour for WorkMailModel {
    fn service(&self) -> &'static str {
        "workmail"
    }

    fn call(
        &mut self,
        service: &Service,
        operation: &str,
        input: &Map<String, Value>,
        faults: &FaultSet,
    ) -> Option<Result<Success, ApiError>> {
        self.dispatch(service, operation, input, faults)
    }
}

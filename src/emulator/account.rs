//! The AWS Account behaviour model: alternate contacts per (account, type) and the primary-email update flow.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::Behaviour;
use super::faults::{Fault, FaultSet};
use super::wire::{ApiError, Success};
use crate::model::Service;

/// The caller's own (management) account, used when a request has no AccountId.
pub const CALLER_ACCOUNT_ID: &str = "111122223333";
/// The primary email of the caller's own account; StartPrimaryEmailUpdate to it is a ConflictException.
pub const CALLER_PRIMARY_EMAIL: &str = "management-account@example.com";
/// The primary email the member account has until an update is accepted.
pub const MEMBER_PRIMARY_EMAIL: &str = "member-account@example.com";

/// State of the Account service.
#[derive(Debug, Clone)]
pub(crate) struct AccountModel {
    member_account_id: String,
    otp: String,
    /// (account, contact type) → the contact as stored (the Put input's contact members).
    contacts: HashMap<(String, String), Map<String, Value>>,
    primary_emails: HashMap<String, String>,
    /// account → the address StartPrimaryEmailUpdate is waiting to have confirmed.
    pending: HashMap<String, String>,
    /// account → the status of its most recent primary-email update, and the address an accepted one moves to.
    /// AWS may complete an accepted update later (the model has COMPLETED): here the first two reads after Accept
    /// still show it ACCEPTED with the old address, the third COMPLETED with the new, so that a client must poll.
    updates: HashMap<String, Update>,
}

/// The most recent primary-email update of an account.
#[derive(Debug, Clone)]
struct Update {
    status: &'static str,
    email: String,
    /// Reads still to answer before an accepted update completes.
    reads_before_completion: u32,
}

fn text(input: &Map<String, Value>, key: &str) -> String {
    match input.get(key) {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => String::new(),
        Some(other) => other.to_string(),
    }
}

impl AccountModel {
    pub(crate) fn new(member_account_id: &str, otp: &str) -> Self {
        let primary_emails = HashMap::from([
            (
                CALLER_ACCOUNT_ID.to_string(),
                CALLER_PRIMARY_EMAIL.to_string(),
            ),
            (
                member_account_id.to_string(),
                MEMBER_PRIMARY_EMAIL.to_string(),
            ),
        ]);
        AccountModel {
            member_account_id: member_account_id.to_string(),
            otp: otp.to_string(),
            contacts: HashMap::new(),
            primary_emails,
            pending: HashMap::new(),
            updates: HashMap::new(),
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
            "PutAlternateContact" => self.put(service, input, faults),
            "GetAlternateContact" => self.get(service, input, faults),
            "DeleteAlternateContact" => self.delete(service, input, faults),
            "StartPrimaryEmailUpdate" => self.start(service, input, faults),
            "AcceptPrimaryEmailUpdate" => self.accept(service, input, faults),
            "GetPrimaryEmail" => self.get_primary(service, input, faults),
            "GetPrimaryEmailUpdateStatus" => self.get_update_status(service, input, faults),
            _ => return None,
        };
        Some(result)
    }

    /// The account a request acts on: its own when AccountId is absent, the member account, else AccessDenied.
    fn account(
        &self,
        service: &Service,
        input: &Map<String, Value>,
        operation: &str,
        faults: &FaultSet,
    ) -> Result<String, ApiError> {
        let id = text(input, "AccountId");
        if id.is_empty() {
            return Ok(CALLER_ACCOUNT_ID.to_string());
        }
        if id == self.member_account_id || faults.has(Fault::UnknownAccountAllowed) {
            return Ok(id);
        }
        Err(ApiError::modelled(
            service,
            "AccessDeniedException",
            format!(
                "User: arn:aws:iam::{CALLER_ACCOUNT_ID}:root is not authorized to perform: account:{operation} on account {id}: the account is not a member of your organization, or is your own management account"
            ),
        ))
    }

    fn contact_type(input: &Map<String, Value>, faults: &FaultSet) -> String {
        let given = text(input, "AlternateContactType");
        if faults.has(Fault::EnumCaseInsensitive) {
            given.to_ascii_uppercase()
        } else {
            given
        }
    }

    /// Where a contact is stored: per account and type, unless a fault merges them.
    fn contact_key(account: String, kind: String, faults: &FaultSet) -> (String, String) {
        match (
            faults.has(Fault::ContactTypesShared),
            faults.has(Fault::MemberContactsShared),
        ) {
            (true, true) => (String::new(), String::new()),
            (true, false) => (account, String::new()),
            (false, true) => (String::new(), kind),
            (false, false) => (account, kind),
        }
    }

    fn not_found(service: &Service) -> ApiError {
        ApiError::modelled(
            service,
            "ResourceNotFoundException",
            "No contact of the inputted alternate contact type found.",
        )
    }

    fn put(
        &mut self,
        service: &Service,
        input: &Map<String, Value>,
        faults: &FaultSet,
    ) -> Result<Success, ApiError> {
        let account = self.account(service, input, "PutAlternateContact", faults)?;
        let kind = Self::contact_type(input, faults);
        let mut contact = Map::new();
        for key in ["Name", "Title", "EmailAddress", "PhoneNumber"] {
            contact.insert(key.into(), Value::String(text(input, key)));
        }
        contact.insert("AlternateContactType".into(), Value::String(kind.clone()));
        if !faults.has(Fault::PutNotStored) {
            self.contacts
                .insert(Self::contact_key(account, kind, faults), contact);
        }
        Ok(Success::Empty)
    }

    fn get(
        &mut self,
        service: &Service,
        input: &Map<String, Value>,
        faults: &FaultSet,
    ) -> Result<Success, ApiError> {
        let account = self.account(service, input, "GetAlternateContact", faults)?;
        let kind = Self::contact_type(input, faults);
        match self
            .contacts
            .get(&Self::contact_key(account, kind.clone(), faults))
        {
            Some(contact) => {
                let mut contact = contact.clone();
                // A merged store still answers with the type asked for, as a careless emulator would.
                contact.insert("AlternateContactType".into(), Value::String(kind));
                let mut output = Map::new();
                output.insert("AlternateContact".into(), Value::Object(contact));
                Ok(Success::Json(output))
            }
            None if faults.has(Fault::GetMissingEmpty) => Ok(Success::Json(Map::new())),
            None => Err(Self::not_found(service)),
        }
    }

    fn delete(
        &mut self,
        service: &Service,
        input: &Map<String, Value>,
        faults: &FaultSet,
    ) -> Result<Success, ApiError> {
        let account = self.account(service, input, "DeleteAlternateContact", faults)?;
        let key = Self::contact_key(account, Self::contact_type(input, faults), faults);
        if !self.contacts.contains_key(&key) {
            return if faults.has(Fault::DeleteMissingOk) {
                Ok(Success::Empty)
            } else {
                Err(Self::not_found(service))
            };
        }
        if !faults.has(Fault::DeleteNotDeleted) {
            self.contacts.remove(&key);
        }
        Ok(Success::Empty)
    }

    fn primary(&self, account: &str) -> String {
        self.primary_emails
            .get(account)
            .cloned()
            .unwrap_or_else(|| format!("{account}@example.com"))
    }

    fn start(
        &mut self,
        service: &Service,
        input: &Map<String, Value>,
        faults: &FaultSet,
    ) -> Result<Success, ApiError> {
        let account = self.account(service, input, "StartPrimaryEmailUpdate", faults)?;
        let email = text(input, "PrimaryEmail");
        let taken = self
            .primary_emails
            .iter()
            .any(|(other, held)| *other != account && held.eq_ignore_ascii_case(&email));
        if taken {
            return Err(ApiError::modelled(
                service,
                "ConflictException",
                "The email address is already in use by another AWS account.",
            ));
        }
        // A new update supersedes an accepted one still under way: that one completes first.
        self.complete(&account, faults);
        self.pending.insert(account.clone(), email.clone());
        self.updates.insert(
            account,
            Update {
                status: "PENDING",
                email,
                reads_before_completion: 0,
            },
        );
        Ok(Success::Json(status("PENDING")))
    }

    fn accept(
        &mut self,
        service: &Service,
        input: &Map<String, Value>,
        faults: &FaultSet,
    ) -> Result<Success, ApiError> {
        let account = self.account(service, input, "AcceptPrimaryEmailUpdate", faults)?;
        let email = text(input, "PrimaryEmail");
        match self.pending.get(&account) {
            Some(pending) if pending.eq_ignore_ascii_case(&email) => {}
            _ => {
                return Err(ApiError::modelled(
                    service,
                    "ResourceNotFoundException",
                    "No pending primary email update was found for this account and email address.",
                ));
            }
        }
        if text(input, "Otp") != self.otp && !faults.has(Fault::OtpNotChecked) {
            return Err(ApiError::modelled(
                service,
                "AccessDeniedException",
                "The one-time password is not valid for this primary email update.",
            ));
        }
        let email = self.pending.remove(&account).unwrap_or(email);
        self.updates.insert(
            account,
            Update {
                status: "ACCEPTED",
                email,
                reads_before_completion: 2,
            },
        );
        Ok(Success::Json(status(
            if faults.has(Fault::AcceptStatusRenamed) {
                "ACCEPTED_PENDING_COMPLETION"
            } else {
                "ACCEPTED"
            },
        )))
    }

    /// A read of the account's primary email or update status: an accepted update completes at its third read.
    fn advance(&mut self, account: &str, faults: &FaultSet) {
        if let Some(update) = self.updates.get_mut(account)
            && update.status == "ACCEPTED"
        {
            if update.reads_before_completion > 0 {
                update.reads_before_completion -= 1;
            } else {
                self.complete(account, faults);
            }
        }
    }

    /// Completes an accepted update: the new address becomes the primary one.
    fn complete(&mut self, account: &str, faults: &FaultSet) {
        let Some(update) = self.updates.get_mut(account) else {
            return;
        };
        if update.status != "ACCEPTED" || faults.has(Fault::EmailUpdateNeverCompletes) {
            return;
        }
        update.status = "COMPLETED";
        if !faults.has(Fault::PrimaryEmailNotUpdated) {
            self.primary_emails
                .insert(account.to_string(), update.email.clone());
        }
    }

    fn get_update_status(
        &mut self,
        service: &Service,
        input: &Map<String, Value>,
        faults: &FaultSet,
    ) -> Result<Success, ApiError> {
        let account = self.account(service, input, "GetPrimaryEmailUpdateStatus", faults)?;
        self.advance(&account, faults);
        match self.updates.get(&account).map(|u| u.status) {
            Some(value) => Ok(Success::Json(status(value))),
            None => Err(ApiError::modelled(
                service,
                "ResourceNotFoundException",
                "No primary email update was found for this account.",
            )),
        }
    }

    fn get_primary(
        &mut self,
        service: &Service,
        input: &Map<String, Value>,
        faults: &FaultSet,
    ) -> Result<Success, ApiError> {
        let account = self.account(service, input, "GetPrimaryEmail", faults)?;
        self.advance(&account, faults);
        let mut output = Map::new();
        output.insert("PrimaryEmail".into(), Value::String(self.primary(&account)));
        Ok(Success::Json(output))
    }
}

fn status(value: &str) -> Map<String, Value> {
    match json!({ "Status": value }) {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

impl Behaviour for AccountModel {
    fn service(&self) -> &'static str {
        "account"
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

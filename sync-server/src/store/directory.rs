//! The directory: organisations, users and their sites, credentials (browser
//! sessions, API tokens, sync tickets), and which organisation and site each
//! document belongs to.
//!
//! Secrets are never stored: a credential is kept as the SHA-256 of its secret
//! (see `auth::secret`), so reading the database signs no one in. Passwords are
//! argon2id hashes made by `auth::password`.

use async_trait::async_trait;
use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::Role;

use super::{Site, StoreError};

/// A user to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub id: String,
    pub organisation: String,
    pub login: String,
    pub name: String,
    pub role: Role,
    /// argon2id, PHC string form.
    pub password_hash: String,
    /// The sites the user works at; `default_site` must be one of them.
    pub sites: Vec<String>,
    pub default_site: String,
}

/// A user as stored, with their sites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: String,
    pub organisation: String,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub default_site: String,
    /// In id order.
    pub sites: Vec<Site>,
}

/// Someone who works at a site, as others pick them (no credentials).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Colleague {
    pub id: String,
    pub login: String,
    pub name: String,
    pub role: Role,
}

/// What a credential is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    /// A browser's session cookie.
    Session,
    /// An API token for a tool (`Authorization: Bearer`).
    Token,
    /// A single-use sync ticket for a client that cannot set headers.
    Ticket,
}

impl CredentialKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::Session => "session",
            CredentialKind::Token => "token",
            CredentialKind::Ticket => "ticket",
        }
    }
}

/// A credential to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCredential {
    /// SHA-256 of the secret, lowercase hex.
    pub secret_sha256: String,
    pub user_id: String,
    pub kind: CredentialKind,
    /// What a person calls it (a token's purpose).
    pub label: String,
    pub created_ms: i64,
    /// `None`: valid until revoked.
    pub expires_ms: Option<i64>,
}

/// Where a document belongs and what it is, fixed on its first receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocAccess {
    pub organisation: String,
    pub site: String,
    /// The `kind` field on first receipt; `None` for a document that named none.
    pub kind: Option<String>,
}

/// The outcome of [`Directory::register_document`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    /// What is on record now: the new row, or the one already there.
    pub access: DocAccess,
    /// The document's reference number (INC-000001 and REQ-000001 are 1), if it has one.
    pub reference: Option<i64>,
    /// Whether this call created the row (and allocated the reference).
    pub created: bool,
}

/// Organisations, users, credentials and document ownership. One implementation
/// per database, beside its [`super::Store`].
#[async_trait]
pub trait Directory: Send + Sync + 'static {
    /// Adds an organisation. Fails if the id is taken.
    async fn add_organisation(&self, id: &str, name: &str) -> Result<(), StoreError>;

    /// Whether an organisation with this id exists.
    async fn organisation_exists(&self, id: &str) -> Result<bool, StoreError>;

    /// Adds a user and their sites in one transaction. Fails if the id or login is
    /// taken or a site does not exist.
    async fn add_user(&self, user: &NewUser) -> Result<(), StoreError>;

    /// The user who signs in as `login`.
    async fn user_by_login(&self, login: &str) -> Result<Option<UserRecord>, StoreError>;

    /// The user with this id.
    async fn user(&self, id: &str) -> Result<Option<UserRecord>, StoreError>;

    /// The people of `organisation` who work at `site`, by name: whom an audit
    /// team or a finding owner is picked from.
    async fn site_people(
        &self,
        organisation: &str,
        site: &str,
    ) -> Result<Vec<Colleague>, StoreError>;

    /// Stores a credential.
    async fn add_credential(&self, credential: &NewCredential) -> Result<(), StoreError>;

    /// The user a valid credential of `kind` belongs to. A ticket is single-use: it
    /// is deleted in the same statement that finds it.
    async fn credential_user(
        &self,
        secret_sha256: &str,
        kind: CredentialKind,
        now_ms: i64,
    ) -> Result<Option<String>, StoreError>;

    /// Deletes a credential (sign-out, token revocation). Deleting one that does not
    /// exist is not an error.
    async fn revoke_credential(&self, secret_sha256: &str) -> Result<(), StoreError>;

    /// Where `doc` belongs, if it was ever registered.
    async fn document_access(&self, doc: DocumentId) -> Result<Option<DocAccess>, StoreError>;

    /// The documents of `kind` registered at `site` of `organisation` (a site's
    /// service-levels documents), in id order.
    async fn documents_of_kind(
        &self,
        organisation: &str,
        site: &str,
        kind: &str,
    ) -> Result<Vec<DocumentId>, StoreError>;

    /// Records where `doc` belongs unless it already is, in one transaction; a new
    /// incident or service request gets the next reference number of its
    /// organisation (each kind counts on its own).
    async fn register_document(
        &self,
        doc: DocumentId,
        access: &DocAccess,
        created_by: &str,
        created_ms: i64,
    ) -> Result<Registered, StoreError>;
}

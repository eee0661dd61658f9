//! The command-line administration of the directory: organisations, sites, users
//! and API tokens, on the database the server would serve.
//!
//! ```text
//! fieldbook-sync-server org add acme "Acme Logistics"
//! fieldbook-sync-server site add --org acme north "North depot"
//! fieldbook-sync-server user add --org acme --login sam --name "Sam Reyes" --role technician --site north
//! fieldbook-sync-server token create --login sam --label "nightly export"
//! ```
//!
//! `user add` reads the password from standard input when it is not a terminal
//! (`--password-stdin` forces that), and otherwise makes one up and prints it.
//! `token create` prints the token once; only its SHA-256 is stored.

use std::io::{BufRead, IsTerminal};

use anyhow::{bail, Context};
use automerge::Automerge;
use fieldbook_core::doc::{catalog, Stamp};
use fieldbook_core::model::access::Role;
use fieldbook_sync_server::auth::{password, secret};
use fieldbook_sync_server::demo::random_document_id;
use fieldbook_sync_server::shipped;
use fieldbook_sync_server::store::{
    CredentialKind, Database, DocAccess, NewCredential, NewUser, Receipt, SERVER_USER,
};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Organisations (tenants).
    #[command(subcommand)]
    Org(OrgCommand),
    /// Sites of an organisation, each with the catalog of its records.
    #[command(subcommand)]
    Site(SiteCommand),
    /// People who sign in.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens for tools (`Authorization: Bearer …`).
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, clap::Subcommand)]
pub enum OrgCommand {
    /// Adds an organisation.
    Add { id: String, name: String },
}

#[derive(Debug, clap::Subcommand)]
pub enum SiteCommand {
    /// Adds a site to an organisation.
    Add {
        #[arg(long)]
        org: String,
        id: String,
        name: String,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Adds a user.
    Add {
        #[arg(long)]
        org: String,
        /// What they type to sign in.
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
        /// technician, auditor, manager or admin.
        #[arg(long)]
        role: Role,
        /// A site they work at; repeat for several. The first is their default.
        #[arg(long = "site", required = true)]
        sites: Vec<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Creates an API token for a user and prints it.
    Create {
        #[arg(long)]
        login: String,
        /// What the token is for.
        #[arg(long, default_value = "")]
        label: String,
    },
}

/// Runs one command; what it prints goes to standard output.
pub async fn run(command: Command, db: &Database, now_ms: i64) -> anyhow::Result<()> {
    match command {
        Command::Org(OrgCommand::Add { id, name }) => {
            db.directory
                .add_organisation(&id, &name)
                .await
                .with_context(|| format!("adding organisation {id}"))?;
            println!("organisation {id} added");
        }
        Command::Site(SiteCommand::Add { org, id, name }) => {
            add_site(db, &org, &id, &name, now_ms).await?;
            println!("site {id} added to {org}");
        }
        Command::User(UserCommand::Add {
            org,
            login,
            name,
            role,
            sites,
            password_stdin,
        }) => {
            let (password, made_up) = if password_stdin || !std::io::stdin().is_terminal() {
                let mut line = String::new();
                std::io::stdin()
                    .lock()
                    .read_line(&mut line)
                    .context("reading the password from standard input")?;
                (line.trim_end_matches(['\r', '\n']).to_owned(), false)
            } else {
                (secret::generate()[..16].to_owned(), true)
            };
            let password_hash = password::hash(&password)?;
            let user_id = format!("u-{}", &secret::digest(&secret::generate())[..16]);
            db.directory
                .add_user(&NewUser {
                    id: user_id.clone(),
                    organisation: org.clone(),
                    login: login.clone(),
                    name,
                    role,
                    password_hash,
                    default_site: sites[0].clone(),
                    sites,
                })
                .await
                .with_context(|| format!("adding user {login}"))?;
            println!("user {login} added ({role} of {org}, id {user_id})");
            if made_up {
                println!("password: {password}");
            }
        }
        Command::Token(TokenCommand::Create { login, label }) => {
            let Some(user) = db.directory.user_by_login(&login).await? else {
                bail!("there is no user {login}");
            };
            let token = secret::generate();
            db.directory
                .add_credential(&NewCredential {
                    secret_sha256: secret::digest(&token),
                    user_id: user.id,
                    kind: CredentialKind::Token,
                    label,
                    created_ms: now_ms,
                    expires_ms: None,
                })
                .await?;
            println!("{token}");
        }
    }
    Ok(())
}

/// Adds a site and its catalog, registered to the organisation, with the shipped
/// checklist templates written and listed.
async fn add_site(
    db: &Database,
    org: &str,
    id: &str,
    name: &str,
    now_ms: i64,
) -> anyhow::Result<()> {
    if !db.directory.organisation_exists(org).await? {
        bail!("there is no organisation {org}; add it with `org add`");
    }
    let stamp = Stamp::at(now_ms);
    let mut doc = Automerge::new();
    catalog::create(&mut doc, id, stamp).context("writing the catalog")?;
    let catalog_id = random_document_id();
    db.store
        .add_site(org, id, name, catalog_id)
        .await
        .with_context(|| format!("adding site {id}"))?;
    let access = DocAccess {
        organisation: org.to_owned(),
        site: id.to_owned(),
        kind: Some("catalog".to_owned()),
    };
    shipped::add_templates(
        db.store.as_ref(),
        db.directory.as_ref(),
        &access,
        &mut doc,
        stamp,
    )
    .await
    .context("writing the shipped checklist templates")?;
    db.directory
        .register_document(catalog_id, &access, SERVER_USER, now_ms)
        .await?;
    let receipt = Receipt {
        user_id: SERVER_USER.to_owned(),
        received_ms: now_ms,
        hashes: doc.get_changes(&[]).iter().map(|c| c.hash()).collect(),
    };
    db.store.append(catalog_id, &doc.save(), &receipt).await?;
    Ok(())
}

//! [`Directory`](super::Directory) for both databases, written once: the queries use
//! `$1`-style parameters and types (TEXT, 64-bit integers) that SQLite and PostgreSQL
//! read alike, so one body serves both pools.

/// Implements `Directory` for a store type with a `pool` field of either database.
macro_rules! impl_directory {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::Directory for $store {
            async fn add_organisation(
                &self,
                id: &str,
                name: &str,
            ) -> Result<(), $crate::store::StoreError> {
                sqlx::query("INSERT INTO organisations (id, name) VALUES ($1, $2)")
                    .bind(id)
                    .bind(name)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn organisation_exists(&self, id: &str) -> Result<bool, $crate::store::StoreError> {
                let found: Option<String> =
                    sqlx::query_scalar("SELECT id FROM organisations WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(found.is_some())
            }

            async fn add_user(
                &self,
                user: &$crate::store::NewUser,
            ) -> Result<(), $crate::store::StoreError> {
                let mut tx = self.pool.begin().await?;
                sqlx::query(
                    "INSERT INTO users (id, organisation, login, name, role, password_hash, default_site) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&user.id)
                .bind(&user.organisation)
                .bind(&user.login)
                .bind(&user.name)
                .bind(user.role.as_str())
                .bind(&user.password_hash)
                .bind(&user.default_site)
                .execute(&mut *tx)
                .await?;
                for site in &user.sites {
                    // Only sites of the user's own organisation.
                    let inserted = sqlx::query(
                        "INSERT INTO user_sites (user_id, site) \
                         SELECT $1, id FROM sites WHERE id = $2 AND organisation = $3",
                    )
                    .bind(&user.id)
                    .bind(site)
                    .bind(&user.organisation)
                    .execute(&mut *tx)
                    .await?;
                    if inserted.rows_affected() != 1 {
                        return Err($crate::store::StoreError::NoSuchSite {
                            organisation: user.organisation.clone(),
                            site: site.clone(),
                        });
                    }
                }
                if !user.sites.contains(&user.default_site) {
                    return Err($crate::store::StoreError::NoSuchSite {
                        organisation: user.organisation.clone(),
                        site: user.default_site.clone(),
                    });
                }
                tx.commit().await?;
                Ok(())
            }

            async fn user_by_login(
                &self,
                login: &str,
            ) -> Result<Option<$crate::store::UserRecord>, $crate::store::StoreError> {
                let id: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE login = $1")
                    .bind(login)
                    .fetch_optional(&self.pool)
                    .await?;
                match id {
                    Some(id) => $crate::store::Directory::user(self, &id).await,
                    None => Ok(None),
                }
            }

            async fn user(
                &self,
                id: &str,
            ) -> Result<Option<$crate::store::UserRecord>, $crate::store::StoreError> {
                use sqlx::Row;
                let Some(row) = sqlx::query(
                    "SELECT id, organisation, login, name, role, password_hash, default_site \
                     FROM users WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                else {
                    return Ok(None);
                };
                let role: String = row.try_get("role")?;
                let role = role
                    .parse()
                    .map_err(|e| $crate::store::StoreError::Corrupt(format!("user {id}: {e}")))?;
                let sites = sqlx::query(
                    "SELECT s.organisation, s.id, s.name, s.catalog FROM sites s \
                     JOIN user_sites u ON u.site = s.id WHERE u.user_id = $1 ORDER BY s.id",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map(|row| $crate::store::site_from_row(&row))
                .collect::<Result<Vec<_>, _>>()?;
                Ok(Some($crate::store::UserRecord {
                    id: row.try_get("id")?,
                    organisation: row.try_get("organisation")?,
                    login: row.try_get("login")?,
                    name: row.try_get("name")?,
                    role,
                    password_hash: row.try_get("password_hash")?,
                    default_site: row.try_get("default_site")?,
                    sites,
                }))
            }

            async fn site_people(
                &self,
                organisation: &str,
                site: &str,
            ) -> Result<Vec<$crate::store::Colleague>, $crate::store::StoreError> {
                use sqlx::Row;
                sqlx::query(
                    "SELECT u.id, u.login, u.name, u.role FROM users u \
                     JOIN user_sites s ON s.user_id = u.id \
                     WHERE u.organisation = $1 AND s.site = $2 ORDER BY u.name, u.id",
                )
                .bind(organisation)
                .bind(site)
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map(|row| -> Result<$crate::store::Colleague, $crate::store::StoreError> {
                    let id: String = row.try_get("id")?;
                    let role: String = row.try_get("role")?;
                    let role = role.parse().map_err(|e| {
                        $crate::store::StoreError::Corrupt(format!("user {id}: {e}"))
                    })?;
                    Ok($crate::store::Colleague {
                        login: row.try_get("login")?,
                        name: row.try_get("name")?,
                        id,
                        role,
                    })
                })
                .collect()
            }

            async fn add_credential(
                &self,
                credential: &$crate::store::NewCredential,
            ) -> Result<(), $crate::store::StoreError> {
                sqlx::query(
                    "INSERT INTO credentials (secret_sha256, user_id, kind, label, created_ms, expires_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&credential.secret_sha256)
                .bind(&credential.user_id)
                .bind(credential.kind.as_str())
                .bind(&credential.label)
                .bind(credential.created_ms)
                .bind(credential.expires_ms)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn credential_user(
                &self,
                secret_sha256: &str,
                kind: $crate::store::CredentialKind,
                now_ms: i64,
            ) -> Result<Option<String>, $crate::store::StoreError> {
                let sql = match kind {
                    $crate::store::CredentialKind::Ticket => {
                        "DELETE FROM credentials WHERE secret_sha256 = $1 AND kind = $2 \
                         AND (expires_ms IS NULL OR expires_ms > $3) RETURNING user_id"
                    }
                    _ => {
                        "SELECT user_id FROM credentials WHERE secret_sha256 = $1 AND kind = $2 \
                         AND (expires_ms IS NULL OR expires_ms > $3)"
                    }
                };
                Ok(sqlx::query_scalar(sql)
                    .bind(secret_sha256)
                    .bind(kind.as_str())
                    .bind(now_ms)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn revoke_credential(
                &self,
                secret_sha256: &str,
            ) -> Result<(), $crate::store::StoreError> {
                sqlx::query("DELETE FROM credentials WHERE secret_sha256 = $1")
                    .bind(secret_sha256)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn document_access(
                &self,
                doc: fieldbook_core::ids::DocumentId,
            ) -> Result<Option<$crate::store::DocAccess>, $crate::store::StoreError> {
                use sqlx::Row;
                let row = sqlx::query("SELECT organisation, site, kind FROM documents WHERE id = $1")
                    .bind(doc.to_string())
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(|row| {
                    Ok($crate::store::DocAccess {
                        organisation: row.try_get("organisation")?,
                        site: row.try_get("site")?,
                        kind: row.try_get("kind")?,
                    })
                })
                .transpose()
            }

            async fn documents_of_kind(
                &self,
                organisation: &str,
                site: &str,
                kind: &str,
            ) -> Result<Vec<fieldbook_core::ids::DocumentId>, $crate::store::StoreError> {
                let ids: Vec<String> = sqlx::query_scalar(
                    "SELECT id FROM documents WHERE organisation = $1 AND site = $2 AND kind = $3 \
                     ORDER BY id",
                )
                .bind(organisation)
                .bind(site)
                .bind(kind)
                .fetch_all(&self.pool)
                .await?;
                ids.into_iter()
                    .map(|id| {
                        id.parse().map_err(|_| {
                            $crate::store::StoreError::Corrupt(format!("document id {id:?}"))
                        })
                    })
                    .collect()
            }

            async fn register_document(
                &self,
                doc: fieldbook_core::ids::DocumentId,
                access: &$crate::store::DocAccess,
                created_by: &str,
                created_ms: i64,
            ) -> Result<$crate::store::Registered, $crate::store::StoreError> {
                use sqlx::Row;
                let id = doc.to_string();
                let mut tx = self.pool.begin().await?;
                // A write first, so SQLite takes the write lock (waiting its busy
                // timeout) before anything is read: a read that must later upgrade
                // fails at once when another writer committed in between.
                let inserted = sqlx::query(
                    "INSERT INTO documents (id, organisation, site, kind, created_by, created_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
                )
                .bind(&id)
                .bind(&access.organisation)
                .bind(&access.site)
                .bind(&access.kind)
                .bind(created_by)
                .bind(created_ms)
                .execute(&mut *tx)
                .await?;
                if inserted.rows_affected() == 0 {
                    let row = sqlx::query(
                        "SELECT organisation, site, kind, reference FROM documents WHERE id = $1",
                    )
                    .bind(&id)
                    .fetch_one(&mut *tx)
                    .await?;
                    return Ok($crate::store::Registered {
                        access: $crate::store::DocAccess {
                            organisation: row.try_get("organisation")?,
                            site: row.try_get("site")?,
                            kind: row.try_get("kind")?,
                        },
                        reference: row.try_get("reference")?,
                        created: false,
                    });
                }
                let mut reference = None;
                // Incidents and service requests are numbered apart (INC-…, REQ-…).
                let counter = match access.kind.as_deref() {
                    Some("incident") => Some(
                        "UPDATE organisations SET next_incident = next_incident + 1 \
                         WHERE id = $1 RETURNING next_incident - 1",
                    ),
                    Some("service-request") => Some(
                        "UPDATE organisations SET next_request = next_request + 1 \
                         WHERE id = $1 RETURNING next_request - 1",
                    ),
                    _ => None,
                };
                if let Some(counter) = counter {
                    let number: i64 = sqlx::query_scalar(counter)
                    .bind(&access.organisation)
                    .fetch_one(&mut *tx)
                    .await?;
                    sqlx::query("UPDATE documents SET reference = $1 WHERE id = $2")
                        .bind(number)
                        .bind(&id)
                        .execute(&mut *tx)
                        .await?;
                    reference = Some(number);
                }
                tx.commit().await?;
                Ok($crate::store::Registered {
                    access: access.clone(),
                    reference,
                    created: true,
                })
            }
        }
    };
}

pub(crate) use impl_directory;

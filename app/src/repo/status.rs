//! What the status strip shows.

/// The sync state the strip at the top of every page shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncStatus {
    /// The browser believes it has a network.
    pub online: bool,
    /// The sync handshake with the server is done.
    pub connected: bool,
    /// Changes or requests are on their way.
    pub syncing: bool,
    /// Local changes the server has not acknowledged yet.
    pub unacked: u32,
    /// Device time of the last moment everything was on the server.
    pub last_sync_ms: Option<i64>,
    /// The last storage or sync failure, in words for a person.
    pub error: Option<String>,
    /// The server says this browser is not signed in (never, or the session
    /// ended): sync waits until the person signs in. Local data is untouched.
    pub signed_out: bool,
}

//! How much one connection may ask of the server, and how much memory idle documents
//! may keep: the server's defences against clients that are broken, hostile or slow.
//!
//! Every limit is a command-line flag with an environment fallback (see `main.rs`);
//! the defaults below are the values the flags default to. What happens when a
//! limit is hit:
//!
//! | limit | default | when exceeded |
//! |---|---|---|
//! | [`Limits::max_message_bytes`] | 8 MiB | `error`, then close |
//! | [`Limits::messages_per_second`] / [`Limits::message_burst`] | 1000/s, burst 5000 | `error`, then close |
//! | [`Limits::max_documents_per_connection`] | 50 000 | `error`, then close |
//! | [`Limits::handshake_timeout`] | 10 s | `error`, then close |
//! | [`Limits::outbox_capacity`] | 1024 messages | close (the socket is not being read) |
//! | [`Limits::max_idle_documents`] | 1000 | the least recently used idle document leaves memory |
//! | [`Limits::max_blob_bytes`] | 16 MiB | `PUT /api/blobs/…` answers 413 |
//!
//! Each is per connection except `max_idle_documents`, which bounds the hub as a
//! whole, and `max_blob_bytes`, which bounds one upload. A connection that hits a
//! limit is the only one affected.

use std::num::{NonZeroU32, NonZeroUsize};
use std::time::Duration;

use tokio::time::Instant;

/// Default of [`Limits::max_message_bytes`]: 8 MiB.
pub const DEFAULT_MAX_MESSAGE_BYTES: NonZeroUsize = nonzero_usize(8 * 1024 * 1024);
/// Default of [`Limits::messages_per_second`].
pub const DEFAULT_MESSAGES_PER_SECOND: NonZeroU32 = nonzero_u32(1000);
/// Default of [`Limits::message_burst`].
pub const DEFAULT_MESSAGE_BURST: NonZeroU32 = nonzero_u32(5000);
/// Default of [`Limits::max_documents_per_connection`].
pub const DEFAULT_MAX_DOCUMENTS_PER_CONNECTION: NonZeroUsize = nonzero_usize(50_000);
/// Default of [`Limits::handshake_timeout`], as the flag spells it.
pub const DEFAULT_HANDSHAKE_TIMEOUT: &str = "10s";
/// Default of [`Limits::credential_check_interval`], as the flag spells it.
pub const DEFAULT_CREDENTIAL_CHECK_INTERVAL: &str = "60s";
/// Default of [`Limits::outbox_capacity`].
pub const DEFAULT_OUTBOX_CAPACITY: NonZeroUsize = nonzero_usize(1024);
/// Default of [`Limits::max_idle_documents`].
pub const DEFAULT_MAX_IDLE_DOCUMENTS: usize = 1000;
/// Default of [`Limits::max_blob_bytes`]: 16 MiB, far above a photo the app has
/// downscaled (1600 px JPEG, a few hundred KB).
pub const DEFAULT_MAX_BLOB_BYTES: NonZeroUsize = nonzero_usize(16 * 1024 * 1024);

/// The limits one server enforces. `Limits::default()` holds the defaults above.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The largest WebSocket message (and frame) a client may send. Checked by the
    /// WebSocket codec as the frame header arrives, so a larger one is never buffered.
    pub max_message_bytes: NonZeroUsize,
    /// Frames a connection may send per second, sustained (a token bucket).
    pub messages_per_second: NonZeroU32,
    /// Frames a connection may send at once, above the sustained rate. A device
    /// offers every document it holds as soon as it connects (one `sync` each, then
    /// replies), so this must exceed the number of documents a device holds.
    pub message_burst: NonZeroU32,
    /// Distinct documents one connection may sync.
    pub max_documents_per_connection: NonZeroUsize,
    /// How long a new socket has to complete the handshake (send `join`).
    pub handshake_timeout: Duration,
    /// Messages that may wait for one connection to take them. A connection whose
    /// outbox fills is not reading its socket; it is closed, and resyncs when it
    /// comes back, rather than holding ever more memory.
    pub outbox_capacity: NonZeroUsize,
    /// Documents no connection syncs that stay in memory (least recently used
    /// first out), so a device that reconnects does not reload them from storage.
    /// Zero drops every document as soon as no one syncs it.
    pub max_idle_documents: usize,
    /// The largest evidence blob (photo) one `PUT /api/blobs/…` may upload. A body
    /// that says or turns out to be larger is refused before it is stored.
    pub max_blob_bytes: NonZeroUsize,
    /// How often an open sync connection checks that the session or token it
    /// opened with still holds (not expired, not signed out); one that ended gets
    /// an `error` saying so and is closed.
    pub credential_check_interval: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            messages_per_second: DEFAULT_MESSAGES_PER_SECOND,
            message_burst: DEFAULT_MESSAGE_BURST,
            max_documents_per_connection: DEFAULT_MAX_DOCUMENTS_PER_CONNECTION,
            handshake_timeout: Duration::from_secs(10),
            outbox_capacity: DEFAULT_OUTBOX_CAPACITY,
            max_idle_documents: DEFAULT_MAX_IDLE_DOCUMENTS,
            max_blob_bytes: DEFAULT_MAX_BLOB_BYTES,
            credential_check_interval: Duration::from_secs(60),
        }
    }
}

/// A token bucket: [`TokenBucket::try_take`] succeeds `rate` times per second on
/// average and at most `burst` times at once. Time is passed in.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket at `now`.
    pub fn new(rate: NonZeroU32, burst: NonZeroU32, now: Instant) -> TokenBucket {
        TokenBucket {
            rate: f64::from(rate.get()),
            burst: f64::from(burst.get()),
            tokens: f64::from(burst.get()),
            last: now,
        }
    }

    /// Takes a token if there is one at `now`.
    pub fn try_take(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now.max(self.last);
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Why a duration flag does not parse.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0:?} is not a duration: write a whole number followed by `ms`, `s`, `m`, `h` or `d`, as in `10s`")]
pub struct DurationError(String);

/// Parses a duration as the flags write it: `250ms`, `10s`, `2m`.
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let error = || DurationError(text.to_owned());
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(error)?;
    let (number, unit) = trimmed.split_at(split);
    let number: u64 = number.parse().map_err(|_| error())?;
    match unit {
        "ms" => Ok(Duration::from_millis(number)),
        "s" => Ok(Duration::from_secs(number)),
        "m" => number
            .checked_mul(60)
            .map(Duration::from_secs)
            .ok_or_else(error),
        "h" => number
            .checked_mul(3600)
            .map(Duration::from_secs)
            .ok_or_else(error),
        "d" => number
            .checked_mul(86_400)
            .map(Duration::from_secs)
            .ok_or_else(error),
        _ => Err(error()),
    }
}

const fn nonzero_usize(n: usize) -> NonZeroUsize {
    match NonZeroUsize::new(n) {
        Some(n) => n,
        None => panic!("zero"),
    }
}

const fn nonzero_u32(n: u32) -> NonZeroU32 {
    match NonZeroU32::new(n) {
        Some(n) => n,
        None => panic!("zero"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(v: u32) -> NonZeroU32 {
        NonZeroU32::new(v).expect("non-zero")
    }

    #[test]
    fn the_defaults_are_the_documented_ones() {
        let limits = Limits::default();
        assert_eq!(limits.max_message_bytes.get(), 8 * 1024 * 1024);
        assert_eq!(limits.messages_per_second.get(), 1000);
        assert_eq!(limits.message_burst.get(), 5000);
        assert_eq!(limits.max_documents_per_connection.get(), 50_000);
        assert_eq!(
            parse_duration(DEFAULT_HANDSHAKE_TIMEOUT),
            Ok(limits.handshake_timeout)
        );
        assert_eq!(limits.outbox_capacity.get(), 1024);
        assert_eq!(limits.max_idle_documents, 1000);
        assert_eq!(
            parse_duration(DEFAULT_CREDENTIAL_CHECK_INTERVAL),
            Ok(limits.credential_check_interval)
        );
    }

    #[test]
    fn a_full_bucket_allows_a_burst_then_refills_at_the_rate() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(n(10), n(5), start);
        for _ in 0..5 {
            assert!(bucket.try_take(start));
        }
        assert!(!bucket.try_take(start), "the burst is spent");
        // 10 per second: one token every 100 ms.
        assert!(!bucket.try_take(start + Duration::from_millis(50)));
        assert!(bucket.try_take(start + Duration::from_millis(100)));
        assert!(!bucket.try_take(start + Duration::from_millis(100)));
        // A long pause refills to the burst, not beyond.
        let later = start + Duration::from_secs(60);
        for _ in 0..5 {
            assert!(bucket.try_take(later));
        }
        assert!(!bucket.try_take(later));
    }

    #[test]
    fn a_sender_at_the_rate_is_never_refused() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(n(200), n(1), start);
        for i in 0..10_000u64 {
            let now = start + Duration::from_micros(5_000 * i);
            assert!(bucket.try_take(now), "message {i}");
        }
    }

    #[test]
    fn time_going_backwards_adds_no_tokens() {
        let start = Instant::now() + Duration::from_secs(10);
        let mut bucket = TokenBucket::new(n(1), n(1), start);
        assert!(bucket.try_take(start));
        assert!(!bucket.try_take(start - Duration::from_secs(5)));
        assert!(!bucket.try_take(start));
    }

    #[test]
    fn durations_parse_as_the_flags_write_them() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        for bad in [
            "",
            "10",
            "s",
            "1.5s",
            "-1s",
            "10 h",
            "99999999999999999999s",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }
}

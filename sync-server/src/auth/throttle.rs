//! Slowing down password guessing: after [`MAX_FAILURES`] wrong passwords in a
//! row for one login, every sign-in to that login is refused for [`LOCKOUT`]
//! from the last failure, before the password is even checked (so a locked login
//! costs no hashing). A right password resets the count. Unknown logins count
//! the same way, so a lockout says nothing about whether a login exists.
//!
//! Kept in memory: a restart forgets the counts, which only gives a guesser a
//! few more tries. At most [`MAX_TRACKED`] logins are tracked; beyond that the
//! ones whose failures are oldest are forgotten first.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Wrong passwords in a row before a login is locked.
pub const MAX_FAILURES: u32 = 5;
/// How long a locked login stays locked after its last failure.
pub const LOCKOUT: Duration = Duration::from_secs(5 * 60);
/// Logins tracked at once.
pub const MAX_TRACKED: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

/// The wrong-password counts of recent sign-ins, per login.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, Failures>>,
}

impl LoginThrottle {
    /// `Err(wait)` if `login` is locked at `now`, with how long until it is not.
    pub fn check(&self, login: &str, now: Instant) -> Result<(), Duration> {
        let failures = self.lock();
        match failures.get(&key(login)) {
            Some(f) if f.count >= MAX_FAILURES => {
                let until = f.last + LOCKOUT;
                if until > now {
                    Err(until - now)
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    /// Counts a wrong password for `login` at `now`.
    pub fn failed(&self, login: &str, now: Instant) {
        let mut failures = self.lock();
        let key = key(login);
        if !failures.contains_key(&key) && failures.len() >= MAX_TRACKED {
            failures.retain(|_, f| now.saturating_duration_since(f.last) < LOCKOUT);
            if failures.len() >= MAX_TRACKED {
                if let Some(oldest) = failures
                    .iter()
                    .min_by_key(|(_, f)| f.last)
                    .map(|(k, _)| k.clone())
                {
                    failures.remove(&oldest);
                }
            }
        }
        let entry = failures.entry(key).or_insert(Failures {
            count: 0,
            last: now,
        });
        // A lockout that has run out starts the count again.
        if entry.count >= MAX_FAILURES && now.saturating_duration_since(entry.last) >= LOCKOUT {
            entry.count = 0;
        }
        entry.count += 1;
        entry.last = now;
    }

    /// Forgets `login`'s wrong passwords: it signed in.
    pub fn succeeded(&self, login: &str) {
        self.lock().remove(&key(login));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Failures>> {
        // Every update is one call: the map stays consistent if a holder panicked.
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Logins are compared as people type them, give or take case and spaces.
fn key(login: &str) -> String {
    login.trim().to_lowercase()
}

/// "5 minutes", "1 minute": how long to wait, rounded up to whole minutes.
pub fn minutes(wait: Duration) -> String {
    let minutes = wait.as_secs().div_ceil(60).max(1);
    if minutes == 1 {
        "1 minute".to_owned()
    } else {
        format!("{minutes} minutes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_wrong_passwords_lock_a_login_for_five_minutes_from_the_last() {
        let throttle = LoginThrottle::default();
        let t0 = Instant::now();
        for i in 0..MAX_FAILURES - 1 {
            throttle.failed("tess", t0 + Duration::from_secs(u64::from(i)));
            assert_eq!(throttle.check("tess", t0 + Duration::from_secs(10)), Ok(()));
        }
        let last = t0 + Duration::from_secs(30);
        throttle.failed(" Tess ", last);
        assert_eq!(
            throttle.check("TESS", last + Duration::from_secs(60)),
            Err(Duration::from_secs(240))
        );
        assert_eq!(
            throttle.check("mia", last),
            Ok(()),
            "other logins are not locked"
        );
        assert_eq!(throttle.check("tess", last + LOCKOUT), Ok(()));
        // After the lockout one more wrong password does not lock it again at once.
        throttle.failed("tess", last + LOCKOUT);
        assert_eq!(throttle.check("tess", last + LOCKOUT), Ok(()));
    }

    #[test]
    fn a_right_password_resets_the_count() {
        let throttle = LoginThrottle::default();
        let t0 = Instant::now();
        for _ in 0..MAX_FAILURES - 1 {
            throttle.failed("tess", t0);
        }
        throttle.succeeded("tess");
        for _ in 0..MAX_FAILURES - 1 {
            throttle.failed("tess", t0);
        }
        assert_eq!(throttle.check("tess", t0), Ok(()));
        throttle.failed("tess", t0);
        assert!(throttle.check("tess", t0).is_err());
    }

    #[test]
    fn the_tracked_logins_are_bounded() {
        let throttle = LoginThrottle::default();
        let t0 = Instant::now();
        for i in 0..MAX_TRACKED + 10 {
            throttle.failed(&format!("guess-{i}"), t0 + Duration::from_millis(i as u64));
        }
        assert_eq!(throttle.lock().len(), MAX_TRACKED);
        // The newest are kept.
        assert!(throttle
            .lock()
            .contains_key(&format!("guess-{}", MAX_TRACKED + 9)));
        assert!(!throttle.lock().contains_key("guess-0"));
    }

    #[test]
    fn waits_are_in_whole_minutes() {
        assert_eq!(minutes(Duration::from_secs(1)), "1 minute");
        assert_eq!(minutes(Duration::from_secs(61)), "2 minutes");
        assert_eq!(minutes(LOCKOUT), "5 minutes");
    }
}

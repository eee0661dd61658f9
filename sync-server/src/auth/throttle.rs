//! Slowing down password guessing: a login that has [`MAX_FAILURES`] wrong
//! passwords within [`LOCKOUT`] of each other is refused for [`LOCKOUT`] from the
//! last one, before the password is even checked (so a locked login costs no
//! hashing). Each try is counted when it starts ([`LoginThrottle::attempt`]),
//! so a burst of concurrent guesses gets no more tries than guesses one by one;
//! a right password then takes its try back and resets the count. Unknown logins
//! count the same way, so a lockout says nothing about whether a login exists.
//!
//! Kept in memory: a restart forgets the counts, which only gives a guesser a
//! few more tries. At most [`MAX_TRACKED`] logins are tracked (logins longer than
//! [`MAX_LOGIN_BYTES`] are refused before they get here); when full, counts that
//! ran out go first, then the oldest that are not locked.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Wrong passwords close together before a login is locked.
pub const MAX_FAILURES: u32 = 5;
/// How long a locked login stays locked after its last failure; also how
/// close together failures must be to count towards a lock.
pub const LOCKOUT: Duration = Duration::from_secs(5 * 60);
/// Logins tracked at once.
pub const MAX_TRACKED: usize = 10_000;
/// The longest login the server looks up.
pub const MAX_LOGIN_BYTES: usize = 256;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

impl Failures {
    fn locked(&self, now: Instant) -> bool {
        self.count >= MAX_FAILURES && self.live(now)
    }

    fn live(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.last) < LOCKOUT
    }
}

/// The wrong-password counts of recent sign-ins, per login.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, Failures>>,
}

impl LoginThrottle {
    /// Starts a try for `login` at `now` and counts it as a failure until
    /// [`LoginThrottle::succeeded`] says otherwise; `Err(wait)` if the login is
    /// locked, with how long until it is not (and nothing is counted).
    pub fn attempt(&self, login: &str, now: Instant) -> Result<(), Duration> {
        let mut failures = self.lock();
        let key = key(login);
        if let Some(f) = failures.get(&key) {
            if f.locked(now) {
                return Err(f.last + LOCKOUT - now);
            }
        }
        if !failures.contains_key(&key) && failures.len() >= MAX_TRACKED {
            make_room(&mut failures, now);
        }
        let entry = failures.entry(key).or_insert(Failures {
            count: 0,
            last: now,
        });
        // Failures further apart than the lockout do not add up.
        if !entry.live(now) {
            entry.count = 0;
        }
        entry.count += 1;
        entry.last = now;
        Ok(())
    }

    /// The try for `login` was the right password: forget its failures.
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

/// Frees one place: counts that ran out, else the oldest login not locked,
/// else the oldest.
fn make_room(failures: &mut HashMap<String, Failures>, now: Instant) {
    failures.retain(|_, f| f.live(now));
    if failures.len() < MAX_TRACKED {
        return;
    }
    let oldest = |locked: bool| {
        failures
            .iter()
            .filter(|(_, f)| f.locked(now) == locked)
            .min_by_key(|(_, f)| f.last)
            .map(|(k, _)| k.clone())
    };
    if let Some(key) = oldest(false).or_else(|| oldest(true)) {
        failures.remove(&key);
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

    /// A wrong password: the try is counted when it starts and nobody takes it back.
    fn wrong(throttle: &LoginThrottle, login: &str, at: Instant) {
        throttle.attempt(login, at).expect("not locked");
    }

    #[test]
    fn five_wrong_passwords_lock_a_login_for_five_minutes_from_the_last() {
        let throttle = LoginThrottle::default();
        let t0 = Instant::now();
        for i in 0..MAX_FAILURES - 1 {
            wrong(&throttle, "tess", t0 + Duration::from_secs(u64::from(i)));
        }
        let last = t0 + Duration::from_secs(30);
        wrong(&throttle, " Tess ", last);
        assert_eq!(
            throttle.attempt("TESS", last + Duration::from_secs(60)),
            Err(Duration::from_secs(240))
        );
        assert_eq!(
            throttle.attempt("mia", last),
            Ok(()),
            "other logins are not locked"
        );
        // Once the lockout has run out the count starts again.
        for i in 0..MAX_FAILURES {
            wrong(
                &throttle,
                "tess",
                last + LOCKOUT + Duration::from_secs(u64::from(i)),
            );
        }
        assert!(throttle
            .attempt("tess", last + LOCKOUT + Duration::from_secs(10))
            .is_err());
    }

    #[test]
    fn a_right_password_resets_the_count_and_old_failures_do_not_add_up() {
        let throttle = LoginThrottle::default();
        let t0 = Instant::now();
        for _ in 0..MAX_FAILURES - 1 {
            wrong(&throttle, "tess", t0);
        }
        throttle.attempt("tess", t0).expect("a fifth try");
        throttle.succeeded("tess");
        for _ in 0..MAX_FAILURES - 1 {
            wrong(&throttle, "tess", t0);
        }
        // Four failures, then one more long after: no lock.
        wrong(&throttle, "tess", t0 + LOCKOUT);
        assert_eq!(throttle.attempt("tess", t0 + LOCKOUT), Ok(()));
    }

    #[test]
    fn a_burst_of_concurrent_tries_counts_each_one() {
        let throttle = LoginThrottle::default();
        let t0 = Instant::now();
        // Tries that have started but not finished are already counted.
        let started = (0..20)
            .filter(|_| throttle.attempt("tess", t0).is_ok())
            .count();
        assert_eq!(started, MAX_FAILURES as usize);
    }

    #[test]
    fn the_tracked_logins_are_bounded_and_a_flood_does_not_unlock_a_login() {
        let throttle = LoginThrottle::default();
        let t0 = Instant::now();
        for _ in 0..MAX_FAILURES {
            wrong(&throttle, "tess", t0);
        }
        for i in 0..MAX_TRACKED + 10 {
            wrong(
                &throttle,
                &format!("guess-{i}"),
                t0 + Duration::from_millis(i as u64),
            );
        }
        assert_eq!(throttle.lock().len(), MAX_TRACKED);
        assert!(throttle
            .lock()
            .contains_key(&format!("guess-{}", MAX_TRACKED + 9)));
        assert!(!throttle.lock().contains_key("guess-0"));
        assert!(
            throttle
                .attempt("tess", t0 + Duration::from_secs(20))
                .is_err(),
            "still locked"
        );
    }

    #[test]
    fn waits_are_in_whole_minutes() {
        assert_eq!(minutes(Duration::from_secs(1)), "1 minute");
        assert_eq!(minutes(Duration::from_secs(61)), "2 minutes");
        assert_eq!(minutes(LOCKOUT), "5 minutes");
    }
}

//! How a device offers many documents to the server without tripping its limits.
//!
//! When a device connects it offers every document it holds (by heads, see
//! [`super::resting`], or with a sync message). A device holding 10,000 records
//! that sent all those offers at once would exceed the server's per-connection
//! message rate and its outbox (see the server's `limits`), be disconnected,
//! reconnect, and start over from the same first documents: it would never
//! finish. So offers wait in a queue and go out paced: at most [`Pacer::window`]
//! documents awaiting the server's first answer, and at most a token bucket's
//! worth of messages per second, both well under the server's defaults.
//!
//! Time is passed in (milliseconds); this module reads no clock.

/// A token bucket and an in-flight window for the offers of one connection.
#[derive(Debug, Clone, PartialEq)]
pub struct Pacer {
    window: usize,
    per_second: f64,
    burst: f64,
    tokens: f64,
    last_ms: i64,
}

impl Pacer {
    /// At most `window` documents awaiting a first answer, `per_second`
    /// messages a second after a first `burst`.
    pub fn new(window: usize, per_second: u32, burst: u32, now_ms: i64) -> Pacer {
        Pacer {
            window: window.max(1),
            per_second: f64::from(per_second.max(1)),
            burst: f64::from(burst.max(1)),
            tokens: f64::from(burst.max(1)),
            last_ms: now_ms,
        }
    }

    /// The device's pacing: 256 documents in flight, 400 messages a second
    /// after a burst of 800. Each offer may bring one answer from the device,
    /// so the server sees at most about twice that: under its default of
    /// 1,000 a second after a burst of 5,000.
    pub fn device(now_ms: i64) -> Pacer {
        Pacer::new(256, 400, 800, now_ms)
    }

    /// The most documents in flight at once.
    pub fn window(&self) -> usize {
        self.window
    }

    /// How many of `wanted` offers may go now, with `in_flight` documents
    /// awaiting a first answer; taking them spends the tokens.
    pub fn take(&mut self, now_ms: i64, in_flight: usize, wanted: usize) -> usize {
        self.refill(now_ms);
        let room = self.window.saturating_sub(in_flight);
        let n = room.min(self.tokens.floor() as usize).min(wanted);
        self.tokens -= n as f64;
        n
    }

    /// Milliseconds until one more offer may go, as far as the rate goes.
    pub fn wait_ms(&self) -> u32 {
        if self.tokens >= 1.0 {
            return 0;
        }
        ((1.0 - self.tokens) * 1000.0 / self.per_second).ceil() as u32
    }

    fn refill(&mut self, now_ms: i64) {
        // A clock that goes back (the device's was set) adds nothing.
        let elapsed = (now_ms - self.last_ms).max(0) as f64;
        self.tokens = (self.tokens + elapsed * self.per_second / 1000.0).min(self.burst);
        self.last_ms = now_ms.max(self.last_ms);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_more_in_flight_than_the_window() {
        let mut p = Pacer::new(256, 400, 800, 0);
        assert_eq!(p.take(0, 0, usize::MAX), 256);
        assert_eq!(p.take(0, 256, usize::MAX), 0);
        assert_eq!(p.take(0, 200, usize::MAX), 56);
    }

    #[test]
    fn after_the_burst_the_rate_holds() {
        let mut p = Pacer::new(10_000, 400, 800, 0);
        assert_eq!(p.take(0, 0, usize::MAX), 800);
        assert_eq!(p.take(0, 0, usize::MAX), 0);
        assert_eq!(p.wait_ms(), 3, "one token takes 2.5 ms at 400/s");
        assert_eq!(p.take(1_000, 0, usize::MAX), 400);
        // However it is asked, ten seconds never give more than burst + 10 s × rate.
        let mut q = Pacer::new(10_000, 400, 800, 0);
        let mut sent = 0;
        for ms in (0..=10_000).step_by(7) {
            sent += q.take(ms, 0, usize::MAX);
        }
        assert!(sent <= 800 + 4_000, "{sent}");
        assert!(sent >= 4_700, "{sent}: the rate is also reached");
    }

    #[test]
    fn only_what_is_wanted_is_spent() {
        let mut p = Pacer::new(256, 400, 800, 0);
        assert_eq!(p.take(0, 0, 3), 3);
        assert_eq!(p.take(0, 3, usize::MAX), 253);
        assert_eq!(p.take(0, 0, usize::MAX), 256);
        assert_eq!(p.take(0, 0, usize::MAX), 256);
        assert_eq!(
            p.take(0, 0, usize::MAX),
            800 - 3 - 253 - 256 - 256,
            "the rest of the burst"
        );
    }

    #[test]
    fn a_clock_set_back_gives_nothing_extra() {
        let mut p = Pacer::new(10_000, 400, 800, 10_000);
        assert_eq!(p.take(10_000, 0, usize::MAX), 800);
        assert_eq!(p.take(0, 0, usize::MAX), 0);
        assert_eq!(p.take(10_000, 0, usize::MAX), 0);
        assert_eq!(p.take(11_000, 0, usize::MAX), 400);
    }

    #[test]
    fn the_devices_pacing_stays_under_the_servers_default_limits() {
        // The server's defaults (sync-server `limits`): 1,000 messages a second
        // after a burst of 5,000. A device sends at most two messages per offer.
        let p = Pacer::device(0);
        assert!(2.0 * p.burst <= 5_000.0);
        assert!(2.0 * p.per_second <= 1_000.0);
        assert!(
            p.window() <= 1024 / 2,
            "the answers of the window fit the server's outbox"
        );
    }
}

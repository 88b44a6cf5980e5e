//! Active speaker detection from RFC 6464 audio levels.
//!
//! Each audio packet's level is a sample; a speaker's score is their mean loudness over a sliding
//! window. The loudest speaker above a floor becomes active, but a change only happens once the
//! current speaker has held the floor for a minimum time, so a cough or a short "mm-hm" does not
//! make the audience's layout flap. Time is passed in; there is no clock here.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::time::Duration;

use crate::rtp::AudioLevel;

/// Tuning of the detector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpeakerConfig {
    /// How far back samples count.
    pub window: Duration,
    /// How long an active speaker stays active before someone else may take over.
    pub min_hold: Duration,
    /// Mean loudness (127 minus the level in -dBov) a speaker needs to count as speaking at all.
    pub min_loudness: u8,
}

impl Default for SpeakerConfig {
    fn default() -> Self {
        // Speech sits around -20 to -40 dBov; room noise well below -60.
        SpeakerConfig { window: Duration::from_millis(1000), min_hold: Duration::from_millis(1500), min_loudness: 67 }
    }
}

/// Picks the active speaker among the keys it is fed samples for.
#[derive(Debug, Clone)]
pub struct SpeakerDetector<K> {
    config: SpeakerConfig,
    samples: HashMap<K, VecDeque<(Duration, u8)>>,
    current: Option<K>,
    since: Duration,
}

impl<K: Copy + Eq + Hash + Ord> SpeakerDetector<K> {
    pub fn new(config: SpeakerConfig) -> Self {
        SpeakerDetector { config, samples: HashMap::new(), current: None, since: Duration::ZERO }
    }

    /// The active speaker, if anyone has spoken yet.
    pub fn current(&self) -> Option<K> {
        self.current
    }

    /// Records a level from `who` at `now`; returns the new active speaker if it changed.
    pub fn observe(&mut self, now: Duration, who: K, level: AudioLevel) -> Option<K> {
        let loudness = 127 - level.level.min(127);
        self.samples.entry(who).or_default().push_back((now, loudness));
        let horizon = now.saturating_sub(self.config.window);
        self.samples.retain(|_, samples| {
            while samples.front().is_some_and(|(at, _)| *at < horizon) {
                samples.pop_front();
            }
            !samples.is_empty()
        });
        let score = |samples: &VecDeque<(Duration, u8)>| {
            samples.iter().map(|(_, l)| u32::from(*l)).sum::<u32>() / samples.len().max(1) as u32
        };
        // Ties go to the smaller key so the outcome does not depend on hash order.
        let (best, best_score) =
            self.samples.iter().map(|(k, s)| (*k, score(s))).max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))?;
        if best_score < u32::from(self.config.min_loudness) || self.current == Some(best) {
            return None;
        }
        if let Some(current) = self.current {
            let current_score = self.samples.get(&current).map_or(0, score);
            if now.saturating_sub(self.since) < self.config.min_hold || best_score <= current_score {
                return None;
            }
        }
        self.current = Some(best);
        self.since = now;
        Some(best)
    }

    /// Forgets someone who left or lost the stage; if they were active, nobody is until the next
    /// sample picks someone.
    pub fn forget(&mut self, who: K) {
        self.samples.remove(&who);
        if self.current == Some(who) {
            self.current = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(db: u8) -> AudioLevel {
        AudioLevel { voice: true, level: db }
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn the_loudest_becomes_active_and_holds() {
        let mut d = SpeakerDetector::new(SpeakerConfig::default());
        assert_eq!(d.observe(ms(0), 1, level(30)), Some(1));
        assert_eq!(d.observe(ms(0), 2, level(100)), None, "quiet speaker");
        // Speaker 2 gets louder than 1 straight away, but 1 holds the floor for 1.5 s.
        let mut changes = Vec::new();
        for t in (20..3000).step_by(20) {
            if let Some(k) = d.observe(ms(t), 1, level(60)) {
                changes.push((t, k));
            }
            if let Some(k) = d.observe(ms(t), 2, level(20)) {
                changes.push((t, k));
            }
        }
        assert_eq!(changes, vec![(1500, 2)]);
        assert_eq!(d.current(), Some(2));
    }

    #[test]
    fn silence_does_not_take_the_floor() {
        let mut d = SpeakerDetector::new(SpeakerConfig::default());
        for t in (0..2000).step_by(20) {
            assert_eq!(d.observe(ms(t), 1, level(127)), None);
        }
        assert_eq!(d.current(), None);
    }

    #[test]
    fn short_bursts_do_not_flap() {
        let mut d = SpeakerDetector::new(SpeakerConfig::default());
        let mut changes = 0;
        for t in (0..10_000).step_by(20) {
            changes += usize::from(d.observe(ms(t), 1, level(35)).is_some());
            // Speaker 2 shouts for 200 ms every second.
            let two = if t % 1000 < 200 { 10 } else { 127 };
            changes += usize::from(d.observe(ms(t), 2, level(two)).is_some());
        }
        assert_eq!(changes, 1);
        assert_eq!(d.current(), Some(1));
    }

    #[test]
    fn forgetting_the_active_speaker_frees_the_floor() {
        let mut d = SpeakerDetector::new(SpeakerConfig::default());
        d.observe(ms(0), 1, level(20));
        d.forget(1);
        assert_eq!(d.current(), None);
        assert_eq!(d.observe(ms(10), 2, level(40)), Some(2));
    }
}

//! A bounded cache of compiled matchers: each pattern keeps its matchers in a slot of its own (shared by its
//! clones), and a process-wide ring of the filled slots empties the least recently used one (the CLOCK algorithm:
//! a used slot gets a second chance) when more than [`CAPACITY`] are filled.
//!
//! A whole run visits the operations of every loaded service in turn; without a bound every pattern it ever matched
//! kept its matchers until the run ended. A slot emptied here is filled again from the same parse tree when next
//! needed: compiling is a pure function of the tree, so the matchers answer as before; only the time to compile them
//! is spent twice.
//!
//! A hit costs no hashing and no process-wide lock: the slot's own read lock and a relaxed flag saying it was used.
//! The ring's lock is taken only to fill a slot (after compiling, outside any lock).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock, TryLockError, Weak};

/// Most patterns whose matchers are kept at once. A run's operations use a few dozen each and run eight at a time,
/// so the patterns in use fit many times over; most compile to kilobytes, a few (a Unicode class repeated a thousand
/// times) to megabytes.
pub(super) const CAPACITY: usize = 256;

/// One pattern's compiled matchers, or nothing until they are needed (again).
#[derive(Debug)]
pub(crate) struct Slot<T> {
    value: RwLock<Option<T>>,
    /// Set on every hit, cleared when the ring's hand passes: a slot used since gets a second chance.
    used: AtomicBool,
    /// How many times the slot was filled (tests: a slot emptied and needed again is filled again).
    #[cfg(test)]
    fills: std::sync::atomic::AtomicUsize,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Slot {
            value: RwLock::new(None),
            used: AtomicBool::new(false),
            #[cfg(test)]
            fills: Default::default(),
        }
    }
}

impl<T> Slot<T> {
    /// How many times the slot was filled.
    #[cfg(test)]
    pub(crate) fn fills(&self) -> usize {
        self.fills.load(Ordering::Relaxed)
    }

    /// Whether the slot holds a value now.
    #[cfg(test)]
    pub(crate) fn is_filled(&self) -> bool {
        self.value
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }
}

/// The filled slots, at most `capacity` of them (more only while every one is being read).
#[derive(Debug)]
pub(crate) struct Cache<T> {
    ring: Mutex<Ring<T>>,
}

#[derive(Debug)]
struct Ring<T> {
    slots: Vec<Weak<Slot<T>>>,
    /// The CLOCK's hand: the next slot to look at for one to empty.
    hand: usize,
    capacity: usize,
}

impl<T> Cache<T> {
    /// An empty cache that keeps at most `capacity` slots filled (at least one).
    pub(crate) const fn new(capacity: usize) -> Self {
        Cache {
            ring: Mutex::new(Ring {
                slots: Vec::new(),
                hand: 0,
                capacity: if capacity == 0 { 1 } else { capacity },
            }),
        }
    }

    /// Calls `f` on the value of `slot`, filled with `fill` first if it is empty (`fill` runs outside any lock;
    /// when another thread filled the slot meanwhile, its value is kept and this one dropped).
    ///
    /// `f` must not use the same slot again (its lock is held while `f` runs).
    pub(crate) fn with<R>(
        &self,
        slot: &Arc<Slot<T>>,
        fill: impl FnOnce() -> T,
        f: impl FnOnce(&T) -> R,
    ) -> R {
        {
            let value = slot.value.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(value) = value.as_ref() {
                // A load first: a slot already marked is not written again (threads share its cache line).
                if !slot.used.load(Ordering::Relaxed) {
                    slot.used.store(true, Ordering::Relaxed);
                }
                return f(value);
            }
        }
        let fresh = fill();
        // The ring's lock, then the slot's: the only order in which both are taken (readers take no ring lock).
        let mut ring = self.ring.lock().unwrap_or_else(PoisonError::into_inner);
        let mut value = slot.value.write().unwrap_or_else(PoisonError::into_inner);
        if value.is_none() {
            *value = Some(fresh);
            slot.used.store(false, Ordering::Relaxed);
            #[cfg(test)]
            slot.fills.fetch_add(1, Ordering::Relaxed);
            ring.admit(slot);
        }
        drop(ring);
        f(value.as_ref().expect("filled above"))
    }

    /// How many slots are filled (or were, for slots since dropped).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.ring
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .slots
            .len()
    }
}

impl<T> Ring<T> {
    /// Adds a slot just filled, emptying others to keep within the capacity.
    fn admit(&mut self, slot: &Arc<Slot<T>>) {
        while self.slots.len() >= self.capacity {
            if !self.evict_one() {
                // Every slot is being read (more threads than capacity): keep them all for now; the next slot
                // filled makes room again.
                break;
            }
        }
        // Behind the hand, so that it is the last to be looked at.
        self.slots.insert(self.hand, Arc::downgrade(slot));
        self.hand = (self.hand + 1) % self.slots.len();
    }

    /// Empties one slot and removes it from the ring: a dropped one, else the first the hand finds unused since it
    /// last passed and not being read. `false` when none could be within two turns.
    fn evict_one(&mut self) -> bool {
        for _ in 0..2 * self.slots.len() + 1 {
            if self.hand >= self.slots.len() {
                self.hand = 0;
            }
            let Some(slot) = self.slots[self.hand].upgrade() else {
                self.slots.remove(self.hand);
                return true;
            };
            if slot.used.swap(false, Ordering::Relaxed) {
                self.hand += 1;
                continue;
            }
            let emptied = match slot.value.try_write() {
                Ok(mut value) => value.take(),
                Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner().take(),
                // Being read right now: plainly in use.
                Err(TryLockError::WouldBlock) => {
                    self.hand += 1;
                    continue;
                }
            };
            self.slots.remove(self.hand);
            // Dropped after the slot's lock is released; the ring's is still held, which keeps this rare path simple.
            drop(emptied);
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots(n: usize) -> Vec<Arc<Slot<usize>>> {
        (0..n).map(|_| Arc::new(Slot::default())).collect()
    }

    /// The value of slot `i`, filled with `i * 10` when empty; whether it had to be filled.
    fn get(cache: &Cache<usize>, slots: &[Arc<Slot<usize>>], i: usize) -> (usize, bool) {
        let mut filled = false;
        let value = cache.with(
            &slots[i],
            || {
                filled = true;
                i * 10
            },
            |v| *v,
        );
        (value, filled)
    }

    fn filled(slots: &[Arc<Slot<usize>>]) -> Vec<usize> {
        (0..slots.len()).filter(|i| slots[*i].is_filled()).collect()
    }

    #[test]
    fn a_full_cache_empties_a_slot_unused_since_the_hand_passed() {
        let cache = Cache::new(3);
        let slots = slots(4);
        for i in 0..3 {
            assert_eq!(get(&cache, &slots, i), (i * 10, true));
        }
        // Slot 0 is used again, so slot 1 is the one emptied when slot 3 needs room.
        assert_eq!(get(&cache, &slots, 0), (0, false));
        assert_eq!(get(&cache, &slots, 3), (30, true));
        assert_eq!(filled(&slots), [0, 2, 3]);
        assert_eq!(cache.len(), 3);
        // Slot 1 is filled again when needed, with the same value.
        assert_eq!(get(&cache, &slots, 1), (10, true));
        assert_eq!(slots[1].fills(), 2);
        assert_eq!(filled(&slots).len(), 3);
    }

    #[test]
    fn the_cache_never_keeps_more_than_its_capacity() {
        let cache = Cache::new(16);
        let slots = slots(1000);
        for i in 0..1000 {
            assert_eq!(get(&cache, &slots, i), (i * 10, true));
            // Some used again, as a run's matchers are.
            assert_eq!(get(&cache, &slots, i / 2).0, i / 2 * 10);
            let kept = filled(&slots).len();
            assert!(kept <= 16, "{kept} slots filled after {i}");
            assert!(cache.len() <= 16);
        }
        // The last one filled is kept.
        assert_eq!(get(&cache, &slots, 999), (9990, false));
    }

    #[test]
    fn a_dropped_slot_frees_its_place() {
        let cache = Cache::new(2);
        let mut slots = slots(3);
        get(&cache, &slots, 0);
        get(&cache, &slots, 1);
        get(&cache, &slots, 0);
        get(&cache, &slots, 1);
        // Both were used since the hand passed; the dropped slot 0 is the one that makes room.
        slots.remove(0);
        // (Slot 2 is at index 1 now, so it is filled with 10.)
        assert_eq!(get(&cache, &slots, 1), (10, true));
        assert!(slots[0].is_filled(), "a live slot was emptied");
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn a_slot_being_read_is_not_emptied() {
        let cache = Cache::new(1);
        let slots = slots(3);
        get(&cache, &slots, 0);
        // While slot 0 is read, slots 1 and 2 are filled: slot 0 stays (it is in use), the ring holds more than its
        // capacity for a moment, and comes back down once nothing is read.
        cache.with(
            &slots[0],
            || unreachable!("slot 0 is filled"),
            |_| {
                get(&cache, &slots, 1);
                assert!(slots[0].is_filled() && slots[1].is_filled());
            },
        );
        get(&cache, &slots, 2);
        assert_eq!(filled(&slots), [2]);
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn threads_filling_one_slot_keep_one_value() {
        let cache = Cache::new(4);
        let slot = Arc::new(Slot::default());
        std::thread::scope(|scope| {
            for t in 0..8 {
                let (cache, slot) = (&cache, &slot);
                scope.spawn(move || {
                    let seen = cache.with(slot, || t, |v| *v);
                    // Whoever filled it first, every thread sees the one value kept.
                    assert_eq!(cache.with(slot, || unreachable!(), |v| *v), seen);
                });
            }
        });
        assert_eq!(slot.fills(), 1);
        assert_eq!(cache.len(), 1);
    }
}

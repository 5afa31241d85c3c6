//! Free text: strings of an exact length for members without a pattern. Strings that match a pattern come from
//! [`crate::model::pattern::PatternGen`].

use proptest::prelude::Rng;
use proptest::test_runner::TestRng;

pub(crate) use crate::model::pattern::Pick;

/// Random free text (no pattern) of exactly `len` characters: mostly printable ASCII, some BMP letters.
///
/// Astral characters are left out: whether AWS counts them as one character or two is unverified.
pub(crate) fn free_text(rng: &mut TestRng, len: usize, pick: Pick) -> String {
    const WIDE: [(u32, u32); 3] = [(0xC0, 0xD6), (0x3B1, 0x3C9), (0x4E00, 0x4FFF)];
    let mut out = String::with_capacity(len);
    for _ in 0..len {
        let c = match pick {
            Pick::Simplest => 'a',
            Pick::EdgeLow => ' ',
            Pick::EdgeHigh => '~',
            Pick::Random if rng.random_ratio(1, 8) => {
                let (lo, hi) = WIDE[rng.random_range(0..WIDE.len())];
                char::from_u32(rng.random_range(lo..=hi)).unwrap_or('é')
            }
            Pick::Random => char::from(rng.random_range(0x20u8..0x7F)),
        };
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::test_runner::RngAlgorithm;

    #[test]
    fn free_text_has_the_exact_length_in_characters() {
        let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]);
        for len in [0, 1, 17, 300] {
            for pick in [Pick::Random, Pick::EdgeLow, Pick::EdgeHigh, Pick::Simplest] {
                assert_eq!(free_text(&mut rng, len, pick).chars().count(), len);
            }
        }
        assert_eq!(free_text(&mut rng, 3, Pick::Simplest), "aaa");
    }
}

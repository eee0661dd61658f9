//! Refuses the Bloom filters in a peer's sync message that Automerge 0.12 cannot
//! handle. Automerge trusts the filter's header: one with entries but no bits makes
//! it divide by zero (a panic), and one asking for billions of probes makes it
//! allocate and loop per probe, for each of our changes (an abort, or a stall). Both
//! are only reached when we *generate* our reply, after the message was accepted, so
//! they are caught here, when it is received. (Found by `fuzz/`'s `sync_receive`.)

use automerge::sync::Message as SyncMessage;

/// The most probes a filter may ask for. Automerge writes 7 (a 1% false positive
/// rate); 64 would be a rate below 10⁻¹⁹.
const MAX_PROBES: u64 = 64;

/// The bits may be at most this long, or `8 * len` overflows Automerge's `u32` modulus.
const MAX_BITS_BYTES: usize = (u32::MAX / 8) as usize;

/// Why a filter is refused.
pub(super) fn check(message: &SyncMessage) -> Result<(), String> {
    for have in &message.have {
        // Automerge's own encoding: empty for no entries, else three LEB128 numbers
        // (entries, bits per entry, probes) and then the bits.
        let bytes = have.bloom.to_bytes();
        let mut rest = bytes.as_slice();
        if rest.is_empty() {
            continue;
        }
        let _entries = leb128(&mut rest)?;
        let _bits_per_entry = leb128(&mut rest)?;
        let probes = leb128(&mut rest)?;
        if probes > MAX_PROBES {
            return Err(format!(
                "a Bloom filter asks for {probes} probes, more than {MAX_PROBES}"
            ));
        }
        if rest.is_empty() {
            return Err("a Bloom filter has entries but no bits".to_owned());
        }
        if rest.len() > MAX_BITS_BYTES {
            return Err("a Bloom filter is too large".to_owned());
        }
    }
    Ok(())
}

/// Reads one unsigned LEB128 number off the front of `bytes`.
fn leb128(bytes: &mut &[u8]) -> Result<u64, String> {
    let mut value = 0_u64;
    for shift in (0..64).step_by(7) {
        let Some((&byte, rest)) = bytes.split_first() else {
            break;
        };
        *bytes = rest;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("a Bloom filter's header is cut short".to_owned())
}

#[cfg(test)]
mod tests {
    use automerge::sync::{BloomFilter, ChunkList, Have, MessageVersion};

    use super::*;

    fn with_filter(bytes: &[u8]) -> SyncMessage {
        SyncMessage {
            heads: vec![],
            need: vec![],
            have: vec![Have {
                last_sync: vec![],
                bloom: BloomFilter::try_from(bytes).expect("automerge parses the filter"),
            }],
            changes: ChunkList::from(Vec::<Vec<u8>>::new()),
            flags: None,
            version: MessageVersion::V1,
        }
    }

    #[test]
    fn filters_automerge_writes_pass() {
        let hashes = [automerge::ChangeHash([7; 32])];
        let message = with_filter(&BloomFilter::from_hashes(hashes.iter()).to_bytes());
        assert_eq!(check(&message), Ok(()));
        assert_eq!(check(&with_filter(&[])), Ok(()));
    }

    #[test]
    fn a_filter_with_entries_but_no_bits_is_refused() {
        // One entry, zero bits per entry, seven probes: no bits to take a modulus of.
        assert!(check(&with_filter(&[1, 0, 7])).is_err());
    }

    #[test]
    fn a_filter_asking_for_billions_of_probes_is_refused() {
        // One entry, eight bits per entry, 2³² − 1 probes, one byte of bits.
        let filter = [1, 8, 0xff, 0xff, 0xff, 0xff, 0x0f, 0xff];
        assert!(check(&with_filter(&filter)).is_err());
        assert!(check(&with_filter(&[1, 8, 64, 0xff])).is_ok());
        assert!(check(&with_filter(&[1, 8, 65, 0xff])).is_err());
    }
}

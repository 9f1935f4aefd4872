//! Salesforce record ids: the 15 → 18 character case checksum, normalisation and generation.
//!
//! A 15-character id is case-sensitive; the 18-character form appends three characters that
//! encode which of the first fifteen are upper-case letters, five bits per character, so the
//! long form survives case-insensitive handling. Salesforce accepts both and always returns 18.
//! Ids are compared on their first 15 characters once normalised ([`key`]).

/// Alphabet of the checksum characters: index = the 5-bit case mask of one 5-character chunk.
const CHECKSUM_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// Alphabet for generated ids (base 62, the characters real ids use).
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The 3-character case checksum of a 15-character id, or `None` if `id15` is not 15 ASCII
/// letters and digits.
///
/// ```
/// assert_eq!(sfdesk_sim::salesforce::ids::checksum("00558000001N0Ke").as_deref(), Some("AAK"));
/// ```
#[must_use]
pub fn checksum(id15: &str) -> Option<String> {
    let bytes = id15.as_bytes();
    if bytes.len() != 15 || !bytes.iter().all(u8::is_ascii_alphanumeric) {
        return None;
    }
    let suffix = bytes
        .chunks(5)
        .map(|chunk| {
            let mask = chunk
                .iter()
                .enumerate()
                .filter(|(_, b)| b.is_ascii_uppercase())
                .fold(0usize, |mask, (bit, _)| mask | (1 << bit));
            char::from(CHECKSUM_ALPHABET[mask])
        })
        .collect();
    Some(suffix)
}

/// Normalises a 15- or 18-character id to its canonical 18-character form.
///
/// A 15-character id gets its checksum appended. An 18-character id is read the way Salesforce
/// reads it: case-insensitively, the case of the first fifteen characters being restored from
/// the suffix. Returns `None` for anything else (wrong length, non-alphanumeric characters, a
/// suffix character outside the checksum alphabet, or a suffix that marks a digit upper-case).
#[must_use]
pub fn to_18(id: &str) -> Option<String> {
    match id.len() {
        15 => checksum(id).map(|suffix| format!("{id}{suffix}")),
        18 => {
            let bytes = id.as_bytes();
            if !bytes.iter().all(u8::is_ascii_alphanumeric) {
                return None;
            }
            let mut out = String::with_capacity(18);
            for (chunk, code) in bytes[..15].chunks(5).zip(&bytes[15..]) {
                let code = code.to_ascii_uppercase();
                let mask = CHECKSUM_ALPHABET.iter().position(|&c| c == code)?;
                for (bit, &b) in chunk.iter().enumerate() {
                    let upper = mask & (1 << bit) != 0;
                    if upper && !b.is_ascii_alphabetic() {
                        return None;
                    }
                    out.push(char::from(if upper {
                        b.to_ascii_uppercase()
                    } else {
                        b.to_ascii_lowercase()
                    }));
                }
            }
            for &code in &bytes[15..] {
                out.push(char::from(code.to_ascii_uppercase()));
            }
            Some(out)
        }
        _ => None,
    }
}

/// Whether `id` is a well-formed 15- or 18-character id (see [`to_18`]).
#[must_use]
pub fn is_valid(id: &str) -> bool {
    to_18(id).is_some()
}

/// The comparison key of an id as stored: its first 15 characters when it has the length of an
/// id, else the whole string. Two canonical ids are the same record iff their keys are equal.
#[must_use]
pub fn key(id: &str) -> &str {
    if id.len() == 18 {
        id.get(..15).unwrap_or(id)
    } else {
        id
    }
}

/// The 3-character key prefix naming the object (`003` Contact, `00K` OpportunityContactRole…),
/// or `None` if `id` is shorter than that.
#[must_use]
pub fn key_prefix(id: &str) -> Option<&str> {
    id.get(..3)
}

/// Generates the `seq`-th 18-character id for an object with the given 3-character key prefix:
/// the prefix, `seq` in base 62 padded to twelve characters, then the checksum. Distinct `seq`
/// values (below 62¹²) give distinct ids; `None` if `key_prefix` is not three ASCII letters or
/// digits.
///
/// ```
/// let id = sfdesk_sim::salesforce::ids::generate("003", 1).unwrap();
/// assert_eq!(id, "003000000000001AAA");
/// ```
#[must_use]
pub fn generate(key_prefix: &str, seq: u64) -> Option<String> {
    if key_prefix.len() != 3 || !key_prefix.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let mut digits = [b'0'; 12];
    let mut rest = seq;
    for slot in digits.iter_mut().rev() {
        // `rest % 62` is below 62, so the cast cannot truncate.
        *slot = BASE62[(rest % 62) as usize];
        rest /= 62;
    }
    let id15 = format!("{key_prefix}{}", String::from_utf8_lossy(&digits));
    to_18(&id15)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_matches_the_documented_vectors() {
        assert_eq!(
            to_18("00558000001N0Ke").as_deref(),
            Some("00558000001N0KeAAK")
        );
        assert_eq!(
            to_18("0031i000013x2TE").as_deref(),
            Some("0031i000013x2TEAAY")
        );
        assert_eq!(
            to_18("001D000000IqhSL").as_deref(),
            Some("001D000000IqhSLIAZ")
        );
    }

    #[test]
    fn eighteen_char_ids_are_read_case_insensitively() {
        assert_eq!(
            to_18("0031I000013X2TEAAY").as_deref(),
            Some("0031i000013x2TEAAY")
        );
        assert_eq!(
            to_18("001d000000iqhslIaz").as_deref(),
            Some("001D000000IqhSLIAZ")
        );
        assert_eq!(
            to_18("0031i000013x2TEAAY").as_deref(),
            Some("0031i000013x2TEAAY")
        );
    }

    #[test]
    fn malformed_ids_are_rejected() {
        assert_eq!(to_18(""), None);
        assert_eq!(to_18("003"), None);
        assert_eq!(to_18("0031i000013x2T!"), None);
        assert_eq!(to_18("0031i000013x2TEAA"), None);
        // '9' is not a checksum character.
        assert_eq!(to_18("0031i000013x2TEAA9"), None);
        // The suffix 'B' marks the first character upper-case, but it is a digit.
        assert_eq!(to_18("0031i000013x2TEBAY"), None);
        assert!(!is_valid("not an id at all"));
        assert!(is_valid("0031i000013x2TE"));
    }

    #[test]
    fn keys_and_prefixes() {
        assert_eq!(key("0031i000013x2TEAAY"), "0031i000013x2TE");
        assert_eq!(key("0031i000013x2TE"), "0031i000013x2TE");
        assert_eq!(key("short"), "short");
        assert_eq!(key_prefix("00K000000000001"), Some("00K"));
        assert_eq!(key_prefix("00"), None);
    }

    #[test]
    fn generated_ids_are_valid_distinct_and_prefixed() {
        let a = generate("00K", 0).unwrap();
        let b = generate("00K", 61).unwrap();
        let c = generate("00K", 62).unwrap();
        // The upper-case K is bit 2 of the first chunk: E.
        assert_eq!(a, "00K000000000000EAA");
        assert!(b.starts_with("00K00000000000z"));
        assert_ne!(a, b);
        assert!(c.starts_with("00K000000000010"));
        for id in [&a, &b, &c] {
            assert_eq!(to_18(id).as_deref(), Some(id.as_str()));
        }
        assert_eq!(generate("0K", 1), None);
    }
}

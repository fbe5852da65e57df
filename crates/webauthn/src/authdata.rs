//! Authenticator data (WebAuthn §6.1): rpIdHash, flags, signCount, then the attested credential
//! data (registration) and extensions, each present only when its flag says so.

use crate::Error;

/// User present.
pub(crate) const UP: u8 = 0x01;
/// User verified.
pub(crate) const UV: u8 = 0x04;
/// Backup eligible.
pub(crate) const BE: u8 = 0x08;
/// Backed up.
pub(crate) const BS: u8 = 0x10;
/// Attested credential data included.
pub(crate) const AT: u8 = 0x40;
/// Extension data included.
pub(crate) const ED: u8 = 0x80;

/// The credential an authenticator made, from the attested credential data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attested {
    pub(crate) aaguid: [u8; 16],
    pub(crate) credential_id: Vec<u8>,
    /// The COSE_Key, as its CBOR bytes.
    pub(crate) public_key: Vec<u8>,
}

/// Parsed authenticator data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuthData {
    pub(crate) rp_id_hash: [u8; 32],
    pub(crate) flags: u8,
    pub(crate) sign_count: u32,
    pub(crate) attested: Option<Attested>,
}

impl AuthData {
    pub(crate) fn has(&self, flag: u8) -> bool {
        self.flags & flag == flag
    }

    /// Parses `bytes`, refusing trailing bytes and flags that contradict what follows.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self, Error> {
        const SHORT: Error = Error::Malformed("authenticator data is too short");
        let head = bytes.get(..37).ok_or(SHORT)?;
        let mut rp_id_hash = [0u8; 32];
        rp_id_hash.copy_from_slice(&head[..32]);
        let flags = head[32];
        let sign_count = u32::from_be_bytes([head[33], head[34], head[35], head[36]]);
        let mut rest = &bytes[37..];
        let attested = if flags & AT != 0 {
            let aaguid: [u8; 16] = rest.get(..16).ok_or(SHORT)?.try_into().map_err(|_| SHORT)?;
            let len = usize::from(u16::from_be_bytes(
                rest.get(16..18).ok_or(SHORT)?.try_into().map_err(|_| SHORT)?,
            ));
            if len > crate::MAX_CREDENTIAL_ID_BYTES {
                return Err(Error::Malformed("the credential id is longer than 1023 bytes"));
            }
            let credential_id = rest.get(18..18 + len).ok_or(SHORT)?.to_vec();
            rest = &rest[18 + len..];
            let key_len = cbor_item_len(rest)?;
            let public_key = rest[..key_len].to_vec();
            rest = &rest[key_len..];
            Some(Attested { aaguid, credential_id, public_key })
        } else {
            None
        };
        if flags & ED != 0 {
            let len = cbor_item_len(rest)?;
            rest = &rest[len..];
        }
        if !rest.is_empty() {
            return Err(Error::Malformed("authenticator data has trailing bytes"));
        }
        if flags & BS != 0 && flags & BE == 0 {
            return Err(Error::Malformed("backed up (BS) without backup eligibility (BE)"));
        }
        Ok(Self { rp_id_hash, flags, sign_count, attested })
    }
}

/// The length of the one CBOR item at the start of `bytes`.
fn cbor_item_len(bytes: &[u8]) -> Result<usize, Error> {
    let mut reader = bytes;
    let _: ciborium::Value = ciborium::from_reader(&mut reader)
        .map_err(|_| Error::Malformed("authenticator data holds bad CBOR"))?;
    Ok(bytes.len() - reader.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(flags: u8, count: u32) -> Vec<u8> {
        let mut out = vec![7u8; 32];
        out.push(flags);
        out.extend_from_slice(&count.to_be_bytes());
        out
    }

    #[test]
    fn reads_the_fixed_part() {
        let data = AuthData::parse(&head(UP | UV, 9)).unwrap();
        assert_eq!(data.rp_id_hash, [7u8; 32]);
        assert!(data.has(UP) && data.has(UV) && !data.has(BE));
        assert_eq!(data.sign_count, 9);
        assert!(data.attested.is_none());
    }

    #[test]
    fn reads_attested_credential_data_and_skips_extensions() {
        let mut bytes = head(UP | AT | ED, 0);
        bytes.extend_from_slice(&[1u8; 16]);
        bytes.extend_from_slice(&3u16.to_be_bytes());
        bytes.extend_from_slice(b"abc");
        bytes.extend_from_slice(&[0xa1, 0x01, 0x02]); // {1: 2}
        bytes.extend_from_slice(&[0xa1, 0x61, b'x', 0xf5]); // {"x": true}
        let data = AuthData::parse(&bytes).unwrap();
        let attested = data.attested.unwrap();
        assert_eq!(attested.aaguid, [1u8; 16]);
        assert_eq!(attested.credential_id, b"abc");
        assert_eq!(attested.public_key, [0xa1, 0x01, 0x02]);
    }

    #[test]
    fn refuses_short_trailing_and_inconsistent_data() {
        assert!(AuthData::parse(&[0u8; 36]).is_err());
        let mut trailing = head(UP, 0);
        trailing.push(0);
        assert!(AuthData::parse(&trailing).is_err());
        assert!(AuthData::parse(&head(UP | BS, 0)).is_err());
        let mut truncated = head(UP | AT, 0);
        truncated.extend_from_slice(&[1u8; 16]);
        truncated.extend_from_slice(&200u16.to_be_bytes());
        assert!(AuthData::parse(&truncated).is_err());
        let mut long = head(UP | AT, 0);
        long.extend_from_slice(&[1u8; 16]);
        long.extend_from_slice(&1024u16.to_be_bytes());
        long.extend_from_slice(&[0u8; 1024]);
        assert!(AuthData::parse(&long).is_err());
    }
}

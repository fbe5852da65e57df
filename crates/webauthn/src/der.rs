//! Just enough DER (X.690) to take the subject public key out of an attestation certificate
//! (RFC 5280 §4.1): Certificate → tbsCertificate → subjectPublicKeyInfo. Nothing else of the
//! certificate is interpreted: attestation here proves the signature is consistent, not who made
//! the authenticator (no trust anchors are configured; the pools ask for attestation `none`).

use crate::Error;
use crate::cose::PublicKey;

const SEQUENCE: u8 = 0x30;
const BIT_STRING: u8 = 0x03;
const OID: u8 = 0x06;
const VERSION: u8 = 0xa0;

/// id-ecPublicKey (1.2.840.10045.2.1).
const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// prime256v1 (1.2.840.10045.3.1.7).
const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// rsaEncryption (1.2.840.113549.1.1.1).
const RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

const BAD: Error = Error::Malformed("the attestation certificate is not valid DER");

/// One TLV: its tag, its contents, and what follows it.
fn tlv(input: &[u8]) -> Result<(u8, &[u8], &[u8]), Error> {
    let (&tag, rest) = input.split_first().ok_or(BAD)?;
    let (&first, mut rest) = rest.split_first().ok_or(BAD)?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return Err(BAD);
        }
        let (digits, after) = (rest.get(..count).ok_or(BAD)?, &rest[count..]);
        rest = after;
        digits.iter().fold(0usize, |acc, d| (acc << 8) | usize::from(*d))
    };
    let contents = rest.get(..len).ok_or(BAD)?;
    Ok((tag, contents, &rest[len..]))
}

fn expect(input: &[u8], tag: u8) -> Result<(&[u8], &[u8]), Error> {
    let (found, contents, rest) = tlv(input)?;
    if found == tag { Ok((contents, rest)) } else { Err(BAD) }
}

/// The public key of the certificate `der`: P-256 or RSA.
pub(crate) fn certificate_key(der: &[u8]) -> Result<PublicKey, Error> {
    let (cert, _) = expect(der, SEQUENCE)?;
    let (mut tbs, _) = expect(cert, SEQUENCE)?;
    if tbs.first() == Some(&VERSION) {
        tbs = tlv(tbs)?.2;
    }
    // serialNumber, signature, issuer, validity, subject
    for _ in 0..5 {
        tbs = tlv(tbs)?.2;
    }
    let (spki, _) = expect(tbs, SEQUENCE)?;
    let (algorithm, rest) = expect(spki, SEQUENCE)?;
    let (key, _) = expect(rest, BIT_STRING)?;
    let (unused, key) = key.split_first().ok_or(BAD)?;
    if *unused != 0 {
        return Err(BAD);
    }
    let (oid, params) = expect(algorithm, OID)?;
    if oid == EC_PUBLIC_KEY {
        let (curve, _) = expect(params, OID)?;
        if curve != P256 || key.len() != 65 || key[0] != 4 {
            return Err(Error::NotSupported("the attestation key must be an uncompressed P-256 key"));
        }
        Ok(PublicKey::P256(key.to_vec()))
    } else if oid == RSA {
        Ok(PublicKey::RsaDer(key.to_vec()))
    } else {
        Err(Error::NotSupported("the attestation key must be P-256 or RSA"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lengths_short_and_long() {
        assert_eq!(tlv(&[0x04, 0x01, 0xaa, 0xbb]).unwrap(), (0x04, &[0xaa][..], &[0xbb][..]));
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend_from_slice(&[0u8; 0x80]);
        assert_eq!(tlv(&long).unwrap().1.len(), 0x80);
        assert!(tlv(&[0x04, 0x85, 1, 1, 1, 1, 1]).is_err());
        assert!(tlv(&[0x04, 0x80]).is_err());
        assert!(tlv(&[0x04, 0x05, 0x00]).is_err());
        assert!(tlv(&[]).is_err());
    }

    #[test]
    fn refuses_what_is_not_a_certificate() {
        assert!(certificate_key(&[0x30, 0x00]).is_err());
        assert!(certificate_key(&[0x02, 0x01, 0x00]).is_err());
    }
}

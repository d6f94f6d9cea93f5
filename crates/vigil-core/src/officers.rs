//! Officer accounts: argon2id passwords, TOTP (RFC 6238) as a second factor
//! for every account, lockout after repeated failures, and server-side
//! sessions whose tokens are stored only as hashes.

use crate::clock::now;
use crate::data_dir::Vigil;
use crate::error::CoreError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use hmac::{Hmac, Mac};
use vigil_domain::{Actor, CustodyEvent, EventKind, ObjectRef, Role};
use vigil_store::{SessionRow, UserRow};

/// `locked_until_ms` of an account an administrator disabled.
const DISABLED: i64 = i64::MAX;
/// Sessions end after eight hours (a shift).
pub const SESSION_MS: i64 = 8 * 3600 * 1000;
/// The same, in seconds, for the cookie's Max-Age.
pub const OFFICER_SESSION_SECS: i64 = SESSION_MS / 1000;
const STEP_SECS: i64 = 30;

/// An officer's signed-in session, as the web edge sees it.
#[derive(Debug, Clone)]
pub struct OfficerSession {
    pub username: String,
    pub role: Role,
    /// The per-session CSRF token for forms the officer posts.
    pub csrf: String,
}

/// Shown once to the administrator, for the officer's authenticator app.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TotpEnrolment {
    pub secret_base32: String,
    pub otpauth_uri: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LoginError {
    /// Deliberately vague: the user name, password or code was wrong.
    #[error("the user name, password or code is wrong")]
    Rejected,
}

/// The bytes an RFC 4648 base32 string without padding stands for (a TOTP
/// secret as `base32` writes it for authenticator apps); `None` for any
/// other character.
pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let (mut buf, mut bits, mut out) = (0u32, 0, Vec::with_capacity(s.len() * 5 / 8));
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        buf = (buf << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            out.push((buf >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    Some(out)
}

fn base32(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buf, mut bits) = (0u32, 0);
    for b in bytes {
        buf = (buf << 8) | u32::from(*b);
        bits += 8;
        while bits >= 5 {
            out.push(A[((buf >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(A[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The RFC 6238 code (HMAC-SHA1, 30-second steps, 6 digits) for one step.
pub fn totp_code(secret: &[u8], step: i64) -> u32 {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let off = (h[19] & 0x0f) as usize;
    let bin = (u32::from(h[off]) & 0x7f) << 24
        | u32::from(h[off + 1]) << 16
        | u32::from(h[off + 2]) << 8
        | u32::from(h[off + 3]);
    bin % 1_000_000
}

pub fn totp_step(unix_ms: i64) -> i64 {
    unix_ms.div_euclid(1000) / STEP_SECS
}

fn check_username(u: &str) -> Result<(), CoreError> {
    if (3..=32).contains(&u.len())
        && u.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c))
    {
        Ok(())
    } else {
        Err(CoreError::Refused(format!("user name {u:?} must be 3-32 of a-z, 0-9, '.', '-' and '_'")))
    }
}

pub(crate) fn totp_context(username: &str) -> Vec<u8> {
    format!("vigil totp seed v1:{username}").into_bytes()
}

fn token_hash(token: &str) -> [u8; 32] {
    *blake3::hash(token.as_bytes()).as_bytes()
}

fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    getrandom::getrandom(&mut b).expect("the OS random source is available");
    hex::encode(b)
}

impl Vigil {
    /// Creates an officer account; returns the TOTP enrolment to hand over once.
    pub fn add_user(&self, username: &str, role: Role, password: &str, by: &Actor) -> Result<TotpEnrolment, CoreError> {
        check_username(username)?;
        if password.chars().count() < 12 {
            return Err(CoreError::Refused("the password must be at least 12 characters".into()));
        }
        let mut secret = [0u8; 20];
        getrandom::getrandom(&mut secret).map_err(|e| CoreError::Refused(format!("no OS randomness: {e}")))?;
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        let hash = Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| CoreError::Refused(format!("hashing the password: {e}")))?
            .to_string();
        let sealed = self.master.seal_small(&totp_context(username), &secret);
        self.write(|u| {
            let t = u.now;
            // The seed was sealed under this key; a rotation since would
            // leave it unopenable.
            u.tx().require_current_master_key(self.master.id())?;
            u.tx().insert_user(&UserRow {
                username: username.into(),
                role: role.as_str().into(),
                password_hash: hash,
                // Sealed under the master key: a copy of the database alone
                // does not give away anyone's second factor.
                totp_secret: sealed,
                failed: 0,
                locked_until_ms: 0,
                last_totp_step: 0,
                created_ms: t.unix_millis(),
            })?;
            let mut ev =
                CustodyEvent::new(EventKind::Created, by.clone(), t, ObjectRef::parse(&format!("user:{username}"))?);
            ev.note = Some(format!("officer account created with role {role}"));
            u.log(ev);
            Ok(())
        })?;
        let b32 = base32(&secret);
        Ok(TotpEnrolment {
            otpauth_uri: format!(
                "otpauth://totp/Vigil:{username}?secret={b32}&issuer=Vigil&algorithm=SHA1&digits=6&period=30"
            ),
            secret_base32: b32,
        })
    }

    /// Checks password and TOTP code; returns a new session token and the session.
    pub fn login(
        &self,
        username: &str,
        password: &str,
        code: &str,
    ) -> Result<Result<(String, OfficerSession), LoginError>, CoreError> {
        let t = now().unix_millis();
        let Some(user) = self.store.read()?.user(username)? else {
            // Spend the same work as a real check, so timing does not reveal names.
            let _ = Argon2::default().hash_password(
                password.as_bytes(),
                &SaltString::generate(&mut argon2::password_hash::rand_core::OsRng),
            );
            return Ok(Err(LoginError::Rejected));
        };
        if user.locked_until_ms > t {
            // Disabled by an administrator: the same answer as a wrong password.
            return Ok(Err(LoginError::Rejected));
        }
        let parsed = PasswordHash::new(&user.password_hash)
            .map_err(|_| CoreError::Refused("a stored password hash is malformed".into()))?;
        let password_ok = Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
        let step_now = totp_step(t);
        let code = code.trim();
        // The current step and one either side, never a step already used.
        let seed = self.master.open_small(&totp_context(username), &user.totp_secret).ok_or_else(|| {
            CoreError::MasterKey(format!("the TOTP secret of {username} cannot be opened with this master key"))
        })?;
        let matched = (code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()))
            .then(|| code.parse::<u32>().ok())
            .flatten()
            .and_then(|c| {
                (-1..=1).map(|d| step_now + d).find(|s| *s > user.last_totp_step && totp_code(&seed, *s) == c)
            });
        let (ok, step) = match (password_ok, matched) {
            (true, Some(step)) => (true, step),
            _ => (false, 0),
        };
        if !ok {
            // Counted for the record; the account itself is never locked
            // (anyone could lock every officer out), the edge backs off per
            // account and client instead.
            self.write_unlogged(|tx| Ok(tx.count_failed_login(username)?))?;
            return Ok(Err(LoginError::Rejected));
        }
        let token = random_hex(32);
        let csrf = random_hex(16);
        // The step read above may be stale by now: the claim decides, in the
        // same unit as the session, so a code signs in once however many
        // sign-ins race with it.
        let claimed = self.write_unlogged(|tx| {
            if !tx.claim_totp_step(username, step, t)? {
                tx.count_failed_login(username)?;
                return Ok(false);
            }
            tx.insert_session(&SessionRow {
                id_hash: token_hash(&token),
                username: username.into(),
                csrf: csrf.clone(),
                created_ms: t,
                expires_ms: t + SESSION_MS,
            })?;
            Ok(true)
        })?;
        if !claimed {
            return Ok(Err(LoginError::Rejected));
        }
        let role = Role::parse(&user.role).map_err(|_| CoreError::Refused("a stored role is malformed".into()))?;
        Ok(Ok((token, OfficerSession { username: username.into(), role, csrf })))
    }

    /// The session a token names, if it is live.
    pub fn session(&self, token: &str) -> Result<Option<OfficerSession>, CoreError> {
        let Some(s) = self.store.read()?.session(&token_hash(token))? else { return Ok(None) };
        if s.expires_ms <= now().unix_millis() {
            return Ok(None);
        }
        let Some(user) = self.store.read()?.user(&s.username)? else { return Ok(None) };
        if user.locked_until_ms == DISABLED {
            return Ok(None);
        }
        let role = Role::parse(&user.role).map_err(|_| CoreError::Refused("a stored role is malformed".into()))?;
        Ok(Some(OfficerSession { username: s.username, role, csrf: s.csrf }))
    }

    /// Disables an account at once: it can no longer sign in, and every
    /// session it holds ends (alert streams included). A custody event
    /// records who did it and why. Returns how many sessions were ended.
    pub fn disable_user(&self, username: &str, reason: &str, by: &Actor) -> Result<u64, CoreError> {
        if reason.trim().is_empty() {
            return Err(CoreError::InvalidInput {
                field: "reason".into(),
                why: "say why the account is disabled".into(),
            });
        }
        self.store.read()?.user(username)?.ok_or_else(|| CoreError::Refused(format!("no officer {username}")))?;
        let mut ev =
            CustodyEvent::new(EventKind::Reviewed, by.clone(), now(), ObjectRef::parse(&format!("user:{username}"))?);
        ev.reason = Some(reason.to_owned());
        ev.validate()?;
        self.write(|u| {
            // An administrator's lock never expires; sign-in failures set none.
            u.tx().lock_user(username, DISABLED)?;
            let ended = u.tx().delete_sessions_of(username)?;
            let mut ev = ev;
            ev.note = Some(format!("account disabled; {ended} session(s) ended"));
            u.log(ev);
            Ok(ended)
        })
    }

    pub fn logout(&self, token: &str) -> Result<(), CoreError> {
        self.write_unlogged(|tx| Ok(tx.delete_session(&token_hash(token))?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 appendix B, SHA-1 seed, truncated to 6 digits.
    #[test]
    fn rfc6238_vectors() {
        let seed = b"12345678901234567890";
        for (t, eight) in [
            (59i64, 94_287_082u32),
            (1_111_111_109, 7_081_804),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
        ] {
            assert_eq!(totp_code(seed, t / 30), eight % 1_000_000, "t={t}");
        }
    }

    #[test]
    fn base32_matches_rfc4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"f"), "MY");
        for bytes in [&b""[..], b"f", b"foobar", &[0xff; 20], &[0, 1, 2, 3, 4, 5, 6]] {
            assert_eq!(base32_decode(&base32(bytes)).as_deref(), Some(bytes));
        }
        assert_eq!(base32_decode("MZXW6YTBOI=="), None, "no padding");
        assert_eq!(base32_decode("mzxw6ytboi"), None, "upper case only");
    }
}

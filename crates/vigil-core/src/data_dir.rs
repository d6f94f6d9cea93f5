//! The data directory: `vigil.json` (which store), `vigil.db` (the SQLite
//! store, by default), `vault/` (sealed blobs) and `keys/` (the master key,
//! the log signing key and its public half).

use crate::clock::now;
use crate::custody_log::{append, AppendReceipt};
use crate::error::CoreError;
use serde::{Deserialize, Serialize};
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use vigil_custody::{SigningKey, VerifyingKey};
use vigil_domain::{Actor, CustodyEvent, EventKind, ObjectRef};
use vigil_store::{Store, StorePool};
use vigil_vault::{BucketLocation, MasterKey, Vault};
use zeroize::Zeroizing;

/// Where each part of a data directory lives.
#[derive(Debug, Clone)]
pub struct Layout {
    pub root: PathBuf,
}

impl Layout {
    pub fn new(root: &Path) -> Self {
        Layout { root: root.to_owned() }
    }
    pub fn config(&self) -> PathBuf {
        self.root.join("vigil.json")
    }
    pub fn sqlite(&self) -> PathBuf {
        self.root.join("vigil.db")
    }
    pub fn vault(&self) -> PathBuf {
        self.root.join("vault")
    }
    pub fn keys(&self) -> PathBuf {
        self.root.join("keys")
    }
    pub fn master_key(&self) -> PathBuf {
        self.keys().join("master.key")
    }
    pub fn next_master_key(&self) -> PathBuf {
        self.keys().join("master.key.next")
    }
    pub fn signing_key(&self) -> PathBuf {
        self.keys().join("signing.key")
    }
    pub fn public_key(&self) -> PathBuf {
        self.keys().join("signing.pub")
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    format: String,
    version: u32,
    /// `sqlite` for `vigil.db` beside this file, or a `postgres://` URL.
    store: String,
    /// An `s3://` URL where the blobs are kept; absent for the `vault/` folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    vault: Option<String>,
}

const CONFIG_FORMAT: &str = "vigil-data";

/// Set once every row of every projected table is accounted for in the log.
const PROJECTION_BASELINE: &str = "projection_baseline";

/// Row images per baseline event, to keep each leaf a modest size.
const BASELINE_ROWS_PER_EVENT: usize = 500;

/// Read connections per open data directory: enough for the officer pages
/// and intake's reads on a small server; writes have their own connection.
const READERS: usize = 8;

/// What `init` made, with no secrets in it.
#[derive(Debug, Clone, Serialize)]
pub struct InitReport {
    pub data_dir: PathBuf,
    pub store: String,
    pub public_key: String,
    pub public_key_file: PathBuf,
    pub master_key_id: String,
    /// Where the blobs are: the vault folder, or the bucket's URL.
    pub vault: String,
}

/// An open data directory.
pub struct Vigil {
    pub(crate) layout: Layout,
    pub(crate) store: StorePool,
    pub(crate) vault: Vault,
    pub(crate) master: MasterKey,
    pub(crate) signing: SigningKey,
    /// Where evidence times come from (the system clock unless set).
    pub(crate) clock: crate::clock::Clock,
    /// `vigil.lock`, held shared for as long as this is open.
    pub(crate) lock: crate::dir_lock::DirLock,
    /// What this node remembers of the shared rate windows and form tokens
    /// (a window's salt, the last sweep of spent tokens), to spare the
    /// store a round trip per request.
    pub(crate) node_memory: crate::rate_window::NodeMemory,
    /// Public reports waiting to be written together (`write_queue.rs`).
    pub(crate) report_queue:
        crate::write_queue::WriteQueue<crate::public_intake::ReadyReport, crate::public_intake::Written>,
    /// Requests waiting to be counted in the shared rate windows together.
    pub(crate) count_queue: crate::write_queue::WriteQueue<vigil_store::RateCount, (i64, i64)>,
    /// Form tokens waiting to be spent in the store together.
    pub(crate) token_queue: crate::write_queue::WriteQueue<vigil_store::SpentTokenRow, bool>,
    /// Public reports' identifiers waiting to be looked up together: how
    /// many reports hold each already.
    pub(crate) share_queue: crate::write_queue::WriteQueue<Vec<String>, Vec<u32>>,
}

/// Writes a file that must not already exist, with the given mode, fsync'd.
pub(crate) fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), CoreError> {
    let mut f =
        OpenOptions::new().write(true).create_new(true).mode(mode).open(path).map_err(|e| CoreError::file(path, e))?;
    f.write_all(bytes).and_then(|_| f.sync_all()).map_err(|e| CoreError::file(path, e))
}

pub(crate) fn sync_dir(dir: &Path) -> Result<(), CoreError> {
    fs::File::open(dir).and_then(|d| d.sync_all()).map_err(|e| CoreError::file(dir, e))
}

/// The `vigil.json` of a backup of this directory: the same store (or
/// `store` instead), and the blobs in the backup's own `vault/` folder.
pub(crate) fn backup_config(layout: &Layout, store: Option<&str>) -> Result<Vec<u8>, CoreError> {
    let mut cfg = read_config(layout)?;
    if let Some(s) = store {
        cfg.store = s.to_owned();
    }
    cfg.vault = None;
    Ok(serde_json::to_vec_pretty(&cfg).expect("a config serialises"))
}

/// The store `vigil.json` names, or `VIGIL_STORE` where it is set.
fn configured_store(layout: &Layout) -> Result<String, CoreError> {
    Ok(std::env::var("VIGIL_STORE").ok().filter(|s| !s.is_empty()).unwrap_or(read_config(layout)?.store))
}

/// Opens the vault `vigil.json` names: its bucket, or the `vault/` folder.
fn configured_vault(layout: &Layout) -> Result<Vault, CoreError> {
    match read_config(layout)?.vault {
        Some(url) => Ok(Vault::open_bucket(&layout.vault(), &BucketLocation::parse(&url)?)?),
        None => Ok(Vault::open(&layout.vault())?),
    }
}

/// Writes `vigil.json` whole or not at all.
fn write_config(layout: &Layout, cfg: &Config) -> Result<(), CoreError> {
    let tmp = layout.root.join("vigil.json.tmp");
    let _ = fs::remove_file(&tmp);
    write_new(&tmp, serde_json::to_string_pretty(cfg).expect("config serialises").as_bytes(), 0o600)?;
    fs::rename(&tmp, layout.config()).map_err(|e| CoreError::file(layout.config(), e))?;
    sync_dir(&layout.root)
}

/// Points `vigil.json` at a bucket (or back at the `vault/` folder).
pub(crate) fn set_configured_vault(layout: &Layout, vault: Option<&str>) -> Result<(), CoreError> {
    let mut cfg = read_config(layout)?;
    cfg.vault = vault.map(str::to_owned);
    write_config(layout, &cfg)
}

fn read_config(layout: &Layout) -> Result<Config, CoreError> {
    let cfg_path = layout.config();
    let text = match fs::read_to_string(&cfg_path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(CoreError::NotInitialised(layout.root.clone()))
        }
        Err(e) => return Err(CoreError::file(&cfg_path, e)),
    };
    let cfg: Config = serde_json::from_str(&text)
        .map_err(|e| CoreError::file(&cfg_path, format!("is not a valid Vigil config: {e}")))?;
    if cfg.format != CONFIG_FORMAT || cfg.version != 1 {
        return Err(CoreError::file(&cfg_path, "is not a version 1 Vigil data config"));
    }
    Ok(cfg)
}

fn store_location(layout: &Layout, configured: &str) -> String {
    if configured == "sqlite" {
        layout.sqlite().to_string_lossy().into_owned()
    } else {
        configured.to_owned()
    }
}

/// Store names shown to people: a PostgreSQL URL loses any password.
fn redact(location: &str) -> String {
    match (location.find("://"), location.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &location[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &location[..s + 3], &location[at..]),
                None => location.to_owned(),
            }
        }
        _ => location.to_owned(),
    }
}

fn load_signing_key(path: &Path) -> Result<SigningKey, CoreError> {
    let text = Zeroizing::new(fs::read_to_string(path).map_err(|e| CoreError::file(path, e))?);
    let mut seed = Zeroizing::new([0u8; 32]);
    if text.trim().len() != 64 || hex::decode_to_slice(text.trim(), &mut seed[..]).is_err() {
        return Err(CoreError::file(path, "must hold 64 hex characters (an Ed25519 seed)"));
    }
    Ok(SigningKey::from_bytes(&seed))
}

/// Reads a public key file: 64 hex characters.
pub fn read_public_key(path: &Path) -> Result<VerifyingKey, CoreError> {
    let meta = fs::metadata(path).map_err(|e| CoreError::file(path, e))?;
    if meta.len() > 1024 {
        return Err(CoreError::file(path, "is too large to be a public key"));
    }
    let text = fs::read_to_string(path).map_err(|e| CoreError::file(path, e))?;
    let mut b = [0u8; 32];
    if text.trim().len() != 64 || hex::decode_to_slice(text.trim(), &mut b).is_err() {
        return Err(CoreError::file(path, "must hold 64 hex characters (an Ed25519 public key)"));
    }
    VerifyingKey::from_bytes(&b).map_err(|_| CoreError::file(path, "is not a valid Ed25519 public key"))
}

impl Vigil {
    /// This data directory with evidence times taken from `clock` (a
    /// manual clock, for simulations and tests that need known times).
    pub fn with_clock(mut self, clock: crate::clock::Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The time evidence is recorded at now.
    pub fn now(&self) -> vigil_domain::Timestamp {
        self.clock.now()
    }

    /// Creates a data directory: keys (0600), the store and its migrations,
    /// and the log's first event. `store` is `None` for embedded SQLite.
    pub fn init(root: &Path, store: Option<&str>) -> Result<InitReport, CoreError> {
        Self::init_with(root, store, None)
    }

    /// As [`Vigil::init`], with the blobs in the bucket `vault` names (an
    /// `s3://` URL) rather than the `vault/` folder; the bucket is asked
    /// once before anything is written, so a wrong endpoint or key is
    /// named at once.
    pub fn init_with(root: &Path, store: Option<&str>, vault: Option<&str>) -> Result<InitReport, CoreError> {
        let layout = Layout::new(root);
        let bucket = vault.map(BucketLocation::parse).transpose()?;
        if layout.config().exists() {
            return Err(CoreError::AlreadyInitialised(root.to_owned()));
        }
        if layout.keys().exists() {
            return Err(CoreError::Refused(format!(
                "{} holds keys but no vigil.json: a previous init was interrupted; move the directory aside and run init again",
                root.display()
            )));
        }
        fs::create_dir_all(root).map_err(|e| CoreError::file(root, e))?;
        fs::set_permissions(root, fs::Permissions::from_mode(0o700)).map_err(|e| CoreError::file(root, e))?;
        fs::create_dir(layout.keys()).map_err(|e| CoreError::file(layout.keys(), e))?;
        fs::set_permissions(layout.keys(), fs::Permissions::from_mode(0o700))
            .map_err(|e| CoreError::file(layout.keys(), e))?;

        let master = MasterKey::generate();
        write_new(&layout.master_key(), master.to_file_text().as_bytes(), 0o600)?;
        let mut seed = Zeroizing::new([0u8; 32]);
        getrandom::getrandom(&mut seed[..]).map_err(|e| CoreError::Refused(format!("no OS randomness: {e}")))?;
        let signing = SigningKey::from_bytes(&seed);
        write_new(&layout.signing_key(), format!("{}\n", hex::encode(&seed[..])).as_bytes(), 0o600)?;
        let public = hex::encode(signing.verifying_key().as_bytes());
        write_new(&layout.public_key(), format!("{public}\n").as_bytes(), 0o644)?;
        sync_dir(&layout.keys())?;

        let configured = store.unwrap_or("sqlite").to_owned();
        let location = store_location(&layout, &configured);
        let mut st = vigil_store::open(&location)?;
        if st.log_state()?.size != 0 {
            return Err(CoreError::Refused(format!(
                "the store {} already holds a custody log; give init an empty database",
                redact(&location)
            )));
        }
        let vault = match &bucket {
            Some(b) => Vault::open_bucket(&layout.vault(), b)?,
            None => Vault::open(&layout.vault())?,
        };
        vault.check_bucket()?;
        {
            let t = now();
            let mut tx = st.begin()?;
            let state = tx.lock_log()?;
            tx.insert_master_key(master.id(), t.unix_millis())?;
            tx.set_meta("log_public_key", &public)?;
            // Every row from here on is made by a unit whose event records it.
            tx.set_meta(PROJECTION_BASELINE, "from the first event")?;
            let mut ev = CustodyEvent::new(EventKind::Created, Actor::system(), t, ObjectRef::log());
            ev.note = Some(format!("custody log created; signing public key {public}; master key {}", master.id()));
            append(tx.as_mut(), state, &[ev], &signing, t)?;
            tx.commit()?;
        }
        drop(vault);
        // vigil.json is written last: its presence means init finished.
        let vault = bucket.map(|b| b.to_string());
        let cfg = Config { format: CONFIG_FORMAT.into(), version: 1, store: configured, vault: vault.clone() };
        write_config(&layout, &cfg)?;
        Ok(InitReport {
            vault: vault.unwrap_or_else(|| layout.vault().display().to_string()),
            data_dir: root.to_owned(),
            store: redact(&location),
            public_key: public,
            public_key_file: layout.public_key(),
            master_key_id: master.id().to_owned(),
        })
    }

    /// Where the store is, as `open` found it (the config, or `VIGIL_STORE`).
    pub(crate) fn configured_store(&self) -> Result<String, CoreError> {
        Ok(store_location(&self.layout, &configured_store(&self.layout)?))
    }

    /// Opens an initialised data directory. `VIGIL_STORE` overrides the store
    /// named in `vigil.json` (for example to point a copy at another database).
    pub fn open(root: &Path) -> Result<Self, CoreError> {
        let layout = Layout::new(root);
        let cfg_path = layout.config();
        let configured = configured_store(&layout)?;
        // Before any key is loaded: a rotation running now would replace it.
        let lock = crate::dir_lock::DirLock::shared(&layout)?;
        if let Some(dump) = configured.strip_prefix(crate::backup::RESTORE_PREFIX) {
            return Err(CoreError::Refused(format!(
                "{} is a backup of a PostgreSQL store: load {} into a new database (createdb NEW; pg_restore \
                 --no-owner -d NEW {}), then set \"store\" in {} to its URL, or run with VIGIL_STORE=URL",
                root.display(),
                dump,
                root.join(dump).display(),
                cfg_path.display()
            )));
        }
        let store = StorePool::open(&store_location(&layout, &configured), READERS)?;
        let signing = load_signing_key(&layout.signing_key())?;
        let master = Self::load_master(&layout, &mut *store.write()?)?;
        let vault = configured_vault(&layout)?;
        let v = Vigil {
            layout,
            store,
            vault,
            master,
            signing,
            clock: crate::clock::Clock::system(),
            lock,
            node_memory: Default::default(),
            report_queue: Default::default(),
            count_queue: Default::default(),
            token_queue: Default::default(),
            share_queue: Default::default(),
        };
        v.ensure_projection_baseline()?;
        v.remove_stale_recordings();
        Ok(v)
    }

    /// Loads the master key and checks it is the store's current one. A
    /// rotation interrupted after its commit is finished here.
    fn load_master(layout: &Layout, store: &mut dyn Store) -> Result<MasterKey, CoreError> {
        let current = store
            .current_master_key()?
            .ok_or_else(|| CoreError::MasterKey("the store records no master key".into()))?;
        let key = MasterKey::load(&layout.master_key()).map_err(|e| CoreError::MasterKey(e.to_string()))?;
        if key.id() == current {
            return Ok(key);
        }
        let next_path = layout.next_master_key();
        if next_path.exists() {
            let next = MasterKey::load(&next_path).map_err(|e| CoreError::MasterKey(e.to_string()))?;
            if next.id() == current {
                fs::rename(&next_path, layout.master_key()).map_err(|e| CoreError::file(&next_path, e))?;
                sync_dir(&layout.keys())?;
                return Ok(next);
            }
        }
        Err(CoreError::MasterKey(format!(
            "{} holds key {}, but this store's master key is {current}: wrong master key file",
            layout.master_key().display(),
            key.id()
        )))
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        self.store.backend()
    }

    /// Whether the store answers a read now (for `/healthz`).
    pub fn store_healthy(&self) -> bool {
        self.store.read().and_then(|mut s| s.log_state()).is_ok()
    }

    pub fn public_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// Appends events (one signed head for the batch). For services that
    /// record events about objects other than exhibits, and for benchmarks.
    /// A store made before events recorded the rows they left (or by a
    /// migration since) is given a baseline once: the images of every row of
    /// every projected table as it stands, signed into the log, from which
    /// `verify` rebuilds the tables. What happened to those rows before the
    /// baseline is only what the earlier events and checks say.
    fn ensure_projection_baseline(&self) -> Result<(), CoreError> {
        if self.store.read()?.meta(PROJECTION_BASELINE)?.is_some() {
            return Ok(());
        }
        let mut images = Vec::new();
        for spec in vigil_store::PROJECTED {
            for json in self.store.read()?.projection_rows(spec.table)? {
                let i =
                    vigil_store::projection::image_of(spec.table, &json).map_err(|e| CoreError::Log(e.to_string()))?;
                images.push(i.image);
            }
        }
        let parts = images.len().div_ceil(BASELINE_ROWS_PER_EVENT).max(1);
        self.write(|u| {
            let mut chunks = images.chunks(BASELINE_ROWS_PER_EVENT);
            for part in 1..=parts {
                let mut ev = CustodyEvent::new(EventKind::Reviewed, Actor::system(), u.now, ObjectRef::log());
                ev.note = Some(format!(
                    "projection baseline, part {part} of {parts}: rows that existed before events recorded the rows they left"
                ));
                ev.rows = chunks.next().map(<[_]>::to_vec).unwrap_or_default();
                u.log(ev);
            }
            u.tx().set_meta(PROJECTION_BASELINE, &format!("baseline of {} rows", images.len()))?;
            Ok(())
        })
    }

    pub fn append_events(&self, events: &[CustodyEvent]) -> Result<AppendReceipt, CoreError> {
        if events.is_empty() {
            return Err(CoreError::Refused("nothing to append".into()));
        }
        let ((), receipt) = self.write_logged(|u| {
            for ev in events {
                u.log(ev.clone());
            }
            Ok(())
        })?;
        Ok(receipt.expect("events were queued"))
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://postgres@127.0.0.1/db"), "postgres://postgres@127.0.0.1/db");
        assert_eq!(redact("/tmp/x/vigil.db"), "/tmp/x/vigil.db");
    }
}

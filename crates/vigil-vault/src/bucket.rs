//! Blobs in an S3-compatible bucket. Each sealed copy is the object
//! `blobs/ab/<sha256>/<slot>`: addressed by its content's SHA-256 and named
//! by the slot its header carries, so an upload always goes to a name never
//! used before and never overwrites anything, on any number of nodes,
//! without a lock or a conditional PUT (which Garage does not offer). The
//! bucket only ever sees sealed bytes: no clear text, no key.
//!
//! The vault's callers block; the client is async. A small runtime of the
//! bucket's own runs the requests and the caller waits on a channel, which
//! works from any thread, including one of the web server's.

use crate::bucket_location::BucketLocation;
use crate::error::VaultError;
use crate::vault::read_full;
use crate::wrapped_key::SlotId;
use bytes::Bytes;
use futures_util::stream::{BoxStream, StreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{GetOptions, GetRange, ObjectStore, PutPayload, WriteMultipart};
use std::io::{Read, Seek, SeekFrom};
use std::sync::Arc;
use std::time::Duration;
use vigil_domain::Sha256Digest;

/// Bytes per uploaded part (S3 wants at least 5 MiB for all but the last).
const PART: usize = 8 << 20;
/// Parts in flight at once per upload.
const PARTS_IN_FLIGHT: usize = 4;

pub(crate) struct Bucket {
    location: BucketLocation,
    store: Arc<AmazonS3>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for Bucket {
    fn drop(&mut self) {
        // Dropped on an async thread, a runtime would panic while waiting for
        // its workers; nothing of ours is left running by then.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// A failed request, with what it was for.
fn failed(location: &BucketLocation, what: String) -> impl FnOnce(object_store::Error) -> VaultError + '_ {
    move |source| VaultError::Bucket { bucket: location.bucket.clone(), what, source: Box::new(source) }
}

impl Bucket {
    pub(crate) fn connect(location: &BucketLocation) -> Result<Self, VaultError> {
        let creds = location.credentials()?;
        let mut b = AmazonS3Builder::new()
            .with_bucket_name(&location.bucket)
            .with_region(&location.region)
            .with_access_key_id(&creds.key_id)
            .with_secret_access_key(creds.secret.as_str())
            .with_retry(object_store::RetryConfig {
                backoff: Default::default(),
                max_retries: 3,
                retry_timeout: Duration::from_secs(30),
            })
            .with_client_options(
                object_store::ClientOptions::new()
                    .with_connect_timeout(Duration::from_secs(5))
                    .with_timeout(Duration::from_secs(120)),
            );
        if let Some(e) = &location.endpoint {
            // Path-style requests: Garage and most self-hosted services
            // serve the bucket under the endpoint, not as a subdomain.
            b = b.with_endpoint(e).with_allow_http(e.starts_with("http://")).with_virtual_hosted_style_request(false);
        }
        let store = b.build().map_err(|e| VaultError::Location { why: format!("bucket {}: {e}", location.bucket) })?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("vigil-s3")
            .enable_all()
            .build()
            .map_err(|e| VaultError::Location { why: format!("cannot start the S3 client: {e}") })?;
        Ok(Bucket { location: location.clone(), store: Arc::new(store), runtime: Some(runtime) })
    }

    pub(crate) fn location(&self) -> &BucketLocation {
        &self.location
    }

    /// Runs a request on the bucket's runtime and waits for it.
    fn run<T: Send + 'static>(&self, fut: impl std::future::Future<Output = T> + Send + 'static) -> T {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let rt = self.runtime.as_ref().expect("the runtime lives as long as the bucket");
        rt.spawn(async move {
            let _ = tx.send(fut.await);
        });
        rx.recv().expect("a request's task always answers")
    }

    /// `[prefix/]blobs`, where this vault's objects are.
    fn blobs(&self) -> ObjectPath {
        match &self.location.prefix {
            Some(p) => ObjectPath::from(format!("{p}/blobs")),
            None => ObjectPath::from("blobs"),
        }
    }

    fn folder(&self, sha: &Sha256Digest) -> ObjectPath {
        let h = sha.to_hex();
        self.blobs().child(&h[..2]).child(h)
    }

    fn object(&self, sha: &Sha256Digest, slot: &SlotId) -> ObjectPath {
        self.folder(sha).child(hex::encode(slot))
    }

    /// Checks the bucket answers with these credentials (a listing).
    pub(crate) fn check(&self) -> Result<(), VaultError> {
        let store = self.store.clone();
        let blobs = self.blobs();
        self.run(async move { store.list_with_delimiter(Some(&blobs)).await.map(|_| ()) })
            .map_err(failed(&self.location, "listing the bucket".into()))
    }

    /// The slots of the sealed copies of `sha` in the bucket.
    pub(crate) fn copies(&self, sha: &Sha256Digest) -> Result<Vec<SlotId>, VaultError> {
        let store = self.store.clone();
        let folder = self.folder(sha);
        let metas = self
            .run(async move { store.list(Some(&folder)).collect::<Vec<_>>().await })
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
            .map_err(failed(&self.location, format!("listing the copies of blob {sha}")))?;
        let mut slots = Vec::with_capacity(metas.len());
        for m in metas {
            // Anything not named by a slot is not ours to read or remove.
            let name = m.location.filename().unwrap_or_default();
            if let Some(slot) = hex::decode(name).ok().and_then(|b| SlotId::try_from(b).ok()) {
                slots.push(slot);
            }
        }
        Ok(slots)
    }

    /// Uploads a sealed file as the copy of `sha` under `slot`, in parts.
    pub(crate) fn upload(&self, sha: &Sha256Digest, slot: &SlotId, file: &mut impl Read) -> Result<(), VaultError> {
        let path = self.object(sha, slot);
        let what = || format!("uploading blob {sha}");
        let mut first = vec![0u8; PART];
        let n = read_full(file, &mut first).map_err(VaultError::Input)?;
        if n < PART {
            first.truncate(n);
            let store = self.store.clone();
            return self
                .run(async move { store.put(&path, PutPayload::from(first)).await.map(|_| ()) })
                .map_err(failed(&self.location, what()));
        }
        let store = self.store.clone();
        let upload =
            self.run(async move { store.put_multipart(&path).await }).map_err(failed(&self.location, what()))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
        let mut part = first;
        loop {
            let bytes = Bytes::from(std::mem::take(&mut part));
            writer = self
                .run(async move {
                    match writer.wait_for_capacity(PARTS_IN_FLIGHT).await {
                        Ok(()) => {
                            writer.put(bytes);
                            Ok(writer)
                        }
                        Err(e) => {
                            let _ = writer.abort().await;
                            Err(e)
                        }
                    }
                })
                .map_err(failed(&self.location, what()))?;
            let mut next = vec![0u8; PART];
            let n = match read_full(file, &mut next) {
                Ok(n) => n,
                Err(e) => {
                    let _ = self.run(async move { writer.abort().await });
                    return Err(VaultError::Input(e));
                }
            };
            if n == 0 {
                break;
            }
            next.truncate(n);
            part = next;
        }
        self.run(async move { writer.finish().await.map(|_| ()) }).map_err(failed(&self.location, what()))
    }

    /// Opens the copy of `sha` under `slot` for streamed, seekable reading;
    /// `None` if there is no such copy.
    pub(crate) fn open(
        self: &Arc<Self>,
        sha: &Sha256Digest,
        slot: &SlotId,
    ) -> Result<Option<ObjectReader>, VaultError> {
        let store = self.store.clone();
        let path = self.object(sha, slot);
        let p = path.clone();
        // One GET: its answer gives the length and starts the stream from
        // the first byte, where nearly every read begins (a seek first
        // drops it and asks for its range).
        match self.run(async move { store.get(&p).await.map(|r| (r.meta.size, r.into_stream())) }) {
            Ok((len, body)) => Ok(Some(ObjectReader {
                bucket: self.clone(),
                sha: *sha,
                path,
                len,
                pos: 0,
                body: Some(body),
                have: Bytes::new(),
            })),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(failed(&self.location, format!("reading blob {sha}"))(e)),
        }
    }

    /// Removes one copy; answers whether it was there.
    pub(crate) fn remove(&self, sha: &Sha256Digest, slot: &SlotId) -> Result<(), VaultError> {
        let store = self.store.clone();
        let path = self.object(sha, slot);
        match self.run(async move { store.delete(&path).await }) {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(failed(&self.location, format!("removing blob {sha}"))(e)),
        }
    }

    /// Replaces a copy's bytes. Only tests that tamper with evidence on
    /// purpose call this: the vault itself never rewrites an object.
    pub(crate) fn overwrite_for_tests(
        &self,
        sha: &Sha256Digest,
        slot: &SlotId,
        bytes: Vec<u8>,
    ) -> Result<(), VaultError> {
        let store = self.store.clone();
        let path = self.object(sha, slot);
        self.run(async move { store.put(&path, PutPayload::from(bytes)).await.map(|_| ()) })
            .map_err(failed(&self.location, format!("writing blob {sha}")))
    }
}

/// One object read as a stream from the current position; a seek drops the
/// stream and the next read asks for the range from there.
pub(crate) struct ObjectReader {
    bucket: Arc<Bucket>,
    sha: Sha256Digest,
    path: ObjectPath,
    len: u64,
    pos: u64,
    body: Option<BoxStream<'static, object_store::Result<Bytes>>>,
    have: Bytes,
}

impl ObjectReader {
    pub(crate) fn len(&self) -> u64 {
        self.len
    }
}

impl Read for ObjectReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if out.is_empty() || self.pos >= self.len {
            return Ok(0);
        }
        while self.have.is_empty() {
            let mut body = match self.body.take() {
                Some(b) => b,
                None => {
                    let store = self.bucket.store.clone();
                    let path = self.path.clone();
                    let range = GetRange::Bounded(self.pos..self.len);
                    let opts = GetOptions { range: Some(range), ..Default::default() };
                    self.bucket
                        .run(async move { store.get_opts(&path, opts).await.map(|r| r.into_stream()) })
                        .map_err(|e| std::io::Error::other(format!("blob {}: {e}", self.sha)))?
                }
            };
            let (next, body) = self.bucket.run(async move {
                let next = body.next().await;
                (next, body)
            });
            match next {
                Some(Ok(bytes)) => {
                    self.have = bytes;
                    self.body = Some(body);
                }
                Some(Err(e)) => return Err(std::io::Error::other(format!("blob {}: {e}", self.sha))),
                None => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        format!("blob {}: the object ended before its length", self.sha),
                    ))
                }
            }
        }
        let n = out.len().min(self.have.len());
        out[..n].copy_from_slice(&self.have[..n]);
        self.have = self.have.slice(n..);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for ObjectReader {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let target = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        }
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before the start"))?;
        if target != self.pos {
            self.body = None;
            self.have = Bytes::new();
            self.pos = target;
        }
        Ok(target)
    }
}

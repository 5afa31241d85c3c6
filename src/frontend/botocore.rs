//! botocore's published service models (`<service>/<version>/service-2.json(.gz)`): finding them, listing them, loading one into a [`Service`].
//!
//! ```no_run
//! use conform::frontend::botocore::Models;
//! # fn main() -> Result<(), conform::frontend::botocore::BotocoreError> {
//! let models = Models::locate(None, std::env::var_os("CONFORM_MODELS").as_deref())?;
//! for entry in models.catalog().services {
//!     println!("{} {} {} operations", entry.name, entry.api_version, entry.operations);
//! }
//! let dynamodb = models.load("dynamodb")?;
//! # Ok(()) }
//! ```
//!
//! The loader follows botocore's own (`botocore/loaders.py`, `botocore/model.py`): the newest API version directory
//! that holds a `service-2` file wins, `.json` is read before `.json.gz`, a `service-2.sdk-extras.json` beside the
//! model is merged over it, and a reference's traits count with its target's.

mod build;
pub mod docs;
mod raw;

use std::ffi::OsStr;
use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::model::{Model, ProtocolId, Service};

use raw::{CatalogMetadata, EntryCount, RawModel, RawPaginators};

/// The model file names botocore reads, in the order it tries them.
const SERVICE_FILES: [&str; 2] = ["service-2.json", "service-2.json.gz"];
const PAGINATOR_FILES: [&str; 2] = ["paginators-1.json", "paginators-1.json.gz"];
const EXTRAS_FILE: &str = "service-2.sdk-extras.json";

/// How long the Python interpreter may take to say where botocore is.
const PYTHON_TIMEOUT: Duration = Duration::from_secs(3);

/// What went wrong finding, reading or loading models. Messages name the path, and the shape or operation.
#[derive(Debug, thiserror::Error)]
pub enum BotocoreError {
    /// Nothing says where models are, and no Python interpreter here has botocore.
    #[error(
        "failed to find botocore's service models: {tried}; install them with `pip install botocore` (or run \
         scripts/test.sh, which installs botocore into .venv), or pass --models PATH or set CONFORM_MODELS to \
         botocore's data directory"
    )]
    NotFound {
        /// What was tried, for the message.
        tried: String,
    },
    /// A file or directory could not be read.
    #[error("failed to read models from {}: {cause}", path.display())]
    Read {
        /// The path.
        path: PathBuf,
        /// The operating system's reason.
        cause: io::Error,
    },
    /// A path exists but holds no service model.
    #[error("failed to find service models in {}: {reason}", path.display())]
    NoModels {
        /// The path.
        path: PathBuf,
        /// What was expected there.
        reason: String,
    },
    /// A model file is not valid JSON, or a field has the wrong type.
    #[error("failed to parse {}: {cause}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The parser's reason, with the line and column.
        cause: serde_json::Error,
    },
    /// A model file is well-formed JSON but not a sound model (a member pointing at a missing shape, ...).
    #[error("failed to load {}: {place}: {problem}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// The shape, member or operation (`shape \`Foo\`, member \`Bar\``).
        place: String,
        /// What is wrong.
        problem: String,
    },
    /// No service of that name among the models.
    #[error("failed to find service `{name}` among the models in {}{hint}", root.display())]
    UnknownService {
        /// The name asked for.
        name: String,
        /// Where the models are.
        root: PathBuf,
        /// A suggestion (`; did you mean \`dynamodb\`?`), or nothing.
        hint: String,
    },
}

impl BotocoreError {
    /// Whether no models were found at all: the caller goes on with the built-in specs.
    pub fn is_not_found(&self) -> bool {
        matches!(self, BotocoreError::NotFound { .. })
    }

    fn read(path: &Path, cause: io::Error) -> Self {
        BotocoreError::Read {
            path: path.to_path_buf(),
            cause,
        }
    }
}

/// How a set of models was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FoundBy {
    /// The path given on the command line (`--models`).
    Flag,
    /// The `CONFORM_MODELS` environment variable.
    Env,
    /// A Python interpreter's installed botocore.
    Python {
        /// The interpreter asked (`.venv/bin/python`, `python3`).
        interpreter: String,
    },
    /// A path given directly to [`Models::open`].
    Path,
}

/// One service's model file: the newest API version that has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelFile {
    /// The command-line name: botocore's directory name (`dynamodb`).
    pub service: String,
    /// The API version directory (`2012-08-10`); empty for a lone file outside that layout.
    pub version: String,
    /// The `service-2.json(.gz)` file.
    pub path: PathBuf,
}

/// A set of botocore models: a `data` directory or any tree of `<service>/<version>/service-2.json(.gz)`, one
/// service's directory, or a single model file.
#[derive(Debug, Clone)]
pub struct Models {
    /// The path given or found.
    pub root: PathBuf,
    /// How it was found.
    pub found_by: FoundBy,
    /// One file per service, by name.
    pub files: Vec<ModelFile>,
}

/// One service as `conform spec list` shows it, read without loading its shapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogEntry {
    /// Command-line name (`dynamodb`).
    pub name: String,
    /// `metadata.apiVersion`.
    pub api_version: String,
    /// `metadata.serviceId` (`DynamoDB`).
    pub service_id: String,
    /// `metadata.serviceFullName` (`Amazon DynamoDB`).
    pub title: String,
    /// The protocols it speaks, in the model's order of preference (those conform knows).
    pub protocols: Vec<ProtocolId>,
    /// How many operations it has.
    pub operations: usize,
    /// The model file.
    pub path: PathBuf,
}

/// Every service of a set of models, and the files that could not be read.
#[derive(Debug, Default)]
pub struct Catalog {
    /// The services, by name.
    pub services: Vec<CatalogEntry>,
    /// One error per model file that could not be listed; the others are listed all the same.
    pub failures: Vec<BotocoreError>,
}

impl Models {
    /// Finds models: the `--models` path when given, else `CONFORM_MODELS` (when set and not empty), else the
    /// botocore that `.venv/bin/python` (in the current directory) or `python3` has installed.
    ///
    /// A path that is given but unusable is an error naming it, never a reason to look elsewhere; finding nothing
    /// at all is [`BotocoreError::NotFound`], whose message says how to get botocore.
    pub fn locate(flag: Option<&Path>, env: Option<&OsStr>) -> Result<Models, BotocoreError> {
        if let Some(path) = flag {
            return Models::open_as(path, FoundBy::Flag);
        }
        if let Some(path) = env.filter(|v| !v.is_empty()) {
            return Models::open_as(Path::new(path), FoundBy::Env);
        }
        let mut tried = Vec::new();
        for interpreter in python_interpreters() {
            match botocore_data_dir(interpreter, PYTHON_TIMEOUT) {
                Some(dir) => {
                    return Models::open_as(
                        &dir,
                        FoundBy::Python {
                            interpreter: interpreter.to_string(),
                        },
                    );
                }
                None => tried.push(format!("{interpreter} has no botocore")),
            }
        }
        Err(BotocoreError::NotFound {
            tried: format!(
                "no --models PATH, no CONFORM_MODELS, and {}",
                tried.join(", ")
            ),
        })
    }

    /// Opens models at `path`: botocore's `data` directory (or any tree of `<service>/<version>/service-2.json(.gz)`),
    /// one service's directory (`data/dynamodb`), one version's directory, or a single model file.
    pub fn open(path: impl AsRef<Path>) -> Result<Models, BotocoreError> {
        Models::open_as(path.as_ref(), FoundBy::Path)
    }

    fn open_as(path: &Path, found_by: FoundBy) -> Result<Models, BotocoreError> {
        let metadata = fs::metadata(path).map_err(|e| BotocoreError::read(path, e))?;
        let files = if metadata.is_file() {
            vec![lone_file(path)?]
        } else if let Some(file) = service_file_in(path) {
            vec![lone_file(&file)?]
        } else if let Some((version, file)) = newest_version(path)? {
            vec![ModelFile {
                service: dir_name(path),
                version,
                path: file,
            }]
        } else {
            let mut files = Vec::new();
            for entry in read_dir_sorted(path)? {
                if let Some((version, file)) = newest_version(&entry)? {
                    files.push(ModelFile {
                        service: dir_name(&entry),
                        version,
                        path: file,
                    });
                }
            }
            if files.is_empty() {
                return Err(BotocoreError::NoModels {
                    path: path.to_path_buf(),
                    reason: "no <service>/<version>/service-2.json(.gz) under it (botocore's models are in the \
                             `data` directory of the botocore package)"
                        .into(),
                });
            }
            files
        };
        Ok(Models {
            root: path.to_path_buf(),
            found_by,
            files,
        })
    }

    /// The model file of a service, by command-line name.
    pub fn file(&self, service: &str) -> Result<&ModelFile, BotocoreError> {
        self.files
            .iter()
            .find(|f| f.service == service)
            .ok_or_else(|| {
                let near = self
                    .files
                    .iter()
                    .find(|f| {
                        f.service.eq_ignore_ascii_case(service)
                            || f.service.replace('-', "") == service
                    })
                    .or_else(|| self.files.iter().find(|f| f.service.starts_with(service)));
                BotocoreError::UnknownService {
                    name: service.to_string(),
                    root: self.root.clone(),
                    hint: near
                        .map_or_else(String::new, |f| format!("; did you mean `{}`?", f.service)),
                }
            })
    }

    /// Lists every service with its version, protocols and operation count, reading each file only up to its
    /// operations (the shapes, four fifths of the bytes, are never decompressed), on all cores.
    pub fn catalog(&self) -> Catalog {
        let mut catalog = Catalog::default();
        for result in parallel_map(&self.files, catalog_entry) {
            match result {
                Ok(entry) => catalog.services.push(entry),
                Err(error) => catalog.failures.push(error),
            }
        }
        catalog
    }

    /// Loads one service, with its paginators, by command-line name.
    pub fn load(&self, service: &str) -> Result<Service, BotocoreError> {
        let file = self.file(service)?;
        load_file(&file.path, &file.service)
    }

    /// Loads every service on all cores, in name order; one result per model file.
    pub fn load_all(&self) -> Vec<Result<Service, BotocoreError>> {
        parallel_map(&self.files, |file| load_file(&file.path, &file.service))
    }

    /// Loads every service into one [`Model`], failing on the first service that does not load.
    pub fn load_model(&self) -> Result<Model, BotocoreError> {
        let mut model = Model::default();
        for service in self.load_all() {
            let service = service?;
            model.services.insert(service.name.clone(), service);
        }
        Ok(model)
    }
}

/// Loads one model file as service `name`, with the `paginators-1.json` and `service-2.sdk-extras.json` beside it
/// when there are.
pub fn load_file(path: &Path, name: &str) -> Result<Service, BotocoreError> {
    let bytes = read_model_bytes(path)?;
    let dir = path.parent().unwrap_or(Path::new(""));
    let extras_path = dir.join(EXTRAS_FILE);
    let mut service = if extras_path.is_file() {
        let extras = read_model_bytes(&extras_path)?;
        parse_service_with_extras(name, &bytes, &extras, path, &extras_path)?
    } else {
        parse_service(name, &bytes, path)?
    };
    if let Some(paginators) = PAGINATOR_FILES
        .iter()
        .map(|f| dir.join(f))
        .find(|p| p.is_file())
    {
        let bytes = read_model_bytes(&paginators)?;
        apply_paginators(&mut service, &bytes, &paginators)?;
    }
    Ok(service)
}

/// Parses a `service-2.json` (plain or gzip-compressed bytes) into service `name`; `path` is named in errors and
/// kept as [`Service::file`].
pub fn parse_service(name: &str, bytes: &[u8], path: &Path) -> Result<Service, BotocoreError> {
    let bytes = decompress(bytes, path)?;
    let raw: RawModel = serde_json::from_slice(&bytes).map_err(|cause| BotocoreError::Json {
        path: path.to_path_buf(),
        cause,
    })?;
    build::build_service(&raw, name, path)
}

/// Like [`parse_service`], with a `service-2.sdk-extras.json` merged over the model as botocore merges it
/// (its `merge` object, deeply).
pub fn parse_service_with_extras(
    name: &str,
    bytes: &[u8],
    extras: &[u8],
    path: &Path,
    extras_path: &Path,
) -> Result<Service, BotocoreError> {
    let json = |bytes: &[u8], path: &Path| -> Result<serde_json::Value, BotocoreError> {
        serde_json::from_slice(&decompress(bytes, path)?).map_err(|cause| BotocoreError::Json {
            path: path.to_path_buf(),
            cause,
        })
    };
    let mut model = json(bytes, path)?;
    let extras = json(extras, extras_path)?;
    if let Some(merge) = extras.get("merge") {
        deep_merge(&mut model, merge);
    }
    let raw: RawModel =
        serde::Deserialize::deserialize(&model).map_err(|cause| BotocoreError::Json {
            path: path.to_path_buf(),
            cause,
        })?;
    build::build_service(&raw, name, path)
}

/// Sets each operation's [`crate::model::Paginator`] from a `paginators-1.json` (plain or gzip-compressed bytes).
pub fn apply_paginators(
    service: &mut Service,
    bytes: &[u8],
    path: &Path,
) -> Result<(), BotocoreError> {
    let bytes = decompress(bytes, path)?;
    let raw: RawPaginators =
        serde_json::from_slice(&bytes).map_err(|cause| BotocoreError::Json {
            path: path.to_path_buf(),
            cause,
        })?;
    build::apply_paginators(service, raw);
    Ok(())
}

/// botocore's `deep_merge`: objects merge key by key, anything else replaces.
fn deep_merge(base: &mut serde_json::Value, extra: &serde_json::Value) {
    match (base, extra) {
        (serde_json::Value::Object(base), serde_json::Value::Object(extra)) => {
            for (key, value) in extra {
                match base.get_mut(key) {
                    Some(existing) if existing.is_object() && value.is_object() => {
                        deep_merge(existing, value)
                    }
                    _ => {
                        base.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (base, extra) => *base = extra.clone(),
    }
}

/// The catalog entry of one model file: metadata and the operation count, read from the start of the file only.
fn catalog_entry(file: &ModelFile) -> Result<CatalogEntry, BotocoreError> {
    let dir = file.path.parent().unwrap_or(Path::new(""));
    let (metadata, operations) = if dir.join(EXTRAS_FILE).is_file() {
        // The extras may change the metadata; the few services with extras are read whole.
        let service = load_file(&file.path, &file.service)?;
        let entry = CatalogEntry {
            name: service.name,
            api_version: service.api_version,
            service_id: service.service_id,
            title: service.title,
            protocols: service.protocols,
            operations: service.operations.len(),
            path: file.path.clone(),
        };
        return Ok(entry);
    } else {
        scan_head(&file.path)?
    };
    // A model in protocols conform does not know (one newer than this conform) is still listed, with none: `spec
    // list` shows it as unknown and `--service all` leaves it out with that reason. Loading it is the error.
    let protocols = build::protocols_of(
        metadata.protocol.as_deref(),
        metadata.protocols.iter().map(String::as_str),
        metadata.json_version.as_deref(),
    )
    .map(|(protocols, _)| protocols)
    .unwrap_or_default();
    let service_id = metadata.service_id.unwrap_or_else(|| file.service.clone());
    Ok(CatalogEntry {
        name: file.service.clone(),
        api_version: metadata.api_version.unwrap_or_else(|| file.version.clone()),
        title: metadata
            .service_full_name
            .unwrap_or_else(|| service_id.clone()),
        service_id,
        protocols,
        operations,
        path: file.path.clone(),
    })
}

/// Reads a model file as a stream up to the end of `metadata` and `operations` (which come before the shapes in
/// every published model), counting the operations without keeping them.
fn scan_head(path: &Path) -> Result<(CatalogMetadata, usize), BotocoreError> {
    let file = fs::File::open(path).map_err(|e| BotocoreError::read(path, e))?;
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    let gzip = reader
        .fill_buf()
        .map_err(|e| BotocoreError::read(path, e))?
        .starts_with(&GZIP_MAGIC);
    let stream: Box<dyn Read> = if gzip {
        Box::new(BufReader::with_capacity(
            64 * 1024,
            flate2::bufread::MultiGzDecoder::new(reader),
        ))
    } else {
        Box::new(reader)
    };
    let mut head = Head::default();
    let mut deserializer = serde_json::Deserializer::from_reader(stream);
    let result = (&mut head).deserialize(&mut deserializer);
    match (head.metadata, head.operations) {
        // Stopped on purpose once both were read; the rest of the file is never decompressed.
        (Some(metadata), Some(operations)) => Ok((metadata, operations)),
        (metadata, operations) => match result {
            Err(cause) if cause.is_io() => Err(BotocoreError::read(
                path,
                io::Error::other(cause.to_string()),
            )),
            Err(cause) => Err(BotocoreError::Json {
                path: path.to_path_buf(),
                cause,
            }),
            Ok(()) => Ok((metadata.unwrap_or_default(), operations.unwrap_or(0))),
        },
    }
}

/// What the catalog reads of a model's top-level object.
#[derive(Default)]
struct Head {
    metadata: Option<CatalogMetadata>,
    operations: Option<usize>,
}

/// Stops the parse, with an error the caller recognises by [`Head`] being complete.
const STOP: &str = "catalog: metadata and operations read";

impl<'de> DeserializeSeed<'de> for &mut Head {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for &mut Head {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a service model object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "metadata" => self.metadata = Some(map.next_value()?),
                "operations" => self.operations = Some(map.next_value::<EntryCount>()?.0),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            if self.metadata.is_some() && self.operations.is_some() {
                return Err(de::Error::custom(STOP));
            }
        }
        Ok(())
    }
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Reads a model file's bytes (still compressed if it is).
fn read_model_bytes(path: &Path) -> Result<Vec<u8>, BotocoreError> {
    fs::read(path).map_err(|e| BotocoreError::read(path, e))
}

/// The bytes of a model, decompressed when they are gzip (by their magic number, whatever the file is called).
fn decompress<'b>(
    bytes: &'b [u8],
    path: &Path,
) -> Result<std::borrow::Cow<'b, [u8]>, BotocoreError> {
    if !bytes.starts_with(&GZIP_MAGIC) {
        return Ok(std::borrow::Cow::Borrowed(bytes));
    }
    // The trailer holds the uncompressed size modulo 4 GiB: a good first capacity, capped against a lying file.
    let hint = bytes
        .len()
        .checked_sub(4)
        .and_then(|at| bytes.get(at..))
        .and_then(|tail| <[u8; 4]>::try_from(tail).ok())
        .map_or(0, |tail| u32::from_le_bytes(tail) as usize)
        .min(bytes.len().saturating_mul(40))
        .min(256 << 20);
    let mut out = Vec::with_capacity(hint);
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|e| BotocoreError::read(path, e))?;
    Ok(std::borrow::Cow::Owned(out))
}

/// The model file in a directory that holds one directly, as botocore names them.
fn service_file_in(dir: &Path) -> Option<PathBuf> {
    SERVICE_FILES
        .iter()
        .map(|f| dir.join(f))
        .find(|p| p.is_file())
}

/// A service directory's newest API version that has a model file (botocore's `determine_latest_version`: the
/// greatest name); `None` when no subdirectory has one.
fn newest_version(service_dir: &Path) -> Result<Option<(String, PathBuf)>, BotocoreError> {
    let mut versions = read_dir_sorted(service_dir)?;
    versions.reverse();
    for version in versions {
        if let Some(file) = service_file_in(&version) {
            return Ok(Some((dir_name(&version), file)));
        }
    }
    Ok(None)
}

/// The subdirectories of `dir`, by name.
fn read_dir_sorted(dir: &Path) -> Result<Vec<PathBuf>, BotocoreError> {
    let mut dirs = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| BotocoreError::read(dir, e))? {
        let entry = entry.map_err(|e| BotocoreError::read(dir, e))?;
        let path = entry.path();
        if path.is_dir() {
            dirs.push(path);
        }
    }
    dirs.sort();
    Ok(dirs)
}

fn dir_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A single model file: named by its service directory when it sits in `<service>/<version>/`, else by its
/// metadata's `endpointPrefix`.
fn lone_file(path: &Path) -> Result<ModelFile, BotocoreError> {
    let version_dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let version = version_dir.map(dir_name).unwrap_or_default();
    if version.starts_with(|c: char| c.is_ascii_digit())
        && let Some(service) = version_dir
            .and_then(Path::parent)
            .map(dir_name)
            .filter(|s| !s.is_empty())
    {
        return Ok(ModelFile {
            service,
            version,
            path: path.to_path_buf(),
        });
    }
    let (metadata, _) = scan_head(path)?;
    let service = metadata
        .endpoint_prefix
        .or(metadata
            .service_id
            .map(|id| id.to_ascii_lowercase().replace(' ', "-")))
        .ok_or_else(|| BotocoreError::Malformed {
            path: path.to_path_buf(),
            place: "metadata".into(),
            problem: "no `endpointPrefix` or `serviceId` to name the service by".into(),
        })?;
    Ok(ModelFile {
        service,
        version: String::new(),
        path: path.to_path_buf(),
    })
}

/// The interpreters asked where botocore is: the project's virtual environment first, then the system's.
fn python_interpreters() -> [&'static str; 2] {
    if cfg!(windows) {
        [".venv\\Scripts\\python.exe", "python"]
    } else {
        [".venv/bin/python", "python3"]
    }
}

/// Asks `interpreter` where its botocore's `data` directory is; `None` when it does not exist, has no botocore, or
/// takes longer than `timeout`.
fn botocore_data_dir(interpreter: &str, timeout: Duration) -> Option<PathBuf> {
    let mut child = Command::new(interpreter)
        .args([
            "-c",
            "import os, botocore; print(os.path.join(os.path.dirname(botocore.__file__), 'data'))",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < timeout => {
                std::thread::sleep(Duration::from_millis(10))
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    };
    if !status.success() {
        return None;
    }
    let mut out = String::new();
    child.stdout.take()?.read_to_string(&mut out).ok()?;
    let dir = PathBuf::from(out.trim());
    dir.is_dir().then_some(dir)
}

/// Maps `f` over `items` on every core (scoped threads taking the next item from a shared counter), keeping the
/// order of `items`. Rayon would do the same; this keeps the build free of it.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().max(1));
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut indexed: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(index) else { break };
                        done.push((index, f(item)));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    indexed.sort_unstable_by_key(|(index, _)| *index);
    indexed.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests;

//! Reading input files with a size limit, so that a wrong path (`/dev/zero`, a log file) fails fast and clearly.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Limit for baseline files: a baseline holds one short entry per kind of deviation.
pub const BASELINE_LIMIT: u64 = 16 << 20;
/// Limit for restore journals: a handful of recorded pieces of state.
pub const JOURNAL_LIMIT: u64 = 16 << 20;
/// Limit for JSON reports given to `conform report merge`; they are streamed, so this only stops endless inputs.
pub const REPORT_LIMIT: u64 = 4 << 30;
/// Limit for the small JSON files that describe a lock's holder.
pub const LOCK_INFO_LIMIT: u64 = 64 << 10;

/// Why a bounded read failed.
#[derive(Debug)]
pub enum BoundedReadError {
    /// The file could not be opened or read.
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The file holds more than the limit.
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The file is not UTF-8 text.
    NotText {
        /// The file.
        path: PathBuf,
    },
}

impl fmt::Display for BoundedReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BoundedReadError::Io { path, source } => {
                write!(f, "failed to read `{}`: {source}", path.display())
            }
            BoundedReadError::TooLarge { path, limit } => write!(
                f,
                "failed to read `{}`: it holds more than the limit of {}",
                path.display(),
                human_size(*limit)
            ),
            BoundedReadError::NotText { path } => {
                write!(
                    f,
                    "failed to read `{}`: it is not UTF-8 text",
                    path.display()
                )
            }
        }
    }
}

impl std::error::Error for BoundedReadError {}

impl BoundedReadError {
    /// As an I/O error (for callers whose error types carry one), keeping the message.
    pub fn into_io(self) -> io::Error {
        match self {
            BoundedReadError::Io { source, .. } => source,
            other => io::Error::new(io::ErrorKind::InvalidData, other.to_string()),
        }
    }
}

/// `16 MiB`, `4 GiB`, `64 KiB`, `100 bytes`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if bytes >= size && bytes.is_multiple_of(size) {
            return format!("{} {unit}", bytes / size);
        }
    }
    format!("{bytes} bytes")
}

/// Reads a whole file of at most `limit` bytes as text.
pub fn read_to_string_bounded(path: &Path, limit: u64) -> Result<String, BoundedReadError> {
    let mut bytes = Vec::new();
    open_bounded(path, limit)?
        .read_to_end(&mut bytes)
        .map_err(|source| bounded_error(path, limit, source))?;
    String::from_utf8(bytes).map_err(|_| BoundedReadError::NotText {
        path: path.to_path_buf(),
    })
}

/// Opens a file for streaming; reading past `limit` bytes fails with an error that names the file and the limit.
/// A regular file larger than the limit is refused before anything is read.
pub fn open_bounded(path: &Path, limit: u64) -> Result<BoundedReader, BoundedReadError> {
    let io = |source| BoundedReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let metadata = file.metadata().map_err(io)?;
    if metadata.is_dir() {
        return Err(io(io::Error::new(
            io::ErrorKind::IsADirectory,
            "it is a directory",
        )));
    }
    if metadata.is_file() && metadata.len() > limit {
        return Err(BoundedReadError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    Ok(BoundedReader {
        inner: file,
        path: path.to_path_buf(),
        limit,
        read: 0,
    })
}

/// Turns an error of a [`BoundedReader`] back into the error that names the file (and the limit, when exceeded).
pub fn bounded_error(path: &Path, limit: u64, source: io::Error) -> BoundedReadError {
    match source
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<LimitExceeded>())
    {
        Some(_) => BoundedReadError::TooLarge {
            path: path.to_path_buf(),
            limit,
        },
        None => BoundedReadError::Io {
            path: path.to_path_buf(),
            source,
        },
    }
}

/// The marker inside the I/O error a [`BoundedReader`] returns past its limit.
#[derive(Debug)]
struct LimitExceeded {
    path: PathBuf,
    limit: u64,
}

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` holds more than the limit of {}",
            self.path.display(),
            human_size(self.limit)
        )
    }
}

impl std::error::Error for LimitExceeded {}

/// A file that may be read up to a limit; the first byte past it is an error.
pub struct BoundedReader {
    inner: File,
    path: PathBuf,
    limit: u64,
    read: u64,
}

impl Read for BoundedReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // One byte beyond the limit is allowed through `take`-style, to tell "exactly the limit" from "more".
        let room = (self.limit + 1).saturating_sub(self.read);
        if room == 0 {
            return Err(self.exceeded());
        }
        let want = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(self.exceeded());
        }
        Ok(n)
    }
}

impl BoundedReader {
    fn exceeded(&self) -> io::Error {
        io::Error::new(
            io::ErrorKind::FileTooLarge,
            LimitExceeded {
                path: self.path.clone(),
                limit: self.limit,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_within_the_limit_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.txt");
        std::fs::write(&path, "0123456789").unwrap();
        assert_eq!(read_to_string_bounded(&path, 10).unwrap(), "0123456789");
    }

    #[test]
    fn an_oversized_file_is_refused_naming_it_and_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.toml");
        std::fs::write(&path, vec![b'#'; 2048]).unwrap();
        let error = read_to_string_bounded(&path, 1024).unwrap_err().to_string();
        assert!(
            error.starts_with("failed to read `") && error.contains("big.toml"),
            "{error}"
        );
        assert!(error.contains("the limit of 1 KiB"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn an_endless_device_stops_at_the_limit() {
        let error = read_to_string_bounded(Path::new("/dev/zero"), 4096)
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "failed to read `/dev/zero`: it holds more than the limit of 4 KiB"
        );
        // Streaming readers stop there too.
        let mut reader = open_bounded(Path::new("/dev/zero"), 4096).unwrap();
        let mut sink = Vec::new();
        let error = reader.read_to_end(&mut sink).unwrap_err();
        assert!(sink.len() <= 4097);
        assert!(matches!(
            bounded_error(Path::new("/dev/zero"), 4096, error),
            BoundedReadError::TooLarge { .. }
        ));
    }

    #[test]
    fn missing_files_and_directories_are_named_with_their_cause() {
        let dir = tempfile::tempdir().unwrap();
        let missing = read_to_string_bounded(&dir.path().join("nope"), 10)
            .unwrap_err()
            .to_string();
        assert!(
            missing.contains("nope") && missing.contains("No such file"),
            "{missing}"
        );
        let directory = read_to_string_bounded(dir.path(), 10)
            .unwrap_err()
            .to_string();
        assert!(directory.contains("it is a directory"), "{directory}");
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_size(16 << 20), "16 MiB");
        assert_eq!(human_size(4 << 30), "4 GiB");
        assert_eq!(human_size(1000), "1000 bytes");
    }
}

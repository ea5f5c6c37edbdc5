//! Writing output files atomically, so a failed run never leaves half a file behind
//! for an importer to read.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use thiserror::Error;

#[derive(Debug, Error)]
#[error("cannot write {path}: {source}")]
pub struct WriteError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// Writes `contents` to `path` through a temporary file in the same directory and a
/// rename. `-` means standard output. A path that is not a regular file (`/dev/null`,
/// a FIFO, a terminal) is written in place: renaming over it would replace the device
/// with a plain file for every other program on the machine. A symlink is followed, so
/// the link survives and its target gets the new contents.
pub fn write_output(path: &Path, contents: &[u8]) -> Result<(), WriteError> {
    if path == Path::new("-") {
        let mut out = std::io::stdout().lock();
        return out
            .write_all(contents)
            .and_then(|_| out.flush())
            .map_err(|source| WriteError {
                path: path.to_path_buf(),
                source,
            });
    }
    let mut staged = Staged::create(path)?;
    staged.write_all(contents).map_err(|e| staged.error(e))?;
    staged.commit()
}

/// An output file being written as [`write_output`] writes it, for a writer that
/// streams: the bytes go to a temporary file next to the target, and [`commit`]
/// renames it over the target. Dropped uncommitted (an error, a render that
/// failed), the temporary file is removed and the target is as it was. A target
/// that is not a regular file (`/dev/null`, a FIFO) is written in place as the
/// bytes come.
///
/// [`commit`]: Staged::commit
pub struct Staged {
    /// The path as the user gave it, for messages.
    path: PathBuf,
    file: fs::File,
    /// The temporary file and the target it replaces; `None` when written in place.
    rename: Option<(PathBuf, PathBuf)>,
}

impl Staged {
    pub fn create(path: &Path) -> Result<Staged, WriteError> {
        let err = |source| WriteError {
            path: path.to_path_buf(),
            source,
        };
        let target = match fs::metadata(path) {
            // Refused now, not at the rename: the outputs before it would already be
            // replaced by then.
            Ok(meta) if meta.is_dir() => {
                return Err(err(std::io::Error::new(
                    std::io::ErrorKind::IsADirectory,
                    "is a directory",
                )))
            }
            Ok(meta) if !meta.is_file() => {
                let file = fs::OpenOptions::new().write(true).open(path).map_err(err)?;
                return Ok(Staged {
                    path: path.to_path_buf(),
                    file,
                    rename: None,
                });
            }
            // Through a symlink: write next to what it points at.
            Ok(_) => fs::canonicalize(path).map_err(err)?,
            Err(_) => path.to_path_buf(),
        };
        let tmp = temporary_name(&target);
        let file = fs::File::create(&tmp).map_err(err)?;
        Ok(Staged {
            path: path.to_path_buf(),
            file,
            rename: Some((tmp, target)),
        })
    }

    /// `source` as a failure to write this file.
    pub fn error(&self, source: std::io::Error) -> WriteError {
        WriteError {
            path: self.path.clone(),
            source,
        }
    }

    /// Replaces the target with what was written.
    pub fn commit(mut self) -> Result<(), WriteError> {
        let result = match self.rename.take() {
            None => self.file.flush(),
            Some((tmp, target)) => {
                let result = self
                    .file
                    .sync_all()
                    .and_then(|()| fs::rename(&tmp, &target));
                if result.is_err() {
                    let _ = fs::remove_file(&tmp);
                }
                result
            }
        };
        result.map_err(|e| self.error(e))
    }
}

impl Write for Staged {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        // Not committed: the target keeps its previous contents.
        if let Some((tmp, _)) = &self.rename {
            let _ = fs::remove_file(tmp);
        }
    }
}

/// `.<name>.<pid>.tmp` in the target's directory, so the rename stays on one file
/// system.
fn temporary_name(path: &Path) -> PathBuf {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    dir.join(format!(".{file_name}.{}.tmp", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::FileTypeExt;

    #[test]
    fn dev_null_stays_a_device() {
        write_output(Path::new("/dev/null"), b"findings").expect("write /dev/null");
        let meta = fs::metadata("/dev/null").expect("stat /dev/null");
        assert!(meta.file_type().is_char_device(), "/dev/null was replaced");
    }

    #[test]
    fn symlink_is_followed_not_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("real.json");
        let link = dir.path().join("link.json");
        fs::write(&real, b"old").expect("seed");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        write_output(&link, b"new").expect("write through link");
        assert!(fs::symlink_metadata(&link)
            .expect("lstat")
            .file_type()
            .is_symlink());
        assert_eq!(fs::read(&real).expect("read"), b"new");
    }

    #[test]
    fn regular_file_is_replaced_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.json");
        fs::write(&path, b"a much longer previous report").expect("seed");
        write_output(&path, b"short").expect("write");
        assert_eq!(fs::read(&path).expect("read"), b"short");
        let leftovers = fs::read_dir(dir.path()).expect("ls").count();
        assert_eq!(leftovers, 1, "temporary file left behind");
    }

    #[test]
    fn a_staged_file_dropped_uncommitted_leaves_the_target_as_it_was() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.sarif");
        fs::write(&path, b"previous").expect("seed");
        let mut staged = Staged::create(&path).expect("stage");
        staged.write_all(b"half a docu").expect("write");
        assert_eq!(fs::read_dir(dir.path()).expect("ls").count(), 2);
        drop(staged);
        assert_eq!(fs::read(&path).expect("read"), b"previous");
        let leftovers = fs::read_dir(dir.path()).expect("ls").count();
        assert_eq!(leftovers, 1, "temporary file left behind");

        let mut staged = Staged::create(&path).expect("stage");
        staged.write_all(b"whole").expect("write");
        staged.commit().expect("commit");
        assert_eq!(fs::read(&path).expect("read"), b"whole");
        assert_eq!(fs::read_dir(dir.path()).expect("ls").count(), 1);
    }
}

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
    let err = |source| WriteError {
        path: path.to_path_buf(),
        source,
    };
    if path == Path::new("-") {
        let mut out = std::io::stdout().lock();
        return out
            .write_all(contents)
            .and_then(|_| out.flush())
            .map_err(err);
    }
    let target = match fs::metadata(path) {
        Ok(meta) if !meta.is_file() && !meta.is_dir() => {
            return write_in_place(path, contents).map_err(err);
        }
        // Through a symlink: write next to what it points at.
        Ok(_) => fs::canonicalize(path).map_err(err)?,
        Err(_) => path.to_path_buf(),
    };
    write_atomic(&target, contents).map_err(err)
}

fn write_in_place(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut f = fs::OpenOptions::new().write(true).open(path)?;
    f.write_all(contents)?;
    f.flush()
}

fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
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
}

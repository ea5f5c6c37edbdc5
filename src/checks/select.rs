//! `--checks a,b` and `--skip c`: which registered checks run.

use super::registry::Registered;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown check id {id:?} in {flag} (run `vpcaudit checks` for the list)")]
pub struct UnknownCheck {
    pub id: String,
    pub flag: &'static str,
}

/// The checks to run: those named by `only` (all when empty) minus `skip`.
pub fn select<'r>(
    all: &'r [Registered],
    only: &[String],
    skip: &[String],
) -> Result<Vec<&'r Registered>, UnknownCheck> {
    for (ids, flag) in [(only, "--checks"), (skip, "--skip")] {
        if let Some(id) = ids.iter().find(|id| !all.iter().any(|r| &r.meta.id == *id)) {
            return Err(UnknownCheck {
                id: id.clone(),
                flag,
            });
        }
    }
    Ok(all
        .iter()
        .filter(|r| only.is_empty() || only.contains(&r.meta.id))
        .filter(|r| !skip.contains(&r.meta.id))
        .collect())
}

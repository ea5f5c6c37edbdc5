//! Process exit codes: part of the contract with cron jobs and CI pipelines.

use std::process::ExitCode;

use crate::collect::CollectError;
use crate::files::WriteError;
use crate::inventory::InventoryFileError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success, and nothing at or above the failure threshold.
    Ok = 0,
    /// Findings at or above `--fail-on` (muted ones excepted).
    Findings = 1,
    /// Bad arguments or unreadable input files.
    Usage = 2,
    /// `--strict`: something could not be collected or decided (coverage gaps,
    /// `unknown` findings), and nothing reached the failure threshold.
    Incomplete = 3,
    /// Credentials missing or rejected.
    Credentials = 4,
    /// The AWS endpoint could not be reached, or an account-level call failed.
    Aws = 5,
    /// An output file could not be written, or the Security Hub import
    /// (`--security-hub`) was refused or partly failed.
    Output = 6,
    /// A failure that is not the user's input nor AWS's answer (a bug, or the
    /// process could not start its runtime).
    Internal = 70,
}

impl Exit {
    /// Picks the code for an error by what caused it.
    pub fn for_error(err: &anyhow::Error) -> Exit {
        for cause in err.chain() {
            if let Some(e) = cause.downcast_ref::<CollectError>() {
                return match e {
                    CollectError::NoCredentials(_)
                    | CollectError::CredentialsFailed(_)
                    | CollectError::BadCredentials(_)
                    | CollectError::Profile(_) => Exit::Credentials,
                    CollectError::Unreachable { .. }
                    | CollectError::Api { .. }
                    | CollectError::Organizations(_) => Exit::Aws,
                    CollectError::NoRegion
                    | CollectError::UnknownRegion { .. }
                    | CollectError::InvalidRegionName(_)
                    | CollectError::InvalidRoleArn { .. }
                    | CollectError::InvalidAccounts(_)
                    | CollectError::InvalidExternalId(_) => Exit::Usage,
                };
            }
            if cause.downcast_ref::<InventoryFileError>().is_some()
                || cause.downcast_ref::<crate::cli::UsageError>().is_some()
                || cause.downcast_ref::<crate::config::ConfigError>().is_some()
                || cause
                    .downcast_ref::<crate::collect::kubernetes::objects::ObjectsFileError>()
                    .is_some()
                || cause
                    .downcast_ref::<crate::scan::baseline::BaselineError>()
                    .is_some()
                || cause.downcast_ref::<crate::diff::DiffError>().is_some()
            {
                return Exit::Usage;
            }
            if cause.downcast_ref::<WriteError>().is_some()
                || cause
                    .downcast_ref::<crate::export::security_hub::ImportError>()
                    .is_some()
            {
                return Exit::Output;
            }
        }
        Exit::Internal
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

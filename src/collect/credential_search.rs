//! Where the SDK's default credential chain looked, for the one-line error that says
//! no credentials were found and how to provide them. Names places only: never a
//! value read from them.

use std::fmt;

/// The places the default chain searched, as configured for this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialSearch {
    /// `--profile`, else `AWS_PROFILE`, else `default`.
    pub profile: String,
    pub config_file: String,
    pub credentials_file: String,
    /// `AWS_EC2_METADATA_DISABLED=true`: the chain skipped instance metadata.
    pub imds_disabled: bool,
}

impl CredentialSearch {
    /// The search as the environment sets it up, with `profile` from `--profile`.
    pub fn from_env(profile: Option<&str>) -> CredentialSearch {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        CredentialSearch {
            profile: profile
                .map(str::to_string)
                .or_else(|| var("AWS_PROFILE"))
                .unwrap_or_else(|| "default".to_string()),
            config_file: var("AWS_CONFIG_FILE").unwrap_or_else(|| "~/.aws/config".into()),
            credentials_file: var("AWS_SHARED_CREDENTIALS_FILE")
                .unwrap_or_else(|| "~/.aws/credentials".into()),
            imds_disabled: var("AWS_EC2_METADATA_DISABLED")
                .is_some_and(|v| v.eq_ignore_ascii_case("true")),
        }
    }
}

impl fmt::Display for CredentialSearch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let imds = if self.imds_disabled {
            " (disabled by AWS_EC2_METADATA_DISABLED)"
        } else {
            ""
        };
        // One line: the binary prints every error as `vpcaudit: error: ...`.
        write!(
            f,
            "looked in the environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, \
             profile `{profile}` of the shared config and credentials files ({config}, \
             {credentials}), SSO, a web identity token (AWS_WEB_IDENTITY_TOKEN_FILE), \
             container credentials (AWS_CONTAINER_CREDENTIALS_*) and instance metadata\
             {imds}; provide them with --profile NAME, `aws sso login --profile NAME`, \
             `aws configure`, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the \
             environment",
            profile = self.profile,
            config = self.config_file,
            credentials = self.credentials_file,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_every_place_and_every_remedy_on_one_line() {
        let search = CredentialSearch {
            profile: "audit".into(),
            config_file: "/etc/aws/config".into(),
            credentials_file: "~/.aws/credentials".into(),
            imds_disabled: true,
        };
        let text = search.to_string();
        assert!(!text.contains('\n'), "{text}");
        for part in [
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
            "profile `audit`",
            "/etc/aws/config",
            "~/.aws/credentials",
            "SSO",
            "web identity token",
            "container credentials",
            "instance metadata (disabled by AWS_EC2_METADATA_DISABLED)",
            "--profile NAME",
            "`aws sso login",
            "`aws configure`",
        ] {
            assert!(text.contains(part), "{part:?} missing from {text}");
        }
        let enabled = CredentialSearch {
            imds_disabled: false,
            ..search
        };
        assert!(!enabled.to_string().contains("disabled by"));
    }
}

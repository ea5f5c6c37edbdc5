//! The bearer token of an EKS cluster, made as `aws eks get-token` makes it: a SigV4
//! presigned STS `GetCallerIdentity` URL that also signs the `x-k8s-aws-id` header
//! (the cluster name), base64url-encoded after `k8s-aws-v1.`. The API server's
//! authenticator calls the URL, so the token proves the caller's identity for 60 s
//! and only to the cluster it was made for.

use std::time::{Duration, SystemTime};

use aws_config::SdkConfig;
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, SignableBody, SignableRequest, SignatureLocation, SigningSettings,
};
use aws_sigv4::sign::v4;
use thiserror::Error;

/// What EKS tokens start with.
pub const TOKEN_PREFIX: &str = "k8s-aws-v1.";

/// The header that binds a token to one cluster.
pub const CLUSTER_ID_HEADER: &str = "x-k8s-aws-id";

/// How long the presigned URL is valid: what `aws eks get-token` uses.
const EXPIRES: Duration = Duration::from_secs(60);

/// Why no token could be made. Never carries a credential.
#[derive(Debug, Error)]
pub enum TokenError {
    #[error("no AWS credentials to sign the EKS token with")]
    NoCredentials,
    #[error("cannot load the AWS credentials for the EKS token: {0}")]
    Credentials(String),
    #[error("cannot presign the EKS token: {0}")]
    Sign(String),
}

/// A token for `cluster` in `region`, signed with the configuration's credentials
/// (an assumed role's in a multi-account scan). With an endpoint override (an
/// emulator, a VPC endpoint) the URL points there instead of STS's public endpoint.
pub async fn eks_token(
    config: &SdkConfig,
    region: &str,
    cluster: &str,
) -> Result<String, TokenError> {
    let provider = config
        .credentials_provider()
        .ok_or(TokenError::NoCredentials)?;
    let credentials = provider
        .provide_credentials()
        .await
        .map_err(|e| TokenError::Credentials(crate::collect::error::one_line(&e.to_string())))?;
    let base = sts_url(config.endpoint_url(), region);
    let token = presign(&credentials, &base, region, cluster, SystemTime::now())?;
    // Whatever logs or reports later quote, the token never shows.
    crate::secrets::register(&token);
    Ok(token)
}

/// The STS endpoint the URL is signed for.
fn sts_url(endpoint_url: Option<&str>, region: &str) -> String {
    match endpoint_url {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => format!("https://sts.{region}.amazonaws.com"),
    }
}

/// The token: `k8s-aws-v1.` + base64url (no padding) of the presigned URL.
pub fn presign(
    credentials: &Credentials,
    sts_base: &str,
    region: &str,
    cluster: &str,
    now: SystemTime,
) -> Result<String, TokenError> {
    let url = format!("{sts_base}/?Action=GetCallerIdentity&Version=2011-06-15");
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(EXPIRES);
    let identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("sts")
        .time(now)
        .settings(settings)
        .build()
        .map_err(|e| TokenError::Sign(e.to_string()))?
        .into();
    let request = SignableRequest::new(
        "GET",
        url.as_str(),
        std::iter::once((CLUSTER_ID_HEADER, cluster)),
        SignableBody::Bytes(&[]),
    )
    .map_err(|e| TokenError::Sign(e.to_string()))?;
    let (instructions, _signature) = sign(request, &params)
        .map_err(|e| TokenError::Sign(e.to_string()))?
        .into_parts();
    let mut signed = url;
    for (name, value) in instructions.params() {
        signed.push('&');
        signed.push_str(&encode(name));
        signed.push('=');
        signed.push_str(&encode(value));
    }
    Ok(format!("{TOKEN_PREFIX}{}", base64url(signed.as_bytes())))
}

/// SigV4's URI encoding: everything but the unreserved characters as `%XX`.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Base64url without padding, as the authenticator expects.
fn base64url(bytes: &[u8]) -> String {
    aws_smithy_types::base64::encode(bytes)
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(token: &str) -> String {
        let body = token.strip_prefix(TOKEN_PREFIX).expect("prefix");
        let standard: String = body
            .chars()
            .map(|c| match c {
                '-' => '+',
                '_' => '/',
                c => c,
            })
            .collect();
        let padded = format!("{standard}{}", "=".repeat((4 - standard.len() % 4) % 4));
        let bytes = aws_smithy_types::base64::decode(padded).expect("base64");
        String::from_utf8(bytes).expect("utf-8")
    }

    #[test]
    fn the_token_is_a_presigned_get_caller_identity_bound_to_the_cluster() {
        let credentials = Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            Some("session".into()),
            None,
            "test",
        );
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600);
        let token = presign(
            &credentials,
            &sts_url(None, "eu-west-1"),
            "eu-west-1",
            "prod",
            now,
        )
        .unwrap();
        assert!(!token.contains('='), "no padding: {token}");
        assert!(!token[TOKEN_PREFIX.len()..].contains(['+', '/']));
        let url = decode(&token);
        assert!(
            url.starts_with(
                "https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&"
            ),
            "{url}"
        );
        for part in [
            "X-Amz-Algorithm=AWS4-HMAC-SHA256",
            "X-Amz-Credential=AKIDEXAMPLE%2F20260101%2Feu-west-1%2Fsts%2Faws4_request",
            "X-Amz-Date=20260101T000000Z",
            "X-Amz-Expires=60",
            "X-Amz-SignedHeaders=host%3Bx-k8s-aws-id",
            "X-Amz-Security-Token=session",
            "X-Amz-Signature=",
        ] {
            assert!(url.contains(part), "{part} missing from {url}");
        }
        // Another cluster, another signature.
        let other = presign(
            &credentials,
            &sts_url(None, "eu-west-1"),
            "eu-west-1",
            "staging",
            now,
        )
        .unwrap();
        assert_ne!(decode(&other), url);
    }

    #[test]
    fn an_endpoint_override_is_presigned_against() {
        assert_eq!(
            sts_url(Some("http://127.0.0.1:4566/"), "us-east-1"),
            "http://127.0.0.1:4566"
        );
    }
}

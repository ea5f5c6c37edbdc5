//! Every credential the SDK obtains (environment, profile, SSO, assumed role, and
//! each refresh) is registered with [`crate::secrets`] before it is used, so the
//! logs mask it from the first request on.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use aws_credential_types::provider::{
    error::CredentialsError, future, ProvideCredentials, SharedCredentialsProvider,
};
use aws_credential_types::Credentials;

#[derive(Debug)]
pub struct Registering(SharedCredentialsProvider);

impl Registering {
    pub fn wrap(inner: SharedCredentialsProvider) -> SharedCredentialsProvider {
        SharedCredentialsProvider::new(Registering(inner))
    }
}

impl ProvideCredentials for Registering {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            let credentials = self.0.provide_credentials().await?;
            // Access key ids need no entry: `secrets::redact` masks them by shape.
            crate::secrets::register(credentials.secret_access_key());
            if let Some(token) = credentials.session_token() {
                crate::secrets::register(token);
            }
            Ok(credentials)
        })
    }
}

/// Credentials already fetched are handed out no sooner than this before they expire.
const EXPIRY_MARGIN: Duration = Duration::from_secs(5 * 60);

/// Hands out credentials fetched ahead (see [`Prefetched::fetch`]) on its first
/// call, then defers to the inner provider: the clients' identity cache does not
/// fetch them a second time (one AssumeRole per account, not two).
#[derive(Debug)]
pub struct Prefetched {
    first: Mutex<Option<Credentials>>,
    inner: SharedCredentialsProvider,
}

impl Prefetched {
    /// Fetches credentials from `inner` now, and the provider that starts with them.
    pub async fn fetch(
        inner: SharedCredentialsProvider,
    ) -> Result<(Credentials, SharedCredentialsProvider), CredentialsError> {
        let credentials = inner.provide_credentials().await?;
        let provider = Prefetched {
            first: Mutex::new(Some(credentials.clone())),
            inner,
        };
        Ok((credentials, SharedCredentialsProvider::new(provider)))
    }

    fn take_fresh(&self) -> Option<Credentials> {
        let credentials = self
            .first
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()?;
        let fresh = match credentials.expiry() {
            Some(expiry) => expiry > SystemTime::now() + EXPIRY_MARGIN,
            None => true,
        };
        fresh.then_some(credentials)
    }
}

impl ProvideCredentials for Prefetched {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        match self.take_fresh() {
            Some(credentials) => future::ProvideCredentials::ready(Ok(credentials)),
            None => self.inner.provide_credentials(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[derive(Debug)]
    struct Counting(Arc<AtomicUsize>, Option<SystemTime>);

    impl ProvideCredentials for Counting {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            let n = self.0.fetch_add(1, Ordering::SeqCst);
            future::ProvideCredentials::ready(Ok(Credentials::new(
                format!("AKID{n}"),
                "secret",
                None,
                self.1,
                "test",
            )))
        }
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    #[test]
    fn prefetched_credentials_are_handed_out_once() {
        let calls = Arc::new(AtomicUsize::new(0));
        let expiry = SystemTime::now() + Duration::from_secs(3600);
        let inner = SharedCredentialsProvider::new(Counting(calls.clone(), Some(expiry)));
        block_on(async {
            let (first, provider) = Prefetched::fetch(inner).await.expect("fetch");
            assert_eq!(calls.load(Ordering::SeqCst), 1);
            let again = provider.provide_credentials().await.expect("first call");
            assert_eq!(again.access_key_id(), first.access_key_id());
            assert_eq!(calls.load(Ordering::SeqCst), 1, "no second fetch");
            let later = provider.provide_credentials().await.expect("second call");
            assert_eq!(later.access_key_id(), "AKID1");
            assert_eq!(calls.load(Ordering::SeqCst), 2);
        });
    }

    #[test]
    fn prefetched_credentials_near_expiry_are_fetched_again() {
        let calls = Arc::new(AtomicUsize::new(0));
        let expiry = SystemTime::now() + Duration::from_secs(10);
        let inner = SharedCredentialsProvider::new(Counting(calls.clone(), Some(expiry)));
        block_on(async {
            let (_, provider) = Prefetched::fetch(inner).await.expect("fetch");
            let next = provider.provide_credentials().await.expect("call");
            assert_eq!(next.access_key_id(), "AKID1");
            assert_eq!(calls.load(Ordering::SeqCst), 2);
        });
    }
}

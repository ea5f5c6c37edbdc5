//! Every credential the SDK obtains (environment, profile, SSO, assumed role, and
//! each refresh) is registered with [`crate::secrets`] before it is used, so the
//! logs mask it from the first request on.

use aws_credential_types::provider::{future, ProvideCredentials, SharedCredentialsProvider};

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
            crate::secrets::register(credentials.access_key_id());
            crate::secrets::register(credentials.secret_access_key());
            if let Some(token) = credentials.session_token() {
                crate::secrets::register(token);
            }
            Ok(credentials)
        })
    }
}

//! A bearer token read from an environment variable named in the config. Alone in its
//! own test binary: the variable is set before any other thread exists.

use crate::api_support;
use crate::common;

use custdesk::api::{Client, Credentials, ErrorKind};

const VAR: &str = "CUSTDESK_API_TEST_TOKEN";

#[test]
fn a_static_token_from_the_environment() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ts = rt.block_on(common::start(10));
    let token = api_support::mint(&ts, "agent");
    // SAFETY: this binary's only test, on the main thread; the runtime above is
    // single-threaded and idle (no task reads the environment meanwhile).
    unsafe { std::env::set_var(VAR, &token) };
    let mut cfg = api_support::config(&ts.base);
    cfg.credentials = Credentials::StaticTokenEnv {
        env_var: VAR.into(),
    };
    let c = Client::new(cfg).unwrap();
    assert!(!format!("{c:?}").contains(&token));
    rt.block_on(async {
        assert_eq!(c.sign_in().await.unwrap(), Vec::<String>::new());
        let ada = api_support::ada(&ts);
        let r = c.newday().get_customer(&ada).await.unwrap();
        assert_eq!(r.value.family_name, "Quartermaine");
        // Exchanged for a customer-bound token like any other.
        let r = c.newday().get_customer_by_token(&ada).await.unwrap();
        assert_eq!(
            r.value.customer().map(|c| c.id.as_str()),
            Some(ada.as_str())
        );
        // Scopes still apply: the agent may not create customers.
        let e = c
            .banking()
            .delete(&ada, &custdesk::api::IdempotencyKey::fresh())
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Forbidden);
    });
}

//! With no Secret Service reachable, every keyring operation fails with `keyring_unavailable` and
//! a message that says how to fix it — and nothing is stored anywhere else.
//! (Own test binary: it points this process's D-Bus address at a socket that does not exist.)

use studio_core::credentials::Credentials;
use studio_core::Secret;

#[test]
fn no_secret_service_is_reported_with_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let bogus = format!("unix:path={}", tmp.path().join("no-bus").display());
    // SAFETY: this test binary has a single test; nothing else reads the environment concurrently.
    unsafe { std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bogus) };

    let creds = Credentials::with_service("vas-test-unavailable");
    let key = Secret::new("sk_test_never_stored_123");
    for err in [
        creds.set_api_key(&key).unwrap_err(),
        creds.stored_api_key().unwrap_err(),
        creds.remove_api_key().unwrap_err(),
    ] {
        assert_eq!(err.code(), "keyring_unavailable", "{err}");
        let view = err.view();
        assert!(
            view.message.contains("No Secret Service is running")
                && view.message.contains("gnome-keyring"),
            "{}",
            view.message
        );
        assert!(!view.message.contains(key.expose()));
    }
}

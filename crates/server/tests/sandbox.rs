//! The sandbox every other integration test starts from: its installation really reaches both
//! simulators through `Connections` with the stored (encrypted) credentials, and the tokens it
//! mints are genuine session tokens of its agents.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use sfdesk_server::desk::DeskApi as _;
use sfdesk_server::salesforce::SalesforceApi as _;
use sfdesk_server::sandbox::{Sandbox, SandboxOptions};
use sfdesk_server::store::InstallationStatus;

#[tokio::test]
async fn the_installation_reaches_both_simulators() {
    let sandbox = Sandbox::start(SandboxOptions::default()).await.unwrap();
    let installation = &sandbox.installation;
    assert_eq!(installation.status, InstallationStatus::Active);
    assert_eq!(installation.desk_org_id, sandbox.desk.org_id);

    let desk = sandbox.state.connections.desk(installation).unwrap();
    let me = desk.myinfo().await.unwrap();
    assert!(me.is_admin(), "the installation calls Desk as its admin");

    let salesforce = sandbox.state.connections.salesforce(installation).unwrap();
    let contacts = salesforce
        .count("SELECT COUNT() FROM Contact")
        .await
        .unwrap();
    assert_eq!(contacts, sandbox.salesforce.count("Contact") as u64);
    assert!(contacts > 0);
}

#[tokio::test]
async fn minted_sessions_carry_the_agents_desk_role() {
    let sandbox = Sandbox::start(SandboxOptions::default()).await.unwrap();
    let roles: Vec<_> = sandbox
        .agents()
        .iter()
        .map(|a| a.role_name.as_str())
        .collect();
    assert_eq!(roles, ["CEO", "Support Agent", "Light Agent"]);
    for agent in sandbox.agents() {
        let token = sandbox.mint_session(&agent.email).await.unwrap();
        let claims = sandbox.state.sessions.verify(&token, Utc::now()).unwrap();
        assert_eq!(claims.installation_id, sandbox.installation.id);
        assert_eq!(claims.role_id, agent.role_id);
        assert_eq!(claims.is_admin, agent.is_admin);
    }
    assert!(sandbox.mint_session("nobody@example.com").await.is_err());
}

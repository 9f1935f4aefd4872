//! Simulators of the Salesforce REST API and the Zoho Desk API v1.
//!
//! Filled in by the simulators issue; the crate exists so the workspace layout is final.

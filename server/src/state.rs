//! The HTTP shell's state: the domain's handles ([`Core`], which this dereferences to) plus what
//! only the shells use. Cheap to clone into every request.

use std::ops::Deref;
use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;

use crate::domain::Core;
use crate::gateway::Gateway;

#[derive(Clone)]
pub struct AppState {
    /// The domain's handles: configuration, store, bus, clock, mail, notifications.
    pub core: Core,
    /// Renders `/metrics`.
    pub metrics: Option<PrometheusHandle>,
    /// Live connections of this node and the bus to the others.
    pub gateway: Arc<Gateway>,
}

impl Deref for AppState {
    type Target = Core;

    fn deref(&self) -> &Core {
        &self.core
    }
}

impl AppState {
    /// Whether cookies should carry `Secure`: only when people reach us over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

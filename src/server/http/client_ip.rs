//! Names the client of every request (see `intake_core::client_ip` for who may name it).

use crate::server::state::AppState;
use axum::{
    extract::{ConnectInfo, Request, State},
    middleware::Next,
    response::Response,
};
use intake_core::client_ip::{ClientIp, resolve};
use std::net::SocketAddr;

/// Puts the [`ClientIp`] in every request.
pub async fn identify_client(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut req: Request,
    next: Next,
) -> Response {
    let ip = resolve(peer.ip(), req.headers(), &state.config.http.trusted_proxies, state.config.http.client_ip_header);
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}

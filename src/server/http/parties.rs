//! `POST /admin/parties`: an administrator uploads the firm's parties list
//! (CSV) from a plain form; the answer is a redirect back to the page saying
//! what was imported, or why nothing was.

use super::caller::CurrentAttorney;
use crate::server::state::AppState;
use axum::{
    Extension,
    extract::{Request, State},
    response::{IntoResponse, Redirect, Response},
};
use intake_core::{conflict, error::Error, multipart::multipart_boundary};
use intake_domain::{filter::encode_component, human_bytes};
use intake_store::Role;

pub async fn upload(
    State(state): State<AppState>,
    Extension(CurrentAttorney(me)): Extension<CurrentAttorney>,
    req: Request,
) -> Response {
    if me.role != Role::Admin {
        return Error::Forbidden("Only administrators manage the parties list.").into_response();
    }
    let refused =
        |why: String| Redirect::to(&format!("/admin/parties?error={}", encode_component(&why))).into_response();
    let Some(boundary) = multipart_boundary(req.headers()) else {
        return refused("Choose a CSV file to upload.".into());
    };
    let max = state.config.leads.max_parties_bytes;
    let too_big = format!("The file could not be read whole: a list may be at most {}.", human_bytes(max));
    let mut form = multer::Multipart::new(req.into_body().into_data_stream(), boundary);
    let (mut file, mut replace) = (None, false);
    loop {
        match form.next_field().await {
            Ok(None) => break,
            Ok(Some(field)) => match field.name() {
                Some("parties") => match field.bytes().await {
                    Ok(b) => file = Some(b),
                    Err(_) => return refused(too_big),
                },
                Some("replace") => replace = true,
                _ => {}
            },
            Err(_) => return refused(too_big),
        }
    }
    let Some(file) = file.filter(|f| !f.is_empty()) else {
        return refused("Choose a CSV file to upload.".into());
    };
    let imported = match conflict::parse_csv(&file, state.config.leads.max_parties) {
        Ok(parties) => conflict::import(&state, parties, replace).await,
        Err(e) => Err(e),
    };
    match imported {
        Ok(done) => Redirect::to(&format!(
            "/admin/parties?added={}&kept={}&removed={}&rechecks={}",
            done.added, done.kept, done.removed, done.rechecks
        ))
        .into_response(),
        Err(Error::BadParam(why)) => refused(why),
        Err(e) => e.into_response(),
    }
}

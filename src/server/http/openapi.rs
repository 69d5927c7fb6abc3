//! The OpenAPI 3.1 document, generated from the handlers' annotations and
//! types, at `/api/openapi.json`, and interactive docs at `/api/docs/`
//! (Swagger UI, served from the binary).

use super::{api, health, v1};
use crate::server::state::AppState;
use axum::{Router, http::header, response::IntoResponse, routing::get};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
};
use utoipa_swagger_ui::{Config, SwaggerUi};

pub const DOCS: &str = "/api/docs";
pub const DOCUMENT: &str = "/api/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Intake",
        description = "Lead intake for law firms. `POST /api/leads` is public; `/api/v1/` needs an API token \
                       (`intake token create --name N --scope read|write --by EMAIL`), sent as \
                       `Authorization: Bearer <token>`. Times are milliseconds since 1970, UTC. \
                       Webhooks (`intake webhook add --url URL`) POST a `WebhookEvent` (see Schemas) on \
                       `lead.created`, `lead.state_changed`, `lead.assigned`, `lead.conflict_checked` and \
                       `lead.conflict_decided`, signed in `Intake-Signature` (see the README)."
    ),
    components(schemas(intake_domain::webhook::WebhookEvent)),
    paths(
        api::create_lead,
        v1::list,
        v1::one,
        v1::resume_file,
        v1::document_file,
        v1::reached_out,
        health::healthz,
        health::readyz,
    ),
    modifiers(&BearerToken),
    tags(
        (name = "submissions", description = "What the public form does"),
        (name = "integrator API", description = "Leads for CRMs and automations, with an API token"),
        (name = "operations", description = "Probes for load balancers and orchestrators"),
    )
)]
pub struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme("token", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// The document and the docs page: the base layout (no box to load other
/// documents), no deep links (they nest links in buttons), and our page
/// styles (contrast) in place of the bundled `index.css`.
pub fn routes() -> Router<AppState> {
    // Its own URL given here: a config without one gets deep links forced back on.
    let config = Config::new([DOCUMENT]).use_base_layout().deep_linking(false).with_syntax_highlight(false);
    Router::new()
        .route(&format!("{DOCS}/index.css"), get(styles))
        .merge(SwaggerUi::new(DOCS).url(DOCUMENT, ApiDoc::openapi()).config(config))
}

async fn styles() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css")], include_str!("../../../style/api-docs.css"))
}

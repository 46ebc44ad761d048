//! Following a request: `tracing-actix-web` opens one span per request
//! (request id, method, client; the route pattern once routed), and the
//! [`Telemetry`] middleware inside it writes the request's one line when
//! it ends (at error level with the cause chain for a 5xx), counts it for
//! `/metrics`, and returns the request id in `X-Request-Id`. docs/LOGGING.md
//! says what is logged where.

pub mod redact;
pub mod request_id;

use std::future::{Future, Ready, ready};
use std::net::IpAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::{Error, web};
use tracing::Span;
use tracing_actix_web::RootSpanBuilder;

pub use request_id::{RequestId, X_REQUEST_ID};

use crate::AppState;
use crate::client::TrustedProxies;
use crate::routes::RoutePattern;

/// The target of the request lines, so a filter can pick them:
/// `LONGFORM_LOG=warn,longform::request=info`.
pub const TARGET: &str = "longform::request";
/// The `route` of a request no route matched.
pub const UNMATCHED: &str = "unmatched";

tokio::task_local! {
    static REQUEST_ID: RequestId;
}

/// The id of the request this task is handling (problem documents carry it).
pub fn current_request_id() -> Option<RequestId> {
    REQUEST_ID.try_with(RequestId::clone).ok()
}

/// The cause of a 5xx answered without an error value (a readiness check
/// that failed, say), for the request's line.
#[derive(Debug, Clone)]
pub struct Cause(pub String);

/// `error: its source: its source's source`, on one line.
pub fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        line.push_str(": ");
        line.push_str(&cause.to_string());
        source = cause.source();
    }
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The middleware that opens every request's span (wrap it outside [`Telemetry`]).
pub fn request_spans() -> tracing_actix_web::TracingLogger<RequestSpan> {
    tracing_actix_web::TracingLogger::new()
}

/// The root span of every request. `tracing-actix-web`'s default span is
/// not used: it records the raw target (preview tokens, `?key=`), the user
/// agent, and a client address read from `X-Forwarded-For` whoever sent it.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(req: &ServiceRequest) -> Span {
        // The fields are only worked out when the span is on.
        tracing::info_span!(
            target: TARGET,
            "request",
            request_id = %request_id(req),
            method = %req.method(),
            client = %Address(crate::client::of(req.request()).address),
            route = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(_: Span, _: &Result<ServiceResponse<B>, Error>) {}
}

/// The id of `req` by the application's trusted proxies: the same value
/// for the span and for [`Telemetry`] (worked out twice rather than kept
/// in the request's extensions: cheaper than an insert).
fn request_id(req: &ServiceRequest) -> RequestId {
    match req.app_data::<web::Data<AppState>>() {
        Some(state) => RequestId::of(req, &state.site.trusted_proxies),
        None => RequestId::of(req, &TrustedProxies::default()),
    }
}

struct Address(Option<IpAddr>);

impl std::fmt::Display for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(address) => address.fmt(f),
            None => f.write_str("-"),
        }
    }
}

/// Ends every request: its line, its metrics, its `X-Request-Id`. Wrap it
/// inside `TracingLogger::<RequestSpan>` so its line is in the span.
pub struct Telemetry;

impl<S, B> Transform<S, ServiceRequest> for Telemetry
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Transform = TelemetryService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(TelemetryService { service }))
    }
}

pub struct TelemetryService<S> {
    service: S,
}

impl<S, B> Service<ServiceRequest> for TelemetryService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Future = Ending<S::Future>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let id = request_id(&req);
        Ending { started: Instant::now(), id: Some(id.clone()), inner: REQUEST_ID.scope(id, self.service.call(req)) }
    }
}

pin_project_lite::pin_project! {
    /// A request being handled, with its id in scope.
    pub struct Ending<F> {
        #[pin]
        inner: tokio::task::futures::TaskLocalFuture<RequestId, F>,
        started: Instant,
        id: Option<RequestId>,
    }
}

impl<F, B> Future for Ending<F>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let outcome = std::task::ready!(this.inner.poll(cx));
        let elapsed = this.started.elapsed();
        let id = this.id.take();
        Poll::Ready(match outcome {
            Ok(mut response) => {
                if let Some(id) = id {
                    end(&response, &id, elapsed);
                    response.headers_mut().insert(X_REQUEST_ID, id.header_value());
                }
                Ok(response)
            }
            // Only a middleware's error gets here (handlers' errors are
            // responses by now): no request left to name the route, nor
            // to count it by.
            Err(error) => {
                let status = error.as_response_error().status_code().as_u16();
                let duration_ms = milliseconds(elapsed);
                if status >= 500 {
                    let request_id = id.as_ref().map(ToString::to_string);
                    let request_id = request_id.as_deref().unwrap_or("-");
                    tracing::error!(target: TARGET, request_id, status, duration_ms, error = %chain(&error), "request failed");
                } else {
                    tracing::info!(target: TARGET, status, duration_ms, "request");
                }
                Err(error)
            }
        })
    }
}

/// Milliseconds with microsecond precision (`0.213`, not `0.21362599999999998`).
fn milliseconds(elapsed: Duration) -> f64 {
    u32::try_from(elapsed.as_micros()).map_or(f64::MAX, f64::from) / 1000.0
}

/// Count the request and write its line. A 5xx line names the request
/// itself too, so it is whole even when info lines (and with them the
/// request's span) are filtered out.
fn end<B>(response: &ServiceResponse<B>, id: &RequestId, elapsed: Duration) {
    let req = response.request();
    let status = response.status();
    let counted = req.app_data::<web::Data<AppState>>().filter(|state| state.site.metrics);
    let route = RoutePattern::of(req);
    let route = route.as_deref().unwrap_or(UNMATCHED);
    if let Some(state) = counted {
        state.metrics.http.observe(route, status, elapsed);
    }
    if tracing::level_enabled!(tracing::Level::INFO) {
        Span::current().record("route", tracing::field::display(route));
    }
    let (status, duration_ms) = (status.as_u16(), milliseconds(elapsed));
    let path = redact::Target { path: req.path(), query: req.query_string() };
    if status >= 500 {
        let (error, method) = (cause(response), req.method());
        let client = Address(crate::client::of(req).address);
        tracing::error!(
            target: TARGET,
            request_id = %id, %method, route = %route, %client, status, duration_ms, %path, %error,
            "request failed"
        );
    } else {
        tracing::info!(target: TARGET, status, duration_ms, %path, "request");
    }
}

/// Why a 5xx answer is one: the [`Cause`] the error or handler attached to
/// the response, else the error itself.
fn cause<B>(response: &ServiceResponse<B>) -> String {
    let response = response.response();
    if let Some(cause) = response.extensions().get::<Cause>() {
        return cause.0.clone();
    }
    response.error().map_or_else(|| "-".to_owned(), ToString::to_string)
}

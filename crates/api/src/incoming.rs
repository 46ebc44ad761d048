//! Request bodies while they arrive. A client that declares a large body
//! and sends a byte now and then holds a connection, its buffers and a
//! request for as long as it likes: 1,500 such connections stayed open for
//! minutes. So each body must arrive at [`MIN_BYTES_PER_SEC`] on average
//! once [`GRACE`] has passed (2 MiB on a link of 8 kbit/s still makes it),
//! else the request ends with 408; and one client (as the trusted-proxy
//! rules name it) may have at most [`MAX_PER_CLIENT`] bodies arriving at
//! once, the next gets 429. Requests without a body pass untouched.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::HttpMessage;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header::{self, HeaderMap};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use futures_core::Stream;
use tokio::time::{Instant, Sleep};

use crate::AppState;
use crate::error::ApiError;

/// The slowest average rate a body may arrive at, after [`GRACE`].
pub const MIN_BYTES_PER_SEC: u64 = 1024;

/// How long a body may take before its rate counts.
pub const GRACE: Duration = Duration::from_secs(5);

/// Bodies one client may have arriving at once.
pub const MAX_PER_CLIENT: usize = 32;

/// Bodies arriving, per client address.
#[derive(Debug, Default, Clone)]
pub struct InFlight(Arc<Mutex<HashMap<IpAddr, usize>>>);

impl InFlight {
    /// A place for one more body from `address`, or `None` when it has
    /// [`MAX_PER_CLIENT`] arriving already.
    fn enter(&self, address: IpAddr) -> Option<Arriving> {
        let mut counts = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let count = counts.entry(address).or_insert(0);
        if *count >= MAX_PER_CLIENT {
            return None;
        }
        *count += 1;
        Some(Arriving { flight: self.clone(), address })
    }
}

/// One body arriving; given back when it is whole, fails, or is dropped.
#[derive(Debug)]
struct Arriving {
    flight: InFlight,
    address: IpAddr,
}

impl Drop for Arriving {
    fn drop(&mut self) {
        let mut counts = self.flight.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = counts.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.address);
            }
        }
    }
}

/// A body, failing with `TimedOut` once it falls below the rate.
struct Metered {
    inner: Payload,
    started: Instant,
    received: u64,
    /// When the bytes so far stop being enough: [`GRACE`] after the start,
    /// or later as they come.
    due: Pin<Box<Sleep>>,
    arriving: Option<Arriving>,
}

impl Metered {
    fn new(inner: Payload, arriving: Arriving) -> Self {
        let started = Instant::now();
        Self {
            inner,
            started,
            received: 0,
            due: Box::pin(tokio::time::sleep_until(started + GRACE)),
            arriving: Some(arriving),
        }
    }
}

/// How a body that came too slowly fails; [`crate::body`] answers it with 408.
pub fn is_too_slow(error: &PayloadError) -> bool {
    matches!(error, PayloadError::Io(e) if e.kind() == io::ErrorKind::TimedOut)
}

impl Stream for Metered {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                this.received = this.received.saturating_add(chunk.len() as u64);
                let earned = Duration::from_millis(this.received.saturating_mul(1000) / MIN_BYTES_PER_SEC);
                this.due.as_mut().reset(this.started + GRACE.max(earned));
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(other) => {
                this.arriving = None;
                Poll::Ready(other)
            }
            Poll::Pending => {
                if this.due.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                this.arriving = None;
                let why = format!("the body came slower than {MIN_BYTES_PER_SEC} bytes a second");
                Poll::Ready(Some(Err(PayloadError::Io(io::Error::new(io::ErrorKind::TimedOut, why)))))
            }
        }
    }
}

/// Whether the request says a body follows.
fn has_body(headers: &HeaderMap) -> bool {
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().parse::<u64>().map_or(true, |n| n > 0))
}

/// Middleware: meter every request body, and turn a client away while it
/// has [`MAX_PER_CLIENT`] bodies arriving.
pub async fn meter(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if !has_body(req.headers()) {
        return next.call(req).await.map(ServiceResponse::map_into_left_body);
    }
    let client = crate::client::of(req.request());
    let flight = req.app_data::<web::Data<AppState>>().map(|state| state.incoming.clone());
    let (Some(address), Some(flight)) = (client.address, flight) else {
        return next.call(req).await.map(ServiceResponse::map_into_left_body);
    };
    let Some(arriving) = flight.enter(address) else {
        tracing::warn!(client = %address, "too many request bodies arriving from one client; one was turned away");
        let refused = ApiError::TooManyRequests { retry_after_secs: GRACE.as_secs() };
        return Ok(req.error_response(refused).map_into_right_body());
    };
    let body = req.take_payload();
    let metered: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> = Box::pin(Metered::new(body, arriving));
    req.set_payload(Payload::from(metered));
    next.call(req).await.map(ServiceResponse::map_into_left_body)
}

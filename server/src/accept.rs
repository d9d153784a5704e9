//! What happens to a TCP connection between `accept` and hyper: admission ([`Admission`]), the
//! idle deadline for a connection that sends nothing, and the counting of header timeouts.
//!
//! hyper itself enforces the header-read timeout (it has a timer, see `server.rs`); this layer
//! only watches the bytes go by so that the cut can be counted in `/metrics`.

use crate::admission::{Admission, Ticket};
use axum_server::accept::Accept;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};
use tower_http::add_extension::AddExtension;

/// The acceptor: admits the connection or closes it, and hands the ticket to its requests.
#[derive(Clone)]
pub struct Admit {
    admission: Arc<Admission>,
    idle: Duration,
    header: Duration,
}

impl Admit {
    /// Admits through `admission`; a connection silent for `idle` after `accept` is closed;
    /// `header` is hyper's header-read timeout (to tell its cuts apart).
    pub fn new(admission: Arc<Admission>, idle: Duration, header: Duration) -> Self {
        Self {
            admission,
            idle,
            header,
        }
    }
}

impl<S: Send + 'static> Accept<TcpStream, S> for Admit {
    type Stream = Guarded<TcpStream>;
    type Service = AddExtension<S, Arc<Ticket>>;
    type Future = std::future::Ready<io::Result<(Self::Stream, Self::Service)>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let admitted = stream
            .peer_addr()
            .ok()
            .and_then(|peer| self.admission.admit(peer.ip()));
        let Some(ticket) = admitted else {
            // Dropping the stream closes it now.
            return std::future::ready(Err(io::Error::other("over the connection caps")));
        };
        let _ = stream.set_nodelay(true);
        let guarded = Guarded {
            inner: stream,
            ticket: ticket.clone(),
            idle: Some(Box::pin(tokio::time::sleep(self.idle))),
            header_deadline: Instant::now() + self.header,
            ended: false,
        };
        std::future::ready(Ok((guarded, AddExtension::new(service, ticket))))
    }
}

/// A connection's stream with its ticket: the place is given back when the stream (or the
/// WebSocket it became) is dropped.
pub struct Guarded<S> {
    inner: S,
    ticket: Arc<Ticket>,
    /// Until the first byte: when to give up on a connection that sends nothing.
    idle: Option<Pin<Box<Sleep>>>,
    /// When hyper's header-read timeout fires (one instant, not two fields: every WebSocket
    /// keeps this struct for its whole life).
    header_deadline: Instant,
    /// The peer closed or the socket failed: nothing to count at drop.
    ended: bool,
}

impl<S: AsyncRead + Unpin> AsyncRead for Guarded<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let got = buf.filled().len() > before;
                if got {
                    this.idle = None;
                    this.ticket.partial.store(true, Ordering::Relaxed);
                } else {
                    this.ended = true;
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => {
                this.ended = true;
                Poll::Ready(Err(e))
            }
            Poll::Pending => match this.idle.as_mut().map(|s| s.as_mut().poll(cx)) {
                Some(Poll::Ready(())) => {
                    this.idle = None;
                    this.ended = true;
                    this.ticket.cut("idletimeout");
                    Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "nothing sent within the idle timeout",
                    )))
                }
                _ => Poll::Pending,
            },
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Guarded<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.ticket.partial.store(false, Ordering::Relaxed);
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.ticket.partial.store(false, Ordering::Relaxed);
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

impl<S> Drop for Guarded<S> {
    fn drop(&mut self) {
        // hyper drops a connection whose request head is still incomplete at its header-read
        // timeout, without a reply: bytes came, no head was read, nothing was written since,
        // and the peer is still there.
        let t = &self.ticket;
        if !self.ended
            && !t.upgraded.load(Ordering::Relaxed)
            && t.partial.load(Ordering::Relaxed)
            && Instant::now() >= self.header_deadline
        {
            t.cut("headertimeout");
        }
    }
}

//! TCP proxies in front of the test directory: one that can hold new connections, to freeze
//! a worker inside an LDAP call, and one that can break the connections it carries.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub struct StallProxy {
    pub port: u16,
    stalled: Arc<AtomicBool>,
}

impl StallProxy {
    /// Forwards 127.0.0.1:<port> to `upstream` ("host:port").
    pub async fn start(upstream: String) -> StallProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let stalled = Arc::new(AtomicBool::new(false));
        let flag = stalled.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    return;
                };
                let flag = flag.clone();
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    // A stalled connection is accepted but nothing is forwarded until release.
                    while flag.load(Ordering::SeqCst) {
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    }
                    if let Ok(mut server) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        StallProxy { port, stalled }
    }

    pub fn stall(&self) {
        self.stalled.store(true, Ordering::SeqCst);
    }

    pub fn release(&self) {
        self.stalled.store(false, Ordering::SeqCst);
    }
}

/// A TCP proxy that counts the connections it carries and can break them, as a directory
/// restart or a firewall's idle timeout does to connections a client keeps open.
pub struct BreakingProxy {
    pub port: u16,
    accepted: Arc<AtomicUsize>,
    breaks: Arc<AtomicUsize>,
}

impl BreakingProxy {
    /// Forwards 127.0.0.1:<port> to `upstream` ("host:port").
    pub async fn start(upstream: String) -> BreakingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let breaks = Arc::new(AtomicUsize::new(0));
        let (count, broken) = (accepted.clone(), breaks.clone());
        tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                count.fetch_add(1, Ordering::SeqCst);
                let broken = broken.clone();
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    let opened_at = broken.load(Ordering::SeqCst);
                    let (mut client_read, mut client_write) = client.into_split();
                    let (mut server_read, mut server_write) = server.into_split();
                    let back = tokio::spawn(async move {
                        let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
                    });
                    let mut buffer = vec![0u8; 16 * 1024];
                    while let Ok(read) = client_read.read(&mut buffer).await {
                        // A connection opened before the last break is closed when the
                        // client next sends something, without forwarding it.
                        if read == 0 || broken.load(Ordering::SeqCst) != opened_at {
                            break;
                        }
                        if server_write.write_all(&buffer[..read]).await.is_err() {
                            break;
                        }
                    }
                    back.abort();
                });
            }
        });
        BreakingProxy {
            port,
            accepted,
            breaks,
        }
    }

    /// Breaks every connection open now: each is closed at the client's next request.
    pub fn break_open_connections(&self) {
        self.breaks.fetch_add(1, Ordering::SeqCst);
    }

    /// Returns the number of connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

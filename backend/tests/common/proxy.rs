//! A TCP proxy that can hold new connections, to freeze a worker inside an LDAP call.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
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

//! A webhook receiver on 127.0.0.1 for the tests: it records every request
//! and answers with the statuses it was told to, in turn, then 200; or,
//! started `hanging`, never answers at all.

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Received {
    /// Header names in lower case.
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }
}

#[derive(Default)]
struct Shared {
    received: Vec<Received>,
    answers: VecDeque<u16>,
    /// Hold each request this long without answering.
    hang: Option<Duration>,
}

pub struct Receiver {
    port: u16,
    shared: Arc<Mutex<Shared>>,
}

impl Receiver {
    pub fn start() -> Self {
        Self::with(Shared::default())
    }

    /// A receiver that reads each request, then holds the connection for
    /// `hang` without a word (one request at a time).
    pub fn hanging(hang: Duration) -> Self {
        Self::with(Shared { hang: Some(hang), ..Shared::default() })
    }

    fn with(shared: Shared) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Mutex::new(shared));
        let inbox = Arc::clone(&shared);
        // Lives as long as the test process; each test has its own port.
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = serve(stream, &inbox);
            }
        });
        Self { port, shared }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The next requests get these statuses, in order.
    pub fn answer(&self, statuses: &[u16]) {
        self.shared.lock().unwrap().answers.extend(statuses);
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.lock().unwrap().received.clone()
    }

    /// Wait (at most `limit`) until `n` requests have arrived; all of them.
    pub fn wait_for(&self, n: usize, limit: Duration) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let received = self.received();
            if received.len() >= n {
                return received;
            }
            assert!(started.elapsed() < limit, "{} of {n} requests after {limit:?}: {received:?}", received.len());
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

fn serve(stream: TcpStream, shared: &Mutex<Shared>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut headers = HashMap::new();
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let Some((name, value)) = line.trim_end().split_once(':') else { break };
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
    let length: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let (status, hang) = {
        let mut shared = shared.lock().unwrap();
        shared.received.push(Received { headers, body: String::from_utf8_lossy(&body).into_owned() });
        (shared.answers.pop_front().unwrap_or(200), shared.hang)
    };
    if let Some(hang) = hang {
        std::thread::sleep(hang);
        return Ok(());
    }
    let location = if (300..400).contains(&status) { "location: /elsewhere\r\n" } else { "" };
    let mut stream = stream;
    write!(stream, "HTTP/1.1 {status} Answer\r\n{location}content-length: 0\r\nconnection: close\r\n\r\n")?;
    stream.flush()
}

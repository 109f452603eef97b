//! A small SMTP server for tests: it accepts mail on `127.0.0.1` and keeps it in memory. It speaks
//! just enough SMTP for lettre (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; no AUTH, no
//! STARTTLS) and can refuse recipients, to exercise retries and permanent failures.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// How the sink misbehaves.
#[derive(Clone, Debug, Default)]
pub struct SinkBehaviour {
    /// Answer `451` (try again later) to this many `RCPT` commands before accepting any.
    pub fail_first: usize,
    /// Answer `550` (no such user) to every recipient in this domain.
    pub reject_domain: Option<String>,
}

/// One message as the sink received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The envelope sender (`MAIL FROM`).
    pub from: String,
    /// The envelope recipients (`RCPT TO`).
    pub to: Vec<String>,
    /// The message after `DATA`, dot-unstuffed, with its CRLF line ends.
    pub data: String,
}

/// A running test SMTP server; it stops accepting connections when dropped.
#[derive(Debug)]
pub struct SmtpSink {
    url: String,
    mails: watch::Receiver<Vec<ReceivedMail>>,
    task: tokio::task::JoinHandle<()>,
}

struct Shared {
    mails: watch::Sender<Vec<ReceivedMail>>,
    failures_left: AtomicUsize,
    /// `@domain`, lower case.
    reject: Option<String>,
}

impl Shared {
    /// 550 for the rejected domain, 451 while failures are left, else 250.
    fn rcpt_reply(&self, address: &str) -> &'static str {
        let rejected = (self.reject.as_ref()).is_some_and(|d| address.to_lowercase().ends_with(d));
        if rejected {
            return "550 5.1.1 No such user\r\n";
        }
        let take_one = |n: usize| n.checked_sub(1);
        match self.failures_left.fetch_update(SeqCst, SeqCst, take_one) {
            Ok(_) => "451 4.3.0 Try again later\r\n",
            Err(_) => "250 OK\r\n",
        }
    }
}

impl SmtpSink {
    /// Starts a sink that accepts everything.
    pub async fn start() -> SmtpSink {
        Self::start_with(SinkBehaviour::default()).await
    }

    /// Starts a sink that behaves as `behaviour` says.
    pub async fn start_with(behaviour: SinkBehaviour) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("smtp://{}", listener.local_addr().expect("local address"));
        let (sender, mails) = watch::channel(Vec::new());
        let shared = Arc::new(Shared {
            mails: sender,
            failures_left: AtomicUsize::new(behaviour.fail_first),
            reject: (behaviour.reject_domain).map(|d| format!("@{}", d.to_lowercase())),
        });
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(session(socket, shared.clone()));
            }
        });
        SmtpSink { url, mails, task }
    }

    /// The URL to give the mailer: `smtp://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Every message received so far, in order.
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.mails.borrow().clone()
    }

    /// Waits until at least `n` messages have arrived or `timeout` has passed; answers what arrived.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let mut mails = self.mails.clone();
        let _ = tokio::time::timeout(timeout, mails.wait_for(|m| m.len() >= n)).await;
        self.received()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One SMTP conversation; it ends at QUIT, at the end of input or at an I/O error.
async fn session(socket: TcpStream, shared: Arc<Shared>) -> std::io::Result<()> {
    let mut conn = BufReader::new(socket);
    let (mut line, mut from, mut to) = (Vec::new(), None::<String>, Vec::new());
    conn.write_all(b"220 pacta-sink ESMTP\r\n").await?;
    loop {
        line.clear();
        if conn.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let command = String::from_utf8_lossy(&line).into_owned();
        let verb = command.get(..4).unwrap_or("").to_ascii_uppercase();
        let reply = match verb.as_str() {
            "EHLO" => "250-pacta-sink\r\n250 8BITMIME\r\n",
            "HELO" | "NOOP" => "250 OK\r\n",
            "RSET" => {
                (from, to) = (None, Vec::new());
                "250 OK\r\n"
            }
            "QUIT" => return conn.write_all(b"221 Bye\r\n").await,
            "MAIL" => {
                from = Some(angle_address(&command));
                "250 OK\r\n"
            }
            "RCPT" => {
                let address = angle_address(&command);
                let reply = shared.rcpt_reply(&address);
                if reply.starts_with('2') {
                    to.push(address);
                }
                reply
            }
            "DATA" if to.is_empty() => "503 No valid recipients\r\n",
            "DATA" => {
                conn.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut data = Vec::new();
                loop {
                    line.clear();
                    if conn.read_until(b'\n', &mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == b".\r\n" {
                        break;
                    }
                    data.extend_from_slice(line.strip_prefix(b".").unwrap_or(&line));
                }
                let mail = ReceivedMail {
                    from: from.take().unwrap_or_default(),
                    to: std::mem::take(&mut to),
                    data: String::from_utf8_lossy(&data).into_owned(),
                };
                shared.mails.send_modify(|mails| mails.push(mail));
                "250 OK queued\r\n"
            }
            _ => "502 Command not implemented\r\n",
        };
        conn.write_all(reply.as_bytes()).await?;
    }
}

/// The address between `<` and `>` in a MAIL or RCPT command.
fn angle_address(command: &str) -> String {
    let after = command.split_once('<').map_or(command, |(_, rest)| rest);
    after.split('>').next().unwrap_or("").trim().to_string()
}

impl ReceivedMail {
    /// The `Subject` header with its RFC 2047 encoded words (UTF-8, B or Q) decoded.
    pub fn subject(&self) -> Option<String> {
        header(&self.data, "subject").map(|s| decode_encoded_words(&s))
    }

    /// The decoded `text/plain` part (LF line ends), best effort.
    pub fn text_body(&self) -> Option<String> {
        find_part(&self.data, "text/plain")
    }

    /// The decoded `text/html` part (LF line ends), best effort.
    pub fn html_body(&self) -> Option<String> {
        find_part(&self.data, "text/html")
    }
}

/// The unfolded value of header `name` (lower case) of a message or MIME part.
fn header(data: &str, name: &str) -> Option<String> {
    let head = data.split("\r\n\r\n").next().unwrap_or("");
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    unfolded.lines().find_map(|line| {
        let (n, value) = line.split_once(':')?;
        n.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().to_string())
    })
}

/// The first part of type `mime`, searched depth-first through multipart bodies, decoded.
fn find_part(data: &str, mime: &str) -> Option<String> {
    let content_type = header(data, "content-type").unwrap_or("text/plain".into());
    let body = data.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    if content_type.to_ascii_lowercase().starts_with("multipart/") {
        let boundary = content_type.split("boundary=").nth(1)?.split(';').next()?;
        let delimiter = format!("\r\n--{}", boundary.trim().trim_matches('"'));
        let body = format!("\r\n{body}");
        return (body.split(delimiter.as_str()).skip(1))
            .take_while(|part| !part.starts_with("--"))
            .find_map(|part| find_part(part.trim_start_matches(['\r', '\n']), mime));
    }
    if !content_type.to_ascii_lowercase().starts_with(mime) {
        return None;
    }
    let encoding = header(data, "content-transfer-encoding").unwrap_or_default();
    let bytes = match encoding.to_ascii_lowercase().as_str() {
        "base64" => base64_decode(body)?,
        "quoted-printable" => decode_q(body, false),
        _ => body.as_bytes().to_vec(),
    };
    Some(String::from_utf8_lossy(&bytes).replace("\r\n", "\n"))
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()
}

/// Quoted-printable (RFC 2045) or, with `underscore_is_space`, the RFC 2047 "Q" encoding.
fn decode_q(text: &str, underscore_is_space: bool) -> Vec<u8> {
    let text = text.replace("=\r\n", ""); // soft line breaks
    let (bytes, mut out, mut i) = (text.as_bytes(), Vec::new(), 0);
    while i < bytes.len() {
        let hex = (bytes[i] == b'=')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten();
        match hex.and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()) {
            Some(byte) => {
                out.push(byte);
                i += 2;
            }
            None if underscore_is_space && bytes[i] == b'_' => out.push(b' '),
            None => out.push(bytes[i]),
        }
        i += 1;
    }
    out
}

/// Decodes a header value's RFC 2047 encoded words; the space between two encoded words goes.
fn decode_encoded_words(value: &str) -> String {
    let (mut out, mut previous_was_word) = (Vec::new(), false);
    for token in value.split_whitespace() {
        let inner = token.strip_prefix("=?").and_then(|t| t.strip_suffix("?="));
        let word = inner.and_then(|t| match t.splitn(3, '?').collect::<Vec<_>>()[..] {
            [_charset, "B" | "b", text] => base64_decode(text),
            [_charset, "Q" | "q", text] => Some(decode_q(text, true)),
            _ => None,
        });
        let joins_previous_word = previous_was_word && word.is_some();
        if !out.is_empty() && !joins_previous_word {
            out.push(b' ');
        }
        previous_was_word = word.is_some();
        out.extend(word.unwrap_or_else(|| token.as_bytes().to_vec()));
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_b_and_q_encoded_words_and_keeps_plain_text() {
        let subject = decode_encoded_words("=?utf-8?b?w5xi?= =?utf-8?b?ZXI=?= x");
        assert_eq!(subject, "Über x");
        let subject = decode_encoded_words("Re: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus?= Gent");
        assert_eq!(subject, "Re: Grüße aus Gent");
    }

    #[test]
    fn decodes_base64_and_quoted_printable_parts() {
        let data = "Subject: =?utf-8?b?w5xi?=\r\n =?utf-8?b?ZXI=?=\r\n\
            Content-Type: multipart/alternative;\r\n boundary=\"b1\"\r\n\r\n--b1\r\n\
            Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n\
            zpHOuM6uzr3OsQ==\r\n--b1\r\nContent-Type: text/html; charset=utf-8\r\n\
            Content-Transfer-Encoding: quoted-printable\r\n\r\n<p>a=3Db=\r\nc =E2=86=92</p>\r\n--b1--\r\n";
        let mail = ReceivedMail {
            from: String::new(),
            to: Vec::new(),
            data: data.into(),
        };
        assert_eq!(mail.subject().as_deref(), Some("Über"));
        assert_eq!(mail.text_body().as_deref(), Some("Αθήνα"));
        assert_eq!(mail.html_body().as_deref(), Some("<p>a=bc →</p>"));
    }
}
